import { InputError, type InputLocation } from '../errors.js';
import type { CompletionType, Op, Process } from './op.js';

/** An invocation together with its completion, if any. */
export interface OpPair {
  invoke: Op;
  /** Absent when the invocation never completed. */
  completion: Op | undefined;
  /** The completion's type; `info` when the invocation never completed. */
  type: CompletionType;
}

export interface HistoryOptions {
  /** Maps an op's position to where it came from, so errors name file and line. */
  locate?: (position: number) => InputLocation;
  /**
   * Renumber `op.index` to positions (default true). Sub-histories built by `filter` and
   * `partition` keep the original indices so results point into the full history.
   */
  reindex?: boolean;
}

const NONE = -1;

/**
 * A sequence of ops with O(1) pairing of invocations and completions, and per-process and
 * per-key views. Construction checks Jepsen's rules: a process has at most one open
 * invocation, a completion matches an open invocation of the same `f` and is not earlier
 * than it, and a process whose op ended in `info` never invokes again. Nemesis ops are not paired.
 */
export class History {
  readonly ops: readonly Op[];
  /** partner[i] is the position of op i's invocation or completion, or -1. */
  private readonly partner: Int32Array;
  private processView: Map<Process, History> | undefined;

  private constructor(ops: readonly Op[], partner: Int32Array) {
    this.ops = ops;
    this.partner = partner;
  }

  /** Builds a history, checking it; throws {@link InputError} naming the bad op. */
  static from(ops: Op[], options: HistoryOptions = {}): History {
    if (options.reindex !== false) for (let i = 0; i < ops.length; i++) ops[i]!.index = i;
    return new History(ops, pairUp(ops, options.locate ?? ((i) => ({ field: `op ${i}` }))));
  }

  get length(): number {
    return this.ops.length;
  }

  /** The op at a position. */
  at(position: number): Op {
    const op = this.ops[position];
    if (op === undefined) throw new RangeError(`no op at position ${position}`);
    return op;
  }

  /** Position of the invocation's completion or the completion's invocation, or -1. */
  partnerOf(position: number): number {
    return this.partner[position] ?? NONE;
  }

  /** The completion of the invocation at `position`, if it completed. */
  completionOf(position: number): Op | undefined {
    const p = this.partner[position]!;
    return p === NONE || this.ops[position]!.type !== 'invoke' ? undefined : this.ops[p];
  }

  /** The invocation of the completion at `position`. */
  invocationOf(position: number): Op | undefined {
    const p = this.partner[position]!;
    return p === NONE || this.ops[position]!.type === 'invoke' ? undefined : this.ops[p];
  }

  /** Every client invocation with its completion, in invocation order. */
  *pairs(): IterableIterator<OpPair> {
    const { ops, partner } = this;
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      if (op.type !== 'invoke' || op.process === 'nemesis') continue;
      const p = partner[i]!;
      const completion = p === NONE ? undefined : ops[p];
      yield { invoke: op, completion, type: completion ? (completion.type as CompletionType) : 'info' };
    }
  }

  /** Client invocations that never completed. */
  incomplete(): Op[] {
    return this.ops.filter(
      (op, i) => op.type === 'invoke' && op.process !== 'nemesis' && this.partner[i] === NONE,
    );
  }

  /** Ops of client processes only. */
  clientOps(): History {
    return this.filter((op) => op.process !== 'nemesis');
  }

  /** Ops of the nemesis only. */
  nemesisOps(): Op[] {
    return this.ops.filter((op) => op.process === 'nemesis');
  }

  /** A sub-history of the ops that pass; pairs must pass or fail together. Keeps `index`. */
  filter(keep: (op: Op, position: number) => boolean): History {
    const kept: Op[] = [];
    const newPos = new Int32Array(this.ops.length).fill(NONE);
    this.ops.forEach((op, i) => {
      if (keep(op, i)) {
        newPos[i] = kept.length;
        kept.push(op);
      }
    });
    return new History(kept, this.remap(kept.length, newPos));
  }

  /** One sub-history per process, in order of first appearance. Keeps `index`. */
  byProcess(): Map<Process, History> {
    if (!this.processView) {
      const groups = new Map<Process, number[]>();
      this.ops.forEach((op, i) => {
        const g = groups.get(op.process);
        if (g) g.push(i);
        else groups.set(op.process, [i]);
      });
      this.processView = new Map([...groups].map(([p, positions]) => [p, this.subset(positions)]));
    }
    return this.processView;
  }

  /**
   * Splits client ops by key (P-compositionality). `keyOf` is asked about each invocation;
   * its completion goes with it. Ops whose key is `undefined` are dropped. Keys are
   * compared by value (JSON), so `[1, 2]` and `[1, 2]` are one key. Keeps `index`.
   */
  partition(keyOf: (invoke: Op) => unknown): Map<unknown, History> {
    const groups = new Map<string, { key: unknown; positions: number[] }>();
    this.ops.forEach((op, i) => {
      if (op.type !== 'invoke' || op.process === 'nemesis') return;
      const key = keyOf(op);
      if (key === undefined) return;
      const id = typeof key === 'string' ? `s${key}` : `j${JSON.stringify(key)}`;
      const positions = groups.get(id)?.positions ?? [];
      if (positions.length === 0) groups.set(id, { key, positions });
      positions.push(i);
      const p = this.partner[i]!;
      if (p !== NONE) positions.push(p);
    });
    const result = new Map<unknown, History>();
    for (const { key, positions } of groups.values()) {
      result.set(key, this.subset(positions.sort((a, b) => a - b)));
    }
    return result;
  }

  private subset(positions: number[]): History {
    const newPos = new Int32Array(this.ops.length).fill(NONE);
    positions.forEach((p, i) => {
      newPos[p] = i;
    });
    return new History(
      positions.map((p) => this.ops[p]!),
      this.remap(positions.length, newPos),
    );
  }

  private remap(size: number, newPos: Int32Array): Int32Array {
    const partner = new Int32Array(size).fill(NONE);
    for (let i = 0; i < this.ops.length; i++) {
      const n = newPos[i]!;
      const p = this.partner[i]!;
      if (n !== NONE && p !== NONE && newPos[p] !== NONE) partner[n] = newPos[p]!;
    }
    return partner;
  }
}

function pairUp(ops: readonly Op[], locate: (position: number) => InputLocation): Int32Array {
  const partner = new Int32Array(ops.length).fill(NONE);
  const rules = new PairingRules(locate);
  for (let i = 0; i < ops.length; i++) {
    const inv = rules.next(ops[i]!, i);
    if (inv !== NONE) {
      partner[i] = inv;
      partner[inv] = i;
    }
  }
  return partner;
}

/**
 * Jepsen's pairing rules (see {@link History}), checked one op at a time, so a history too
 * big to hold can be checked as it streams past; it keeps only the open invocations.
 */
export class PairingRules {
  private readonly open = new Map<number, { position: number; f: string; time: number }>();
  private readonly crashedAt = new Map<number, number>();

  constructor(private readonly locate: (position: number) => InputLocation = (i) => ({ field: `op ${i}` })) {}

  /**
   * Takes the op at `position` (positions must increase); answers the position of the
   * invocation it completes, or -1. Throws {@link InputError} naming the op that breaks a rule.
   */
  next(op: Op, position: number): number {
    const { process } = op;
    if (process === 'nemesis') return NONE;
    if (op.type === 'invoke') {
      const pending = this.open.get(process);
      if (pending !== undefined) {
        throw new InputError(
          `process ${process} invokes again while its invocation at op ${pending.position} is still open`,
          { ...this.locate(position), field: 'process' },
        );
      }
      const crashed = this.crashedAt.get(process);
      if (crashed !== undefined) {
        throw new InputError(
          `process ${process} invokes again after its op ${crashed} ended in info; a crashed process must continue under a fresh id`,
          { ...this.locate(position), field: 'process' },
        );
      }
      this.open.set(process, { position, f: op.f, time: op.time });
      return NONE;
    }
    const inv = this.open.get(process);
    if (inv === undefined) {
      throw new InputError(`completion (${op.type}) of process ${process} has no open invocation`, {
        ...this.locate(position),
        field: 'type',
      });
    }
    if (inv.f !== op.f) {
      throw new InputError(`completion f ${op.f} does not match its invocation's f ${inv.f}`, {
        ...this.locate(position),
        field: 'f',
      });
    }
    if (op.time < inv.time) {
      throw new InputError(
        `completion (op ${position}) at time ${op.time} is earlier than its invocation (op ${inv.position}) at time ${inv.time}`,
        { ...this.locate(position), field: 'time' },
      );
    }
    this.open.delete(process);
    if (op.type === 'info') this.crashedAt.set(process, position);
    return inv.position;
  }
}
