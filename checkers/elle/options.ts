/**
 * The Elle checkers' options, and reading them from plans and other untyped places: the
 * camelCase names and Elle's own (`consistency-models`, `anomalies`, `linearizable-keys?`,
 * `sequential-keys?`, `wfr-keys?`, `transaction-order`) are both accepted.
 */
import { InputError } from '../../src/errors.js';
import type { CommonCheckOptions } from '../result.js';
import { canonicalModel, knownAnomaly } from './models.js';

/** Options of the Elle checkers. */
export interface ElleOptions extends CommonCheckOptions {
  /** Anomaly types that make the history invalid besides those the models forbid (Elle's `:anomalies`). */
  anomalies?: string[];
  /** Keep at most this many examples of each anomaly type (all are counted). Default 8. */
  maxAnomaliesPerType?: number;
  /** rw-register: a transaction that reads then writes a key wrote the later version (Elle's `wfr-keys?`). Default true. */
  wfrKeys?: boolean;
  /** Old name of {@link wfrKeys}. */
  writesFollowReads?: boolean;
  /** rw-register: keys are sequentially consistent, so process order orders versions (`sequential-keys?`). */
  sequentialKeys?: boolean;
  /** rw-register: keys are linearizable, so real-time order orders versions (`linearizable-keys?`). */
  linearizableKeys?: boolean;
  /** rw-register: op index of a transaction's completion → its place in a known commit order. */
  transactionOrder?: Record<string, number>;
}

const NAMES: Record<string, keyof ElleOptions> = {
  consistencyModels: 'consistencyModels',
  'consistency-models': 'consistencyModels',
  anomalies: 'anomalies',
  maxAnomaliesPerType: 'maxAnomaliesPerType',
  wfrKeys: 'wfrKeys',
  'wfr-keys': 'wfrKeys',
  'wfr-keys?': 'wfrKeys',
  writesFollowReads: 'writesFollowReads',
  sequentialKeys: 'sequentialKeys',
  'sequential-keys': 'sequentialKeys',
  'sequential-keys?': 'sequentialKeys',
  linearizableKeys: 'linearizableKeys',
  'linearizable-keys': 'linearizableKeys',
  'linearizable-keys?': 'linearizableKeys',
  transactionOrder: 'transactionOrder',
  'transaction-order': 'transactionOrder',
  timeLimitMs: 'timeLimitMs',
  memoryLimitBytes: 'memoryLimitBytes',
  model: 'model',
};

const BOOLEANS = new Set<keyof ElleOptions>([
  'wfrKeys',
  'writesFollowReads',
  'sequentialKeys',
  'linearizableKeys',
]);
const NUMBERS = new Set<keyof ElleOptions>(['maxAnomaliesPerType', 'timeLimitMs', 'memoryLimitBytes']);

/**
 * Reads Elle options from untyped data (a plan's checker options). Throws {@link InputError}
 * naming `where` and the field on an unknown option, a wrong type, or an unknown model or
 * anomaly name.
 */
export function parseElleOptions(raw: Record<string, unknown>, where = 'checker options'): ElleOptions {
  const out: Record<string, unknown> = {};
  for (const [given, value] of Object.entries(raw)) {
    const name = NAMES[given];
    const field = `${where}.${given}`;
    if (!name) {
      throw new InputError(`unknown Elle option ${given}; known: ${Object.keys(NAMES).join(', ')}`, {
        field,
      });
    }
    if (value === undefined) continue;
    if (BOOLEANS.has(name)) {
      if (typeof value !== 'boolean')
        throw new InputError(`expected true or false, got ${JSON.stringify(value)}`, { field });
      out[name] = value;
    } else if (NUMBERS.has(name)) {
      if (typeof value !== 'number' || !(value > 0)) {
        throw new InputError(`expected a positive number, got ${JSON.stringify(value)}`, { field });
      }
      out[name] = value;
    } else if (name === 'consistencyModels' || name === 'anomalies') {
      out[name] = names(value, field);
    } else if (name === 'transactionOrder') {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new InputError('expected a map from completion op index to order', { field });
      }
      for (const [k, v] of Object.entries(value)) {
        if (!Number.isInteger(Number(k)) || typeof v !== 'number') {
          throw new InputError(`expected op index → number, got ${k}: ${JSON.stringify(v)}`, { field });
        }
      }
      out[name] = value;
    } else out[name] = value;
  }
  const options = out as ElleOptions;
  validateElleOptions(options, where);
  return options;
}

/** Checks model and anomaly names; throws {@link InputError} listing the known ones. */
export function validateElleOptions(options: ElleOptions, where?: string): void {
  const at = (f: string) => (where ? `${where}.${f}` : `--${f}`);
  for (const m of options.consistencyModels ?? []) canonicalModel(m, at('consistency-models'));
  for (const a of options.anomalies ?? []) knownAnomaly(a, at('anomalies'));
}

function names(value: unknown, field: string): string[] {
  const list = typeof value === 'string' ? value.split(',') : value;
  if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) {
    throw new InputError(`expected a list of names, got ${JSON.stringify(value)}`, { field });
  }
  return list.map((x) => x.trim().replace(/^:/, '')).filter(Boolean);
}

/**
 * Checks the Elle checkers' entries of a plan's `checkers` map; returns the first problem
 * with the path of the field, or undefined. (`independent` belongs to the runner.)
 */
export function elleCheckerOptionsProblem(
  checkers: Record<string, Record<string, unknown>> | undefined,
): { error: InputError; path: string[] } | undefined {
  for (const name of ['list-append', 'rw-register']) {
    const { independent: _, ...options } = checkers?.[name] ?? {};
    try {
      parseElleOptions(options, `checkers.${name}`);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      const field = e.location.field ?? `checkers.${name}`;
      return { error: e, path: field.split('.').slice(0, 3) };
    }
  }
  return undefined;
}
