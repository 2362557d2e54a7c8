import type { IKeyValue, Watcher } from 'etcd3';
import { withTimeout } from '../../client/calls.js';
import { decodeValue } from '../../client/kinds/register.js';
import type { Versioned, WatchClient, WatchObservation } from '../../client/kinds/watch.js';
import type { Outcome } from '../../client/types.js';
import { connectEtcd, etcdFailure } from './connection.js';
import { EtcdSession } from './session.js';

/** One watched key: the stream (if any), where to resume it, and what was seen but not yet returned. */
interface Follow {
  watcher: Watcher | undefined;
  /** The revision the next stream starts at (undefined: start afresh from a linearizable read). */
  from: number | undefined;
  broken: boolean;
  seen: WatchObservation[];
  wake: (() => void) | undefined;
}

const keyOf = (key: number): string => `watch/${key}`;

/**
 * Watched keys `watch/<key>` on etcd. A watcher starts with a linearizable get (its `start`
 * state at header revision H) and streams every change from H+1. When the stream breaks it
 * drops the whole connection (the etcd3 library would otherwise resume on its own) and the
 * next call opens a fresh one and resumes from the revision after the last event it saw.
 * `write` returns the put's revision, which is the key's new mod revision.
 */
export class EtcdWatchClient extends EtcdSession implements WatchClient {
  readonly mode = 'stream';
  private node: string | undefined;
  private readonly follows = new Map<number, Follow>();

  override async open(node: string): Promise<void> {
    this.node = node;
    await super.open(node);
  }

  async write(key: number, value: number): Promise<Outcome<number | null>> {
    try {
      const put = await this.client.put(keyOf(key)).value(String(value)).exec();
      return { type: 'ok', value: Number(put.header.revision) };
    } catch (err) {
      return etcdFailure(err, false);
    }
  }

  async read(key: number): Promise<Outcome<Versioned>> {
    try {
      const got = await this.client.get(keyOf(key)).exec();
      return { type: 'ok', value: versionedOf(got.kvs[0]) };
    } catch (err) {
      return etcdFailure(err, true);
    }
  }

  async watch(key: number, windowMs: number): Promise<Outcome<WatchObservation[]>> {
    let follow = this.follows.get(key);
    if (!follow) {
      follow = { watcher: undefined, from: undefined, broken: false, seen: [], wake: undefined };
      this.follows.set(key, follow);
    }
    try {
      if (!follow.watcher || follow.broken) await this.follow(key, follow);
    } catch (err) {
      // A watch that timed out may still be made later, out of sight: start on a fresh connection.
      follow.broken = true;
      return etcdFailure(err, true);
    }
    if (!follow.broken) {
      const f = follow;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, windowMs);
        // A broken stream ends the window early, so that the next call resumes sooner.
        f.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      follow.wake = undefined;
    }
    return { type: 'ok', value: follow.seen.splice(0) };
  }

  /** (Re)starts the stream of `key`: afresh from a linearizable read, or from the revision after the last seen. */
  private async follow(key: number, f: Follow): Promise<void> {
    if (f.broken) {
      // A fresh connection: the old one's stream would resume by itself, out of our sight.
      this.etcd?.close();
      this.etcd = connectEtcd(this.ctx.endpoint(this.node!), this.timeoutMs);
      f.watcher = undefined;
      f.broken = false;
    }
    if (f.from === undefined) {
      const got = await this.client.get(keyOf(key)).exec();
      f.seen.push({ via: 'start', ...versionedOf(got.kvs[0]), at: Date.now() });
      f.from = Number(got.header.revision) + 1;
    }
    const watcher = await withTimeout(
      this.client.watch().key(keyOf(key)).startRevision(String(f.from)).create(),
      this.timeoutMs,
      `watch ${keyOf(key)}`,
    );
    f.watcher = watcher;
    watcher.on('put', (kv: IKeyValue) => {
      if (f.watcher !== watcher) return;
      const version = Number(kv.mod_revision);
      f.seen.push({ via: 'event', version, value: decodeValue(kv.value.toString()), at: Date.now() });
      f.from = version + 1;
    });
    const broke = (err: unknown): void => {
      if (f.watcher !== watcher) return;
      f.broken = true;
      // Detached now (the manager is idle after a loss), so the library does not resume it itself.
      watcher.cancel().catch(() => undefined);
      // Resuming from a compacted revision cannot work: start afresh.
      if (/compacted/i.test(String(err))) f.from = undefined;
      f.wake?.();
    };
    watcher.on('disconnected', broke);
    watcher.on('error', broke);
  }

  override async close(): Promise<void> {
    this.follows.clear();
    await super.close();
  }
}

/** A key's version and value from a range response's kv (absent: version 0, value null). */
function versionedOf(kv: IKeyValue | undefined): Versioned {
  if (!kv) return { version: 0, value: null };
  return { version: Number(kv.mod_revision), value: decodeValue(kv.value.toString()) };
}
