import { type Command, InvalidArgumentError } from 'commander';
import { freshSeed } from '../generator/index.js';
import { parseFaultFilter, parseSites, parseSizes } from '../quorum/matrix.js';
import { quorumDb, runQuorum } from '../quorum/run.js';
import { addNodeOptions, ensureLocalEnsemble, type NodeFlags } from './nodes-options.js';
import { givenNodeFlags, runWithInterrupts } from './test.js';

interface QuorumFlags extends NodeFlags {
  db: string;
  sizes: string;
  sites?: string;
  faults?: string;
  timePerCase?: number;
  opTimeout: number;
  seed?: number;
  resultsDir?: string;
}

const seconds =
  (flag: string, least: number) =>
  (text: string): number => {
    const n = Number(text);
    if (!Number.isFinite(n) || n < least)
      throw new InvalidArgumentError(`${flag} expects at least ${least} seconds, got ${text}`);
    return n;
  };

export function registerQuorum(program: Command): void {
  const command = program
    .command('quorum')
    .description(
      'measure the quorum rules on a real ensemble: per size, crashes of 0..N nodes and every k|N-k split ' +
        '(and site losses), with clients on every side; theory beside measurement, split-brain and safety per case',
    )
    .requiredOption(
      '--db <name>',
      'etcd, zookeeper, nats; etcd-islands is the misconfigured negative control',
    )
    .option('--sizes <list>', 'ensemble sizes, e.g. 1-7 or 3,5', '1-5')
    .option(
      '--sites <layouts>',
      'site layouts, e.g. 2:2,3:2,2:2:1: the loss of each site and the cut between them',
    )
    .option('--faults <list>', 'only these faults: crash, split, sites, crash:<f>, split:<k> (default all)')
    .option(
      '--time-per-case <s>',
      'main phase of each case: warm-up, fault held, after the heal (1:3:2) (default: 20; 16 on zookeeper, whose set-up per case is the slowest)',
      seconds('--time-per-case', 5),
    )
    .option('--op-timeout <s>', 'an op unanswered this long is recorded info', seconds('--op-timeout', 1), 3)
    .option('--seed <n>', 'seed of the first case (the next ones count up)', (t) => {
      const n = Number(t);
      if (!Number.isInteger(n) || n < 0)
        throw new InvalidArgumentError(`--seed expects a whole number >= 0, got ${t}`);
      return n;
    })
    .option('--results-dir <dir>', 'where run folders go (default $FAULTLINE_RESULTS, else ./results)');
  addNodeOptions(command).action(async (flags: QuorumFlags, cmd: Command) => {
    const nodeFlags = givenNodeFlags(cmd, flags);
    const options = {
      db: flags.db,
      sizes: parseSizes(flags.sizes),
      sites: flags.sites ? parseSites(flags.sites) : [],
      keep: parseFaultFilter(flags.faults),
      caseS: flags.timePerCase ?? (flags.db === 'zookeeper' ? 16 : 20),
      opTimeoutS: flags.opTimeout,
      seed: flags.seed ?? freshSeed(),
      nodeFlags,
      ...(flags.resultsDir ? { resultsDir: flags.resultsDir } : {}),
      out: (line: string) => process.stdout.write(`${line}\n`),
      log: (line: string) => process.stderr.write(`${line}\n`),
    };
    quorumDb(flags.db); // an unknown db is bad input before any ensemble is touched
    await ensureLocalEnsemble(nodeFlags);
    const result = await runWithInterrupts((signal) => runQuorum({ ...options, signal }));
    process.exitCode = result.exitCode;
  });
}
