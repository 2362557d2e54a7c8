/**
 * The script that runs a ZooKeeper reconfig on a member, run by bash on this machine against
 * fake servers (a TCP server answering `srvr` on 127.0.0.1 for the member and 127.0.0.2 for
 * the joiner) and a fake client (`cat`, which prints the commands it is fed).
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  NOT_SERVING_HERE,
  RECONFIG_SCRIPT,
  reconfigCommand,
  reconfigRefusal,
  reconfigScriptArgs,
} from '../../src/db/zookeeper/members.js';

const run = promisify(execFile);

let server: Server;
let port: number;
/** What `srvr` says on each address. */
const modes = new Map<string, string>();

beforeEach(async () => {
  modes.clear();
  server = createServer((socket) => {
    socket.once('data', () => {
      const mode = modes.get(socket.localAddress?.replace(/^::ffff:/, '') ?? '');
      socket.end(
        mode
          ? `Zookeeper version: 3.8.0\nMode: ${mode}\n`
          : 'This ZooKeeper instance is not currently serving requests\n',
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
  port = (server.address() as { port: number }).port;
});
afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function script(
  joiner: string,
  secs: number,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const args = [
    String(port),
    joiner,
    String(secs),
    reconfigCommand({ add: 'server.4=a:1:2:participant;3' }),
    'cat',
  ];
  try {
    const r = await run('bash', ['-c', RECONFIG_SCRIPT, 'bash', ...args]);
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('the ZooKeeper reconfig script', () => {
  it('sends the change once the joiner follows', async () => {
    modes.set('127.0.0.1', 'leader');
    setTimeout(() => modes.set('127.0.0.2', 'follower'), 600);
    const started = performance.now();
    const r = await script('127.0.0.2', 10);
    expect(r).toMatchObject({ code: 0, stdout: 'reconfig -add server.4=a:1:2:participant;3\nquit\n' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(500);
  });

  it('sends only quit when the joiner never follows, and says so', async () => {
    modes.set('127.0.0.1', 'follower');
    const r = await script('127.0.0.2', 1);
    expect(r.stdout).toBe('quit\n');
    expect(r.stderr).toContain('127.0.0.2 did not follow the leader within 1 s');
  });

  it('sends a change without a joiner at once, and refuses to run where no server serves', async () => {
    modes.set('127.0.0.1', 'follower');
    expect((await script('', 0)).stdout).toContain('reconfig -add');
    modes.delete('127.0.0.1');
    const r = await script('', 0);
    expect(r.code).toBe(NOT_SERVING_HERE);
    expect(r.stdout).toBe('');
  });

  it('builds its arguments: the client reads stdin for as long as the wait and the change may take', () => {
    const args = reconfigScriptArgs(
      'java',
      '/usr/share/java',
      2181,
      { remove: 3 },
      { address: '10.0.0.4', waitSeconds: 30 },
    );
    expect(args.slice(0, 4)).toEqual(['2181', '10.0.0.4', '30', 'reconfig -remove 3']);
    expect(args.slice(4, 7)).toEqual(['timeout', '60', 'java']);
    expect(args.at(-1)).toBe('127.0.0.1:2181');
  });

  it("tells a refusal apart from the interactive client's chatter", () => {
    const stdout = [
      'Connecting to 127.0.0.1:2181',
      'Welcome to ZooKeeper!',
      'JLine support is disabled',
      '[zk: 127.0.0.1:2181(CONNECTING) 0] ',
      'WATCHER::',
      'WatchedEvent state:SyncConnected type:None path:null',
      '[zk: 127.0.0.1:2181(CONNECTED) 1] Something went wrong',
    ].join('\n');
    expect(reconfigRefusal(stdout, '')).toBe('Something went wrong');
  });
});
