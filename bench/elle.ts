/**
 * Benchmark of the list-append checker on histories from a simulated store, and the
 * simulator itself (the property tests use it too).
 *
 *   npx tsc -p . && node --expose-gc --max-old-space-size=4096 dist/bench/elle.js [transactions...] [--fixed-keys]
 */
import { checkListAppend } from '../checkers/elle/index.js';
import { mulberry32 } from '../src/generator/random.js';
import { History, type Op } from '../src/history/index.js';

/** How the simulated store isolates transactions. */
export type Isolation = 'strict-serializable' | 'snapshot-isolation';

export interface SimulationOptions {
  transactions: number;
  /** Keys in use at any time; a key is retired after `maxWritesPerKey` appends (Jepsen's default 32). */
  activeKeys?: number;
  maxWritesPerKey?: number;
  concurrency?: number;
  /** Micro-ops per transaction: 1..maxMops. */
  maxMops?: number;
  /** Chance a transaction fails (not applied) or ends in info (applied or not, at random). */
  failRate?: number;
  infoRate?: number;
  isolation?: Isolation;
  /** A seed for the deterministic random source. */
  seed?: number;
  /** End with one more transaction, alone, that reads every key the store ever had. */
  finalRead?: boolean;
}

/** A small fast deterministic random source (mulberry32). */
export const random = mulberry32;

type Mop = [string, number, unknown];

interface Pending {
  process: number;
  mops: Mop[];
  /** Snapshot isolation: each key's length when the transaction began. */
  snapshot?: Map<number, number>;
}

/**
 * Ops of a list-append store. Transactions take effect atomically at their completion
 * (strict-serializable), or read a snapshot taken at their invocation and commit with
 * first-committer-wins (snapshot isolation, which allows write skew).
 */
export function simulateListAppend(options: SimulationOptions): Op[] {
  const {
    transactions,
    activeKeys = 100,
    maxWritesPerKey = 32,
    concurrency = 10,
    maxMops = 5,
    failRate = 0,
    infoRate = 0,
    isolation = 'strict-serializable',
    seed = 1,
    finalRead = false,
  } = options;
  const rand = random(seed);
  const lists: number[][] = [];
  const nextValue: number[] = [];
  const slots: number[] = [];
  const written: number[] = [];
  const fresh = () => {
    lists.push([]);
    nextValue.push(1);
    return lists.length - 1;
  };
  for (let i = 0; i < activeKeys; i++) {
    slots.push(fresh());
    written.push(0);
  }
  const ops: Op[] = [];
  const workers: (Pending | undefined)[] = new Array(concurrency).fill(undefined);
  const processOf = Array.from({ length: concurrency }, (_, i) => i);
  let nextProcess = concurrency;
  let invoked = 0;
  let open = 0;
  const emit = (type: Op['type'], process: number, value: unknown) =>
    ops.push({ index: ops.length, time: ops.length, type, process, f: 'txn', value });
  while (invoked < transactions || open > 0) {
    const w = Math.floor(rand() * concurrency);
    const pending = workers[w];
    if (!pending) {
      if (invoked >= transactions) continue;
      const n = 1 + Math.floor(rand() * maxMops);
      const mops: Mop[] = [];
      for (let i = 0; i < n; i++) {
        const slot = Math.floor(rand() * activeKeys);
        const k = slots[slot]!;
        if (rand() < 0.5) mops.push(['r', k, null]);
        else {
          mops.push(['append', k, nextValue[k]!++]);
          if (++written[slot]! >= maxWritesPerKey) {
            slots[slot] = fresh();
            written[slot] = 0;
          }
        }
      }
      const p: Pending = { process: processOf[w]!, mops };
      if (isolation === 'snapshot-isolation')
        p.snapshot = new Map(mops.map((m) => [m[1], lists[m[1]]!.length]));
      workers[w] = p;
      invoked++;
      open++;
      emit('invoke', p.process, mops);
      continue;
    }
    workers[w] = undefined;
    open--;
    const roll = rand();
    if (roll < failRate) {
      emit('fail', pending.process, pending.mops);
      continue;
    }
    const info = roll < failRate + infoRate;
    const apply = !info || rand() < 0.5;
    const result =
      isolation === 'snapshot-isolation'
        ? runSnapshot(pending, lists, apply)
        : runSerial(pending, lists, apply);
    if (info) {
      emit('info', pending.process, pending.mops);
      processOf[w] = nextProcess++;
    } else if (result) emit('ok', pending.process, result);
    else emit('fail', pending.process, pending.mops);
  }
  if (finalRead) {
    const reads = lists.map((_, k): Mop => ['r', k, null]);
    emit('invoke', nextProcess, reads);
    emit(
      'ok',
      nextProcess,
      lists.map((list, k): Mop => ['r', k, list.slice()]),
    );
  }
  return ops;
}

function runSerial({ mops }: Pending, lists: number[][], apply: boolean): Mop[] {
  if (!apply) return mops;
  return mops.map(([f, k, v]) => {
    if (f === 'r') return [f, k, lists[k]!.slice()];
    lists[k]!.push(v as number);
    return [f, k, v];
  });
}

function runSnapshot({ mops, snapshot }: Pending, lists: number[][], apply: boolean): Mop[] | undefined {
  const mine = new Map<number, number[]>();
  const out = mops.map(([f, k, v]): Mop => {
    const own = mine.get(k) ?? [];
    if (f === 'r') return [f, k, [...lists[k]!.slice(0, snapshot!.get(k)), ...own]];
    own.push(v as number);
    mine.set(k, own);
    return [f, k, v];
  });
  // First committer wins: abort if a key we append to changed since our snapshot.
  for (const k of mine.keys()) if (lists[k]!.length !== snapshot!.get(k)) return undefined;
  if (apply) for (const [k, own] of mine) lists[k]!.push(...own);
  return out;
}

/** Figures of one run. */
export interface ElleBenchFigures {
  transactions: number;
  ops: number;
  simulateMs: number;
  historyMs: number;
  checkMs: number;
  /** CPU time of the check (user + system): steadier than wall time on a shared machine. */
  checkCpuMs: number;
  txnPerSecond: number;
  heapUsedMiB: number;
  edges: number;
  valid: unknown;
}

/**
 * Checks a simulated history of each size (1–5 micro-ops, 100 keys in use, concurrency 10);
 * returns the figures. Keys retire after 32 appends as in Jepsen's list-append workload
 * unless `maxWritesPerKey` says otherwise (Infinity: the same 100 keys throughout, whose
 * lists then grow to thousands of elements).
 */
export async function run(
  sizes: number[] = [100_000, 1_000_000],
  maxWritesPerKey = 32,
): Promise<ElleBenchFigures[]> {
  const figures: ElleBenchFigures[] = [];
  for (const transactions of sizes) {
    let t0 = performance.now();
    const ops = simulateListAppend({
      transactions,
      concurrency: 10,
      activeKeys: 100,
      maxWritesPerKey,
      seed: transactions,
    });
    const simulateMs = performance.now() - t0;
    t0 = performance.now();
    const history = History.from(ops);
    const historyMs = performance.now() - t0;
    // Start the check on a collected heap, so it pays only for its own garbage.
    (globalThis as { gc?: () => void }).gc?.();
    t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const result = checkListAppend(history, { consistencyModels: ['strict-serializable'] });
    const cpu = process.cpuUsage(cpu0);
    const checkMs = performance.now() - t0;
    figures.push({
      transactions,
      ops: ops.length,
      simulateMs: Math.round(simulateMs),
      historyMs: Math.round(historyMs),
      checkMs: Math.round(checkMs),
      checkCpuMs: Math.round((cpu.user + cpu.system) / 1000),
      txnPerSecond: Math.round(transactions / (checkMs / 1000)),
      heapUsedMiB: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
      edges: result.edges,
      valid: result.valid,
    });
  }
  return figures;
}

const isMain =
  process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/.*\//, '/'));
if (isMain) {
  const args = process.argv.slice(2);
  const sizes = args.map(Number).filter((n) => n > 0);
  const fixedKeys = args.includes('--fixed-keys');
  for (const f of await run(sizes.length ? sizes : undefined, fixedKeys ? Number.POSITIVE_INFINITY : 32)) {
    console.log(JSON.stringify({ ...f, maxWritesPerKey: fixedKeys ? 'unbounded' : 32 }));
  }
}
