/** Commands on the controller host (`ip`, `ssh-keygen`, `iptables`): argv arrays, never a shell. */
import { execFile } from 'node:child_process';
import { readFile, readlink, stat } from 'node:fs/promises';
import { connect } from 'node:net';

export interface HostResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a host command; rejects with its stderr unless `allowFailure`. */
export function host(argv: readonly string[], options: { allowFailure?: boolean } = {}): Promise<HostResult> {
  const [file, ...args] = argv as [string, ...string[]];
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 30_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      if (err && !options.allowFailure) {
        reject(new Error(`\`${argv.join(' ')}\` failed: ${stderr.trim() || err.message}`));
        return;
      }
      resolve({ code, stdout, stderr });
    });
  });
}

/** Names of all network namespaces (`ip netns list`). */
export async function listNetns(): Promise<string[]> {
  const { stdout } = await host(['ip', 'netns', 'list']);
  return stdout
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter(Boolean);
}

/** Names of all links in the host's network namespace. */
export async function listLinks(): Promise<string[]> {
  const { stdout } = await host(['ip', '-j', 'link', 'show']);
  return (JSON.parse(stdout || '[]') as { ifname: string }[]).map((l) => l.ifname);
}

/** PIDs of every process in a network namespace (`ip netns pids`). */
export async function netnsPids(netns: string): Promise<number[]> {
  const { stdout } = await host(['ip', 'netns', 'pids', netns], { allowFailure: true });
  return stdout.split('\n').filter(Boolean).map(Number);
}

/** The inode naming a network namespace, as `/proc/PID/ns/net` shows it: `net:[4026532…]`. */
export async function netnsId(netns: string): Promise<string | undefined> {
  try {
    return `net:[${(await stat(`/run/netns/${netns}`)).ino}]`;
  } catch {
    return undefined;
  }
}

/** True when `pid` is alive (not a zombie) and in the network namespace `id`. */
export async function processInNetns(pid: number, id: string): Promise<boolean> {
  try {
    const status = await readFile(`/proc/${pid}/stat`, 'utf8');
    if (/^\d+ \(.*\) Z/.test(status)) return false;
    return (await readlink(`/proc/${pid}/ns/net`)) === id;
  } catch {
    return false;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves true once a TCP connect to host:port succeeds, false after timeoutMs. */
export async function waitForPort(address: string, port: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await tryConnect(address, port, Math.min(1_000, deadline - Date.now()))) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return false;
}

export function tryConnect(address: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port, timeout: timeoutMs });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}
