import type { ClientContext } from '../../client/kind.js';
import { decodeValue } from '../../client/kinds/register.js';
import type { Versioned, WatchClient, WatchObservation } from '../../client/kinds/watch.js';
import type { Outcome } from '../../client/types.js';
import {
  type ZkClient,
  type ZkStat,
  zkCall,
  zkConnected,
  zkEnsure,
  zkFailure,
  zkGet,
  zkSet,
  zkSyncBarrier,
} from './connection.js';
import { ZkSession } from './session.js';

const ROOT = '/faultline-watch';

/** One watched znode: whether a one-shot watch is registered, and what was seen but not yet returned. */
interface Follow {
  /** The session the watch was registered on; another session starts afresh. */
  session: ZkClient | undefined;
  /** No watch registered on this session yet: the next is the watcher's `start`. */
  fresh: boolean;
  /** A getData with the watch is in flight: the library registers the watch before we hear back. */
  arming: boolean;
  firedWhileArming: boolean;
  armed: boolean;
  fired: boolean;
  seen: WatchObservation[];
  wake: (() => void) | undefined;
  /** One function per znode, so the library never registers it twice. */
  onNotify: () => void;
}

/**
 * Watched znodes `/faultline-watch/<key>` (made empty, version 0, before use), as the
 * ZooKeeper recipe: getData with a one-shot watch (`arm`; the first of a session is `start`);
 * when it fires (`notified`), getData with a watch again. A window in which nothing fired ends
 * with a plain getData (`poll`) on the same session: ZooKeeper promises it cannot show a newer
 * version before the watch event. A session that expired is replaced by a fresh one.
 * `write` is a setData of any version; `read` a getData after a leader round trip.
 */
export class ZkWatchClient extends ZkSession implements WatchClient {
  readonly mode = 'one-shot';
  private node: string | undefined;
  private expired = false;
  private readonly follows = new Map<number, Follow>();
  private readonly made = new Set<number>();

  constructor(ctx: ClientContext) {
    super(ctx, ROOT);
  }

  override async open(node: string): Promise<void> {
    this.node = node;
    this.expired = false;
    this.made.clear();
    await super.open(node);
    this.client.once('expired', () => {
      this.expired = true;
    });
  }

  private async path(key: number): Promise<string> {
    const path = `${ROOT}/${key}`;
    if (!this.made.has(key)) {
      await zkEnsure(this.client, path, this.timeoutMs);
      this.made.add(key);
    }
    return path;
  }

  async write(key: number, value: number): Promise<Outcome<number | null>> {
    try {
      const stat = await zkSet(
        this.client,
        await this.path(key),
        Buffer.from(String(value)),
        -1,
        this.timeoutMs,
      );
      return { type: 'ok', value: stat.version };
    } catch (err) {
      return zkFailure(err, false);
    }
  }

  async read(key: number): Promise<Outcome<Versioned>> {
    try {
      const path = await this.path(key);
      await zkSyncBarrier(this.client, `${ROOT}/sync`, this.timeoutMs);
      const got = await zkGet(this.client, path, this.timeoutMs);
      return { type: 'ok', value: got ? versionedOf(got.data, got.stat) : { version: -1, value: null } };
    } catch (err) {
      return zkFailure(err, true);
    }
  }

  async watch(key: number, windowMs: number): Promise<Outcome<WatchObservation[]>> {
    const f = this.followOf(key);
    try {
      if (this.expired || !this.zk) {
        // The session and its watches are gone (or reopening it failed): a new session, the watch starts afresh.
        await this.close();
        await this.open(this.node!);
      }
      if (f.session !== this.zk) {
        f.session = this.zk;
        f.fresh = true;
        f.armed = false;
        f.fired = false;
      }
      if (!f.armed) await this.arm(key, f, f.fresh ? 'start' : 'arm');
    } catch (err) {
      return zkFailure(err, true);
    }
    if (!f.fired) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, windowMs);
        f.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      f.wake = undefined;
    }
    try {
      if (f.fired) await this.arm(key, f, 'arm');
      else if (zkConnected(this.client)) {
        const got = await zkGet(this.client, await this.path(key), this.timeoutMs);
        if (got) f.seen.push({ via: 'poll', ...versionedOf(got.data, got.stat), at: Date.now() });
      }
    } catch {
      // Nothing seen this time; the next call arms (or polls) again.
    }
    return { type: 'ok', value: f.seen.splice(0) };
  }

  private followOf(key: number): Follow {
    let f = this.follows.get(key);
    if (!f) {
      const follow: Follow = {
        session: undefined,
        fresh: true,
        arming: false,
        firedWhileArming: false,
        armed: false,
        fired: false,
        seen: [],
        wake: undefined,
        onNotify: () => {
          if (follow.session !== this.zk) return;
          // Fired before we heard the getData's answer: recorded after the state it armed at.
          if (follow.arming) follow.firedWhileArming = true;
          else if (follow.armed) fire(follow);
        },
      };
      f = follow;
      this.follows.set(key, f);
    }
    return f;
  }

  /** getData with the one-shot watch: the state the watch is registered at. */
  private async arm(key: number, f: Follow, via: 'start' | 'arm'): Promise<void> {
    const zk = this.client;
    const path = await this.path(key);
    f.arming = true;
    f.firedWhileArming = false;
    let got: { data: Buffer; stat: ZkStat };
    try {
      got = await zkCall(zk, `getData ${path}`, this.timeoutMs, (done) =>
        zk.getData(path, f.onNotify, (err, data, stat) => done(err, { data: data ?? Buffer.alloc(0), stat })),
      );
    } finally {
      f.arming = false;
    }
    f.fresh = false;
    f.armed = true;
    f.fired = false;
    f.seen.push({ via, ...versionedOf(got.data, got.stat), at: Date.now() });
    if (f.firedWhileArming) fire(f);
  }

  override async close(): Promise<void> {
    for (const f of this.follows.values()) {
      f.armed = false;
      f.wake?.();
    }
    await super.close();
  }
}

/** The one-shot watch fired: it is spent until armed again. */
function fire(f: Follow): void {
  f.firedWhileArming = false;
  f.armed = false;
  f.fired = true;
  f.seen.push({ via: 'notified', at: Date.now() });
  f.wake?.();
}

/** A znode's version and value. */
function versionedOf(data: Buffer, stat: ZkStat): Versioned {
  return { version: stat.version, value: decodeValue(data.toString()) };
}
