/**
 * SshRemote against the real local ensemble (root, real sshd): exec round trips, argv arriving
 * byte for byte, timeouts, dead nodes, host key checks, sftp. Latency figures: npm run bench -- cluster.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HostKeyError,
  RemoteCommandError,
  RemoteConnectError,
  RemoteTimeoutError,
} from '../../src/control/errors.js';
import { SshRemote } from '../../src/control/ssh.js';
import {
  ensembleDown,
  ensembleStatus,
  ensembleUp,
  localRemote,
  statePaths,
} from '../../src/ensemble/index.js';

const NAME = 'flctl';
const SUBNET = '10.81.0.0/24';
let remote: SshRemote;
let scratch = '';

beforeAll(async () => {
  await ensembleDown(NAME);
  await ensembleUp({ name: NAME, nodes: 5, subnet: SUBNET });
  remote = await localRemote(NAME, { timeoutMs: 10_000 });
  scratch = await mkdtemp(join(tmpdir(), 'fl-control-'));
});

afterAll(async () => {
  await remote?.close();
  await ensembleDown(NAME);
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** Restarts whatever nodes are down and waits for their sshd. */
async function repair(): Promise<void> {
  await ensembleUp({ name: NAME });
}

/** Waits (up to 10 s) until no process on `node` matches `pattern`; the kill runs in the background. */
async function gone(node: string, pattern: string): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    const r = await remote.exec(node, ['pgrep', '-f', pattern], { allowFailure: true });
    if (r.stdout === '') return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

async function sshdPid(node: string): Promise<number> {
  const pid = (await ensembleStatus(NAME)).nodes.find((n) => n.name === node)?.pid;
  if (!pid) throw new Error(`${node} is not running`);
  return pid;
}

describe('SshRemote on the local ensemble', () => {
  it('exec round-trips: exit status, stdout, stderr, stdin, cwd, env', async () => {
    const hostnames = await remote.onAll(['hostname']);
    expect([...hostnames].map(([node, r]) => [node, r.stdout.trim()])).toEqual(
      remote.nodes.map((n) => [n, n]),
    );
    const r = await remote.exec('n2', ['sh', '-c', 'echo out; echo err >&2; exit 3'], { allowFailure: true });
    expect(r).toEqual({ code: 3, stdout: 'out\n', stderr: 'err\n' });
    const failed = await remote.exec('n2', ['sh', '-c', 'echo boom >&2; exit 7']).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(RemoteCommandError);
    expect((failed as RemoteCommandError).message).toMatch(/n2: .*exit status 7: boom/);
    expect((await remote.exec('n3', ['cat'], { stdin: 'from stdin' })).stdout).toBe('from stdin');
    expect((await remote.exec('n3', ['pwd'], { cwd: '/var/log' })).stdout).toBe('/var/log\n');
    expect((await remote.exec('n3', ['printenv', 'FL_X'], { env: { FL_X: "a 'b' $c" } })).stdout).toBe(
      "a 'b' $c\n",
    );
    const killed = await remote.exec('n3', ['sh', '-c', 'kill -9 $$'], { allowFailure: true });
    expect(killed.code).toBeNull();
    expect(killed.signal).toBe('SIGKILL');
  });

  it('names resolve on every node without DNS, and nodes reach each other', async () => {
    const r = await remote.exec('n1', ['getent', 'hosts', 'n4']);
    expect(r.stdout).toMatch(/^10\.81\.0\.14\s+n4/);
    const tcp = await remote.script('n1', 'exec 3<>"/dev/tcp/$1/22" && head -c 4 <&3', ['n5']);
    expect(tcp.stdout).toBe('SSH-');
  });

  it('script passes arguments as $1… and keeps stdin free', async () => {
    const r = await remote.script('n4', 'printf "%s|" "$@"; cat', ['a b', "'", ''], { stdin: 'in' });
    expect(r.stdout).toBe("a b|'||in");
  });

  it('arbitrary argv strings arrive byte for byte (printf %s) over one kept-open connection', async () => {
    const tricky = fc.constantFrom(
      '',
      "'",
      '"',
      '$(id)',
      '`id`',
      '\\',
      '-n',
      '--',
      '-e',
      '\n',
      '\r\n',
      '*',
      '~',
      '!',
    );
    const argument = fc.oneof(
      tricky,
      fc.string({ unit: 'binary' }).map((s) => s.replaceAll('\0', '')),
    );
    // The client port of the kept-open connection, as the node sees it: the same before and after.
    const clientPort = async () =>
      (await remote.exec('n1', ['sh', '-c', 'echo "$SSH_CLIENT"'])).stdout.split(' ')[1];
    const before = await clientPort();
    await fc.assert(
      fc.asyncProperty(argument, async (s) => {
        const r = await remote.exec('n1', ['printf', '%s', s]);
        expect(r.stdout).toBe(s);
      }),
      { numRuns: 200 },
    );
    expect(await clientPort()).toBe(before);
  });

  it('several arguments keep their boundaries', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.string({ unit: 'binary' }).map((s) => s.replaceAll('\0', '')),
          { minLength: 1 },
        ),
        async (args) => {
          const r = await remote.exec('n2', ['printf', '%s\\0', ...args]);
          expect(r.stdout.split('\0').slice(0, -1)).toEqual(args);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('a slow command times out with an error naming node and command, without hanging', async () => {
    const err = await remote.exec('n3', ['sleep', '30'], { timeoutMs: 500 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteTimeoutError);
    expect((err as Error).message).toBe('n3: timed out running `sleep 30` within 500 ms');
    expect((await remote.exec('n3', ['echo', 'still fine'])).stdout).toBe('still fine\n');
    // The timed-out command was killed (its session), not left running on the node ...
    expect(await gone('n3', '^sleep 30$')).toBe(true);
    // ... while a daemon the call started in a session of its own survives.
    await remote
      .script('n3', 'setsid sleep 300 </dev/null >/dev/null 2>&1 & sleep 31', [], { timeoutMs: 500 })
      .catch(() => {});
    expect(await gone('n3', '^sleep 31$')).toBe(true);
    const daemon = (await remote.exec('n3', ['pgrep', '-f', '^sleep 300$'], { allowFailure: true })).stdout;
    expect(daemon).toMatch(/^\d+\n$/);
    // End the daemon this test started, by its pid.
    await remote.exec('n3', ['kill', daemon.trim()]);
  });

  it('uploads and downloads files through sftp, keeping bytes and mode', async () => {
    const local = join(scratch, 'blob');
    const back = join(scratch, 'blob.back');
    const data = randomBytes(3 * 1024 * 1024 + 17);
    await writeFile(local, data, { mode: 0o751 });
    await remote.upload('n4', local, '/tmp/blob');
    const stat = await remote.exec('n4', ['stat', '-c', '%s %a', '/tmp/blob']);
    expect(stat.stdout).toBe(`${data.length} 751\n`);
    await remote.download('n4', '/tmp/blob', back);
    expect((await readFile(back)).equals(data)).toBe(true);
    // /tmp is private to each node.
    expect((await remote.exec('n5', ['test', '-e', '/tmp/blob'], { allowFailure: true })).code).toBe(1);
  });

  it('a node whose sshd was killed gives a clear error quickly; the node comes back after repair', async () => {
    await remote.exec('n2', ['true']);
    process.kill(await sshdPid('n2'), 'SIGKILL');
    // Refused, not timed out: it did not wait for the 10 s timeout.
    const err = await remote.exec('n2', ['true'], { timeoutMs: 10_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteConnectError);
    expect((err as Error).message).toMatch(/^n2: cannot connect to 10\.81\.0\.12:22: .*ECONNREFUSED/);
    // The other nodes are not affected.
    expect((await remote.onAll(['true'], { nodes: ['n1', 'n3'] })).size).toBe(2);
    await repair();
    expect((await remote.exec('n2', ['hostname'])).stdout).toBe('n2\n');
  });

  it('a command in flight when its node dies fails at once instead of waiting for the timeout', async () => {
    const running = remote.exec('n5', ['sleep', '60'], { timeoutMs: 30_000 }).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 300));
    process.kill(await sshdPid('n5'), 'SIGKILL');
    // A lost connection, not a timeout: it did not wait for the 30 s timeout.
    const err = await running;
    expect(err).toBeInstanceOf(RemoteConnectError);
    expect((err as Error).message).toMatch(/^n5: connection lost while running `sleep 60`/);
    await repair();
  });

  it('a hung sshd (stopped) gives a timeout error within the timeout; the controller does not hang', async () => {
    const pid = await sshdPid('n3');
    const fresh = await localRemote(NAME, { timeoutMs: 1_500 });
    process.kill(pid, 'SIGSTOP');
    try {
      const err = await fresh.exec('n3', ['true']).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RemoteTimeoutError);
      expect((err as Error).message).toBe('n3: could not connect to run `true` within 1500 ms');
    } finally {
      process.kill(pid, 'SIGCONT');
      await fresh.close();
    }
  });

  it('an unknown host key is refused unless new keys are accepted, and then recorded', async () => {
    const knownHosts = join(scratch, 'known_hosts_empty');
    const { privateKeyPath } = statePaths((await ensembleStatus(NAME)) as { stateDir: string });
    const addresses = { n1: '10.81.0.11' };
    const strict = new SshRemote({
      nodes: ['n1'],
      addresses,
      privateKeyPath,
      knownHostsPath: knownHosts,
      agent: '',
    });
    const err = await strict.exec('n1', ['true']).catch((e: unknown) => e);
    await strict.close();
    expect(err).toBeInstanceOf(HostKeyError);
    expect((err as Error).message).toMatch(/unknown host key ssh-ed25519 SHA256:.*--accept-new-host-keys/);
    const accepting = new SshRemote({
      nodes: ['n1'],
      addresses,
      privateKeyPath,
      knownHostsPath: knownHosts,
      acceptNewHostKeys: true,
      agent: '',
    });
    expect((await accepting.exec('n1', ['hostname'])).stdout).toBe('n1\n');
    await accepting.close();
    expect(await readFile(knownHosts, 'utf8')).toMatch(/^10\.81\.0\.11 ssh-ed25519 AAAA/);
  });

  it('a changed host key is refused, even with --accept-new-host-keys, with a message saying what to do', async () => {
    const status = await ensembleStatus(NAME);
    const { privateKeyPath, knownHostsPath } = statePaths(status);
    const other = join(scratch, 'other_key');
    await rm(other, { force: true });
    const { execFileSync } = await import('node:child_process');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
    const otherKey = (await readFile(`${other}.pub`, 'utf8')).split(' ')[1];
    const changed = join(scratch, 'known_hosts_changed');
    const original = await readFile(knownHostsPath, 'utf8');
    await writeFile(
      changed,
      original.replace(/^(10\.81\.0\.11,n1 ssh-ed25519 )\S+/m, (_, prefix: string) => `${prefix}${otherKey}`),
    );
    for (const acceptNewHostKeys of [false, true]) {
      const r = new SshRemote({
        nodes: ['n1'],
        addresses: { n1: '10.81.0.11' },
        privateKeyPath,
        knownHostsPath: changed,
        acceptNewHostKeys,
        agent: '',
      });
      const err = await r.exec('n1', ['true']).catch((e: unknown) => e);
      await r.close();
      expect(err).toBeInstanceOf(HostKeyError);
      const message = (err as Error).message;
      expect(message).toContain('HOST KEY CHANGED');
      expect(message).toContain(`ssh-keygen -R '10.81.0.11' -f ${changed}`);
      expect(message).toMatch(/delete line 1\b/);
      expect(message).toContain('--accept-new-host-keys');
    }
  });

  it('a wrong client key is refused with an authentication error', async () => {
    const other = join(scratch, 'other_key');
    const { knownHostsPath } = statePaths(await ensembleStatus(NAME));
    const r = new SshRemote({
      nodes: ['n1'],
      addresses: { n1: '10.81.0.11' },
      privateKeyPath: other,
      knownHostsPath,
      agent: '',
    });
    const err = await r.exec('n1', ['true']).catch((e: unknown) => e);
    await r.close();
    expect(err).toBeInstanceOf(RemoteConnectError);
    expect((err as Error).message).toMatch(/n1: SSH authentication as root failed/);
  });

  it('authenticates through an ssh-agent when no key file is given', async () => {
    const { spawn, execFileSync } = await import('node:child_process');
    const { privateKeyPath, knownHostsPath } = statePaths(await ensembleStatus(NAME));
    const socket = join(scratch, 'agent.sock');
    const agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
    try {
      for (
        let i = 0;
        i < 100 &&
        !(await readFile(socket).then(
          () => true,
          (e: NodeJS.ErrnoException) => e.code !== 'ENOENT',
        ));
        i++
      ) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      execFileSync('ssh-add', ['-q', privateKeyPath], {
        env: { ...process.env, SSH_AUTH_SOCK: socket },
        stdio: 'ignore',
      });
      const viaAgent = new SshRemote({
        nodes: ['n2'],
        addresses: { n2: '10.81.0.12' },
        knownHostsPath,
        agent: socket,
      });
      expect((await viaAgent.exec('n2', ['hostname'])).stdout).toBe('n2\n');
      await viaAgent.close();
    } finally {
      agent.kill('SIGTERM');
    }
  });

  it('onAll reports every failing node at once', async () => {
    const err = await remote.onAll(['sh', '-c', 'test "$(hostname)" = n1']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AggregateError);
    expect((err as Error).message).toMatch(/^4 of 5 nodes failed/);
  });
});
