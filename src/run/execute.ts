import { homedir } from 'node:os';
import { damagedNodes } from '../../checkers/crash.js';
import { type CheckResult, exitCodeOf } from '../../checkers/result.js';
import { CLIENT_PAUSE } from '../../nemeses/client-pause.js';
import {
  buildNemesisPlan,
  type CombinedOptions,
  checkCapabilities,
  parseFamilies,
} from '../../nemeses/combined.js';
import { parseMembershipOptions } from '../../nemeses/membership.js';
import { dbOptionsForPower } from '../../nemeses/power.js';
import { bindClients, runsOn, workloadClientFactory } from '../../workloads/index.js';
import type { Workload, WorkloadContext } from '../../workloads/types.js';
import { flag } from '../client/options.js';
import type { Remote } from '../control/types.js';
import { DBS } from '../db/index.js';
import type { Db, DbContext } from '../db/types.js';
import { type NodeFlags, remoteFromOptions } from '../ensemble/connect.js';
import { EXIT, InputError } from '../errors.js';
import { freshSeed, rate } from '../generator/index.js';
import { History } from '../history/history.js';
import type { Op } from '../history/op.js';
import { writeReport } from '../report/write.js';
import { VERSION } from '../version.js';
import { runCheckers } from './check.js';
import { ClientProcessPool } from './client-host.js';
import { checkLogs, logPatternsOf } from './log-scan.js';
import { checkersFor, resolveDb, resolveNemesis, resolveWorkload } from './modules.js';
import { NodeWatch } from './node-watch.js';
import { OnlineChecking, type OpCounts } from './online.js';
import { nemesisList, type Plan, testName } from './plan.js';
import { Progress } from './progress.js';
import { runTest } from './runner.js';
import { RUN_FILES, RunStore, resultsRoot } from './store.js';

/** How to run a plan. */
export interface ExecuteOptions {
  /** Aborting stops the run: it heals, writes everything and returns. */
  signal?: AbortSignal;
  /** SSH flags from the command line; they override the plan's `ssh` and `nodes`. */
  nodeFlags?: NodeFlags;
  /** `--results-dir`; overrides the plan's `resultsDir` and $FAULTLINE_RESULTS. */
  resultsDir?: string;
  /** Show the progress line (default true). */
  progress?: boolean;
  /** Where verdict lines go (default stdout). */
  out?: (line: string) => void;
  /** Where log lines go besides faultline.log (default stderr, above the progress line). */
  echo?: (line: string) => void;
  /** Told the run folder as soon as it exists. */
  onRunDir?: (dir: string) => void;
  /** The command line, recorded in test.json. */
  argv?: readonly string[];
}

/** The outcome of one test. */
export interface ExecuteResult {
  name: string;
  dir: string;
  result: CheckResult;
  interrupted: boolean;
  /** 0 valid, 1 invalid, 2 unknown (also: interrupted), 254 bad input, 255 harness failure. */
  exitCode: number;
  error?: string;
  /** Client op counts and throughput. */
  stats: Record<string, number>;
}

/**
 * Runs one plan from start to verdict: builds the workload, db, nodes and nemesis, runs the
 * test, stores the run folder, checks the history, prints the verdict and the folder.
 * Bad plans throw {@link InputError} before anything runs.
 */
export async function executePlan(given: Plan, options: ExecuteOptions = {}): Promise<ExecuteResult> {
  const out = options.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const workload = await resolveWorkload(given.workload);
  const plan = { ...given, db: given.db ?? defaultDb(workload) };
  const name = testName(plan);
  const db: Db | undefined = plan.db === 'none' ? undefined : await resolveDb(plan.db);
  const checkerSpec = plan.checkers;
  const checkers = await checkersFor(Object.keys(checkerSpec ?? {}));
  // A workload/db pair without a client is refused here, before anything runs.
  workloadClientFactory(workload, db);
  const nemesisNames = await Promise.all(nemesisList(plan).map((n) => resolveNemesis(n)));
  const families = parseFamilies(nemesisNames.join(',') || 'none', { field: 'nemesis' }, db);
  // The power nemesis needs the data dirs on lossyfs: on unless the plan says otherwise.
  plan.dbOptions = dbOptionsForPower(families, plan.dbOptions);
  if (families.length > 0 && !db) {
    throw new InputError('nemeses act on a db on nodes; this test has db none', { field: 'nemesis' });
  }
  const nemesisPlan = families.length > 0 ? buildNemesisPlan(nemesisOptions(plan, families)) : undefined;
  // A fault the db cannot take (no kill, no primaries, ...) is refused before anything runs.
  if (nemesisPlan && db) checkCapabilities(nemesisPlan.schedule, db);
  const seed = plan.seed ?? freshSeed();

  let remote: Remote | undefined;
  if (db) remote = await remoteFromOptions(nodeFlags(plan, options.nodeFlags));
  try {
    const nodes = remote ? [...remote.nodes] : (plan.nodes ?? []);
    const started = new Date();
    const store = RunStore.create(resultsRoot(options.resultsDir ?? plan.resultsDir), name, started);
    options.onRunDir?.(store.dir);
    const progress = options.progress === false ? undefined : new Progress({ timeLimitS: plan.timeLimit });
    const log = (line: string): void => {
      store.log(line);
      if (options.echo) options.echo(line);
      else if (progress) progress.print(line);
      else process.stderr.write(`${line}\n`);
    };
    const dbContext: DbContext | undefined =
      db && remote ? { remote, nodes, options: plan.dbOptions, logDir: store.logDir } : undefined;
    const ctx: WorkloadContext = {
      options: plan.workloadOptions,
      dbOptions: plan.dbOptions,
      concurrency: plan.concurrency,
      nodes,
      endpoint: (node) => (db && dbContext ? db.endpoint(dbContext, node) : node),
    };
    const facts = {
      name,
      plan: { ...plan, seed, nodes },
      seed,
      nodes,
      db: plan.db,
      workload: workload.name,
      nemesis: nemesisPlan?.schedule ?? null,
      faultline: VERSION,
      node: process.version,
      argv: options.argv ?? process.argv.slice(2),
      startedAt: started.toISOString(),
    };
    store.writeJson(RUN_FILES.test, facts);
    log(
      `test ${name}: seed ${seed}, ${plan.concurrency} processes, ${plan.timeLimit} s; run folder ${store.dir}`,
    );

    // Watches the servers for crashes; the run uses the db through it to know who should be up.
    const watch = db && dbContext ? new NodeWatch(db, dbContext) : undefined;
    const history = store.openHistory();
    // Online checking: the runner keeps no ops; they are checked as they are recorded.
    const online =
      plan.checking === 'online'
        ? new OnlineChecking(checkerSpec ?? workload.checkers(ctx), checkers, progress)
        : undefined;
    progress?.start();
    const main = workload.generator(ctx);
    const final = workload.final?.(ctx);
    const clientProcesses = hostsClientsOutOfProcess(plan, families)
      ? new ClientProcessPool({
          workload: plan.workload,
          db: plan.db,
          options: plan.workloadOptions,
          dbOptions: plan.dbOptions,
          concurrency: plan.concurrency,
          nodes: [...nodes],
          endpoints: Object.fromEntries(nodes.map((n) => [n, ctx.endpoint(n)])),
        })
      : undefined;
    if (clientProcesses) log('clients: one process each (they can be paused)');
    const outcome = await runTest({
      concurrency: plan.concurrency,
      nodes,
      seed,
      timeLimitS: plan.timeLimit,
      opTimeoutMs: plan.opTimeout * 1000,
      quietS: plan.quiet,
      finalTimeLimitS: plan.finalTimeLimit,
      newClient: clientProcesses ? () => clientProcesses.newClient() : bindClients(workload, db, ctx),
      ...(clientProcesses ? { clientProcesses } : {}),
      generator: plan.rate > 0 ? rate(plan.rate, main) : main,
      ...(final ? { finalGenerator: final } : {}),
      ...(db && remote
        ? { db: watch?.tracked() ?? db, remote, dbOptions: plan.dbOptions, logDir: store.logDir }
        : {}),
      ...(watch ? { monitors: [watch] } : {}),
      leaveDbRunning: plan.leaveDbRunning,
      ...(nemesisPlan
        ? {
            nemeses: [nemesisPlan.nemesis],
            nemesisGenerator: nemesisPlan.generator,
            nemesisFinalGenerator: nemesisPlan.finalGenerator,
          }
        : {}),
      history,
      log,
      ...(online ? { observer: online, retainOps: false } : progress ? { observer: progress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    }).finally(() => clientProcesses?.shutdown());
    history.close();
    progress?.stop();

    log(`writing ${RUN_FILES.historyEdn} and checking ${outcome.opCount} ops${online ? ' (online)' : ''}`);
    // Online, history.edn is streamed from history.jsonl: the ops are not in memory.
    await store.writeEdn(online ? store.historyOps() : outcome.ops);
    // A db that names no patterns (and a plan that adds none) has nothing to scan for.
    const patterns = db ? logPatternsOf(db, plan) : [];
    const logs: Record<string, CheckResult> =
      patterns.length > 0
        ? {
            'log-patterns': await checkLogs(
              store.logDir,
              patterns,
              new Set(damagedNodes(online ? online.nemesisOps : outcome.ops).keys()),
              db?.expectedLogLines,
            ),
          }
        : {};
    const onlineVerdict = online ? await online.finish(store.historyPath, logs) : undefined;
    if (onlineVerdict)
      log(
        `checked online: ${onlineVerdict.online.join(', ') || 'none'}; at the end: ${onlineVerdict.atEnd.join(', ') || 'none'}`,
      );
    const result = onlineVerdict
      ? onlineVerdict.result
      : await checkOps(outcome.ops, checkerSpec ?? workload.checkers(ctx), checkers, logs);
    const error = outcome.error === undefined ? undefined : errorText(outcome.error);
    const counts = stats(online ? online.counts : countOps(outcome.ops), outcome.durationNs);
    store.writeJson(RUN_FILES.results, {
      ...result,
      interrupted: outcome.interrupted,
      ...(error ? { error } : {}),
      stats: counts,
    });
    store.writeJson(RUN_FILES.test, {
      ...facts,
      versions: outcome.versions,
      endedAt: new Date().toISOString(),
      durationS: outcome.durationNs / 1e9,
    });
    // Online, the report reads the history back from disk (unless the end already did).
    const reportOps = online ? onlineVerdict?.history?.ops : outcome.ops;
    await writeReport(store.dir, reportOps ? { ops: reportOps } : {}).catch((err) =>
      log(`report.html not written: ${errorText(err)}`),
    );
    store.linkLatest();

    let exitCode = exitCodeOf(result);
    if (outcome.interrupted && exitCode === EXIT.valid) exitCode = EXIT.unknown;
    if (error) exitCode = outcome.error instanceof InputError ? EXIT.badInput : EXIT.crash;
    const verdict = result.valid === true ? 'valid' : result.valid === false ? 'INVALID' : 'unknown';
    const notes = [outcome.interrupted ? 'interrupted' : '', error ? `error: ${error}` : ''].filter(Boolean);
    log(`verdict ${verdict}`);
    out(`${name}: ${verdict}${notes.length ? ` (${notes.join('; ')})` : ''}`);
    out(`results: ${store.dir}`);
    return {
      name,
      dir: store.dir,
      result,
      interrupted: outcome.interrupted,
      exitCode,
      ...(error ? { error } : {}),
      stats: counts,
    };
  } finally {
    await remote?.close();
  }
}

/**
 * The db of a plan that names none: `none` for in-process workloads, else the first db that
 * offers the workload's client (etcd for every workload faultline ships).
 */
export function defaultDb(workload: Workload): string {
  if (workload.localClient) return 'none';
  return DBS.values().find((db) => runsOn(workload, db))?.name ?? 'etcd';
}

/** Checks recorded ops; a malformed history (a harness bug) is `unknown`, with the reason. */
export async function checkOps(
  ops: readonly Op[],
  spec: Parameters<typeof runCheckers>[1],
  checkers?: Parameters<typeof runCheckers>[2],
  also?: Parameters<typeof runCheckers>[3],
): Promise<CheckResult> {
  let history: History;
  try {
    history = History.from(ops.map((op) => ({ ...op })));
  } catch (err) {
    return { valid: 'unknown', reason: `the recorded history is malformed: ${errorText(err)}` };
  }
  return runCheckers(history, spec, checkers, also);
}

/** Client op counts by type, and nemesis ops. */
function countOps(ops: readonly Op[]): OpCounts {
  const counts: OpCounts = { invoke: 0, ok: 0, fail: 0, info: 0, nemesis: 0 };
  for (const op of ops) {
    if (op.process === 'nemesis') counts.nemesis++;
    else counts[op.type]++;
  }
  return counts;
}

/** Counts and throughput of the client ops. */
function stats({ nemesis, ...counts }: Readonly<OpCounts>, durationNs: number): Record<string, number> {
  const seconds = durationNs / 1e9;
  return {
    ...counts,
    nemesisOps: nemesis,
    durationS: Math.round(seconds * 1000) / 1000,
    okPerSecond: seconds > 0 ? Math.round(counts.ok / seconds) : 0,
  };
}

function nemesisOptions(plan: Plan, families: CombinedOptions['families']): CombinedOptions {
  const o = plan.nemesisOptions;
  const interval = o.interval ?? 10;
  if (typeof interval !== 'number' || !(interval > 0)) {
    throw new InputError('expected a positive number of seconds', { field: 'nemesisOptions.interval' });
  }
  const list = (k: string): string[] | undefined => {
    const v = o[k];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) {
      throw new InputError('expected a list of names', { field: `nemesisOptions.${k}` });
    }
    return v;
  };
  const targets = list('targets');
  const partitions = list('partitions');
  const membership = parseMembershipOptions(o.membership);
  return {
    families,
    intervalS: interval,
    ...(targets ? { targets: targets as NonNullable<CombinedOptions['targets']> } : {}),
    ...(partitions ? { partitions: partitions as NonNullable<CombinedOptions['partitions']> } : {}),
    ...(Array.isArray(o.packet) ? { packet: o.packet as NonNullable<CombinedOptions['packet']> } : {}),
    ...(o.force === true ? { force: true } : {}),
    ...(membership ? { membership } : {}),
    ...(o.clientPauseMs !== undefined
      ? { clientPauseMs: positiveOption(o.clientPauseMs, 'clientPauseMs') }
      : {}),
  };
}

function positiveOption(v: unknown, key: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw new InputError('expected a positive number of milliseconds', { field: `nemesisOptions.${key}` });
  }
  return v;
}

/**
 * Whether each client runs in a process of its own: asked for by the workload option
 * `clientProcesses`, and needed by the `client-pause` nemesis (it stops those processes).
 */
function hostsClientsOutOfProcess(plan: Plan, families: readonly string[]): boolean {
  return flag(plan.workloadOptions, 'clientProcesses', false) || families.includes(CLIENT_PAUSE);
}

/** The plan's `nodes` and `ssh` settings, overridden by command-line flags. */
function nodeFlags(plan: Plan, flags: NodeFlags = {}): NodeFlags {
  const ssh = plan.ssh ?? {};
  const str = (v: unknown): string | undefined => (v === undefined ? undefined : String(v));
  const path = (v: unknown): string | undefined => str(v)?.replace(/^~(?=$|\/)/, homedir());
  const fromPlan: NodeFlags = {
    ...(plan.nodes ? { nodes: plan.nodes.join(',') } : {}),
    ...(ssh.username !== undefined ? { username: str(ssh.username) } : {}),
    ...(ssh.sshPrivateKey !== undefined ? { sshPrivateKey: path(ssh.sshPrivateKey) } : {}),
    ...(ssh.sshPort !== undefined ? { sshPort: str(ssh.sshPort) } : {}),
    ...(ssh.knownHosts !== undefined ? { knownHosts: path(ssh.knownHosts) } : {}),
    ...(ssh.acceptNewHostKeys !== undefined ? { acceptNewHostKeys: ssh.acceptNewHostKeys === true } : {}),
    ...(ssh.ensemble !== undefined ? { ensemble: str(ssh.ensemble) } : {}),
    ...(ssh.sshTimeout !== undefined ? { sshTimeout: str(ssh.sshTimeout) } : {}),
    ...(plan.transport !== undefined ? { transport: plan.transport } : {}),
  };
  const given = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined));
  return { ...fromPlan, ...given };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
