/**
 * The perf analysis, online: each client op becomes one row of compact columns (invocation
 * time, latency, outcome, `f`) in fixed-size typed-array chunks — 23 bytes an op, no
 * object per op — and `finish` hands them to the batch perf checker's own function for its
 * throughput, latency and availability figures (`perfFigures`). Not computed
 * online: the per-fault-state figures (`latency.byState`, `availability.byState`/`faults`,
 * `recoveries`, `faults`): they need the fault windows, which only the batch checker builds.
 */
import type { Op } from '../../src/history/op.js';
import { type PerfFigures, perfFigures } from '../perf.js';
import type { OnlineChecker } from './types.js';

const CHUNK_BITS = 20;
const CHUNK = 1 << CHUNK_BITS;
const TYPES = ['ok', 'fail', 'info'] as const;
type Outcome = (typeof TYPES)[number];
/** An invocation never answered (counted as info, no latency). */
const OPEN = 255;

export type OnlinePerfResult = PerfFigures & {
  /** Client ops analysed, and the bytes their columns took. */
  rows: number;
  columnBytes: number;
};

interface Chunk {
  /** Invocation time, seconds. */
  inv: Float64Array;
  /** Completion time, seconds (NaN: never answered). */
  done: Float64Array;
  /** Latency in microseconds, as the batch checker rounds it. */
  latency: Uint32Array;
  outcome: Uint8Array;
  f: Uint16Array;
}

export class OnlinePerf implements OnlineChecker<OnlinePerfResult> {
  readonly name = 'perf';
  private readonly chunks: Chunk[] = [];
  private rows = 0;
  private readonly fIds = new Map<string, number>();
  private readonly fNames: string[] = [];
  /** Row of each process' open invocation. */
  private readonly openRow = new Map<number, number>();
  /** Invocation time (ns) of each process' open invocation. */
  private readonly invNs = new Map<number, number>();

  add(op: Op): void {
    if (op.process === 'nemesis') return;
    if (op.type === 'invoke') {
      const row = this.rows++;
      if (row >>> CHUNK_BITS >= this.chunks.length) this.chunks.push(newChunk());
      const c = this.chunks[row >>> CHUNK_BITS]!;
      const i = row & (CHUNK - 1);
      c.inv[i] = op.time / 1e9;
      c.done[i] = Number.NaN;
      c.outcome[i] = OPEN;
      this.invNs.set(op.process, op.time);
      c.f[i] = this.fId(op.f);
      this.openRow.set(op.process, row);
      return;
    }
    const row = this.openRow.get(op.process);
    if (row === undefined) return;
    this.openRow.delete(op.process);
    const c = this.chunks[row >>> CHUNK_BITS]!;
    const i = row & (CHUNK - 1);
    c.outcome[i] = TYPES.indexOf(op.type as Outcome);
    c.done[i] = op.time / 1e9;
    c.latency[i] = Math.max(1, Math.round((op.time - this.invNs.get(op.process)!) / 1e3));
  }

  async finish(): Promise<OnlinePerfResult> {
    const { figures } = perfFigures((visit) =>
      this.each((inv, done, outcome, f, us) =>
        visit(inv, done, outcome === OPEN ? undefined : TYPES[outcome], this.fNames[f]!, us),
      ),
    );
    return { ...figures, rows: this.rows, columnBytes: this.chunks.length * CHUNK * 23 };
  }

  private each(visit: (inv: number, done: number, outcome: number, f: number, us: number) => void): void {
    for (let row = 0; row < this.rows; row++) {
      const c = this.chunks[row >>> CHUNK_BITS]!;
      const i = row & (CHUNK - 1);
      visit(c.inv[i]!, c.done[i]!, c.outcome[i]!, c.f[i]!, c.latency[i]!);
    }
  }

  private fId(f: string): number {
    let id = this.fIds.get(f);
    if (id === undefined) {
      id = this.fNames.push(f) - 1;
      this.fIds.set(f, id);
    }
    return id;
  }
}

function newChunk(): Chunk {
  return {
    inv: new Float64Array(CHUNK),
    done: new Float64Array(CHUNK),
    latency: new Uint32Array(CHUNK),
    outcome: new Uint8Array(CHUNK),
    f: new Uint16Array(CHUNK),
  };
}
