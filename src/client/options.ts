/** Reading workload options (`workloadOptions` of a plan); a bad value is an InputError naming it. */
import { InputError } from '../errors.js';

/** Workload options (`workloadOptions` of a plan). */
export type Options = Readonly<Record<string, unknown>>;

/** A positive number option, or `fallback` when absent; anything else is an {@link InputError}. */
export function positive(options: Options, key: string, fallback: number): number {
  const v = options[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw new InputError(`expected a positive number, got ${JSON.stringify(v)}`, {
      field: `workloadOptions.${key}`,
    });
  }
  return v;
}

/** A non-negative integer option, or `fallback` when absent. */
export function count(options: Options, key: string, fallback: number): number {
  const v = options[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new InputError(`expected a whole number >= 0, got ${JSON.stringify(v)}`, {
      field: `workloadOptions.${key}`,
    });
  }
  return v;
}

/** A boolean option, or `fallback` when absent. */
export function flag(options: Options, key: string, fallback: boolean): boolean {
  const v = options[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') {
    throw new InputError(`expected true or false, got ${JSON.stringify(v)}`, {
      field: `workloadOptions.${key}`,
    });
  }
  return v;
}

/** The `callTimeoutMs` option: the deadline of every call to the db, in ms (default 3000). */
export function callTimeoutMs(options: Options): number {
  return positive(options, 'callTimeoutMs', 3000);
}
