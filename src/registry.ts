import { InputError, type InputLocation } from './errors.js';

/**
 * Named things of one kind (dbs, workloads, checkers, nemesis families), as plans and flags
 * name them. Backed by a Map, so a name such as `constructor` or `__proto__` is just unknown.
 */
export class Registry<T> {
  readonly #entries = new Map<string, T>();

  /** `kind` names the field in errors, e.g. `db`, `workload`, `checker`, `nemesis`. */
  constructor(
    readonly kind: string,
    entries: Iterable<readonly [string, T]> = [],
  ) {
    for (const [name, value] of entries) this.register(name, value);
  }

  /** Adds `value` under `name`; a name registered twice is a bug of whoever registers it. */
  register(name: string, value: T): this {
    if (name === '') throw new Error(`a ${this.kind} name must not be empty`);
    if (this.#entries.has(name)) throw new Error(`${this.kind} "${name}" is already registered`);
    this.#entries.set(name, value);
    return this;
  }

  /** The entry called `name`, or an {@link InputError} on field `kind` that lists the known names. */
  get(name: string, location: InputLocation = { field: this.kind }): T {
    const value = this.#entries.get(name);
    if (value === undefined) {
      throw new InputError(`unknown ${this.kind} "${name}" (known: ${this.names().join(', ')})`, location);
    }
    return value;
  }

  /** The entry called `name`, or undefined. */
  find(name: string): T | undefined {
    return this.#entries.get(name);
  }

  has(name: string): boolean {
    return this.#entries.has(name);
  }

  /** Every name, sorted. */
  names(): string[] {
    return [...this.#entries.keys()].sort();
  }

  /** Every entry, in the order registered. */
  values(): T[] {
    return [...this.#entries.values()];
  }

  /** Every `[name, entry]`, in the order registered. */
  entries(): [string, T][] {
    return [...this.#entries.entries()];
  }
}
