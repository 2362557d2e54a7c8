/**
 * Per-key linearizability, online: the ops of each key are buffered until the key retires,
 * then checked and dropped. Workloads that rotate keys (the register workload replaces a key
 * after `opsPerKey` invocations) thus keep only the live keys' ops in memory. A key retires
 * once it has seen `opsPerKey` invocations and none of them is still open; whatever is left
 * when the run ends is checked by `finish`. Same verdict as the batch checker with
 * `independent: true`: keys are independent, so checking one as soon as it is complete
 * sees exactly what checking it at the end would.
 */
import { History } from '../../src/history/history.js';
import type { Op } from '../../src/history/op.js';
import type { LinearizableOptions, LinearizableResult } from '../linearizable/index.js';
import { checkLinearizableSync } from '../linearizable/index.js';
import { type CheckResult, mergeValidity, type Validity } from '../result.js';
import type { OnlineChecker } from './types.js';

/** Keys listed in the result, at most (the counts are always complete). */
const MAX_LISTED_KEYS = 20;

export interface OnlineIndependentOptions extends LinearizableOptions {
  /** A built-in model's name, e.g. `cas-register`. */
  model: string;
  /**
   * Invocations after which a key is never used again (the workload's `opsPerKey`). A workload
   * that uses a key again after that makes the verdict `unknown` (unless some key is invalid).
   */
  opsPerKey: number;
  /** Told of every key whose verdict is not `true` (the result lists only the first few). */
  onFailure?: (key: unknown, result: LinearizableResult) => void;
}

export interface OnlineIndependentResult extends CheckResult {
  keys: number;
  failedKeys: number;
  failures: { key: unknown; result: LinearizableResult }[];
  /** Keys checked while the run went on, and those left for the end. */
  checkedOnline: number;
  checkedAtEnd: number;
  /** The most ops buffered at once (the live keys'). */
  peakBufferedOps: number;
}

interface KeyOps {
  ops: Op[];
  invocations: number;
  open: number;
}

export class OnlineIndependentLinearizable implements OnlineChecker<OnlineIndependentResult> {
  readonly name = 'linearizable';
  private readonly live = new Map<unknown, KeyOps>();
  /** Keys already checked: an op on one means the workload broke the rotation contract. */
  private readonly retired = new Set<unknown>();
  private reusedKey: unknown;
  private reused = false;
  /** Key of each process' open invocation (completions carry the key too, but trust the pair). */
  private readonly openKey = new Map<number, unknown>();
  private readonly verdicts: Validity[] = [];
  private readonly failures: { key: unknown; result: LinearizableResult }[] = [];
  private failedKeys = 0;
  private buffered = 0;
  private peakBuffered = 0;
  private checkedOnline = 0;

  constructor(private readonly options: OnlineIndependentOptions) {}

  add(op: Op): void {
    if (op.process === 'nemesis' || op.key === undefined) return;
    let key: unknown = op.key;
    if (op.type === 'invoke') this.openKey.set(op.process, key);
    else if (this.openKey.has(op.process)) {
      key = this.openKey.get(op.process);
      this.openKey.delete(op.process);
    }
    let k = this.live.get(key);
    if (!k && this.retired.has(key)) {
      // Its history was split: what was checked may not be what happened. Say so, check nothing more of it.
      if (!this.reused) this.reusedKey = key;
      this.reused = true;
      return;
    }
    if (!k) {
      k = { ops: [], invocations: 0, open: 0 };
      this.live.set(key, k);
    }
    k.ops.push(op);
    if (++this.buffered > this.peakBuffered) this.peakBuffered = this.buffered;
    if (op.type === 'invoke') {
      k.invocations++;
      k.open++;
    } else {
      k.open--;
      if (k.open === 0 && k.invocations >= this.options.opsPerKey) {
        this.retire(key, k);
        this.checkedOnline++;
      }
    }
  }

  async finish(): Promise<OnlineIndependentResult> {
    const atEnd = this.live.size;
    for (const [key, k] of [...this.live]) this.retire(key, k);
    const keys = this.verdicts.length;
    const reason =
      keys === 0
        ? 'no keyed operations'
        : this.reused
          ? `key ${JSON.stringify(this.reusedKey)} was used again after ${this.options.opsPerKey} invocations, when it had been checked`
          : undefined;
    const valid = mergeValidity(this.verdicts);
    return {
      valid: keys === 0 || (this.reused && valid === true) ? 'unknown' : valid,
      ...(reason === undefined ? {} : { reason }),
      keys,
      failedKeys: this.failedKeys,
      failures: this.failures,
      checkedOnline: this.checkedOnline,
      checkedAtEnd: atEnd,
      peakBufferedOps: this.peakBuffered,
    };
  }

  private retire(key: unknown, k: KeyOps): void {
    this.live.delete(key);
    this.retired.add(key);
    this.buffered -= k.ops.length;
    const { opsPerKey: _, onFailure, model, ...options } = this.options;
    // Original indices are kept, so failures point into the full history.
    const history = History.from(k.ops, { reindex: false });
    const result = checkLinearizableSync(history, model, options);
    this.verdicts.push(result.valid);
    if (result.valid !== true) {
      this.failedKeys++;
      onFailure?.(key, result);
      if (this.failures.length < MAX_LISTED_KEYS) this.failures.push({ key, result });
    }
  }
}
