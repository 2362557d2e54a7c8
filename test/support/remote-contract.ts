/**
 * The guarantees every `Remote` transport gives, as one suite run against each (SSH to the
 * namespace ensemble, Docker to an ensemble of containers): argv byte for byte, stdin/stdout/
 * stderr, exit status, timeouts that kill the remote command, files keeping bytes and mode,
 * clear errors for dead and hung nodes, and errors from every failing node at once.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  RemoteCommandError,
  RemoteConnectError,
  RemoteError,
  RemoteTimeoutError,
} from '../../src/control/errors.js';
import type { Remote } from '../../src/control/types.js';

/** How the suite reaches one transport's ensemble of nodes n1…n5. */
export interface RemoteHarness {
  /** The Remote under test (made in the caller's beforeAll). */
  remote(): Remote;
  /** A second Remote with a short default timeout, closed by the suite. */
  freshRemote(timeoutMs: number): Promise<Remote>;
  /** Node n4's address, as other nodes resolve its name. */
  addressOfN4: RegExp;
  /** Powers the node off (its sshd killed, its container killed). */
  powerOff(node: string): Promise<void>;
  /** Freezes the node (SIGSTOP of its sshd, `docker pause`); resolves with the function that thaws it. */
  freeze(node: string): Promise<() => Promise<void>>;
  /** Brings every powered-off node back. */
  repair(): Promise<void>;
  /** What a command on a powered-off node says (besides being a RemoteConnectError). */
  deadNodeMessage: RegExp;
  /** What a command on a frozen node gives, within the fresh remote's timeout. */
  frozenNodeError: { type: new (...args: never[]) => RemoteError; message: RegExp };
  /** Something that identifies the kept-open connection from the node's side, if the transport has one. */
  connectionIdentity?: (remote: Remote, node: string) => Promise<string | undefined>;
}

/** Registers the contract's cases in the calling describe block. */
export function remoteContract(harness: RemoteHarness): void {
  let scratch = '';
  const remote = () => harness.remote();

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'fl-remote-contract-'));
  });
  afterAll(async () => {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  /** Waits (up to 10 s) until no process on `node` matches `pattern`; the kill runs in the background. */
  async function gone(node: string, pattern: string): Promise<boolean> {
    for (let i = 0; i < 100; i++) {
      const r = await remote().exec(node, ['pgrep', '-f', pattern], { allowFailure: true });
      if (r.stdout === '') return true;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return false;
  }

  it('exec round-trips: exit status, stdout, stderr, stdin, cwd, env', async () => {
    const hostnames = await remote().onAll(['hostname']);
    expect([...hostnames].map(([node, r]) => [node, r.stdout.trim()])).toEqual(
      remote().nodes.map((n) => [n, n]),
    );
    const r = await remote().exec('n2', ['sh', '-c', 'echo out; echo err >&2; exit 3'], {
      allowFailure: true,
    });
    expect(r).toEqual({ code: 3, stdout: 'out\n', stderr: 'err\n' });
    const failed = await remote()
      .exec('n2', ['sh', '-c', 'echo boom >&2; exit 7'])
      .catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(RemoteCommandError);
    expect((failed as RemoteCommandError).message).toMatch(/n2: .*exit status 7: boom/);
    expect((await remote().exec('n3', ['cat'], { stdin: 'from stdin' })).stdout).toBe('from stdin');
    expect((await remote().exec('n3', ['cat'])).stdout).toBe('');
    expect((await remote().exec('n3', ['pwd'], { cwd: '/var/log' })).stdout).toBe('/var/log\n');
    expect((await remote().exec('n3', ['printenv', 'FL_X'], { env: { FL_X: "a 'b' $c" } })).stdout).toBe(
      "a 'b' $c\n",
    );
    const killed = await remote().exec('n3', ['sh', '-c', 'kill -9 $$'], { allowFailure: true });
    expect(killed.code).toBeNull();
    expect(killed.signal).toBe('SIGKILL');
  });

  it('names resolve on every node', async () => {
    const r = await remote().exec('n1', ['getent', 'hosts', 'n4']);
    expect(r.stdout).toMatch(harness.addressOfN4);
  });

  it('script passes arguments as $1… and keeps stdin free', async () => {
    const r = await remote().script('n4', 'printf "%s|" "$@"; cat', ['a b', "'", ''], { stdin: 'in' });
    expect(r.stdout).toBe("a b|'||in");
  });

  it('arbitrary argv strings arrive byte for byte (printf %s)', async () => {
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
    const before = await harness.connectionIdentity?.(remote(), 'n1');
    await fc.assert(
      fc.asyncProperty(argument, async (s) => {
        const r = await remote().exec('n1', ['printf', '%s', s]);
        expect(r.stdout).toBe(s);
      }),
      { numRuns: 200 },
    );
    // The same kept-open connection served every call.
    expect(await harness.connectionIdentity?.(remote(), 'n1')).toBe(before);
  });

  it('several arguments keep their boundaries', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.string({ unit: 'binary' }).map((s) => s.replaceAll('\0', '')),
          { minLength: 1 },
        ),
        async (args) => {
          const r = await remote().exec('n2', ['printf', '%s\\0', ...args]);
          expect(r.stdout.split('\0').slice(0, -1)).toEqual(args);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('a slow command times out with an error naming node and command, and is killed', async () => {
    const err = await remote()
      .exec('n3', ['sleep', '30'], { timeoutMs: 500 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteTimeoutError);
    expect((err as Error).message).toBe('n3: timed out running `sleep 30` within 500 ms');
    expect((await remote().exec('n3', ['echo', 'still fine'])).stdout).toBe('still fine\n');
    // The timed-out command was killed, not left running on the node ...
    expect(await gone('n3', '^sleep 30$')).toBe(true);
    // ... while a daemon the call started in a session of its own survives.
    await remote()
      .script('n3', 'setsid sleep 300 </dev/null >/dev/null 2>&1 & sleep 31', [], { timeoutMs: 500 })
      .catch(() => {});
    expect(await gone('n3', '^sleep 31$')).toBe(true);
    const daemon = (await remote().exec('n3', ['pgrep', '-f', '^sleep 300$'], { allowFailure: true })).stdout;
    expect(daemon).toMatch(/^\d+\n$/);
    // End the daemon this test started, by its pid.
    await remote().exec('n3', ['kill', daemon.trim()]);
  });

  it('uploads and downloads files, keeping bytes and mode', async () => {
    const local = join(scratch, 'blob');
    const back = join(scratch, 'blob.back');
    const data = randomBytes(3 * 1024 * 1024 + 17);
    await writeFile(local, data, { mode: 0o751 });
    await remote().upload('n4', local, '/tmp/blob');
    const stat = await remote().exec('n4', ['stat', '-c', '%s %a', '/tmp/blob']);
    expect(stat.stdout).toBe(`${data.length} 751\n`);
    await remote().download('n4', '/tmp/blob', back);
    expect((await readFile(back)).equals(data)).toBe(true);
    // /tmp is private to each node.
    expect((await remote().exec('n5', ['test', '-e', '/tmp/blob'], { allowFailure: true })).code).toBe(1);
    // A missing file is an error naming the node, not an empty download.
    const missing = await remote()
      .download('n4', '/tmp/no-such-file', back)
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(RemoteError);
    expect((missing as Error).message).toMatch(/^n4: /);
  });

  it('a powered-off node gives a clear error quickly; the node comes back after repair', async () => {
    await remote().exec('n2', ['true']);
    await harness.powerOff('n2');
    // Refused, not timed out: it did not wait for the 10 s timeout.
    const err = await remote()
      .exec('n2', ['true'], { timeoutMs: 10_000 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteConnectError);
    expect((err as Error).message).toMatch(harness.deadNodeMessage);
    // The other nodes are not affected.
    expect((await remote().onAll(['true'], { nodes: ['n1', 'n3'] })).size).toBe(2);
    await harness.repair();
    expect((await remote().exec('n2', ['hostname'])).stdout).toBe('n2\n');
  });

  it('a command in flight when its node dies fails at once instead of waiting for the timeout', async () => {
    const running = remote()
      .exec('n5', ['sleep', '60'], { timeoutMs: 30_000 })
      .catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await harness.powerOff('n5');
    // A lost connection, not a timeout: it did not wait for the 30 s timeout.
    const err = await running;
    expect(err).toBeInstanceOf(RemoteConnectError);
    expect((err as Error).message).toMatch(/^n5: connection lost while running `sleep 60`/);
    await harness.repair();
  });

  it('a frozen node gives an error within the timeout; the controller does not hang', async () => {
    const fresh = await harness.freshRemote(1_500);
    const thaw = await harness.freeze('n3');
    try {
      const err = await fresh.exec('n3', ['true']).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(harness.frozenNodeError.type);
      expect((err as Error).message).toMatch(harness.frozenNodeError.message);
    } finally {
      await thaw();
      await fresh.close();
    }
  });

  it('onAll reports every failing node at once', async () => {
    const err = await remote()
      .onAll(['sh', '-c', 'test "$(hostname)" = n1'])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AggregateError);
    expect((err as Error).message).toMatch(/^4 of 5 nodes failed/);
  });
}
