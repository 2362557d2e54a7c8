import { type Command, InvalidArgumentError } from 'commander';
import { NEMESIS_FAMILIES } from '../../nemeses/families.js';
import { WORKLOADS } from '../../workloads/index.js';
import { defaultDb, executePlan } from '../run/execute.js';
import { withInterrupts } from '../run/interrupts.js';
import { resolveWorkload } from '../run/modules.js';
import { type PlanOverrides, validatePlan } from '../run/plan.js';
import { addNodeOptions, ensureLocalEnsemble, type NodeFlags } from './nodes-options.js';

/** Flags shared by `test`, `run` and `test-all`; each overrides the plan's field of the same meaning. */
export interface PlanFlags extends NodeFlags {
  name?: string;
  db?: string;
  workload?: string;
  nemesis?: string;
  nemesisInterval?: number;
  timeLimit?: number;
  concurrency?: number;
  rate?: number;
  seed?: number;
  opTimeout?: number;
  quiet?: number;
  leaveDbRunning?: boolean;
  online?: boolean;
  resultsDir?: string;
  progress?: boolean;
  force?: boolean;
}

const number =
  (flag: string, check: (n: number) => boolean, what: string) =>
  (text: string): number => {
    const n = Number(text);
    if (!Number.isFinite(n) || !check(n))
      throw new InvalidArgumentError(`${flag} expects ${what}, got ${text}`);
    return n;
  };
const positive = (flag: string) => number(flag, (n) => n > 0, 'a positive number');
const count = (flag: string) => number(flag, (n) => Number.isInteger(n) && n > 0, 'a positive whole number');

/** Adds the plan flags and the node/SSH flags to `command`. */
export function addPlanOptions(command: Command): Command {
  command
    .option('--name <name>', 'test name: the folder under results/ (default <db>-<workload>)')
    .option(
      '--db <name>',
      "etcd, zookeeper, nats, none (in-process workloads), or a module ./my-db.js; default: the workload's first",
    )
    .option(
      '--workload <name>',
      `workload: ${WORKLOADS.names().join(', ')}, or a module ./my-workload.js (default register)`,
    )
    .option('--nemesis <list>', `faults, comma-separated: ${NEMESIS_FAMILIES.names().join(', ')}; none; all`)
    .option(
      '--nemesis-interval <s>',
      'mean seconds between faults (default 10)',
      positive('--nemesis-interval'),
    )
    .option('--time-limit <s>', 'length of the main phase in seconds (default 60)', positive('--time-limit'))
    .option('--concurrency <n>', 'client processes (default 10)', count('--concurrency'))
    .option(
      '--rate <r>',
      'client ops per second, all processes together; 0: as fast as possible (default 100)',
      number('--rate', (n) => n >= 0, 'a number >= 0'),
    )
    .option(
      '--seed <n>',
      'seed of the schedule; same seed, same schedule',
      number('--seed', (n) => Number.isInteger(n) && n >= 0, 'a whole number >= 0'),
    )
    .option(
      '--op-timeout <s>',
      'an op unanswered this long is recorded info (default 5)',
      positive('--op-timeout'),
    )
    .option(
      '--quiet <s>',
      'pause after healing, before final reads (default 5)',
      number('--quiet', (n) => n >= 0, 'a number >= 0'),
    )
    .option('--leave-db-running', 'do not tear the db down at the end')
    .option(
      '--online',
      'check ops as they are recorded, keeping none in memory (long runs); plan field checking: online',
    )
    .option('--force', "take over nodes that hold another live run's faults (refused otherwise)")
    .option('--results-dir <dir>', 'where run folders go (default $FAULTLINE_RESULTS, else ./results)')
    .option('--no-progress', 'no status line');
  return addNodeOptions(command);
}

/** The plan fields the flags set. */
export function overridesFromFlags(flags: PlanFlags): PlanOverrides {
  const o: PlanOverrides = {};
  if (flags.name !== undefined) o.name = flags.name;
  if (flags.db !== undefined) o.db = flags.db;
  if (flags.workload !== undefined) o.workload = flags.workload;
  if (flags.nemesis !== undefined) o.nemesis = flags.nemesis;
  if (flags.timeLimit !== undefined) o.timeLimit = flags.timeLimit;
  if (flags.concurrency !== undefined) o.concurrency = flags.concurrency;
  if (flags.rate !== undefined) o.rate = flags.rate;
  if (flags.seed !== undefined) o.seed = flags.seed;
  if (flags.opTimeout !== undefined) o.opTimeout = flags.opTimeout;
  if (flags.quiet !== undefined) o.quiet = flags.quiet;
  if (flags.leaveDbRunning) o.leaveDbRunning = true;
  if (flags.online) o.checking = 'online';
  return o;
}

/** Applies `--nemesis-interval` to the plan's nemesis options. */
export function withNemesisInterval<T extends { nemesisOptions?: Record<string, unknown> }>(
  plan: T,
  flags: PlanFlags,
): T {
  const extra = {
    ...(flags.nemesisInterval !== undefined && { interval: flags.nemesisInterval }),
    ...(flags.force === true && { force: true }),
  };
  if (Object.keys(extra).length === 0) return plan;
  return { ...plan, nemesisOptions: { ...plan.nemesisOptions, ...extra } };
}

/** The node flags the user typed (commander's defaults would otherwise override the plan's ssh settings). */
export function givenNodeFlags(command: Command, flags: PlanFlags): NodeFlags {
  const keys: (keyof NodeFlags)[] = [
    'nodes',
    'nodesFile',
    'username',
    'sshPrivateKey',
    'sshPort',
    'knownHosts',
    'acceptNewHostKeys',
    'ensemble',
    'sshTimeout',
    'transport',
  ];
  const given: NodeFlags = {};
  for (const k of keys) {
    if (flags[k] !== undefined && command.getOptionValueSource(k) !== 'default') {
      (given as Record<string, unknown>)[k] = flags[k];
    }
  }
  return given;
}

export function registerTest(program: Command): void {
  const command = program
    .command('test')
    .description(
      'run one test given by flags: workload, db, nemesis, time limit; print the verdict and run folder',
    );
  addPlanOptions(command).action(async (flags: PlanFlags, cmd: Command) => {
    const workload = WORKLOADS.has('register') ? 'register' : 'noop';
    const plan = validatePlan(withNemesisInterval({ workload, ...overridesFromFlags(flags) }, flags));
    const nodeFlags = givenNodeFlags(cmd, flags);
    const db = plan.db ?? defaultDb(await resolveWorkload(plan.workload));
    if (db !== 'none') await ensureLocalEnsemble(nodeFlags);
    const result = await runWithInterrupts((signal, onRunDir) =>
      executePlan(plan, {
        signal,
        onRunDir,
        nodeFlags,
        ...(flags.resultsDir ? { resultsDir: flags.resultsDir } : {}),
        progress: flags.progress !== false,
      }),
    );
    process.exitCode = result.exitCode;
  });
}

/** Runs `work` with Ctrl-C handling; the second Ctrl-C names the streamed history. */
export function runWithInterrupts<T>(
  work: (signal: AbortSignal, onRunDir: (dir: string) => void) => Promise<T>,
): Promise<T> {
  let dir: string | undefined;
  return withInterrupts(
    (signal) =>
      work(signal, (d) => {
        dir = d;
      }),
    undefined,
    () => (dir ? `${dir}/history.jsonl` : undefined),
  );
}
