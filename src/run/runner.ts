import { UNHANDLED_FIELD } from '../../checkers/stats.js';
import type { Nemesis, NemesisContext } from '../../nemeses/types.js';
import type { Client, Completion, Invocation } from '../client/types.js';
import type { Remote } from '../control/types.js';
import { collectLogs } from '../db/logs.js';
import type { Db, DbContext } from '../db/types.js';
import {
  clients,
  clientsAndNemesis,
  type GenContext,
  type Generator,
  type GenOp,
  nemesis as onNemesis,
  type Step,
  type Stepper,
  seededRandom,
  type Thread,
  timeLimit,
} from '../generator/index.js';
import type { Op, Process } from '../history/op.js';
import type { RunMonitor } from './node-watch.js';

/** Where recorded ops go as they happen (the codecs' JsonlWriter fits). */
export interface HistorySink {
  write(op: Op): void;
}

/** Told of every recorded op and of phase changes (the progress line). */
export interface RunObserver {
  onOp?(op: Op): void;
  onPhase?(phase: RunPhase): void;
}

export type RunPhase = 'setup' | 'main' | 'heal' | 'quiet' | 'final' | 'teardown' | 'done';

/** Everything a run needs. Db, remote and nemeses are optional: without them the run is in-process. */
export interface RunSpec {
  /** Client threads (logical processes 0..n-1). */
  concurrency: number;
  /** Nodes clients are spread over, round-robin. Empty: clients get the node name `local`. */
  nodes: readonly string[];
  seed: number;
  /** Length of the main phase, in seconds. */
  timeLimitS: number;
  /** An op without an answer after this long is recorded `info` and its process crashes. */
  opTimeoutMs: number;
  /** Pause between healing and the final phase, in seconds. */
  quietS: number;
  /** Longest the final phase may take, in seconds. */
  finalTimeLimitS: number;
  /** A fresh client, one per thread, and again after each crash. */
  newClient: () => Client;
  /** The main phase's client generator. */
  generator: Generator;
  /** Ops after healing, e.g. final reads. */
  finalGenerator?: Generator;
  db?: Db;
  remote?: Remote;
  dbOptions?: Record<string, unknown>;
  /** Leave the db running after the test (no teardown). */
  leaveDbRunning?: boolean;
  nemeses?: readonly Nemesis[];
  /** The nemesis schedule of the main phase. */
  nemesisGenerator?: Generator;
  /** Nemesis ops that undo every fault, recorded in the history before `heal` runs. */
  nemesisFinalGenerator?: Generator;
  /** Node logs are copied here (one folder per node) when there is a db. */
  logDir?: string;
  history: HistorySink;
  log: (line: string) => void;
  observer?: RunObserver;
  /** Watchers of the run (e.g. the node watch): started once set up, finished before teardown. */
  monitors?: readonly RunMonitor[];
  /** Aborting stops the generators; the run then heals, tears down and returns. */
  signal?: AbortSignal;
}

/** What happened. */
export interface RunOutcome {
  ops: Op[];
  /** The run was stopped by its signal. */
  interrupted: boolean;
  /** The first error that ended the run early, if any. */
  error?: unknown;
  /** db version per node, where the adapter tells. */
  versions: Record<string, string>;
  /** Wall-clock start, ISO 8601. */
  startedAt: string;
  /** Length of the run, in ns. */
  durationNs: number;
}

type ThreadStatus = 'free' | 'busy' | 'reopening' | 'closed';

interface ThreadState {
  readonly thread: Thread;
  process: Process;
  readonly node: string | undefined;
  client: Client | undefined;
  status: ThreadStatus;
  /** Bumped per op: a late answer to a timed-out op carries an old token and is ignored. */
  token: number;
  deadline: number;
  invoke: Op | undefined;
  controller: AbortController;
  /** What the client's invoke is told; the same object until the process crashes. */
  invokeContext: { process: number; signal: AbortSignal };
}

const NEMESIS: Thread = 'nemesis';

/**
 * Runs one test: setup, main phase (clients and nemesis), heal (always), quiet, final
 * phase, teardown. Never throws for a failure of the system under test; an error of the
 * harness ends the run early, is logged and returned in {@link RunOutcome.error}, after
 * healing and tearing down.
 */
export async function runTest(spec: RunSpec): Promise<RunOutcome> {
  return new Runner(spec).run();
}

class Runner {
  private readonly start = process.hrtime.bigint();
  private readonly ops: Op[] = [];
  private readonly threads = new Map<Thread, ThreadState>();
  private readonly threadList: Thread[] = [];
  /** Free threads, oldest idle first: round-robin over the nodes. */
  private readonly free: Thread[] = [];
  private readonly random;
  private stepper: Stepper | undefined;
  private stopping = false;
  private busy = 0;
  private waiter: (() => void) | undefined;
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private timerUntil: number | undefined;
  private readonly ctx: { time: number; free: Thread[]; threads: Thread[]; random: () => number };
  private error: unknown;
  private readonly dbContext: DbContext | undefined;
  private readonly nemesisContext: NemesisContext | undefined;
  private readonly nemesisByF = new Map<string, Nemesis>();

  constructor(private readonly spec: RunSpec) {
    this.random = seededRandom(spec.seed);
    this.ctx = { time: 0, free: this.free, threads: this.threadList, random: this.random };
    if (spec.db && spec.remote) {
      this.dbContext = {
        remote: spec.remote,
        nodes: spec.nodes,
        options: spec.dbOptions ?? {},
        ...(spec.logDir ? { logDir: spec.logDir } : {}),
      };
    }
    if (spec.nemeses && spec.nemeses.length > 0) {
      this.nemesisContext = {
        remote: spec.remote ?? unavailable<Remote>('a remote: this test has no nodes'),
        nodes: spec.nodes,
        db: spec.db ?? unavailable<Db>('a db: this test has none'),
        dbContext: this.dbContext ?? unavailable<DbContext>('a db: this test has none'),
        random: seededRandom((spec.seed ^ 0x6e656d) >>> 0),
        log: spec.log,
        record: (f, value, error) => this.recordEvent(f, value, error),
      };
      for (const n of spec.nemeses) for (const f of n.fs) this.nemesisByF.set(f, n);
    }
  }

  private now(): number {
    return Number(process.hrtime.bigint() - this.start);
  }

  async run(): Promise<RunOutcome> {
    const startedAt = new Date().toISOString();
    const { spec } = this;
    const versions: Record<string, string> = {};
    const onAbort = (): void => {
      if (!this.stopping) spec.log('interrupted: stopping the generators');
      this.stop();
    };
    spec.signal?.addEventListener('abort', onAbort, { once: true });
    const sweep = setInterval(() => this.sweepTimeouts(), Math.max(10, Math.min(250, spec.opTimeoutMs / 4)));
    try {
      this.phase('setup');
      await this.guard(async () => {
        await this.setupDb(versions);
        await this.setupNemeses();
        await this.openClients();
        for (const m of spec.monitors ?? []) m.start((f, value, error) => this.recordEvent(f, value, error));
      });
      if (!this.stopping) {
        this.phase('main');
        const main = timeLimit(spec.timeLimitS, clientsAndNemesis(spec.generator, spec.nemesisGenerator));
        await this.guard(() => this.interpret(main.start()));
      }
      this.phase('heal');
      if (spec.nemesisFinalGenerator && this.error === undefined && !spec.signal?.aborted) {
        this.stopping = false;
        await this.guard(() => this.interpret(timeLimit(60, onNemesis(spec.nemesisFinalGenerator!)).start()));
      }
      await this.heal();
      const interruptedBeforeFinal = spec.signal?.aborted === true;
      if (!interruptedBeforeFinal && this.error === undefined) {
        this.phase('quiet');
        await this.sleep(spec.quietS * 1000);
        if (spec.finalGenerator && !spec.signal?.aborted) {
          this.phase('final');
          this.stopping = false;
          const final = timeLimit(spec.finalTimeLimitS, clients(spec.finalGenerator));
          await this.guard(() => this.interpret(final.start()));
        }
      }
    } finally {
      clearInterval(sweep);
      this.phase('teardown');
      await this.teardown();
      spec.signal?.removeEventListener('abort', onAbort);
      this.phase('done');
    }
    return {
      ops: this.ops,
      interrupted: spec.signal?.aborted === true,
      ...(this.error === undefined ? {} : { error: this.error }),
      versions,
      startedAt,
      durationNs: this.now(),
    };
  }

  private phase(phase: RunPhase): void {
    this.spec.observer?.onPhase?.(phase);
    this.spec.log(`phase ${phase}`);
  }

  /** Runs a step of the run; an error stops the run (it is kept and logged, not thrown). */
  private async guard(f: () => Promise<void>): Promise<void> {
    try {
      await f();
    } catch (err) {
      this.fail(err);
    }
  }

  private fail(err: unknown): void {
    if (this.error === undefined) this.error = err;
    this.spec.log(`error: ${errorText(err)}`);
    this.stop();
  }

  private stop(): void {
    this.stopping = true;
    this.wake();
  }

  // --- setup and teardown ------------------------------------------------------------

  private async setupDb(versions: Record<string, string>): Promise<void> {
    const { db, nodes, log } = this.spec;
    const ctx = this.dbContext;
    if (!db || !ctx) return;
    log(`db ${db.name}: setting up ${nodes.join(', ')}`);
    await Promise.all(nodes.map((n) => db.setup(ctx, n)));
    await db.awaitHealthy(ctx, 120_000);
    log(`db ${db.name}: healthy`);
    if (db.version) {
      await Promise.all(
        nodes.map(async (n) => {
          versions[n] = await db.version!(ctx, n);
        }),
      );
    }
  }

  private async setupNemeses(): Promise<void> {
    const ctx = this.nemesisContext;
    if (!ctx) return;
    for (const n of this.spec.nemeses ?? []) {
      this.spec.log(`nemesis ${n.name}: setup`);
      await n.setup(ctx);
    }
  }

  private async openClients(): Promise<void> {
    const { concurrency, nodes } = this.spec;
    for (let i = 0; i < concurrency; i++) {
      const state = this.newThread(i, nodes.length > 0 ? nodes[i % nodes.length] : 'local');
      state.status = 'reopening';
    }
    if (this.nemesisContext) this.newThread(NEMESIS, undefined);
    // A client that cannot open yet is retried in the background; if none can, the test cannot run.
    const errors: unknown[] = [];
    await Promise.all(
      this.threadList
        .filter((t) => t !== NEMESIS)
        .map(async (t) => {
          const state = this.threads.get(t)!;
          try {
            const client = this.spec.newClient();
            await client.open(state.node!);
            state.client = client;
            this.release(state);
          } catch (err) {
            errors.push(err);
            void this.reopen(state, undefined, 1);
          }
        }),
    );
    if (errors.length > 0 && errors.length === concurrency) {
      throw new Error(`no client could open: ${errorText(errors[0])}`);
    }
    if (errors.length > 0)
      this.spec.log(`${errors.length} clients could not open yet: ${errorText(errors[0])}`);
    if (this.nemesisContext) this.release(this.threads.get(NEMESIS)!);
  }

  private newThread(thread: Thread, node: string | undefined): ThreadState {
    const controller = new AbortController();
    const state: ThreadState = {
      thread,
      process: thread,
      node,
      client: undefined,
      status: 'closed',
      token: 0,
      deadline: Number.POSITIVE_INFINITY,
      invoke: undefined,
      controller,
      invokeContext: { process: typeof thread === 'number' ? thread : -1, signal: controller.signal },
    };
    this.threads.set(thread, state);
    this.threadList.push(thread);
    return state;
  }

  /** Every nemesis's heal, each on its own: one failing does not skip the others. */
  private async heal(): Promise<void> {
    const ctx = this.nemesisContext;
    if (!ctx) return;
    for (const n of this.spec.nemeses ?? []) {
      this.record('invoke', 'nemesis', 'heal', n.name);
      try {
        await n.heal(ctx);
        this.record('info', 'nemesis', 'heal', n.name);
      } catch (err) {
        this.record('info', 'nemesis', 'heal', n.name, errorText(err));
        this.spec.log(`nemesis ${n.name}: heal failed: ${errorText(err)}`);
        if (this.error === undefined) this.error = err;
      }
    }
  }

  private async teardown(): Promise<void> {
    const { spec } = this;
    // Late answers must not be recorded after this point.
    for (const state of this.threads.values()) {
      state.token++;
      state.status = 'closed';
      const { client } = state;
      state.client = undefined;
      if (client) await client.close().catch((err) => spec.log(`closing a client: ${errorText(err)}`));
    }
    const nctx = this.nemesisContext;
    if (nctx) {
      for (const n of spec.nemeses ?? []) {
        await n.teardown(nctx).catch((err) => spec.log(`nemesis ${n.name}: teardown: ${errorText(err)}`));
      }
    }
    for (const m of spec.monitors ?? []) {
      await m.finish().catch((err) => spec.log(`finishing a monitor: ${errorText(err)}`));
    }
    const { db } = spec;
    const ctx = this.dbContext;
    if (!db || !ctx) return;
    if (spec.logDir) await this.collectLogs(db, ctx, spec.logDir);
    if (spec.leaveDbRunning) {
      spec.log(`db ${db.name}: left running`);
      return;
    }
    await Promise.all(
      spec.nodes.map((n) =>
        db.teardown(ctx, n).catch((err) => spec.log(`db ${db.name}: teardown of ${n}: ${errorText(err)}`)),
      ),
    );
  }

  private async collectLogs(db: Db, ctx: DbContext, logDir: string): Promise<void> {
    try {
      const { files, failures } = await collectLogs(db, ctx, logDir);
      this.spec.log(`collected ${files.length} node log files`);
      for (const f of failures) this.spec.log(`log ${f.file} of ${f.node} not collected: ${f.error}`);
    } catch (err) {
      this.spec.log(`collecting node logs: ${errorText(err)}`);
    }
  }

  // --- the interpreter ------------------------------------------------------------------

  /**
   * The generator's context. One object, updated in place: generators must not keep it
   * (none does), and the hot path then allocates nothing for it.
   */
  private context(time = this.now()): GenContext {
    this.ctx.time = time;
    return this.ctx;
  }

  /** Asks the generator for ops and hands them to free threads until it is exhausted. */
  private async interpret(stepper: Stepper): Promise<void> {
    this.stepper = stepper;
    while (!this.stopping) {
      let step: Step;
      try {
        step = stepper.next(this.context());
      } catch (err) {
        this.fail(err);
        break;
      }
      if (step.type === 'op') this.dispatch(step.op);
      else if (step.type === 'exhausted') break;
      else await this.waitForWake(step.until);
    }
    // Ops in flight finish (or time out, which the sweep turns into info).
    while (this.busy > 0) await this.waitForWake(undefined);
    this.disarm();
    this.stepper = undefined;
  }

  /**
   * Resolves on the next completion (or abort), or at `until`. A timer armed for the same
   * time is kept across waits (a time limit asks for the same deadline again and again);
   * a timer that fires after its wait ended only causes a harmless extra look.
   */
  private waitForWake(until: number | undefined): Promise<void> {
    return new Promise((resolve) => {
      this.waiter = resolve;
      if (until === undefined || until === this.timerUntil) return;
      this.disarm();
      const ms = (until - this.now()) / 1e6;
      this.timerUntil = until;
      // setTimeout has a 1 ms grain: shorter waits (high rates) yield to the event loop only.
      this.timer = ms < 1 ? setImmediate(this.onTimer) : setTimeout(this.onTimer, ms);
    });
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.timerUntil = undefined;
    this.wake();
  };

  private disarm(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer as NodeJS.Timeout);
    clearImmediate(this.timer as NodeJS.Immediate);
    this.timer = undefined;
    this.timerUntil = undefined;
  }

  private wake(): void {
    const w = this.waiter;
    if (w === undefined) return;
    this.waiter = undefined;
    w();
  }

  private dispatch(op: GenOp): void {
    const state = this.threads.get(op.thread);
    const at = this.free.indexOf(op.thread);
    if (state === undefined || at < 0) {
      throw new Error(`generator chose thread ${String(op.thread)}, which is not free`);
    }
    this.free.splice(at, 1);
    state.status = 'busy';
    this.busy++;
    const token = ++state.token;
    // The context's time was read just before the generator chose this op.
    const time = this.ctx.time;
    const invoke = this.record('invoke', state.process, op.f, op.value, undefined, state.node, op.key, time);
    state.invoke = invoke;
    this.stepper?.update?.(this.ctx, { thread: state.thread, op: invoke });
    // The op itself is the invocation (its extra `thread` field is harmless).
    const invocation: Invocation = op;
    if (state.thread === NEMESIS) {
      this.invokeNemesis(state, token, invocation);
      return;
    }
    state.deadline = time + this.spec.opTimeoutMs * 1e6;
    let answer: Promise<Completion>;
    try {
      answer = state.client!.invoke(invocation, state.invokeContext);
    } catch (err) {
      answer = Promise.reject(err);
    }
    answer.then(
      (c) => this.complete(state, token, c.type, c.value, c.error),
      // A thrown error is one the client did not map to an outcome: marked for the stats checker.
      (err) => this.complete(state, token, 'info', undefined, errorText(err), thrownName(err)),
    );
  }

  private invokeNemesis(state: ThreadState, token: number, invocation: Invocation): void {
    const nemesis = this.nemesisByF.get(invocation.f);
    if (!nemesis) {
      this.complete(state, token, 'info', undefined, `no nemesis handles ${invocation.f}`);
      return;
    }
    nemesis.invoke(this.nemesisContext!, invocation).then(
      (outcome) => this.complete(state, token, 'info', outcome.value, outcome.error),
      (err) => this.complete(state, token, 'info', undefined, errorText(err)),
    );
  }

  private complete(
    state: ThreadState,
    token: number,
    type: Completion['type'],
    value: unknown,
    error: unknown,
    exception?: string,
  ): void {
    if (state.token !== token || state.status !== 'busy') return;
    state.token++;
    const invoke = state.invoke!;
    state.invoke = undefined;
    this.busy--;
    const time = this.now();
    const completion = this.record(
      type,
      state.process,
      invoke.f,
      value === undefined ? invoke.value : value,
      error,
      state.node,
      invoke.key,
      time,
      exception === undefined ? undefined : { [UNHANDLED_FIELD]: exception },
    );
    this.stepper?.update?.(this.context(time), { thread: state.thread, op: completion });
    if (type === 'info' && state.thread !== NEMESIS) this.crash(state);
    else this.release(state);
  }

  private release(state: ThreadState): void {
    state.status = 'free';
    this.free.push(state.thread);
    this.wake();
  }

  /** The process is gone: its thread continues as a fresh process, with a fresh client. */
  private crash(state: ThreadState): void {
    state.status = 'reopening';
    state.process = (state.process as number) + this.spec.concurrency;
    state.controller = new AbortController();
    state.invokeContext = { process: state.process, signal: state.controller.signal };
    const old = state.client;
    state.client = undefined;
    this.wake(); // the drain after a phase waits for the last op in flight, which may end here
    void this.reopen(state, old);
  }

  private async reopen(state: ThreadState, old: Client | undefined, firstAttempt = 0): Promise<void> {
    await old?.close().catch(() => undefined);
    for (let attempt = firstAttempt; state.status === 'reopening'; attempt++) {
      if (attempt > 0) await this.sleep(Math.min(5000, 250 * 2 ** (attempt - 1)), true);
      if (state.status !== 'reopening') return;
      try {
        const client = this.spec.newClient();
        await client.open(state.node!);
        if (state.status !== 'reopening') {
          await client.close().catch(() => undefined);
          return;
        }
        state.client = client;
        this.release(state);
        return;
      } catch (err) {
        if (attempt === 0)
          this.spec.log(`process ${String(state.process)}: reopening its client: ${errorText(err)}`);
        await this.sleep(Math.min(5000, 250 * 2 ** attempt));
      }
    }
  }

  /** Ops past their deadline become `info`; the late answer, if any, is ignored. */
  private sweepTimeouts(): void {
    const now = this.now();
    for (const state of this.threads.values()) {
      if (state.status === 'busy' && state.thread !== NEMESIS && now > state.deadline) {
        state.controller.abort();
        this.complete(state, state.token, 'info', undefined, 'timeout');
      }
    }
  }

  /** An event no op invoked (a lost dead-man lease, a crashed node): a nemesis invoke/info pair. */
  private recordEvent(f: string, value: unknown, error?: string): void {
    this.record('invoke', 'nemesis', f, value);
    this.record('info', 'nemesis', f, value, error);
  }

  private record(
    type: Op['type'],
    process: Process,
    f: string,
    value: unknown,
    error?: unknown,
    node?: string,
    key?: unknown,
    time = this.now(),
    extra?: Op['extra'],
  ): Op {
    const op: Op = { index: this.ops.length, time, type, process, f, value };
    if (error !== undefined) op.error = error;
    if (node !== undefined) op.node = node;
    if (key !== undefined) op.key = key;
    if (extra !== undefined) op.extra = extra;
    this.ops.push(op);
    this.spec.history.write(op);
    this.spec.observer?.onOp?.(op);
    return op;
  }

  /** Sleeps, waking early when the run is interrupted. */
  private sleep(ms: number, unref = false): Promise<void> {
    return new Promise((resolve) => {
      if (this.spec.signal?.aborted) return resolve();
      const done = (): void => {
        clearTimeout(timer);
        this.spec.signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      if (unref) timer.unref();
      this.spec.signal?.addEventListener('abort', done, { once: true });
    });
  }
}

/** The name of a thrown error (`TypeError`, `ConnectionError`, ...), or its JS type. */
function thrownName(err: unknown): string {
  return err instanceof Error ? err.name || 'Error' : typeof err;
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === 'string' ? err : JSON.stringify(err);
}

/** A stand-in that says clearly what is missing when a nemesis reaches for it. */
function unavailable<T extends object>(what: string): T {
  return new Proxy({} as T, {
    get(_target, prop) {
      if (prop === 'then') return undefined;
      throw new Error(`${what} is not available (${String(prop)})`);
    },
  });
}
