/**
 * ZooKeeper's `reconfig` (3.5+), sent from the controller over the client protocol: a session,
 * one reconfig request, a close. The Node client the workloads use has no reconfig, and
 * ZooKeeper's own command line client is a JVM to start on a node for every change (about a
 * second idle, several on a loaded machine).
 *
 * The wire format (jute, big-endian): every message is a 4-byte length and its bytes; `int` is
 * 4 bytes, `long` 8, `boolean` 1; `buffer` and `ustring` are an int length (-1: null) and the
 * bytes. ConnectRequest {int protocolVersion, long lastZxidSeen, int timeOut, long sessionId,
 * buffer passwd}; ConnectResponse {int protocolVersion, int timeOut, long sessionId, buffer
 * passwd, ...}; a request is RequestHeader {int xid, int type} and its record; a reply is
 * ReplyHeader {int xid, long zxid, int err} and, when err is 0, its record.
 */
import { Socket } from 'node:net';

/** A change of the configuration: a `server.N=` line to add, or a server id to remove. */
export type ReconfigChange = { add: string } | { remove: number };

/** What came of a reconfig request. */
export type ReconfigOutcome =
  /** Committed: the configuration after it (`server.N=...` lines and `version=...`). */
  | { kind: 'committed'; config: string }
  /** The server answered with an error: nothing changed (e.g. NewConfigNoQuorum). */
  | { kind: 'refused'; error: string }
  /** No session (nothing listens, or the server does not serve): the request was not sent. */
  | { kind: 'not-sent'; error: string }
  /** Sent without an answer (the connection was lost, or time ran out): it may have been made. */
  | { kind: 'unknown'; error: string };

const OP_RECONFIG = 16;
const OP_CLOSE_SESSION = -11;
const RECONFIG_XID = 1;
const CLOSE_XID = 2;

/** KeeperException codes a reconfig may meet, by name. */
const ERROR_NAMES: Record<number, string> = {
  [-1]: 'SystemError',
  [-4]: 'ConnectionLoss',
  [-7]: 'OperationTimeout',
  [-8]: 'BadArguments',
  [-13]: 'NewConfigNoQuorum',
  [-14]: 'ReconfigInProgress',
  [-102]: 'NoAuth',
  [-112]: 'SessionExpired',
  [-122]: 'RequestTimeout',
  [-123]: 'ReconfigDisabled',
};

/** `KeeperErrorCode = Name` (ZooKeeper's own words), or the bare code. */
export function keeperErrorName(code: number): string {
  const name = ERROR_NAMES[code];
  return name ? `KeeperErrorCode = ${name}` : `KeeperErrorCode ${code}`;
}

function frame(...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const length = Buffer.alloc(4);
  length.writeInt32BE(body.length);
  return Buffer.concat([length, body]);
}

function int(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

function long(n: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(n);
  return b;
}

function ustring(s: string | null): Buffer {
  if (s === null) return int(-1);
  const bytes = Buffer.from(s, 'utf8');
  return Buffer.concat([int(bytes.length), bytes]);
}

/** A new session's ConnectRequest, asking for `sessionTimeoutMs`. */
export function connectRequest(sessionTimeoutMs: number): Buffer {
  return frame(int(0), long(0n), int(sessionTimeoutMs), long(0n), int(16), Buffer.alloc(16));
}

/** The reconfig request: joining servers, or leaving server ids; from any config version (-1). */
export function reconfigRequest(change: ReconfigChange, xid = RECONFIG_XID): Buffer {
  const joining = 'add' in change ? change.add : null;
  const leaving = 'remove' in change ? String(change.remove) : null;
  return frame(int(xid), int(OP_RECONFIG), ustring(joining), ustring(leaving), ustring(null), long(-1n));
}

function closeSessionRequest(): Buffer {
  return frame(int(CLOSE_XID), int(OP_CLOSE_SESSION));
}

/** The new session's timeout from a ConnectResponse: 0 or less when the server refused it. */
export function sessionTimeoutOf(response: Buffer): number {
  return response.readInt32BE(4);
}

/** A reply to the request `xid`: its error code and, when 0, the config (GetDataResponse.data). */
export function parseReply(reply: Buffer): { xid: number; err: number; config?: string } {
  const xid = reply.readInt32BE(0);
  const err = reply.readInt32BE(12);
  if (err !== 0 || xid !== RECONFIG_XID) return { xid, err };
  const length = reply.readInt32BE(16);
  return { xid, err, config: length > 0 ? reply.subarray(20, 20 + length).toString('utf8') : '' };
}

/** Reads length-prefixed messages off a socket. */
class Frames {
  private buffered = Buffer.alloc(0);
  private waiting: ((frame: Buffer | Error) => void) | undefined;
  private ended: Error | undefined;

  constructor(socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      this.deliver();
    });
    socket.on('close', () => this.end(new Error('the server closed the connection')));
    socket.on('error', (err) => this.end(err));
  }

  end(err: Error): void {
    this.ended ??= err;
    this.deliver();
  }

  private deliver(): void {
    if (!this.waiting) return;
    const wake = this.waiting;
    if (this.buffered.length >= 4) {
      const length = this.buffered.readInt32BE(0);
      if (this.buffered.length >= 4 + length) {
        const message = this.buffered.subarray(4, 4 + length);
        this.buffered = this.buffered.subarray(4 + length);
        this.waiting = undefined;
        wake(message);
        return;
      }
    }
    if (this.ended) {
      this.waiting = undefined;
      wake(this.ended);
    }
  }

  next(): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.waiting = (m) => (m instanceof Error ? reject(m) : resolve(m));
      this.deliver();
    });
  }
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Sends one reconfig to the server at `host:port` (a member; it forwards the request to the
 * leader) and closes the session. Never throws: the outcome says whether the change was made.
 */
export async function sendReconfig(
  host: string,
  port: number,
  change: ReconfigChange,
  timeoutMs = 10_000,
): Promise<ReconfigOutcome> {
  const socket = new Socket();
  socket.setNoDelay(true);
  const frames = new Frames(socket);
  const timedOut = new Error(`no answer within ${timeoutMs} ms`);
  const timer = setTimeout(() => {
    frames.end(timedOut);
    socket.destroy(timedOut);
  }, timeoutMs);
  let session = false;
  try {
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('error', reject);
        socket.once('close', () => reject(new Error('the connection was closed')));
        socket.connect(port, host);
      });
      socket.write(connectRequest(Math.max(4000, timeoutMs)));
      const response = await frames.next();
      if (sessionTimeoutOf(response) <= 0) return { kind: 'not-sent', error: 'the server refused a session' };
      session = true;
    } catch (err) {
      return { kind: 'not-sent', error: `no session on ${host}:${port}: ${message(err)}` };
    }
    socket.write(reconfigRequest(change));
    try {
      while (true) {
        const reply = parseReply(await frames.next());
        // Watch notifications (xid -1) and pings (-2) are not this request's answer.
        if (reply.xid !== RECONFIG_XID) continue;
        if (reply.err !== 0) return { kind: 'refused', error: keeperErrorName(reply.err) };
        return { kind: 'committed', config: reply.config ?? '' };
      }
    } catch (err) {
      return { kind: 'unknown', error: `sent, then ${message(err)}` };
    }
  } finally {
    clearTimeout(timer);
    if (session && !socket.destroyed) {
      // Close the session rather than leave it to expire; its answer is not waited for long.
      socket.write(closeSessionRequest());
      await Promise.race([frames.next().catch(() => undefined), new Promise((r) => setTimeout(r, 500))]);
    }
    socket.destroy();
  }
}
