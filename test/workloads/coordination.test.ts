/**
 * The watch and sequence workloads' own logic, with in-memory clients (pure logic: the real
 * clients are driven end to end in test/integration/e2e-coord.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { checkWatch } from '../../checkers/watch.js';
import type { Versioned, WatchClient, WatchObservation } from '../../src/client/kinds/watch.js';
import type { Outcome } from '../../src/client/types.js';
import { InputError } from '../../src/errors.js';
import { simulate } from '../../src/generator/index.js';
import { History, type Op } from '../../src/history/index.js';
import { REPORT_PREVIOUS, sequence, sequenceGenerator } from '../../workloads/sequence.js';
import { type CatchUp, watch, watchFinal, watchGenerator } from '../../workloads/watch.js';

const invokes = (ops: Op[]) => ops.filter((o) => o.type === 'invoke' && o.process !== 'nemesis');
const SIGNAL = new AbortController().signal;

/** A key changed by writes and streamed to its watchers, all in memory. */
class MemoryStream implements WatchClient {
  readonly mode = 'stream';
  version = 0;
  value: number | null = null;
  pending: WatchObservation[] = [];
  started = false;
  open = async (): Promise<void> => undefined;
  close = async (): Promise<void> => undefined;
  async write(_key: number, value: number): Promise<Outcome<number | null>> {
    this.version += 1;
    this.value = value;
    this.pending.push({ via: 'event', version: this.version, value, at: Date.now() });
    return { type: 'ok', value: this.version };
  }
  async read(): Promise<Outcome<Versioned>> {
    return { type: 'ok', value: { version: this.version, value: this.value } };
  }
  async watch(): Promise<Outcome<WatchObservation[]>> {
    if (!this.started) {
      this.started = true;
      this.pending = [{ via: 'start', version: this.version, value: this.value, at: Date.now() }];
    }
    return { type: 'ok', value: this.pending.splice(0) };
  }
}

describe('watch workload', () => {
  it('has the first `keys` threads write unique values and the others watch key thread % keys', () => {
    const ops = invokes(
      simulate(watchGenerator({ keys: 2 }), { concurrency: 6, seed: 1, nemesis: false, maxOps: 120 }),
    );
    for (const op of ops) {
      const thread = op.process as number;
      expect(op.key).toBe(thread % 2);
      expect(op.f).toBe(thread < 2 ? 'write' : 'watch');
    }
    const written = ops.filter((o) => o.f === 'write').map((o) => o.value);
    expect(new Set(written).size).toBe(written.length);
    expect(ops.filter((o) => o.f === 'watch')[0]!.value).toEqual({ windowMs: 500 });
  });

  it('marks exactly one watch to drop an event with testDropOneEvent', () => {
    const ops = invokes(
      simulate(watchGenerator({ keys: 1, testDropOneEvent: true }), {
        concurrency: 3,
        seed: 1,
        nemesis: false,
        maxOps: 60,
      }),
    );
    expect(ops.filter((o) => (o.value as { dropOneEvent?: boolean } | null)?.dropOneEvent)).toHaveLength(1);
  });

  it('catches up only on watcher threads, and refuses zero keys naming the option', () => {
    const ops = invokes(
      simulate(watchFinal({ keys: 2 }), { concurrency: 4, seed: 1, nemesis: false, maxOps: 10 }),
    );
    expect(ops.map((o) => [o.process, o.f, o.key])).toEqual(
      expect.arrayContaining([
        [2, 'catch-up', 0],
        [3, 'catch-up', 1],
      ]),
    );
    expect(ops.every((o) => (o.process as number) >= 2)).toBe(true);
    expect(() => watchGenerator({ keys: 0 })).toThrow(InputError);
  });

  it('records what a watcher saw and catches up to the linearizable read; a dropped event is caught', async () => {
    const db = new MemoryStream();
    const ops: Op[] = [];
    let time = 0;
    const run = async (process: number, f: string, key: number, value: unknown): Promise<void> => {
      ops.push({ index: ops.length, time: time++, type: 'invoke', process, f, value, key });
      const done = await watch.invoke(db, { f, value, key }, { process, signal: SIGNAL });
      ops.push({ index: ops.length, time: time++, process, f, key, value: done.value, type: done.type });
    };
    await run(1, 'watch', 0, { windowMs: 1 });
    await run(0, 'write', 0, 10);
    await run(0, 'write', 0, 11);
    await run(1, 'watch', 0, { windowMs: 1 });
    await run(0, 'write', 0, 12);
    await run(1, 'catch-up', 0, { windowMs: 1, catchUpMs: 1000 });
    const caught = ops[ops.length - 1]!.value as CatchUp;
    expect(caught.read).toEqual({ version: 3, value: 12 });
    expect(caught.seen.map((s) => s.via)).toEqual(['event']);
    expect(checkWatch(History.from(ops)).valid).toBe(true);

    // The same, with one event dropped on the way to the history.
    const lossy = new MemoryStream();
    const dropped: Op[] = [];
    const step = async (process: number, f: string, value: unknown): Promise<void> => {
      dropped.push({ index: dropped.length, time: time++, type: 'invoke', process, f, value, key: 0 });
      const done = await watch.invoke(lossy, { f, value, key: 0 }, { process, signal: SIGNAL });
      dropped.push({
        index: dropped.length,
        time: time++,
        process,
        f,
        key: 0,
        value: done.value,
        type: done.type,
      });
    };
    await step(1, 'watch', { windowMs: 1 });
    await step(0, 'write', 10);
    await step(0, 'write', 11);
    await step(1, 'watch', { windowMs: 1, dropOneEvent: true });
    await step(1, 'catch-up', { windowMs: 1, catchUpMs: 1000 });
    const r = checkWatch(History.from(dropped));
    expect(r.anomalyTypes).toEqual({ missed: 1 });
    // Version 1: acknowledged by op 3, skipped in the batch of op 7.
    expect(r.anomalies[0]).toMatchObject({ version: 1, ops: [3, 7] });
  });
});

describe('sequence workload', () => {
  it('marks one create to report its previous number with testDuplicateOnce, and then does', async () => {
    const ops = invokes(
      simulate(sequenceGenerator({ testDuplicateOnce: true }), {
        concurrency: 2,
        seed: 1,
        nemesis: false,
        maxOps: 30,
      }),
    );
    expect(ops.filter((o) => o.value === REPORT_PREVIOUS)).toHaveLength(1);
    let n = 0;
    const client = {
      open: async () => undefined,
      close: async () => undefined,
      create: async () => ({ type: 'ok' as const, value: ++n }),
    };
    const ctx = { process: 0, signal: SIGNAL };
    expect((await sequence.invoke(client, { f: 'create', value: REPORT_PREVIOUS }, ctx)).value).toBe(1);
    expect((await sequence.invoke(client, { f: 'create', value: null }, ctx)).value).toBe(1);
    expect((await sequence.invoke(client, { f: 'create', value: null }, ctx)).value).toBe(3);
  });
});
