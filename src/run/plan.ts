import { dirname } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { z } from 'zod';
import { elleCheckerOptionsProblem } from '../../checkers/elle/options.js';
import { InputError, type InputLocation } from '../errors.js';
import { readSmallTextFile } from '../history/codecs/index.js';
import {
  absoluteModuleName,
  checkersFor,
  isModuleName,
  moduleLabel,
  resolveDb,
  resolveNemesis,
  resolveWorkload,
} from './modules.js';

const options = z.record(z.string(), z.unknown());
const seconds = z.number().positive();

function isRegExp(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

/** Fields a plan (or a matrix entry) may set. Times are in seconds. */
const planFields = {
  /** Test name: the folder under results/ (default `<db>-<workload>`). */
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-" only')
    .optional(),
  /** `etcd`, `zookeeper`, or `none` for in-process workloads (default: the workload's first). */
  db: z.string().min(1).optional(),
  dbOptions: options.default({}),
  /** Nodes to test on; without them (and with a db), the local ensemble. */
  nodes: z.array(z.string().min(1)).min(1).optional(),
  /** SSH settings: username, sshPrivateKey, sshPort, knownHosts, acceptNewHostKeys, ensemble. */
  ssh: options.optional(),
  /** How to reach the nodes: `ssh` (default) or `docker` (nodes are container names). */
  transport: z.enum(['ssh', 'docker']).optional(),
  workload: z.string().min(1),
  workloadOptions: options.default({}),
  /** Fault families, e.g. `[partition, kill]`; empty for none. */
  nemesis: z.union([z.string().min(1), z.array(z.string().min(1))]).default([]),
  nemesisOptions: options.default({}),
  /** Length of the main phase. */
  timeLimit: seconds.default(60),
  concurrency: z.number().int().positive().default(10),
  /** Client ops per second over all processes; 0 for as fast as they go. */
  rate: z.number().nonnegative().default(100),
  seed: z.number().int().nonnegative().optional(),
  /** An op unanswered after this long is recorded `info`. */
  opTimeout: seconds.default(5),
  /** Pause after healing, before the final phase. */
  quiet: z.number().nonnegative().default(5),
  finalTimeLimit: seconds.default(60),
  leaveDbRunning: z.boolean().default(false),
  /** Replaces the workload's checkers: `{ linearizable: { model: cas-register, independent: true } }`. */
  checkers: z.record(z.string(), options).optional(),
  /**
   * `batch` (default): the history is kept in memory and checked after the run. `online`: ops
   * are checked as they are recorded and not kept (long runs); checkers without an online
   * version check the history read back from disk at the end.
   */
  checking: z.enum(['batch', 'online']).default('batch'),
  /** More log lines that make a run invalid: regular expressions, besides the db's own `logPatterns`. */
  logPatterns: z.array(z.string().min(1).refine(isRegExp, 'not a valid regular expression')).optional(),
  resultsDir: z.string().min(1).optional(),
};

/** The schema of a plan file. */
export const PlanSchema = z
  .object({
    ...planFields,
    /** Runs of the plan with each combination of these values, e.g. `{ db: [etcd, zookeeper] }`. */
    matrix: z.record(z.string(), z.array(z.unknown()).min(1)).optional(),
  })
  .strict();

/** A plan as written (before defaults). */
export type PlanInput = z.input<typeof PlanSchema>;
/** A plan with defaults filled in. */
export type Plan = z.output<typeof PlanSchema>;
/** Fields that flags may override. */
export type PlanOverrides = Partial<Omit<PlanInput, 'matrix'>>;

/** Where a plan came from, to point at lines in errors. */
interface PlanSource {
  file: string;
  /** The plan as written (module names not yet made absolute). */
  raw?: Record<string, unknown>;
  locate: (path: readonly PropertyKey[], atKey?: string) => InputLocation;
}

/** Reads and validates a YAML or JSON plan file; errors name the file, line, column and field. */
export async function loadPlanFile(file: string, overrides: PlanOverrides = {}): Promise<Plan> {
  const { plan, source } = parseWithSource(readSmallTextFile(file, MAX_PLAN_BYTES), file, overrides);
  await loadPlanModules(plan, source);
  return plan;
}

/** A plan is a page of YAML; a file past this is not one (and must not exhaust memory). */
export const MAX_PLAN_BYTES = 1 << 20;

/**
 * Aliases a plan may expand (YAML's `*name`); a few are handy, a "billion laughs" is an attack.
 * Counted as the yaml package counts them: an alias of a node with aliases costs more.
 */
export const MAX_PLAN_ALIASES = 100;

/** Parses and validates plan text (YAML, or JSON, which is YAML too). */
export function parsePlan(text: string, file: string, overrides: PlanOverrides = {}): Plan {
  return parseWithSource(text, file, overrides).plan;
}

function parseWithSource(
  text: string,
  file: string,
  overrides: PlanOverrides,
): { plan: Plan; source: PlanSource } {
  if (text.length > MAX_PLAN_BYTES) {
    throw new InputError(`longer than the ${MAX_PLAN_BYTES}-character limit of a plan`, { file });
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax) {
    const { line, col } = lineCounter.linePos(syntax.pos[0]);
    throw new InputError(syntax.message.split('\n')[0]!, { file, line, column: col });
  }
  const source: PlanSource = {
    file,
    locate: (path, atKey) => {
      const offset = offsetOf(doc.contents, path, atKey);
      if (offset === undefined) return { file };
      const { line, col } = lineCounter.linePos(offset);
      return { file, line, column: col };
    },
  };
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_PLAN_ALIASES });
  } catch (err) {
    // The yaml package throws a ReferenceError for an alias bomb (or an unknown anchor).
    if (!(err instanceof ReferenceError)) throw err;
    throw new InputError(`${err.message} (at most ${MAX_PLAN_ALIASES} aliases)`, { file });
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InputError('a plan is a mapping of fields (workload, db, nemesis, ...)', { file, line: 1 });
  }
  source.raw = raw as Record<string, unknown>;
  const fromFile = withAbsoluteModules(source.raw, dirname(file));
  return { plan: validate({ ...fromFile, ...definedOnly(overrides) }, source), source };
}

/** Module names of a plan file (`db: ./my-db.js`, …) made absolute, relative to the plan's folder. */
function withAbsoluteModules(raw: Record<string, unknown>, dir: string): Record<string, unknown> {
  const name = (v: unknown): unknown => (typeof v === 'string' ? absoluteModuleName(v, dir) : v);
  const out: Record<string, unknown> = { ...raw };
  for (const key of ['db', 'workload'] as const) if (raw[key] !== undefined) out[key] = name(raw[key]);
  const nemesis = raw.nemesis;
  if (typeof nemesis === 'string')
    out.nemesis = nemesis
      .split(',')
      .map((n) => name(n.trim()))
      .join(',');
  else if (Array.isArray(nemesis)) out.nemesis = nemesis.map(name);
  const checkers = raw.checkers;
  if (checkers !== null && typeof checkers === 'object' && !Array.isArray(checkers)) {
    out.checkers = Object.fromEntries(Object.entries(checkers).map(([k, v]) => [name(k), v]));
  }
  const matrix = raw.matrix;
  if (matrix !== null && typeof matrix === 'object' && !Array.isArray(matrix)) {
    const m: Record<string, unknown> = { ...matrix };
    for (const key of ['db', 'workload'] as const) {
      const values = m[key];
      if (Array.isArray(values)) m[key] = values.map(name);
    }
    out.matrix = m;
  }
  return out;
}

/**
 * Loads the modules the plan names (db, workload, checkers, also in its matrix), so that a
 * module that is missing or lacks what it must export is an error naming the plan's line.
 */
async function loadPlanModules(plan: Plan, source: PlanSource): Promise<void> {
  const at = (path: readonly PropertyKey[], atKey?: string): InputLocation => ({
    ...source.locate(path, atKey),
    file: source.file,
    field: path.join('.'),
  });
  const names = (key: 'db' | 'workload'): [string, InputLocation][] => {
    const own = plan[key];
    const out: [string, InputLocation][] = own === undefined ? [] : [[own, at([key])]];
    const values = plan.matrix?.[key] ?? [];
    values.forEach((v, i) => {
      if (typeof v === 'string') out.push([v, at(['matrix', key, i])]);
    });
    return out.filter(([name]) => isModuleName(name));
  };
  for (const [name, location] of names('db')) await resolveDb(name, location);
  for (const [name, location] of names('workload')) await resolveWorkload(name, location);
  const nemeses = typeof plan.nemesis === 'string' ? plan.nemesis.split(',') : plan.nemesis;
  for (const [i, name] of nemeses.entries()) {
    const where = typeof plan.nemesis === 'string' ? at(['nemesis']) : at(['nemesis', i]);
    if (isModuleName(name.trim())) await resolveNemesis(name.trim(), where);
  }
  const written = Object.keys(plan.checkers ?? {});
  const asWritten = Object.keys((source.raw?.checkers as Record<string, unknown> | undefined) ?? {});
  await checkersFor(written, (name) => at(['checkers'], asWritten[written.indexOf(name)]));
}

/** Validates a plan given as an object (flags only, or a matrix variant). */
export function validatePlan(raw: Record<string, unknown>, where = 'command line'): Plan {
  return validate(raw, { file: where, locate: () => ({}) });
}

function validate(raw: Record<string, unknown>, source: PlanSource): Plan {
  const parsed = PlanSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const unknownKey = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
    const path = unknownKey === undefined ? issue.path : [...issue.path, unknownKey];
    const field = path
      .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i > 0 ? '.' : ''}${String(p)}`))
      .join('');
    const message =
      unknownKey !== undefined
        ? `unknown field ${unknownKey} (known: ${Object.keys(PlanSchema.shape).join(', ')})`
        : issue.code === 'invalid_type' && raw[String(issue.path[0])] === undefined && issue.path.length === 1
          ? 'required field is missing'
          : issue.message;
    const location = source.locate(issue.path, unknownKey);
    throw new InputError(message, {
      ...location,
      file: source.file === 'command line' ? undefined : source.file,
      field,
    });
  }
  const plan = parsed.data;
  const elle = elleCheckerOptionsProblem(plan.checkers);
  if (elle) {
    const file = source.file === 'command line' ? undefined : source.file;
    const [, name = '', key] = elle.path;
    throw new InputError(elle.error.reason, {
      ...source.locate(['checkers', name], key),
      file,
      field: elle.path.join('.'),
    });
  }
  if (plan.matrix) checkMatrix(plan.matrix, source);
  return plan;
}

/** Runs a plan's matrix may expand to; more is a mistake (or an attack), not a test campaign. */
export const MAX_MATRIX_VARIANTS = 10_000;

function checkMatrix(matrix: Record<string, unknown[]>, source: PlanSource): void {
  let variants = 1;
  for (const values of Object.values(matrix)) variants *= values.length;
  if (variants > MAX_MATRIX_VARIANTS) {
    throw new InputError(`the matrix expands to ${variants} runs; at most ${MAX_MATRIX_VARIANTS}`, {
      ...source.locate(['matrix']),
      field: 'matrix',
    });
  }
  for (const [key, values] of Object.entries(matrix)) {
    const schema = (planFields as Record<string, z.ZodType>)[key];
    if (!schema) {
      throw new InputError(`matrix over unknown field ${key}`, {
        ...source.locate(['matrix'], key),
        field: `matrix.${key}`,
      });
    }
    values.forEach((value, i) => {
      const r = schema.safeParse(value);
      if (!r.success) {
        throw new InputError(r.error.issues[0]!.message, {
          ...source.locate(['matrix', key, i]),
          field: `matrix.${key}[${i}]`,
        });
      }
    });
  }
}

/** Every combination of the plan's matrix, as plans without a matrix, named after their values. */
export function expandMatrix(plan: Plan): Plan[] {
  const { matrix, ...base } = plan;
  if (!matrix) return [plan];
  let variants: { plan: Record<string, unknown>; tags: string[] }[] = [{ plan: base, tags: [] }];
  for (const [key, values] of Object.entries(matrix)) {
    variants = variants.flatMap((v) =>
      values.map((value) => ({ plan: { ...v.plan, [key]: value }, tags: [...v.tags, tag(value)] })),
    );
  }
  return variants.map((v) => {
    const name = `${testName(plan)}-${v.tags.join('-')}`.replace(/[^A-Za-z0-9._-]+/g, '_');
    return validatePlan({ ...v.plan, name });
  });
}

function tag(value: unknown): string {
  return Array.isArray(value) ? value.join('+') || 'none' : String(value);
}

/** The test's name: `name`, else `<db>-<workload>` (or the workload's name when the db is implied). */
export function testName(plan: Plan): string {
  const workload = moduleLabel(plan.workload);
  return plan.name ?? (plan.db && plan.db !== 'none' ? `${moduleLabel(plan.db)}-${workload}` : workload);
}

/** The nemesis list, whichever way it was written. */
export function nemesisList(plan: Plan): string[] {
  const n = plan.nemesis;
  return (typeof n === 'string' ? n.split(',') : n).map((s) => s.trim()).filter((s) => s && s !== 'none');
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Offset of the node at `path` (or of the key `atKey` inside it); the deepest existing node otherwise. */
function offsetOf(root: unknown, path: readonly PropertyKey[], atKey?: string): number | undefined {
  let node = root as Node | null | undefined;
  let offset = node?.range?.[0];
  const steps = atKey === undefined ? path : [...path, atKey];
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(step));
      if (!pair) return offset;
      const isLast = i === steps.length - 1;
      if (isLast && atKey !== undefined) return (pair.key as Node).range?.[0] ?? offset;
      node = pair.value as Node | null;
      offset = node?.range?.[0] ?? (pair.key as Node).range?.[0] ?? offset;
    } else if (isSeq(node) && typeof step === 'number') {
      node = node.items[step] as Node | undefined;
      offset = node?.range?.[0] ?? offset;
    } else return offset;
  }
  return offset;
}
