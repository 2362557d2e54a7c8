/**
 * Online checking of a run (`checking: online`, `faultline test --online`): the runner keeps
 * no ops in memory; each op is fed, as it is recorded, to the online version of every
 * checker that has one, and the run's op counts are kept. At the end those checkers give
 * their verdicts, and the checkers without an online version check the history read back
 * from history.jsonl — "what is left is checked at the end".
 */
import {
  checkListAppendWindowed,
  checkRwRegisterWindowed,
  listAppendChecker,
  type OpStream,
  parseElleOptions,
  rwRegisterChecker,
  type WindowedElleResult,
} from '../../checkers/elle/index.js';
import { OnlineCounter } from '../../checkers/online/counter.js';
import { OnlineIndependentLinearizable } from '../../checkers/online/independent-linearizable.js';
import { OnlinePerf } from '../../checkers/online/perf.js';
import { OnlineSet } from '../../checkers/online/set.js';
import { OnlineStats } from '../../checkers/online/stats.js';
import type { OnlineChecker } from '../../checkers/online/types.js';
import { OnlineUniqueIds } from '../../checkers/online/unique-ids.js';
import { type Checker, type CheckResult, composeResults } from '../../checkers/result.js';
import type { CheckerRunOptions, CheckerSpec } from '../../workloads/types.js';
import { readHistoryFile, readOps } from '../history/codecs/index.js';
import type { History } from '../history/history.js';
import type { Op } from '../history/op.js';
import type { Registry } from '../registry.js';
import { alwaysRunCheckers, checkerFailure, isWatchEvent, NO_OPERATIONS, runNamedCheckers } from './check.js';
import type { RunObserver, RunPhase } from './runner.js';

type OnlineFactory = (options: CheckerRunOptions) => OnlineChecker | undefined;

/**
 * The checkers with an online version, by registry name: each builds it from the checker's
 * options, or gives undefined for options only the batch checker takes (then it runs at the end).
 */
const ONLINE_CHECKERS: ReadonlyMap<string, OnlineFactory> = new Map<string, OnlineFactory>([
  ['stats', ({ independent, ...options }) => (independent ? undefined : new OnlineStats(options))],
  // The online perf analysis has no per-fault-state figures and picks its own windows.
  [
    'perf',
    ({ independent, windowS }) => (independent || windowS !== undefined ? undefined : new OnlinePerf()),
  ],
  ['set', ({ independent }) => (independent ? undefined : new OnlineSet())],
  [
    'counter',
    ({ independent, initial }) =>
      independent ? undefined : new OnlineCounter(typeof initial === 'number' ? { initial } : {}),
  ],
  ['unique-ids', ({ independent }) => (independent ? undefined : new OnlineUniqueIds())],
  [
    'linearizable',
    ({ independent, model, opsPerKey, ...options }) =>
      independent && typeof model === 'string'
        ? new OnlineIndependentLinearizable({
            ...options,
            model,
            // Without the workload's key rotation, every key is checked at the end.
            opsPerKey: typeof opsPerKey === 'number' && opsPerKey > 0 ? opsPerKey : Number.POSITIVE_INFINITY,
          })
        : undefined,
  ],
]);

type WindowedCheck = (ops: OpStream, options: CheckerRunOptions, name: string) => Promise<WindowedElleResult>;

/**
 * The Elle-class checkers, checked at the end window by window from history.jsonl, streamed
 * twice, so that a long run's history is never in memory (checkers/elle/windowed.ts says what
 * a window can and cannot see; a run shorter than a window, 200,000 ops, is checked whole).
 */
const WINDOWED_AT_END: ReadonlyMap<Checker, WindowedCheck> = new Map<Checker, WindowedCheck>([
  [listAppendChecker, (ops, options, name) => checkListAppendWindowed(ops, windowedOptions(options, name))],
  [rwRegisterChecker, (ops, options, name) => checkRwRegisterWindowed(ops, windowedOptions(options, name))],
]);

function windowedOptions(options: CheckerRunOptions, name: string) {
  return parseElleOptions(options as Record<string, unknown>, `checkers.${name}`);
}

/** Names of the checkers that have an online version (the README lists them too). */
export const ONLINE_CHECKER_NAMES: readonly string[] = [...ONLINE_CHECKERS.keys()];

/** Client op counts by type, and nemesis ops, as the run's summary gives them. */
export interface OpCounts {
  invoke: number;
  ok: number;
  fail: number;
  info: number;
  nemesis: number;
}

/** The verdict of an online run, and the history if the end had to read it back. */
export interface OnlineVerdict {
  result: CheckResult;
  /** Names of the checkers that checked online, and of those run on the history at the end. */
  online: string[];
  atEnd: string[];
  history?: History;
}

interface Live {
  checker: OnlineChecker;
  /** Set when the checker threw on an op: it is fed nothing more and its verdict is `unknown`. */
  failure?: CheckResult;
}

/**
 * Feeds recorded ops to online checkers: pass it as the runner's observer (it forwards every
 * op and phase to `forward`, e.g. the progress line), then call {@link finish} once the run
 * and history.jsonl are closed.
 */
export class OnlineChecking implements RunObserver {
  private readonly live = new Map<string, Live>();
  private readonly opCounts: OpCounts = { invoke: 0, ok: 0, fail: 0, info: 0, nemesis: 0 };
  /** Nemesis ops are few (faults, node events); the log scan needs the damage they report. */
  private readonly nemesis: Op[] = [];
  private watched = false;

  /**
   * `spec`: the checkers the run asks for (the plan's or the workload's); the always-run ones
   * (perf, stats) are added when `registry` has them, as the batch path does.
   */
  constructor(
    private readonly spec: CheckerSpec,
    private readonly registry: Registry<Checker>,
    private readonly forward?: RunObserver,
  ) {
    for (const [name, options] of this.wanted(false)) {
      const make = ONLINE_CHECKERS.get(name);
      // A plan's own checker module never has this name: names of modules are paths.
      const checker = make && this.registry.has(name) ? make(options) : undefined;
      if (checker) this.live.set(name, { checker });
    }
  }

  onOp(op: Op): void {
    this.forward?.onOp?.(op);
    if (op.process === 'nemesis') {
      this.opCounts.nemesis++;
      this.nemesis.push(op);
      if (isWatchEvent(op)) this.watched = true;
    } else this.opCounts[op.type]++;
    for (const [name, live] of this.live) {
      if (live.failure) continue;
      try {
        live.checker.add(op);
      } catch (err) {
        live.failure = checkerFailure(name, err);
      }
    }
  }

  onPhase(phase: RunPhase): void {
    this.forward?.onPhase?.(phase);
  }

  /** Client op counts so far. */
  get counts(): Readonly<OpCounts> {
    return this.opCounts;
  }

  /** Every nemesis op so far (they are kept: few, and the log scan needs them). */
  get nemesisOps(): readonly Op[] {
    return this.nemesis;
  }

  /**
   * The verdict: the online checkers' results, then the others' on the history read back
   * from `historyPath`, composed as the batch path composes them (same names, same order),
   * with `also` (results found outside the history, such as the log scan).
   */
  async finish(historyPath: string, also: Record<string, CheckResult> = {}): Promise<OnlineVerdict> {
    const wanted = this.wanted(this.watched);
    const online = [...wanted.keys()].filter((name) => this.live.has(name));
    const atEnd = [...wanted.keys()].filter((name) => !this.live.has(name));
    const total = this.opCounts.invoke + this.opCounts.ok + this.opCounts.fail + this.opCounts.info;
    if (total + this.opCounts.nemesis === 0) return { result: { ...NO_OPERATIONS }, online, atEnd };
    const results = new Map<string, CheckResult>();
    for (const name of online) {
      const live = this.live.get(name)!;
      results.set(
        name,
        live.failure ?? (await live.checker.finish().catch((err) => checkerFailure(name, err))),
      );
    }
    const inMemory: string[] = [];
    for (const name of atEnd) {
      const options = wanted.get(name)!;
      const check = this.windowedCheck(name, options);
      if (!check) {
        inMemory.push(name);
        continue;
      }
      const ops = () => readOps(historyPath, { format: 'jsonl' });
      results.set(name, await check(ops, options, name).catch((err) => checkerFailure(name, err)));
    }
    let history: History | undefined;
    if (inMemory.length > 0) {
      const left = new Map(inMemory.map((name) => [name, wanted.get(name)!]));
      try {
        history = await readHistoryFile(historyPath);
        for (const [name, result] of await runNamedCheckers(history, left, this.registry)) {
          results.set(name, result);
        }
      } catch (err) {
        const reason = `the recorded history could not be read back: ${(err as Error)?.message ?? String(err)}`;
        for (const name of inMemory) results.set(name, { valid: 'unknown', reason });
      }
    }
    const ordered = new Map([...wanted.keys()].map((name) => [name, results.get(name)!]));
    for (const [name, result] of Object.entries(also)) if (!ordered.has(name)) ordered.set(name, result);
    return {
      result: composeResults(Object.fromEntries(ordered)),
      online,
      atEnd,
      ...(history ? { history } : {}),
    };
  }

  /** The windowed check of a shipped Elle checker asked for without `independent`, if any. */
  private windowedCheck(name: string, options: CheckerRunOptions): WindowedCheck | undefined {
    const checker = this.registry.find(name);
    return checker && !options.independent ? WINDOWED_AT_END.get(checker) : undefined;
  }

  /** The checkers to run, in the batch path's order: the spec's, then the always-run ones. */
  private wanted(watched: boolean): Map<string, CheckerRunOptions> {
    // Names are data (a plan, test.json): a Map, so that `__proto__` is just a name.
    const wanted = new Map(Object.entries(this.spec));
    for (const name of alwaysRunCheckers(watched)) {
      if (this.registry.has(name) && !wanted.has(name)) wanted.set(name, {});
    }
    return wanted;
  }
}
