/**
 * What every transport (SshRemote, DockerRemote) shares: its nodes and their addresses, `exec`
 * and `script` on top of the transport's one way of running a command, calls on several nodes
 * at once, and the rules of one call: its timeout (queueing and connecting included), the tag
 * that finds its processes on the node, the timeout error naming node and command, and a
 * non-zero exit status as a RemoteCommandError unless the caller allows failure.
 */
import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { MultiNodeError, RemoteCommandError, RemoteError, RemoteTimeoutError } from './errors.js';
import { shellCommand } from './quote.js';
import type { ExecOptions, ExecResult, Remote } from './types.js';

const DEFAULT_TIMEOUT_MS = 30_000;
/** Environment variable naming each remote call (inherited by everything the call starts). */
export const CALL_TAG = 'FAULTLINE_CALL';

/** The options every transport takes. */
export interface RemoteBaseOptions {
  nodes: readonly string[];
  /** Where clients reach each node (default: the node name); what `address()` returns. */
  addresses?: Readonly<Record<string, string>>;
  /** Default timeout of every remote call (default 30 s). */
  timeoutMs?: number;
}

/** One file copy between the controller and a node, as `upload` and `download` hand it to the transport. */
export interface FileCopy {
  node: string;
  localPath: string;
  remotePath: string;
  /** The copy as errors name it: `upload LOCAL to REMOTE`, `download REMOTE to LOCAL`. */
  shown: string;
  options: { timeoutMs?: number };
}

/** The part of a `Remote` that does not depend on how the nodes are reached. */
export abstract class RemoteBase implements Remote {
  readonly nodes: readonly string[];
  /** Set by `close()`: no call starts after it. */
  protected closed = false;
  private readonly baseOptions: RemoteBaseOptions;

  /** `transport` names the class in the error for an empty node list. */
  protected constructor(transport: string, options: RemoteBaseOptions) {
    if (options.nodes.length === 0) throw new TypeError(`${transport} needs at least one node`);
    this.baseOptions = options;
    this.nodes = [...options.nodes];
  }

  address(node: string): string {
    return this.baseOptions.addresses?.[node] ?? node;
  }

  async exec(node: string, argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    return this.call(node, argv, brief(shellCommand(argv)), options);
  }

  /** Runs `script` with `bash -c` (so the script's own commands keep stdin); `args` become `$1…`. */
  async script(
    node: string,
    script: string,
    args: readonly string[] = [],
    options: ExecOptions = {},
  ): Promise<ExecResult> {
    const firstLine = script.trim().split('\n')[0] ?? '';
    return this.call(node, ['bash', '-c', script, 'bash', ...args], brief(`script: ${firstLine}…`), options);
  }

  async onAll(
    argv: readonly string[],
    options: ExecOptions & { nodes?: readonly string[] } = {},
  ): Promise<Map<string, ExecResult>> {
    return this.eachNode(options.nodes ?? this.nodes, (node) => this.exec(node, argv, options));
  }

  /** Runs `fn` on each node at once; rejects with a MultiNodeError naming every node that failed. */
  async eachNode<T>(nodes: readonly string[], fn: (node: string) => Promise<T>): Promise<Map<string, T>> {
    const settled = await Promise.allSettled(nodes.map(fn));
    const results = new Map<string, T>();
    const failures = new Map<string, unknown>();
    settled.forEach((s, i) => {
      const node = nodes[i] as string;
      if (s.status === 'fulfilled') results.set(node, s.value);
      else failures.set(node, s.reason);
    });
    if (failures.size > 0) throw new MultiNodeError(results, failures);
    return results;
  }

  /** Copies a local file to the node, keeping its bytes and its mode. */
  async upload(
    node: string,
    localPath: string,
    remotePath: string,
    options: { timeoutMs?: number } = {},
  ): Promise<void> {
    const { mode } = await stat(localPath);
    const shown = `upload ${localPath} to ${remotePath}`;
    await this.copyTo({ node, localPath, remotePath, shown, options }, mode & 0o7777);
  }

  /** Copies a file from the node to the controller, byte for byte. */
  async download(
    node: string,
    remotePath: string,
    localPath: string,
    options: { timeoutMs?: number } = {},
  ): Promise<void> {
    const shown = `download ${remotePath} to ${localPath}`;
    await this.copyFrom({ node, localPath, remotePath, shown, options });
  }

  abstract close(): Promise<void>;

  /**
   * The transport's way of running `argv` on `node` as one call (a {@link RemoteCall}), judged
   * by {@link judge}; `shown` names the command in errors.
   */
  protected abstract call(
    node: string,
    argv: readonly string[],
    shown: string,
    options: ExecOptions,
  ): Promise<ExecResult>;

  /** The transport's way of copying a local file to the node, with the permission bits `mode`. */
  protected abstract copyTo(copy: FileCopy, mode: number): Promise<void>;

  /** The transport's way of copying a file from the node to the controller. */
  protected abstract copyFrom(copy: FileCopy): Promise<void>;

  /** Best effort, in the background: SIGKILLs what the timed-out call tagged `tag` still runs on the node. */
  protected abstract killCall(node: string, tag: string): void;

  /** Throws unless the remote is open and `node` is one of its nodes. */
  protected checkNode(node: string): void {
    if (this.closed) throw new RemoteError(node, `${node}: this remote is closed`);
    if (!this.nodes.includes(node)) {
      throw new RemoteError(node, `unknown node ${JSON.stringify(node)}; nodes are ${this.nodes.join(', ')}`);
    }
  }

  /** A call's timeout: its own, else the remote's default. */
  protected timeoutOf(timeoutMs: number | undefined): number {
    return timeoutMs ?? this.baseOptions.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** A new call of `shown` on `node`, whose deadline starts now. */
  protected startCall(node: string, shown: string, options: ExecOptions): RemoteCall {
    return new RemoteCall(node, shown, this.timeoutOf(options.timeoutMs), (tag) => this.killCall(node, tag));
  }

  /** The result of a command, or a RemoteCommandError when it failed and the caller did not allow that. */
  protected judge(node: string, shown: string, result: ExecResult, options: ExecOptions): ExecResult {
    if (!options.allowFailure && result.code !== 0) throw new RemoteCommandError(node, shown, result);
    return result;
  }
}

/**
 * One remote call under its deadline. The transport tags the command's processes with `tag`
 * (as CALL_TAG in their environment), sets `phase` to `run` once the command has started, and
 * checks `expired` between its steps: a call that timed out while queued or connecting must not
 * run late.
 */
export class RemoteCall {
  readonly tag = randomUUID();
  /** When the call times out (ms since the epoch). */
  readonly deadline: number;
  phase: 'connect' | 'run' = 'connect';
  expired = false;

  constructor(
    readonly node: string,
    readonly shown: string,
    readonly timeoutMs: number,
    private readonly kill: (tag: string) => void,
  ) {
    this.deadline = Date.now() + timeoutMs;
  }

  /** The call's timeout error, naming node and command, as of its phase. */
  timedOut(): RemoteTimeoutError {
    return new RemoteTimeoutError(this.node, this.shown, this.timeoutMs, this.phase);
  }

  /** Throws the call's timeout error when its deadline has passed. */
  throwIfExpired(): void {
    if (this.expired) throw this.timedOut();
  }

  /**
   * `work`'s outcome, or the timeout error at the deadline: then `abandon()` drops the
   * transport's handle of the command and, when the command had started, the node kills it.
   */
  within<T>(work: Promise<T>, abandon: () => void): Promise<T> {
    return withTimeout(work, this.timeoutMs, () => {
      this.expired = true;
      abandon();
      if (this.phase === 'run') this.kill(this.tag);
      return this.timedOut();
    });
  }
}

/** Rejects with `onTimeout()` after `ms`, and never leaves `work`'s rejection unhandled. */
export async function withTimeout<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  work.catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A command as errors show it: at most 200 characters. */
function brief(shown: string): string {
  return shown.length > 200 ? `${shown.slice(0, 200)}…` : shown;
}
