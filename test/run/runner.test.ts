import { describe, expect, it } from 'vitest';
import type { Nemesis } from '../../nemeses/types.js';
import type { Client } from '../../src/client/types.js';
import { cycle, type GenLike, gen, rate, sleep } from '../../src/generator/index.js';
import { History } from '../../src/history/history.js';
import type { Op } from '../../src/history/op.js';
import { type RunSpec, runTest } from '../../src/run/runner.js';
import { bindClients } from '../../workloads/bind.js';
import { noop } from '../../workloads/noop.js';
import type { WorkloadContext } from '../../workloads/types.js';

function spec(
  options: Record<string, unknown>,
  overrides: Partial<RunSpec> = {},
): RunSpec & { written: Op[] } {
  const ctx: WorkloadContext = { options, dbOptions: {}, concurrency: 5, nodes: [], endpoint: (n) => n };
  const written: Op[] = [];
  return {
    concurrency: 5,
    nodes: ['n1', 'n2'],
    seed: 3,
    timeLimitS: 1,
    opTimeoutMs: 100,
    quietS: 0,
    finalTimeLimitS: 2,
    newClient: bindClients(noop, undefined, ctx),
    generator: rate(2000, noop.generator(ctx)),
    finalGenerator: noop.final!(ctx),
    history: { write: (op) => written.push(op) },
    log: () => undefined,
    written,
    ...overrides,
  };
}

/** A nemesis that only remembers what it was asked, in process. */
function recordingNemesis(calls: string[]): Nemesis {
  return {
    name: 'recording',
    fs: ['start', 'stop'],
    setup: async () => {
      calls.push('setup');
    },
    invoke: async (_ctx, op) => {
      calls.push(op.f);
      return { value: `${op.f} done` };
    },
    heal: async () => {
      calls.push('heal');
    },
    teardown: async () => {
      calls.push('teardown');
    },
  };
}

describe('runner with the no-op client', () => {
  it('records a well-formed history: pairs, crashes under fresh ids, timeouts as info', async () => {
    const s = spec({ infoEvery: 13, throwEvery: 29, hangEvery: 97 });
    const outcome = await runTest(s);
    expect(outcome.error).toBeUndefined();
    const history = History.from(outcome.ops.map((o) => ({ ...o }))); // throws if malformed
    expect(s.written).toEqual(outcome.ops);
    const pairs = [...history.pairs()];
    expect(pairs.length).toBeGreaterThan(100);
    const infos = outcome.ops.filter((o) => o.type === 'info');
    expect(infos.some((o) => o.error === 'timeout')).toBe(true);
    expect(infos.some((o) => String(o.error).includes('thrown'))).toBe(true);
    // Every crashed process's thread continued as process + concurrency.
    const invokes = outcome.ops.filter((o) => o.type === 'invoke');
    const invoked = new Set(invokes.map((o) => o.process));
    // The last invocation is the final read; the main phase's last one comes before it.
    const mainEnd = invokes.at(-2)!.time;
    for (const info of infos) {
      if (mainEnd - info.time > 300e6) expect(invoked.has((info.process as number) + 5)).toBe(true);
    }
    // Clients are spread over the nodes round-robin.
    expect(new Set(outcome.ops.map((o) => o.node))).toEqual(new Set(['n1', 'n2']));
    // The final read comes after every main-phase op.
    const last = outcome.ops.at(-1)!;
    expect(last.f).toBe('read');
    expect(last.type).not.toBe('invoke');
  });

  it('ends a phase whose last op in flight crashes its process, even while its client cannot reopen', async () => {
    let opened = 0;
    // The first client answers every op `info` (a crash); every later one never opens.
    const newClient = (): Client => ({
      open: () => (++opened === 1 ? Promise.resolve() : new Promise<void>(() => undefined)),
      invoke: () => new Promise((resolve) => setTimeout(() => resolve({ type: 'info' }), 200)),
      close: async () => undefined,
    });
    const s = spec({}, { concurrency: 1, newClient, finalGenerator: undefined, timeLimitS: 0.05 });
    const hung = new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 4_000).unref());
    const outcome = await Promise.race([runTest(s), hung]);
    expect(outcome).not.toBe('hung');
    if (outcome === 'hung') return;
    expect(outcome.ops.filter((o) => o.process !== 'nemesis').map((o) => o.type)).toEqual(['invoke', 'info']);
  });

  it('keeps the time monotonic and indices dense', async () => {
    const outcome = await runTest(spec({}, { timeLimitS: 0.3 }));
    outcome.ops.forEach((op, i) => {
      expect(op.index).toBe(i);
      if (i > 0) expect(op.time).toBeGreaterThanOrEqual(outcome.ops[i - 1]!.time);
    });
  });

  it('runs the nemesis beside the clients and heals at the end', async () => {
    const calls: string[] = [];
    const nemesisGen: GenLike = cycle([
      sleep(0.1),
      { f: 'start', value: null },
      sleep(0.1),
      { f: 'stop', value: null },
    ]);
    const outcome = await runTest(
      spec({}, { nemeses: [recordingNemesis(calls)], nemesisGenerator: gen(nemesisGen), timeLimitS: 0.7 }),
    );
    const nemesisOps = outcome.ops.filter((o) => o.process === 'nemesis');
    expect(nemesisOps.filter((o) => o.f === 'start' && o.type === 'invoke').length).toBeGreaterThanOrEqual(2);
    expect(nemesisOps.filter((o) => o.type !== 'invoke').every((o) => o.type === 'info')).toBe(true);
    expect(calls[0]).toBe('setup');
    expect(calls.slice(-2)).toEqual(['heal', 'teardown']);
    expect(nemesisOps.at(-1)).toMatchObject({ f: 'heal', type: 'info' });
  });

  it('on abort: stops the generators, heals, skips the final phase and says it was interrupted', async () => {
    const calls: string[] = [];
    const controller = new AbortController();
    const s = spec(
      { hangEvery: 50 },
      { timeLimitS: 60, opTimeoutMs: 1000, signal: controller.signal, nemeses: [recordingNemesis(calls)] },
    );
    setTimeout(() => controller.abort(), 300);
    const outcome = await runTest(s);
    // Hung ops wait for their timeout (1 s): the run ends after that, not at its 60 s limit.
    expect(outcome.durationNs).toBeLessThan(60e9);
    expect(outcome.interrupted).toBe(true);
    expect(calls).toContain('heal');
    expect(s.written).toEqual(outcome.ops);
    History.from(outcome.ops.map((o) => ({ ...o })));
    expect(outcome.ops.filter((o) => o.type === 'invoke' && o.process !== 'nemesis').length).toBeGreaterThan(
      10,
    );
  });

  it('a generator that throws ends the run early, still healing and tearing down', async () => {
    const calls: string[] = [];
    let n = 0;
    const outcome = await runTest(
      spec(
        {},
        {
          generator: gen(() => {
            if (++n > 20) throw new Error('generator bug');
            return { f: 'read', value: null };
          }),
          nemeses: [recordingNemesis(calls)],
        },
      ),
    );
    expect(String(outcome.error)).toContain('generator bug');
    expect(calls).toEqual(['setup', 'heal', 'teardown']);
  });

  it('a client that cannot open is retried until it can', async () => {
    const outcome = await runTest(spec({ openFailures: 3 }, { timeLimitS: 1 }));
    const processes = new Set(outcome.ops.map((o) => o.process));
    expect(processes).toEqual(new Set([0, 1, 2, 3, 4]));
    const firstOf = (p: number): number => outcome.ops.find((o) => o.process === p)!.time;
    // Three threads waited for a retry before their first op.
    expect([0, 1, 2, 3, 4].filter((p) => firstOf(p) > 200e6).length).toBe(3);
  });
});
