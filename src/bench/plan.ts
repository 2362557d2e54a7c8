/**
 * Bench plans: a matrix of db × workload × nemesis × concurrency, each case run for a warm-up
 * and a measured duration, `repetitions` times. YAML (or JSON), validated with zod; errors
 * name the file, line, column and field.
 */
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { z } from 'zod';
import { WORKLOADS, workloadClientFactory } from '../../workloads/index.js';
import { DBS } from '../db/index.js';
import { InputError } from '../errors.js';
import { type Plan, validatePlan } from '../run/plan.js';

const options = z.record(z.string(), z.unknown());
const label = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-" only');

/** A workload of the matrix: a registered name, or a labelled name with options (e.g. YCSB B). */
const workloadEntry = z.union([
  z.string().min(1),
  z.object({ label: label.optional(), workload: z.string().min(1), options: options.default({}) }).strict(),
]);

/** The schema of a bench plan file. Times are in seconds. */
export const BenchPlanSchema = z
  .object({
    /** Name of the plan: the first part of every series key (default: the file's base name). */
    name: label.optional(),
    dbs: z.array(z.string().min(1)).min(1).default(['etcd']),
    dbOptions: options.default({}),
    workloads: z.array(workloadEntry).min(1),
    /** Fault families per case: `none`, `partition`, `kill`, `pause`, or a list combined. */
    nemeses: z
      .array(z.union([z.string().min(1), z.array(z.string().min(1))]))
      .min(1)
      .default(['none']),
    nemesisOptions: options.default({}),
    concurrency: z.array(z.number().int().positive()).min(1).default([10]),
    /** Client ops per second over all processes; 0 for as fast as they go (a benchmark's usual). */
    rate: z.number().nonnegative().default(0),
    /** Seconds run but not measured at the start of each case. */
    warmup: z.number().nonnegative().default(5),
    /** Seconds measured per case. */
    duration: z.number().positive().default(30),
    repetitions: z.number().int().positive().default(1),
    opTimeout: z.number().positive().default(5),
    quiet: z.number().nonnegative().default(1),
    nodes: z.array(z.string().min(1)).min(1).optional(),
    /** SSH settings as in test plans, e.g. `{ ensemble: flbench2 }`. */
    ssh: options.optional(),
    resultsDir: z.string().min(1).optional(),
  })
  .strict();

export type BenchPlanInput = z.input<typeof BenchPlanSchema>;
/** A validated bench plan, named. */
export type BenchPlan = z.output<typeof BenchPlanSchema> & { name: string };

/** One case of the matrix, with the test plan that runs it. */
export interface BenchCase {
  /** `<db>-<workload label>-<nemesis>-c<concurrency>`: the second part of series keys. */
  id: string;
  db: string;
  workload: string;
  nemesis: string;
  concurrency: number;
  /** The test plan (warm-up plus duration as its time limit). */
  plan: Plan;
}

/** Reads and validates a bench plan file. */
export async function loadBenchPlan(file: string): Promise<BenchPlan> {
  return parseBenchPlan(await readFile(file, 'utf8'), file);
}

/** Parses and validates bench plan text; errors are {@link InputError}s naming file, line and field. */
export function parseBenchPlan(text: string, file: string): BenchPlan {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax) {
    const { line, col } = lineCounter.linePos(syntax.pos[0]);
    throw new InputError(syntax.message.split('\n')[0]!, { file, line, column: col });
  }
  const raw: unknown = doc.toJS();
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InputError('a bench plan is a mapping of fields (workloads, dbs, nemeses, ...)', {
      file,
      line: 1,
    });
  }
  const parsed = BenchPlanSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const unknownKey = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
    const path = unknownKey === undefined ? [...issue.path] : [...issue.path, unknownKey];
    const offset = offsetOf(doc.contents, path, unknownKey !== undefined);
    const at = offset === undefined ? undefined : lineCounter.linePos(offset);
    const message =
      unknownKey !== undefined
        ? `unknown field ${unknownKey}${issue.path.length === 0 ? ` (known: ${Object.keys(BenchPlanSchema.shape).join(', ')})` : ''}`
        : issue.code === 'invalid_type' &&
            (raw as Record<string, unknown>)[String(issue.path[0])] === undefined
          ? 'required field is missing'
          : issue.message;
    throw new InputError(message, {
      file,
      ...(at ? { line: at.line, column: at.col } : {}),
      field: fieldName(path),
    });
  }
  const at = (
    path: readonly PropertyKey[],
  ): { file: string; line?: number; column?: number; field: string } => {
    const offset = offsetOf(doc.contents, path, false);
    const pos = offset === undefined ? undefined : lineCounter.linePos(offset);
    return { file, ...(pos ? { line: pos.line, column: pos.col } : {}), field: fieldName(path) };
  };
  // Unknown workloads, and workloads without a client for a listed db, are plan errors too.
  for (const [i, w] of parsed.data.workloads.entries()) {
    const name = typeof w === 'string' ? w : w.workload;
    const path = typeof w === 'string' ? ['workloads', i] : ['workloads', i, 'workload'];
    const workload = WORKLOADS.get(name, at(path));
    for (const [j, db] of parsed.data.dbs.entries()) {
      try {
        workloadClientFactory(workload, db === 'none' ? undefined : DBS.get(db));
      } catch (err) {
        throw err instanceof InputError ? new InputError(err.reason, at(['dbs', j])) : err;
      }
    }
  }
  const name = parsed.data.name ?? basename(file, extname(file)).replace(/[^A-Za-z0-9._-]+/g, '_');
  return { ...parsed.data, name };
}

/** Every case of the plan's matrix, each as a validated test plan. */
export function benchCases(plan: BenchPlan): BenchCase[] {
  const cases: BenchCase[] = [];
  for (const db of plan.dbs)
    for (const w of plan.workloads)
      for (const n of plan.nemeses)
        for (const concurrency of plan.concurrency) {
          const workload = typeof w === 'string' ? { label: w, workload: w, options: {} } : w;
          const nemesis = (Array.isArray(n) ? n : [n]).join('+') || 'none';
          const id = `${db}-${workload.label ?? workload.workload}-${nemesis}-c${concurrency}`;
          const test = validatePlan(
            {
              name: `bench-${plan.name}-${id}`.replace(/[^A-Za-z0-9._-]+/g, '_'),
              db,
              dbOptions: plan.dbOptions,
              workload: workload.workload,
              workloadOptions: workload.options,
              nemesis: Array.isArray(n) ? n : [n],
              nemesisOptions: plan.nemesisOptions,
              timeLimit: plan.warmup + plan.duration,
              concurrency,
              rate: plan.rate,
              opTimeout: plan.opTimeout,
              quiet: plan.quiet,
              finalTimeLimit: 30,
              ...(plan.nodes ? { nodes: plan.nodes } : {}),
              ...(plan.ssh ? { ssh: plan.ssh } : {}),
              ...(plan.resultsDir ? { resultsDir: plan.resultsDir } : {}),
            },
            `bench case ${id}`,
          );
          cases.push({ id, db, workload: workload.workload, nemesis, concurrency, plan: test });
        }
  return cases;
}

function fieldName(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i > 0 ? '.' : ''}${String(p)}`)).join('');
}

/** Offset of the YAML node at `path` (a key's own position for its last step), or the deepest found. */
function offsetOf(root: unknown, path: readonly PropertyKey[], atKey: boolean): number | undefined {
  let node = root as Node | null | undefined;
  let offset = node?.range?.[0];
  for (const [i, step] of path.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(step));
      if (!pair) return offset;
      const keyOffset = (pair.key as Node).range?.[0];
      node = pair.value as Node | null;
      const last = i === path.length - 1;
      offset = (last && atKey) || !node ? (keyOffset ?? offset) : (node.range?.[0] ?? keyOffset ?? offset);
    } else if (isSeq(node) && typeof step === 'number') {
      node = node.items[step] as Node | undefined;
      offset = node?.range?.[0] ?? offset;
    } else return offset;
  }
  return offset;
}
