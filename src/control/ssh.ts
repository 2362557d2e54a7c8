/**
 * `Remote` over SSH (ssh2): one kept-open connection per node, reconnected with backoff when
 * it drops; every call bounded by a timeout; host keys checked against a known_hosts file.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Client, type ClientChannel, type ConnectConfig, type SFTPWrapper } from 'ssh2';
import { CALL_TAG, type FileCopy, RemoteBase, withTimeout } from './base.js';
import { HostKeyError, RemoteConnectError, RemoteError, RemoteTimeoutError } from './errors.js';
import { appendKnownHost, fingerprint, KnownHosts, keyTypeOf, knownHostName } from './known-hosts.js';
import { remoteCommandLine } from './quote.js';
import type { ExecOptions, ExecResult } from './types.js';

/** How to reach the nodes. Only `nodes` is required. */
export interface SshRemoteOptions {
  /** Node names as the user knows them (host names or addresses). */
  nodes: readonly string[];
  /** Where to connect for each node (default: the node name itself); also what `address()` returns. */
  addresses?: Readonly<Record<string, string>>;
  /** SSH user (default `root`); any other user runs commands through `sudo -n`. */
  username?: string;
  /** SSH port (default 22). */
  port?: number;
  /** A private key file. Without one, the ssh-agent at SSH_AUTH_SOCK is used (or ~/.ssh/id_*). */
  privateKeyPath?: string;
  /** Passphrase of the private key, if it has one. */
  passphrase?: string;
  /** ssh-agent socket (default: SSH_AUTH_SOCK). */
  agent?: string;
  /** known_hosts file to verify host keys against (default ~/.ssh/known_hosts). */
  knownHostsPath?: string;
  /** Record keys of hosts not yet in known_hosts instead of refusing them. Changed keys are always refused. */
  acceptNewHostKeys?: boolean;
  /** Default timeout of every remote call, connecting included (default 30 s). */
  timeoutMs?: number;
  /** Longest a single connection attempt may take (default 10 s). */
  connectTimeoutMs?: number;
  /** Connection attempts per call before giving up on an unreachable node (default 3). */
  connectAttempts?: number;
  /** Concurrent sessions per connection; sshd's MaxSessions defaults to 10 (default 8). */
  maxSessionsPerNode?: number;
}

/**
 * Kills the session (as in setsid) of the call tagged $1: the session whose leader sshd started.
 * Daemons the call started in a session of their own (setsid, start-stop-daemon) survive.
 */
const KILL_CALL_SCRIPT = `sessions=
for f in $(grep -lzx "${CALL_TAG}=$1" /proc/[0-9]*/environ 2>/dev/null); do
  p=\${f#/proc/}; p=\${p%/environ}
  s=$(ps -o sid= -p "$p" | tr -d ' ') && [ -n "$s" ] || continue
  pp=$(ps -o ppid= -p "$s" | tr -d ' ') && [ -n "$pp" ] && [ "$pp" != 1 ] || continue
  case "$(ps -o comm= -p "$pp")" in sshd*) sessions="$sessions $s" ;; esac
done
# All sessions found before any is killed: orphans would be re-parented meanwhile.
for s in $sessions; do pkill -KILL -s "$s"; done`;
const HOST_KEY_ALGORITHMS: Record<string, string[]> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};

/** Drives nodes over SSH. Create one per test; `close()` it at the end. */
export class SshRemote extends RemoteBase {
  readonly username: string;
  private readonly options: SshRemoteOptions;
  private readonly links = new Map<string, NodeLink>();
  private privateKey?: Promise<Buffer | undefined>;

  constructor(options: SshRemoteOptions) {
    super('SshRemote', options);
    this.options = options;
    this.username = options.username ?? 'root';
  }

  /** Via a temporary file and `sudo mv` for non-root users. */
  protected async copyTo(
    { node, localPath, remotePath, shown, options }: FileCopy,
    mode: number,
  ): Promise<void> {
    const sudo = this.needsSudo({});
    const target = sudo ? `/tmp/.faultline-upload-${randomUUID()}` : remotePath;
    await this.withSftp(node, shown, options.timeoutMs, (sftp, done) =>
      sftp.fastPut(localPath, target, { mode }, done),
    );
    if (sudo) await this.exec(node, ['mv', '-f', '--', target, remotePath], options);
  }

  /** Via a temporary copy for non-root users. */
  protected async copyFrom({ node, localPath, remotePath, shown, options }: FileCopy): Promise<void> {
    const sudo = this.needsSudo({});
    const source = sudo ? `/tmp/.faultline-download-${randomUUID()}` : remotePath;
    if (sudo) {
      await this.script(
        node,
        'cp -- "$1" "$2" && chown "$3" "$2"',
        [remotePath, source, this.username],
        options,
      );
    }
    try {
      await this.withSftp(node, shown, options.timeoutMs, (sftp, done) =>
        sftp.fastGet(source, localPath, done),
      );
    } finally {
      if (sudo) await this.exec(node, ['rm', '-f', '--', source], { allowFailure: true, sudo: false });
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const link of this.links.values()) link.close();
    this.links.clear();
  }

  /** Best effort, in the background: SIGKILLs the session of a timed-out call on the node. */
  protected killCall(node: string, tag: string): void {
    this.script(node, KILL_CALL_SCRIPT, [tag], { timeoutMs: 5_000, allowFailure: true }).catch(() => {});
  }

  private needsSudo(options: ExecOptions): boolean {
    return options.sudo !== false && this.username !== 'root';
  }

  private link(node: string): NodeLink {
    this.checkNode(node);
    let link = this.links.get(node);
    if (!link) {
      link = new NodeLink(node, this.address(node), this.options, () => this.loadPrivateKey());
      this.links.set(node, link);
    }
    return link;
  }

  private loadPrivateKey(): Promise<Buffer | undefined> {
    this.privateKey ??= (async () => {
      if (this.options.privateKeyPath) return readFile(this.options.privateKeyPath);
      if (this.options.agent ?? process.env.SSH_AUTH_SOCK) return undefined;
      for (const name of ['id_ed25519', 'id_ecdsa', 'id_rsa']) {
        try {
          return await readFile(join(homedir(), '.ssh', name));
        } catch {}
      }
      return undefined;
    })();
    return this.privateKey;
  }

  /** Runs one command line under the call's deadline: queueing, connecting and running all count. */
  protected async call(
    node: string,
    argv: readonly string[],
    shown: string,
    options: ExecOptions,
  ): Promise<ExecResult> {
    const call = this.startCall(node, shown, options);
    // Tags the command's processes, so that a timed-out call can be found and killed.
    const line = remoteCommandLine(argv, {
      ...(options.cwd !== undefined && { cwd: options.cwd }),
      env: { [CALL_TAG]: call.tag, ...options.env },
      sudo: this.needsSudo(options),
    });
    const link = this.link(node);
    let channel: ClientChannel | undefined;
    const work = (async () => {
      const release = await link.acquire();
      try {
        // A call that timed out while queued or connecting must not run late.
        for (let attempt = 1; ; attempt++) {
          call.throwIfExpired();
          const client = await link.connect(call.deadline, shown);
          call.throwIfExpired();
          call.phase = 'run';
          try {
            return await runChannel(node, shown, client, line, options.stdin, (ch) => {
              channel = ch;
            });
          } catch (err) {
            // The kept-open connection died unnoticed: the command never started, so one retry
            // on a fresh connection is safe.
            if (!(err instanceof SessionOpenError) || attempt > 1) throw err;
            link.drop(client);
            call.phase = 'connect';
          }
        }
      } finally {
        release();
      }
    })();
    const result = await call.within(work, () => abandon(channel));
    return this.judge(node, shown, result, options);
  }

  private async withSftp(
    node: string,
    what: string,
    timeoutMs: number | undefined,
    fn: (sftp: SFTPWrapper, done: (err?: Error | null) => void) => void,
  ): Promise<void> {
    const limit = this.timeoutOf(timeoutMs);
    const deadline = Date.now() + limit;
    const link = this.link(node);
    const work = (async () => {
      const release = await link.acquire();
      try {
        const sftp = await link.sftp(deadline, what);
        await new Promise<void>((resolve, reject) =>
          fn(sftp, (err) =>
            err
              ? reject(new RemoteError(node, `${node}: ${what} failed: ${err.message}`, { cause: err }))
              : resolve(),
          ),
        );
      } finally {
        release();
      }
    })();
    await withTimeout(work, limit, () => new RemoteTimeoutError(node, what, limit, 'run'));
  }
}

/** The kept-open connection to one node, its SFTP session and its session slots. */
class NodeLink {
  private client?: Client;
  private connecting?: Promise<Client>;
  private sftpSession?: Promise<SFTPWrapper>;
  private failures = 0;
  private nextAttemptAt = 0;
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private closed = false;

  constructor(
    private readonly node: string,
    private readonly host: string,
    private readonly options: SshRemoteOptions,
    private readonly privateKey: () => Promise<Buffer | undefined>,
  ) {}

  /** Waits for a free session slot; returns its release function. */
  async acquire(): Promise<() => void> {
    const max = this.options.maxSessionsPerNode ?? 8;
    if (this.active >= max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.waiting.shift()?.();
    };
  }

  /** The open connection, connecting (with backoff between failed attempts) if there is none. */
  async connect(deadline: number, command: string): Promise<Client> {
    for (;;) {
      if (this.client) return this.client;
      const shared = this.connecting;
      if (!shared) {
        this.connecting = this.dial(deadline, command).finally(() => {
          this.connecting = undefined;
        });
        return this.connecting;
      }
      try {
        return await shared;
      } catch (err) {
        // Another call's shorter deadline ended the shared attempt: ours may still have time.
        if (!(err instanceof RemoteTimeoutError) || Date.now() >= deadline) throw err;
      }
    }
  }

  sftp(deadline: number, what: string): Promise<SFTPWrapper> {
    this.sftpSession ??= this.connect(deadline, what).then(
      (client) =>
        new Promise<SFTPWrapper>((resolve, reject) =>
          client.sftp((err, sftp) => {
            if (err) {
              reject(
                new RemoteError(this.node, `${this.node}: cannot start sftp: ${err.message}`, { cause: err }),
              );
              return;
            }
            sftp.on('close', () => {
              this.sftpSession = undefined;
            });
            resolve(sftp);
          }),
        ),
    );
    this.sftpSession.catch(() => {
      this.sftpSession = undefined;
    });
    return this.sftpSession;
  }

  /** Forgets a connection that turned out dead, so the next call reconnects. */
  drop(client: Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.sftpSession = undefined;
    client.destroy();
  }

  close(): void {
    this.closed = true;
    this.client?.end();
    this.client = undefined;
  }

  private async dial(deadline: number, command: string): Promise<Client> {
    const attempts = this.options.connectAttempts ?? 3;
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const wait = Math.max(0, this.nextAttemptAt - Date.now());
      if (Date.now() + wait >= deadline) break;
      if (wait > 0) await sleep(wait);
      try {
        const client = await this.attempt(deadline);
        this.failures = 0;
        this.nextAttemptAt = 0;
        return client;
      } catch (err) {
        if (err instanceof HostKeyError || isAuthFailure(err)) throw this.describe(err);
        lastError = err;
        this.failures++;
        this.nextAttemptAt = Date.now() + Math.min(5_000, 200 * 2 ** (this.failures - 1));
      }
    }
    if (lastError === undefined) {
      throw new RemoteTimeoutError(this.node, command, Math.max(0, deadline - Date.now()), 'connect');
    }
    throw this.describe(lastError);
  }

  private describe(err: unknown): RemoteConnectError {
    if (err instanceof RemoteConnectError) return err;
    const port = this.options.port ?? 22;
    const user = this.options.username ?? 'root';
    const message = err instanceof Error ? err.message : String(err);
    if (isAuthFailure(err)) {
      const how = this.options.privateKeyPath
        ? `key ${this.options.privateKeyPath}`
        : 'the ssh-agent (SSH_AUTH_SOCK) or ~/.ssh/id_*';
      return new RemoteConnectError(
        this.node,
        `${this.node}: SSH authentication as ${user} failed (tried ${how})`,
        {
          cause: err,
        },
      );
    }
    return new RemoteConnectError(
      this.node,
      `${this.node}: cannot connect to ${this.host}:${port}: ${message}`,
      {
        cause: err,
      },
    );
  }

  private async attempt(deadline: number): Promise<Client> {
    const port = this.options.port ?? 22;
    const hostName = knownHostName(this.host, port);
    const knownHostsPath = this.options.knownHostsPath ?? join(homedir(), '.ssh', 'known_hosts');
    const knownHosts = await KnownHosts.load(knownHostsPath);
    const known = knownHosts.lookup(hostName).filter((k) => !k.revoked);
    // Offer the algorithms of keys we already know first, so the server shows us one of those.
    const preferred = [...new Set(known.flatMap((k) => HOST_KEY_ALGORITHMS[keyTypeOf(k.key)] ?? []))];
    const privateKey = await this.privateKey();
    const agent = this.options.agent ?? process.env.SSH_AUTH_SOCK;
    let refusal: HostKeyError | undefined;

    const config: ConnectConfig = {
      host: this.host,
      port,
      username: this.options.username ?? 'root',
      // A little past the call's deadline, so that a deadline ends as the call's timeout error.
      readyTimeout: Math.max(
        1,
        Math.min(this.options.connectTimeoutMs ?? 10_000, deadline - Date.now() + 500),
      ),
      keepaliveInterval: 5_000,
      keepaliveCountMax: 3,
      ...(privateKey && { privateKey }),
      ...(this.options.passphrase !== undefined && { passphrase: this.options.passphrase }),
      ...(agent && { agent }),
      ...(preferred.length > 0 && {
        algorithms: { serverHostKey: { remove: preferred, prepend: preferred } as never },
      }),
      hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
        this.verifyHostKey(knownHosts, hostName, key).then(
          () => verify(true),
          (err: unknown) => {
            refusal =
              err instanceof HostKeyError
                ? err
                : new HostKeyError(this.node, `${this.node}: cannot check host key: ${String(err)}`);
            verify(false);
          },
        );
      },
    };

    const client = new Client();
    return new Promise<Client>((resolve, reject) => {
      let ready = false;
      client.on('ready', () => {
        ready = true;
        if (this.closed) {
          client.end();
          reject(new RemoteConnectError(this.node, `${this.node}: remote closed while connecting`));
          return;
        }
        this.client = client;
        resolve(client);
      });
      client.on('error', (err) => {
        if (!ready) reject(refusal ?? err);
      });
      client.on('close', () => {
        if (this.client === client) {
          this.client = undefined;
          this.sftpSession = undefined;
        }
        if (!ready) reject(refusal ?? new Error('connection closed during handshake'));
      });
      client.connect(config);
    });
  }

  private async verifyHostKey(knownHosts: KnownHosts, hostName: string, key: Buffer): Promise<void> {
    const entries = knownHosts.lookup(hostName);
    const shown = `${keyTypeOf(key)} ${fingerprint(key)}`;
    const file = knownHosts.path;
    const revoked = entries.find((e) => e.revoked && e.key.equals(key));
    if (revoked) {
      throw new HostKeyError(
        this.node,
        `${this.node} (${hostName}): host key ${shown} is REVOKED in ${file}:${revoked.line}`,
      );
    }
    const valid = entries.filter((e) => !e.revoked);
    if (valid.some((e) => e.key.equals(key))) return;
    if (valid.length > 0) {
      const lines = valid.map((e) => e.line).join(', ');
      throw new HostKeyError(
        this.node,
        `${this.node} (${hostName}): HOST KEY CHANGED: the host now presents ${shown}, which does not match ` +
          `${file} line ${lines}. Someone may be intercepting the connection, or the host was rebuilt. ` +
          `If the change is expected, remove the old key (ssh-keygen -R '${hostName}' -f ${file}, or delete ` +
          `line ${lines}) and run again with --accept-new-host-keys.`,
      );
    }
    if (!this.options.acceptNewHostKeys) {
      throw new HostKeyError(
        this.node,
        `${this.node} (${hostName}): unknown host key ${shown}: it is not in ${file}. Check the fingerprint, ` +
          `then add it (ssh-keyscan -p ${this.options.port ?? 22} ${this.host} >> ${file}) or run again with ` +
          `--accept-new-host-keys.`,
      );
    }
    await appendKnownHost(file, hostName, key);
  }
}

/** Opens a session, runs the command line, collects output, resolves at channel close. */
function runChannel(
  node: string,
  shown: string,
  client: Client,
  line: string,
  stdin: string | Buffer | undefined,
  onChannel: (channel: ClientChannel) => void,
): Promise<ExecResult> {
  return new Promise<ExecResult>((resolve, reject) => {
    client.exec(line, (err, channel) => {
      if (err) {
        reject(
          new SessionOpenError(node, `${node}: cannot start \`${shown}\`: ${err.message}`, { cause: err }),
        );
        return;
      }
      onChannel(channel);
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let exit: { code: number | null; signal?: string } | undefined;
      channel.on('data', (chunk: Buffer) => stdout.push(chunk));
      channel.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      channel.on('exit', (code: number | null, signal?: string) => {
        exit = code === null || code === undefined ? { code: null, signal: signalName(signal) } : { code };
      });
      channel.on('close', () => {
        const out = Buffer.concat(stdout).toString('utf8');
        const errText = Buffer.concat(stderr).toString('utf8');
        if (!exit) {
          reject(new RemoteConnectError(node, `${node}: connection lost while running \`${shown}\``));
          return;
        }
        resolve({ ...exit, stdout: out, stderr: errText });
      });
      channel.end(stdin);
    });
  });
}

/** A session could not be opened on a connection: the command did not start. */
class SessionOpenError extends RemoteError {}

/** Node's spelling of signal names (`SIGKILL`), whatever the server sent. */
function signalName(signal: string | undefined): string {
  if (!signal) return 'unknown';
  return signal.startsWith('SIG') ? signal : `SIG${signal}`;
}

/** The parts of ssh2's channel that `abandon` reaches past the public API for. */
interface ChannelInternals {
  outgoing?: { id: number; state: string };
  _client?: { _protocol?: { signal(id: number, name: string): void } };
}

/**
 * Kills a timed-out command (an SSH "signal" request; OpenSSH ≥ 7.9 delivers it to the
 * session's process group) and closes its channel. ssh2's `signal()` refuses once stdin is
 * ended, which every exec does at once, so the request goes through its protocol object.
 */
function abandon(channel: ClientChannel | undefined): void {
  if (!channel) return;
  try {
    const internals = channel as unknown as ChannelInternals;
    if (internals.outgoing?.state === 'open')
      internals._client?._protocol?.signal(internals.outgoing.id, 'KILL');
    channel.close();
  } catch {}
}

function isAuthFailure(err: unknown): boolean {
  return (err as { level?: string } | undefined)?.level === 'client-authentication';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
