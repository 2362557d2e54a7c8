/**
 * The online checkers against the batch ones on the same run: a real runner run against the
 * in-process soak store, every op fed to the online checkers as it is recorded and also kept
 * for the batch checkers. Positive control: planted impossible reads and dropped adds are all
 * found; negative control: the clean store stays valid.
 */
import { describe, expect, it } from 'vitest';
import { OnlineIndependentLinearizable } from '../../../checkers/online/independent-linearizable.js';
import { OnlinePerf } from '../../../checkers/online/perf.js';
import { OnlineSet } from '../../../checkers/online/set.js';
import { analyzePerf } from '../../../checkers/perf.js';
import { checkSet } from '../../../checkers/set.js';
import { History, type Op } from '../../../src/history/index.js';
import { runCheckers } from '../../../src/run/check.js';
import { runTest } from '../../../src/run/runner.js';
import {
  NEVER_WRITTEN,
  SoakStore,
  type SoakStoreOptions,
  soakClient,
  soakFinalRead,
  soakGenerator,
} from '../../../workloads/soak-store.js';

async function soak(options: SoakStoreOptions, retainOps = true) {
  const store = new SoakStore(options);
  const failedKeys: unknown[] = [];
  const register = new OnlineIndependentLinearizable({
    model: 'cas-register',
    opsPerKey: 50,
    workers: 1,
    onFailure: (key) => failedKeys.push(key),
  });
  const set = new OnlineSet();
  const perf = new OnlinePerf();
  const outcome = await runTest({
    concurrency: 8,
    nodes: [],
    seed: 7,
    timeLimitS: 600,
    opTimeoutMs: 60_000,
    quietS: 0,
    finalTimeLimitS: 60,
    newClient: soakClient(store),
    generator: soakGenerator({ ops: 6000, keys: 4, opsPerKey: 50 }),
    finalGenerator: soakFinalRead(),
    history: { write: () => undefined },
    log: () => undefined,
    retainOps,
    observer: {
      onOp: (op: Op) => {
        if (op.key === undefined) set.add(op);
        else register.add(op);
        perf.add(op);
      },
    },
  });
  return {
    store,
    outcome,
    failedKeys,
    register: await register.finish(),
    set: await set.finish(),
    perf: await perf.finish(),
  };
}

/** A sub-history of the run's ops, keeping their indices in the whole history. */
function historyOf(ops: readonly Op[], keep: (op: Op) => boolean): History {
  return History.from(ops.filter(keep), { reindex: false });
}

describe('online checkers', () => {
  it('a clean store: every check valid, most keys checked while the run went on', async () => {
    const { register, set, perf, outcome } = await soak({});
    expect(register.valid).toBe(true);
    expect(register.keys).toBeGreaterThan(80);
    expect(register.checkedOnline).toBeGreaterThan(register.checkedAtEnd);
    // Only the live keys' ops are buffered.
    expect(register.peakBufferedOps).toBeLessThan(outcome.ops.length / 10);
    expect(set.valid).toBe(true);
    expect(set.acknowledgedCount).toBeGreaterThan(500);
    expect(perf.counts.ok + perf.counts.fail).toBe(6001);
  });

  it('planted violations: every impossible read and every dropped add is found', async () => {
    const { store, register, set, failedKeys } = await soak({ staleReadEvery: 97, loseAddEvery: 53 });
    expect(store.staleKeys.size).toBeGreaterThan(3);
    expect(store.lostElements.length).toBeGreaterThan(3);
    expect(register.valid).toBe(false);
    expect(new Set(failedKeys)).toEqual(store.staleKeys);
    expect(register.failures[0]!.result.failures[0]!.op).toMatchObject({ f: 'read' });
    expect(JSON.stringify(register.failures[0]!.result)).toContain(String(NEVER_WRITTEN));
    expect(set.valid).toBe(false);
    expect(set.lost).toEqual(store.lostElements);
  });

  it('gives the batch checkers’ verdicts and figures on the same history', async () => {
    const { outcome, register, set, perf } = await soak({ staleReadEvery: 97, loseAddEvery: 53 });
    const ops = outcome.ops;
    const batchRegister = await runCheckers(
      historyOf(ops, (op) => op.key !== undefined),
      {
        linearizable: { model: 'cas-register', independent: true, workers: 1 },
      },
    );
    const perKey = (batchRegister.results as { linearizable: { keys: number; failedKeys: number } })
      .linearizable;
    expect(register.keys).toBe(perKey.keys);
    expect(register.failedKeys).toBe(perKey.failedKeys);
    expect(set).toEqual(checkSet(historyOf(ops, (op) => op.key === undefined)));
    const batchPerf = analyzePerf(History.from(ops.map((op) => ({ ...op }))));
    const { rows: _rows, columnBytes: _bytes, ...online } = perf;
    expect(online).toEqual({
      valid: batchPerf.valid,
      start: batchPerf.start,
      end: batchPerf.end,
      counts: batchPerf.counts,
      windowS: batchPerf.windowS,
      windows: batchPerf.windows,
      throughput: batchPerf.throughput,
      latencyOverTime: batchPerf.latencyOverTime,
      latency: {
        overall: batchPerf.latency.overall,
        byType: batchPerf.latency.byType,
        byF: batchPerf.latency.byF,
      },
      availability: { overall: batchPerf.availability.overall, windows: batchPerf.availability.windows },
      longestOutage: batchPerf.longestOutage,
    });
  });

  it('a run that keeps no ops in memory still counts them and checks the same', async () => {
    const { outcome, register, set } = await soak({ staleReadEvery: 97 }, false);
    expect(outcome.ops).toEqual([]);
    expect(outcome.opCount).toBeGreaterThan(12_000);
    expect(register.valid).toBe(false);
    expect(set.valid).toBe(true);
  });
});

describe('online per-key linearizability', () => {
  const op = (
    index: number,
    type: Op['type'],
    process: number,
    f: string,
    value: unknown,
    key: unknown,
  ): Op => ({
    index,
    time: index,
    type,
    process,
    f,
    value,
    key,
  });

  it('a key used again after it retired makes the verdict unknown, naming the key', async () => {
    const checker = new OnlineIndependentLinearizable({ model: 'cas-register', opsPerKey: 1, workers: 1 });
    checker.add(op(0, 'invoke', 0, 'write', 1, 'k'));
    checker.add(op(1, 'ok', 0, 'write', 1, 'k'));
    checker.add(op(2, 'invoke', 0, 'read', null, 'k'));
    checker.add(op(3, 'ok', 0, 'read', 1, 'k'));
    const result = await checker.finish();
    expect(result.valid).toBe('unknown');
    expect(result.reason).toContain('"k"');
  });
});
