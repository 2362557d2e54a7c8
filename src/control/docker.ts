/**
 * `Remote` over Docker: `docker exec` through the Engine API (dockerode) on one kept-alive
 * connection to the daemon, with the guarantees of SshRemote: exact argv (no shell in between),
 * stdin/stdout/stderr, exit status, timeouts that kill the remote command, uploads and
 * downloads keeping bytes and mode, and errors naming the node and the command.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { Agent } from 'node:http';
import type { Duplex } from 'node:stream';
import { Writable } from 'node:stream';
import Docker from 'dockerode';
import { CALL_TAG, type FileCopy, RemoteBase } from './base.js';
import { RemoteConnectError, RemoteError } from './errors.js';
import type { NodeFreezer } from './freezer.js';
import type { ExecOptions, ExecResult } from './types.js';

/** How to reach the containers. Only `nodes` is required. */
export interface DockerRemoteOptions {
  /** Node names; each is also the container's name unless `containers` says otherwise. */
  nodes: readonly string[];
  /** The container (name or id) of each node (default: the node name). */
  containers?: Readonly<Record<string, string>>;
  /** The address clients use for each node (default: the node name, which resolves on the containers' network). */
  addresses?: Readonly<Record<string, string>>;
  /** The Docker daemon's socket (default: DOCKER_HOST's unix socket, or /var/run/docker.sock). */
  socketPath?: string;
  /** Default timeout of every call (default 30 s). */
  timeoutMs?: number;
}

/**
 * Kills what the call tagged $1 still runs: the processes carrying the tag in the session of
 * the call's first process. Daemons the call started in a session of their own survive.
 */
const KILL_CALL_SCRIPT = `tagged=$(grep -lzx "${CALL_TAG}=$1" /proc/[0-9]*/environ 2>/dev/null | sed 's|/proc/||; s|/environ||')
[ -n "$tagged" ] || exit 0
root=$(for p in $tagged; do pp=$(ps -o ppid= -p "$p" | tr -d ' '); case " $(echo $tagged) " in *" $pp "*) ;; *) echo "$p" ;; esac; done | head -n1)
sid=$(ps -o sid= -p "$root" | tr -d ' ')
for p in $tagged; do [ "$(ps -o sid= -p "$p" | tr -d ' ')" = "$sid" ] && kill -KILL "$p" 2>/dev/null; done
exit 0`;
/** Exit statuses above 128 are how Docker reports a command killed by a signal. */
const SIGNALS: Record<number, string> = {
  1: 'SIGHUP',
  2: 'SIGINT',
  3: 'SIGQUIT',
  6: 'SIGABRT',
  9: 'SIGKILL',
  13: 'SIGPIPE',
  14: 'SIGALRM',
  15: 'SIGTERM',
};

/** The raw outcome of one exec, before it is judged. */
interface RawResult {
  code: number | null;
  signal?: string;
  stdout: Buffer;
  stderr: Buffer;
}

/** Drives containers with `docker exec`. Create one per test; `close()` it at the end. */
export class DockerRemote extends RemoteBase implements NodeFreezer {
  private readonly options: DockerRemoteOptions;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 32 });
  private readonly docker: Docker;
  /**
   * Nodes this remote froze or is freezing. An exec that starts while its container is being
   * frozen can leave runc's init stuck in the frozen cgroup, and Docker with it; so no exec
   * starts on such a node (it fails as unreachable), and a freeze waits for the execs that are
   * starting to have started.
   */
  private readonly frozen = new Set<string>();
  private readonly starting = new Map<string, Set<Promise<unknown>>>();

  constructor(options: DockerRemoteOptions) {
    super('DockerRemote', options);
    this.options = options;
    // dockerode passes `agent` on to its HTTP requests; its types do not list it.
    const dockerOptions: Docker.DockerOptions & { agent: Agent } = {
      socketPath: options.socketPath ?? dockerSocketPath(),
      agent: this.agent,
    };
    this.docker = new Docker(dockerOptions);
  }

  /** The container a node runs in. */
  container(node: string): string {
    return this.options.containers?.[node] ?? node;
  }

  /** Through the exec's stdin. */
  protected async copyTo(
    { node, localPath, remotePath, shown, options }: FileCopy,
    mode: number,
  ): Promise<void> {
    const data = await readFile(localPath);
    const raw = await this.run(
      node,
      ['sh', '-c', 'cat >"$1" && chmod "$2" "$1"', 'sh', remotePath, mode.toString(8)],
      shown,
      { ...options, stdin: data },
    );
    this.judge(node, shown, text(raw), {});
  }

  /** Through the exec's stdout, written as it came. */
  protected async copyFrom({ node, localPath, remotePath, shown, options }: FileCopy): Promise<void> {
    const raw = await this.run(node, ['cat', '--', remotePath], shown, options);
    this.judge(node, shown, text(raw), {});
    await writeFile(localPath, raw.stdout);
  }

  /** Freezes the whole node (`docker pause`: every process in the container, via the freezer cgroup). */
  async pauseNode(node: string): Promise<void> {
    this.frozen.add(node);
    await Promise.allSettled([...(this.starting.get(node) ?? [])]);
    const container = this.docker.getContainer(this.container(node));
    const info = await container.inspect();
    if (!info.State.Paused) await container.pause();
  }

  /** Thaws a node `pauseNode` froze (`docker unpause`); a running node is left as it is. */
  async resumeNode(node: string): Promise<void> {
    const container = this.docker.getContainer(this.container(node));
    const info = await container.inspect();
    if (info.State.Paused) await container.unpause();
    this.frozen.delete(node);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.agent.destroy();
  }

  protected async call(
    node: string,
    argv: readonly string[],
    brief: string,
    options: ExecOptions,
  ): Promise<ExecResult> {
    return this.judge(node, brief, text(await this.run(node, argv, brief, options)), options);
  }

  /** One exec under the call's deadline: creating, attaching and running all count. */
  private async run(
    node: string,
    argv: readonly string[],
    brief: string,
    options: ExecOptions,
  ): Promise<RawResult> {
    this.checkNode(node);
    if (argv.length === 0) throw new TypeError('empty argv: nothing to run');
    if (this.frozen.has(node)) {
      throw new RemoteConnectError(
        node,
        `${node}: cannot run \`${brief}\`: the node is frozen (docker pause)`,
      );
    }
    const call = this.startCall(node, brief, options);
    const container = this.docker.getContainer(this.container(node));
    let stream: Duplex | undefined;
    const work = (async (): Promise<RawResult> => {
      const env = Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`);
      let exec: Docker.Exec;
      try {
        exec = await container.exec({
          Cmd: [...argv],
          Env: [`${CALL_TAG}=${call.tag}`, ...env],
          ...(options.cwd !== undefined && { WorkingDir: options.cwd }),
          AttachStdin: options.stdin !== undefined,
          AttachStdout: true,
          AttachStderr: true,
          Tty: false,
        });
        call.throwIfExpired();
        const started = exec.start({ hijack: true, stdin: options.stdin !== undefined });
        const pending = this.starting.get(node) ?? new Set<Promise<unknown>>();
        this.starting.set(node, pending);
        pending.add(started);
        try {
          stream = (await started) as Duplex;
        } finally {
          pending.delete(started);
        }
      } catch (err) {
        throw this.unreachable(node, brief, err);
      }
      call.phase = 'run';
      if (call.expired) {
        stream.destroy();
        throw call.timedOut();
      }
      const output = await collect(this.docker, stream, options.stdin);
      const info = await exec.inspect().catch((err: unknown) => {
        throw this.unreachable(node, brief, err);
      });
      if (info.ExitCode === null || info.Running) {
        // The stream ended but the command did not: the container went away under it.
        throw new RemoteConnectError(
          node,
          `${node}: connection lost while running \`${brief}\` (${await this.state(node)})`,
        );
      }
      const code = info.ExitCode;
      const signal = code > 128 ? SIGNALS[code - 128] : undefined;
      if (signal !== undefined) {
        // A container stopped under the call also ends it with 128+SIGKILL: say so.
        const state = await this.state(node);
        if (state !== 'running') {
          throw new RemoteConnectError(
            node,
            `${node}: connection lost while running \`${brief}\` (${state})`,
          );
        }
        return { code: null, signal, ...output };
      }
      return { code, ...output };
    })();
    return call.within(work, () => stream?.destroy());
  }

  /** The container's state as Docker tells it: `running`, `paused`, `exited`, … */
  private async state(node: string): Promise<string> {
    try {
      const info = await this.docker.getContainer(this.container(node)).inspect();
      return info.State.Paused ? 'paused' : info.State.Status;
    } catch (err) {
      return `not inspectable: ${(err as Error).message}`;
    }
  }

  /** Best effort, in the background: SIGKILLs what a timed-out call still runs in the container. */
  protected killCall(node: string, tag: string): void {
    this.run(node, ['sh', '-c', KILL_CALL_SCRIPT, 'sh', tag], 'kill timed-out call', {
      timeoutMs: 5_000,
      allowFailure: true,
    }).catch(() => {});
  }

  /** An error from the daemon before the command ran, said as the node being unreachable. */
  private unreachable(node: string, brief: string, err: unknown): Error {
    if (err instanceof RemoteError) return err;
    const e = err as { statusCode?: number; json?: { message?: string }; code?: string; message?: string };
    const said = e.json?.message ?? e.message ?? String(err);
    if (e.code === 'ENOENT' || e.code === 'ECONNREFUSED' || e.code === 'EACCES') {
      return new RemoteConnectError(
        node,
        `${node}: cannot reach the Docker daemon to run \`${brief}\`: ${said} (is dockerd running?)`,
        { cause: err },
      );
    }
    return new RemoteConnectError(
      node,
      `${node}: cannot run \`${brief}\` in container ${this.container(node)}: ${said.trim()}`,
      { cause: err },
    );
  }
}

/** The unix socket of the Docker daemon: DOCKER_HOST when it names one, else the default. */
export function dockerSocketPath(): string {
  const host = process.env.DOCKER_HOST;
  if (host?.startsWith('unix://')) return host.slice('unix://'.length);
  return '/var/run/docker.sock';
}

/** Feeds stdin, then reads the multiplexed stdout/stderr frames until the exec ends. */
function collect(
  docker: Docker,
  stream: Duplex,
  stdin: string | Buffer | undefined,
): Promise<{ stdout: Buffer; stderr: Buffer }> {
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  const sink = (chunks: Buffer[]) =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk);
        done();
      },
    });
  return new Promise((resolve, reject) => {
    docker.modem.demuxStream(stream, sink(stdout), sink(stderr));
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      resolve({ stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr) });
    };
    stream.on('end', finish);
    stream.on('close', finish);
    stream.on('error', (err) => {
      if (settled) return;
      settled = true;
      reject(err);
    });
    if (stdin !== undefined) stream.end(stdin);
  });
}

/** What a command printed, as text. */
function text(raw: RawResult): ExecResult {
  return {
    code: raw.code,
    ...(raw.signal !== undefined && { signal: raw.signal }),
    stdout: raw.stdout.toString('utf8'),
    stderr: raw.stderr.toString('utf8'),
  };
}
