/**
 * ZooKeeper's reconfig request over the client protocol, against a fake server on 127.0.0.1
 * that speaks the few messages involved: a session, the reconfig, the close.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  connectRequest,
  keeperErrorName,
  type ReconfigChange,
  reconfigRequest,
  sendReconfig,
} from '../../src/db/zookeeper/reconfig.js';

type Scenario = 'commit' | 'refuse' | 'drop' | 'no-session' | 'notify-first' | 'silent';

interface Seen {
  connect?: Buffer;
  reconfig?: {
    xid: number;
    type: number;
    joining: string | null;
    leaving: string | null;
    members: string | null;
    from: bigint;
  };
  closed?: boolean;
}

const CONFIG = 'server.1=10.0.0.1:2888:3888:participant\nversion=100000002';

function frame(body: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeInt32BE(body.length);
  return Buffer.concat([length, body]);
}

function ustringAt(b: Buffer, offset: number): [string | null, number] {
  const length = b.readInt32BE(offset);
  if (length < 0) return [null, offset + 4];
  return [b.subarray(offset + 4, offset + 4 + length).toString('utf8'), offset + 4 + length];
}

function reply(xid: number, err: number, data?: string): Buffer {
  const header = Buffer.alloc(16);
  header.writeInt32BE(xid, 0);
  header.writeBigInt64BE(7n, 4);
  header.writeInt32BE(err, 12);
  if (data === undefined) return frame(header);
  const bytes = Buffer.from(data);
  const length = Buffer.alloc(4);
  length.writeInt32BE(bytes.length);
  return frame(Buffer.concat([header, length, bytes, Buffer.alloc(68)]));
}

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** A fake server acting out `scenario`; resolves with its port and what it saw. */
async function fake(scenario: Scenario): Promise<{ port: number; seen: Seen }> {
  const seen: Seen = {};
  server = createServer((socket: Socket) => {
    let buffered = Buffer.alloc(0);
    let messages = 0;
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
        const body = buffered.subarray(4, 4 + buffered.readInt32BE(0));
        buffered = buffered.subarray(4 + body.length);
        messages++;
        if (messages === 1) {
          seen.connect = body;
          if (scenario === 'no-session') return void socket.destroy();
          const response = Buffer.alloc(4 + 4 + 8 + 4 + 16 + 1);
          response.writeInt32BE(10_000, 4);
          response.writeBigInt64BE(1n, 8);
          response.writeInt32BE(16, 16);
          socket.write(frame(response));
        } else if (messages === 2) {
          const [joining, at1] = ustringAt(body, 8);
          const [leaving, at2] = ustringAt(body, at1);
          const [members, at3] = ustringAt(body, at2);
          const from = body.readBigInt64BE(at3);
          seen.reconfig = {
            xid: body.readInt32BE(0),
            type: body.readInt32BE(4),
            joining,
            leaving,
            members,
            from,
          };
          if (scenario === 'drop') socket.destroy();
          else if (scenario === 'refuse') socket.write(reply(1, -13));
          else if (scenario === 'notify-first')
            socket.write(Buffer.concat([reply(-1, 0), reply(1, 0, CONFIG)]));
          else if (scenario === 'commit') socket.write(reply(1, 0, CONFIG));
        } else if (body.readInt32BE(4) === -11) {
          seen.closed = true;
          socket.end(reply(body.readInt32BE(0), 0));
        }
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { port: (server!.address() as { port: number }).port, seen };
}

const add: ReconfigChange = { add: 'server.4=10.0.0.4:2888:3888:participant;2181' };

describe('ZooKeeper reconfig over the client protocol', () => {
  it('adds: sends joining servers from any config version, returns the new config, closes the session', async () => {
    const { port, seen } = await fake('commit');
    expect(await sendReconfig('127.0.0.1', port, add)).toEqual({ kind: 'committed', config: CONFIG });
    expect(seen.reconfig).toEqual({
      xid: 1,
      type: 16,
      joining: add.add,
      leaving: null,
      members: null,
      from: -1n,
    });
    expect(seen.connect!.readInt32BE(0)).toBe(0); // protocol version
    expect(seen.closed).toBe(true);
  });

  it('removes by server id; skips a notification before the answer', async () => {
    const { port, seen } = await fake('notify-first');
    expect((await sendReconfig('127.0.0.1', port, { remove: 3 })).kind).toBe('committed');
    expect(seen.reconfig).toMatchObject({ joining: null, leaving: '3' });
  });

  it('tells a refusal, a lost answer, no session and no answer apart', async () => {
    expect(await sendReconfig('127.0.0.1', (await fake('refuse')).port, add)).toEqual({
      kind: 'refused',
      error: 'KeeperErrorCode = NewConfigNoQuorum',
    });
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    expect((await sendReconfig('127.0.0.1', (await fake('drop')).port, add)).kind).toBe('unknown');
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    expect((await sendReconfig('127.0.0.1', (await fake('no-session')).port, add)).kind).toBe('not-sent');
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    const silent = await sendReconfig('127.0.0.1', (await fake('silent')).port, add, 300);
    expect(silent).toEqual({ kind: 'unknown', error: 'sent, then no answer within 300 ms' });
  });

  it('is not sent when nothing listens', async () => {
    const { port } = await fake('commit');
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    const outcome = await sendReconfig('127.0.0.1', port, add);
    expect(outcome.kind).toBe('not-sent');
    expect(outcome).toMatchObject({ error: expect.stringContaining('ECONNREFUSED') });
  });

  it('encodes the messages as ZooKeeper reads them', () => {
    const connect = connectRequest(10_000);
    expect(connect.readInt32BE(0)).toBe(connect.length - 4);
    // protocolVersion, lastZxidSeen, timeOut, sessionId, passwd (16 bytes)
    expect(connect.length).toBe(4 + 4 + 8 + 4 + 8 + 4 + 16);
    expect(connect.readInt32BE(16)).toBe(10_000);
    const remove = reconfigRequest({ remove: 2 });
    expect([...remove.subarray(4, 12)]).toEqual([0, 0, 0, 1, 0, 0, 0, 16]);
    expect(keeperErrorName(-14)).toBe('KeeperErrorCode = ReconfigInProgress');
    expect(keeperErrorName(-999)).toBe('KeeperErrorCode -999');
  });
});
