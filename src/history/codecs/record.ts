import { InputError, type InputLocation } from '../../errors.js';
import type { Op, OpType } from '../op.js';
import { valueProblem } from './value-limits.js';

/** Op fields with a meaning of their own; every other field of a record goes to `op.extra`. */
export const CORE_FIELDS: ReadonlySet<string> = new Set([
  'index',
  'time',
  'type',
  'process',
  'f',
  'value',
  'error',
  'node',
  'key',
]);

/** Where a field of the record being built sits in its file; asked only when reporting an error. */
export type Locator = (field: string | undefined) => InputLocation;

const interned = new Map<string, string>();

/** One shared copy of short, repetitive strings (`f` names, keywords): saves memory on big histories. */
export function intern(s: string): string {
  const known = interned.get(s);
  if (known !== undefined) return known;
  if (interned.size < 10_000 && s.length <= 64) interned.set(s, s);
  return s;
}

function typeOf(x: unknown): OpType | undefined {
  switch (x) {
    case 'invoke':
      return 'invoke';
    case 'ok':
      return 'ok';
    case 'fail':
      return 'fail';
    case 'info':
      return 'info';
    default:
      return undefined;
  }
}

/** Sets a property even when its name is `__proto__`. */
export function setField(target: Record<string, unknown>, name: string, value: unknown): void {
  if (name === '__proto__') {
    Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
  } else target[name] = value;
}

function describe(x: unknown): string {
  if (x === undefined) return 'nothing';
  const json = JSON.stringify(x);
  return json === undefined ? String(x) : json.length > 40 ? `${json.slice(0, 37)}...` : json;
}

/**
 * Turns decoded records (from JSONL or EDN) into checked {@link Op}s. Remembers whether every
 * record carried its own `index`, so readers can keep the file's numbering.
 */
export class OpBuilder {
  /** True once a record without `index` was seen: positions number the history then. */
  missingIndex = false;

  /** Builds the op at `position`; throws {@link InputError} naming the bad field. */
  build(record: Record<string, unknown>, position: number, where: Locator): Op {
    const type = typeOf(record.type);
    if (type === undefined) {
      throw new InputError(
        record.type === undefined
          ? 'missing field type'
          : `expected one of invoke, ok, fail, info, got ${describe(record.type)}`,
        where('type'),
      );
    }
    const process = record.process;
    if (!(typeof process === 'number' && Number.isSafeInteger(process)) && process !== 'nemesis') {
      throw new InputError(
        process === undefined
          ? 'missing field process'
          : `expected an integer or nemesis, got ${describe(process)}`,
        where('process'),
      );
    }
    const f = record.f;
    if (typeof f !== 'string') {
      throw new InputError(
        f === undefined ? 'missing field f' : `expected a name, got ${describe(f)}`,
        where('f'),
      );
    }
    let time = record.time;
    if (time === undefined) time = position;
    else if (typeof time !== 'number' || !Number.isFinite(time)) {
      throw new InputError(`expected a number of nanoseconds, got ${describe(time)}`, where('time'));
    }
    let index = record.index;
    if (index === undefined) {
      this.missingIndex = true;
      index = position;
    } else if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0) {
      throw new InputError(`expected a non-negative integer, got ${describe(index)}`, where('index'));
    }
    const value = record.value;
    const op: Op = {
      index: index as number,
      time: time as number,
      type,
      process,
      f: intern(f),
      value: value === undefined ? null : value,
    };
    // Decoded records never hold `undefined`, so "present" is "not undefined". Counting the
    // known fields spares the walk over every field when there are no extras (the common case).
    let known = 3 + (record.time === undefined ? 0 : 1) + (record.index === undefined ? 0 : 1);
    if (value !== undefined) known++;
    if (record.error !== undefined) {
      op.error = record.error;
      known++;
    }
    if (record.node !== undefined) {
      if (typeof record.node !== 'string') {
        throw new InputError(`expected a node name, got ${describe(record.node)}`, where('node'));
      }
      op.node = record.node;
      known++;
    }
    if (record.key !== undefined) {
      op.key = record.key;
      known++;
    }
    let extra: Record<string, unknown> | undefined;
    if (Object.keys(record).length !== known) {
      for (const name of Object.keys(record)) {
        if (CORE_FIELDS.has(name)) continue;
        extra ??= {};
        setField(extra, name, record[name]);
      }
    }
    if (extra) op.extra = extra;
    checkValues(op, where);
    return op;
  }
}

/**
 * Refuses values no checker or writer can handle (non-finite numbers, nesting past the limit),
 * naming the field and the place inside it, e.g. `value[1]`.
 */
export function checkValues(op: Op, where: Locator): void {
  const check = (field: string, v: unknown): void => {
    if (typeof v !== 'object' && typeof v !== 'number') return;
    const problem = valueProblem(v);
    if (!problem) return;
    // Name the place inside the value, but not a hundred `[0]`s of it.
    const path = problem.path.length > 40 ? `${problem.path.slice(0, 40)}...` : problem.path;
    throw new InputError(problem.reason, { ...where(field), field: field + path });
  };
  check('value', op.value);
  check('error', op.error);
  check('key', op.key);
  if (op.extra) for (const k of Object.keys(op.extra)) check(k, op.extra[k]);
}
