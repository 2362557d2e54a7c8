import { describe, expect, it } from 'vitest';
import type { GenOp } from '../../src/generator/index.js';
import { simulate } from '../../src/generator/index.js';
import type { Op } from '../../src/history/op.js';
import type { MicroOp } from '../../workloads/append.js';
import { append } from '../../workloads/append.js';
import { register } from '../../workloads/register.js';
import { set } from '../../workloads/set.js';
import type { Workload, WorkloadContext } from '../../workloads/types.js';
import { wr } from '../../workloads/wr.js';

function context(options: Record<string, unknown>): WorkloadContext {
  return { options, dbOptions: {}, concurrency: 4, nodes: ['n1', 'n2'], endpoint: (n) => n };
}

const invokes = (ops: Op[]) => ops.filter((o) => o.type === 'invoke');

/** The final phase against a system whose first answer to each thread is `first`, then ok. */
function finalPhase(w: Workload, ctx: WorkloadContext, first: 'fail' | 'info'): Op[] {
  const answered = new Set<unknown>();
  return simulate(w.final!(ctx), {
    concurrency: ctx.concurrency,
    seed: 5,
    nemesis: false,
    maxOps: 1000,
    outcome: (op: GenOp) => {
      if (answered.has(op.thread)) return 'ok';
      answered.add(op.thread);
      return first;
    },
  });
}

/** Per thread (process modulo concurrency, as crashed processes come back as process + n). */
function perThread(ops: Op[], concurrency: number): Map<number, Op[]> {
  const by = new Map<number, Op[]>();
  for (const o of invokes(ops)) {
    const t = (o.process as number) % concurrency;
    by.set(t, [...(by.get(t) ?? []), o]);
  }
  return by;
}

describe('final phase after the heal', () => {
  for (const w of [register, set, append, wr]) {
    it(`${w.name}: every thread reads until a read answers ok, retrying 0.1 s apart, then the phase ends`, () => {
      const ctx = context({ keys: 3, opsPerKey: 5, maxWritesPerKey: 4 });
      simulate(w.generator(ctx), { concurrency: 4, seed: 1, nemesis: false, maxOps: 200 });
      for (const first of ['fail', 'info'] as const) {
        const ops = finalPhase(w, ctx, first);
        const threads = perThread(ops, 4);
        expect([...threads.keys()].sort()).toEqual([0, 1, 2, 3]);
        for (const reads of threads.values()) {
          expect(reads).toHaveLength(2);
          expect(reads[1]!.time - reads[0]!.time).toBeGreaterThanOrEqual(0.1e9);
        }
        // The phase ended: every invocation has its completion, and nothing is left to run.
        expect(ops).toHaveLength(16);
        for (const o of invokes(ops)) expect(o.f === 'read' || o.f === 'txn').toBe(true);
      }
    });
  }

  it('register: the final reads read the keys the main phase left in use', () => {
    const ctx = context({ keys: 3, opsPerKey: 5 });
    const main = invokes(
      simulate(register.generator(ctx), { concurrency: 4, seed: 1, nemesis: false, maxOps: 200 }),
    );
    const read = new Set(invokes(finalPhase(register, ctx, 'fail')).map((o) => o.key));
    expect(read.size).toBe(3);
    const newest = Math.max(...main.map((o) => o.key as number));
    expect(newest).toBeGreaterThan(30); // keys were retired and replaced
    expect(read.has(newest)).toBe(true);
    // Each key read was in use in the last ops of the main phase.
    const recent = new Set(main.slice(-20).map((o) => o.key));
    for (const k of read) expect(recent.has(k)).toBe(true);
  });

  it('append and wr: one read-only transaction of every key in use', () => {
    for (const w of [append, wr]) {
      const ctx = context({ keys: 3, maxWritesPerKey: 4 });
      const main = invokes(
        simulate(w.generator(ctx), { concurrency: 4, seed: 1, nemesis: false, maxOps: 200 }),
      );
      const finals = invokes(finalPhase(w, ctx, 'fail'));
      const mops = finals[0]!.value as MicroOp[];
      expect(mops).toHaveLength(3);
      expect(mops.every(([f, , v]) => f === 'r' && v === null)).toBe(true);
      const newest = Math.max(...main.flatMap((o) => (o.value as MicroOp[]).map((m) => m[1])));
      expect(mops.map((m) => m[1])).toContain(newest);
    }
  });
});
