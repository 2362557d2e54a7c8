/**
 * Runs one quorum case as an ordinary faultline run, in its own run folder with its own
 * history, results.json and report.html: the db set up fresh on the case's nodes, clients on
 * every node, the case's one fault after a warm-up, held, healed, final reads, checked.
 */
import type { CheckResult, Validity } from '../../checkers/result.js';
import { bindClients } from '../../workloads/bind.js';
import type { WorkloadContext } from '../../workloads/types.js';
import type { Remote } from '../control/types.js';
import type { Db } from '../db/types.js';
import { rate } from '../generator/index.js';
import { writeReport } from '../report/write.js';
import { checkOps } from '../run/execute.js';
import { runTest } from '../run/runner.js';
import { RUN_FILES, RunStore } from '../run/store.js';
import { VERSION } from '../version.js';
import { describeFault, type QuorumCase } from './matrix.js';
import { type CaseMeasurement, measureCase } from './measure.js';
import { faultSchedule, healSchedule, quorumNemesis } from './nemesis.js';
import { quorumRegister } from './workload.js';

/** How long a case's parts last, in seconds. */
export interface CaseTiming {
  /** Main phase: warm-up, fault held, after the heal (1 : 3 : 2). */
  caseS: number;
  /** An op unanswered this long is recorded `info`. */
  opTimeoutS: number;
}

export interface CaseOptions {
  db: Db;
  remote: Remote;
  /** The case's nodes: the first `size` nodes of the ensemble. */
  nodes: readonly string[];
  seed: number;
  timing: CaseTiming;
  /** Where the case's run folder goes (`<root>/<case id>/<timestamp>/`). */
  root: string;
  log: (line: string) => void;
  signal?: AbortSignal;
}

/** What one case gave. */
export interface CaseOutcome {
  case: QuorumCase;
  /** The case's run folder. */
  dir: string;
  /** The register history's linearizability (false also for a split-brain: see the summary). */
  linearizable: Validity;
  measurement: CaseMeasurement;
  ops: number;
  /** The db's versions on the nodes, distinct. */
  versions: string[];
  /** The run ended early: a harness or setup error, or an interrupt. */
  error?: string;
  durationS: number;
}

/** Seconds added to the main phase for applying and healing the fault. */
const APPLY_SLACK_S = 4;

/** Client threads per node: one can wait on a stuck op while the other goes on. */
const THREADS_PER_NODE = 2;
/** Client ops per second per node. */
const OPS_PER_NODE_S = 5;

export async function runCase(c: QuorumCase, options: CaseOptions): Promise<CaseOutcome> {
  const { db, remote, nodes, timing } = options;
  const started = new Date();
  const store = RunStore.create(options.root, c.id, started);
  const log = (line: string): void => {
    store.log(line);
    options.log(`${c.id}: ${line}`);
  };
  const concurrency = THREADS_PER_NODE * nodes.length;
  const workloadOptions = { callTimeoutMs: Math.round(timing.opTimeoutS * 750) };
  const ctx: WorkloadContext = {
    options: workloadOptions,
    dbOptions: {},
    concurrency,
    nodes,
    endpoint: (node) => db.endpoint({ remote, nodes, options: {} }, node),
  };
  const beforeS = timing.caseS / 6;
  const holdS = timing.caseS / 2;
  const facts = {
    name: c.id,
    quorumCase: c,
    fault: describeFault(c),
    seed: options.seed,
    nodes,
    db: db.name,
    workload: 'register',
    plan: {
      db: db.name,
      workload: 'register',
      concurrency,
      timeLimit: timing.caseS,
      seed: options.seed,
      workloadOptions,
    },
    faultline: VERSION,
    node: process.version,
    startedAt: started.toISOString(),
  };
  store.writeJson(RUN_FILES.test, facts);
  const history = store.openHistory();
  const outcome = await runTest({
    concurrency,
    nodes,
    seed: options.seed,
    // Applying and healing a fault takes a few seconds that the 1 : 3 : 2 split does not count.
    timeLimitS: timing.caseS + APPLY_SLACK_S,
    opTimeoutMs: timing.opTimeoutS * 1000,
    quietS: 1,
    finalTimeLimitS: 15,
    newClient: bindClients(quorumRegister, db, ctx),
    generator: rate(OPS_PER_NODE_S * nodes.length, quorumRegister.generator(ctx)),
    finalGenerator: quorumRegister.final!(ctx),
    db,
    remote,
    dbOptions: {},
    logDir: store.logDir,
    nemeses: [quorumNemesis()],
    nemesisGenerator: faultSchedule(c, nodes, beforeS, holdS),
    nemesisFinalGenerator: healSchedule(),
    history,
    log,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  history.close();
  await store.writeEdn(outcome.ops);
  const result = await checkOps(outcome.ops, quorumRegister.checkers(ctx));
  const measurement = measureCase(outcome.ops, nodes);
  const error =
    outcome.error !== undefined
      ? outcome.error instanceof Error
        ? outcome.error.message
        : String(outcome.error)
      : outcome.interrupted
        ? 'interrupted'
        : undefined;
  store.writeJson(RUN_FILES.results, {
    ...result,
    interrupted: outcome.interrupted,
    ...(error ? { error } : {}),
    quorum: measurement,
  });
  store.writeJson(RUN_FILES.test, {
    ...facts,
    versions: outcome.versions,
    endedAt: new Date().toISOString(),
    durationS: outcome.durationNs / 1e9,
  });
  await writeReport(store.dir, { ops: outcome.ops }).catch((err: unknown) =>
    log(`report.html not written: ${err instanceof Error ? err.message : String(err)}`),
  );
  return {
    case: c,
    dir: store.dir,
    // The linearizable checker's own verdict: the stats checker (run on every run) would make
    // a case whose cas never succeeded while the fault held `unknown`, which is what is measured.
    linearizable: linearizableVerdict(result),
    measurement,
    ops: outcome.ops.length,
    versions: [...new Set(Object.values(outcome.versions))],
    ...(error ? { error } : {}),
    durationS: (Date.now() - started.getTime()) / 1000,
  };
}

/** The `linearizable` checker's verdict within a run's composed result. */
function linearizableVerdict(result: CheckResult): Validity {
  const results = (result as { results?: Record<string, CheckResult> }).results;
  return results?.linearizable?.valid ?? result.valid;
}
