/**
 * A plan (or a flag) may name a user's own module instead of a shipped name: `db: ./my-db.js`,
 * `workload: ./my-workload.js`, a checker key `./my-checker.js`, a nemesis family `./my-fault.js`.
 * Such a name starts with `./`, `../` or `/`; plan files have theirs made absolute (relative to
 * the plan file) when parsed, flags are relative to the working directory. The module is
 * loaded with a dynamic import and must export the thing as its default export or under the
 * kind's name (`export const db = …`).
 */
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CHECKERS } from '../../checkers/registry.js';
import type { Checker } from '../../checkers/result.js';
import { NEMESIS_FAMILIES } from '../../nemeses/families.js';
import type { NemesisFamily } from '../../nemeses/types.js';
import { WORKLOADS } from '../../workloads/index.js';
import type { Workload } from '../../workloads/types.js';
import { DBS } from '../db/index.js';
import type { Db } from '../db/types.js';
import { InputError, type InputLocation } from '../errors.js';
import { Registry } from '../registry.js';

/** What a module named in a plan may provide. */
export type ModuleKind = 'db' | 'workload' | 'checker' | 'nemesis';

/** The members each kind must have (functions, except `name`). */
const REQUIRED: Readonly<Record<ModuleKind, readonly string[]>> = {
  db: ['name', 'setup', 'teardown', 'awaitHealthy', 'endpoint', 'clients'],
  workload: ['name', 'client', 'invoke', 'generator', 'checkers'],
  checker: ['name', 'check'],
  nemesis: ['name', 'requires', 'effects', 'style', 'schedule', 'create'],
};
const NOT_FUNCTIONS = new Set(['name', 'clients', 'client', 'requires', 'effects', 'style']);

/** True when a plan value names a module rather than a shipped db/workload/checker. */
export function isModuleName(name: string): boolean {
  return name.startsWith('./') || name.startsWith('../') || name.startsWith('/');
}

/** A module name made absolute against `baseDir`; other names unchanged. */
export function absoluteModuleName(name: string, baseDir: string): string {
  return isModuleName(name) ? resolve(baseDir, name) : name;
}

/** A short label for a module name (its file name without extension), for test names. */
export function moduleLabel(name: string): string {
  return isModuleName(name) ? basename(name).replace(/\.[cm]?[jt]s$/, '') : name;
}

const loaded = new Map<string, unknown>();

/**
 * Loads the module at `path` (relative to the working directory unless absolute) and returns
 * what it exports as a `kind`. An {@link InputError} at `location` names the module and what
 * it lacks.
 */
export async function loadModule<T>(kind: ModuleKind, path: string, location: InputLocation): Promise<T> {
  const file = resolve(path);
  const key = `${kind}\0${file}`;
  if (loaded.has(key)) return loaded.get(key) as T;
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new InputError(`cannot load ${kind} module ${file}: ${reason}`, location);
  }
  const value = module.default ?? module[kind];
  if (value === null || typeof value !== 'object') {
    throw new InputError(
      `${file} exports no ${kind}: give it a default export or \`export const ${kind} = …\``,
      location,
    );
  }
  const record = value as Record<string, unknown>;
  const missing = REQUIRED[kind].filter((member) =>
    NOT_FUNCTIONS.has(member) ? record[member] === undefined : typeof record[member] !== 'function',
  );
  if (missing.length > 0) {
    throw new InputError(`the ${kind} exported by ${file} lacks ${missing.join(', ')}`, location);
  }
  loaded.set(key, value);
  return value as T;
}

/** The db a plan names: a shipped one, or a module. */
export function resolveDb(name: string, location: InputLocation = { field: 'db' }): Promise<Db> {
  return isModuleName(name) ? loadModule<Db>('db', name, location) : Promise.resolve(DBS.get(name, location));
}

/** The workload a plan names: a shipped one, or a module. */
export function resolveWorkload(
  name: string,
  location: InputLocation = { field: 'workload' },
): Promise<Workload> {
  return isModuleName(name)
    ? loadModule<Workload>('workload', name, location)
    : Promise.resolve(WORKLOADS.get(name, location));
}

/**
 * The checkers a spec may name: the shipped ones plus the modules among `names`, registered
 * under the name the spec uses. `locate` says where each name was written.
 */
export async function checkersFor(
  names: readonly string[],
  locate: (name: string) => InputLocation = (name) => ({ field: `checkers.${name}` }),
): Promise<Registry<Checker>> {
  const modules = names.filter(isModuleName);
  if (modules.length === 0) return CHECKERS;
  const registry = new Registry<Checker>('checker', CHECKERS.entries());
  for (const name of modules)
    registry.register(name, await loadModule<Checker>('checker', name, locate(name)));
  return registry;
}

/**
 * The name of the nemesis family a plan names: a shipped one as is; a module is loaded and its
 * family registered under its own name (so the schedule, perf checker and report know it).
 */
export async function resolveNemesis(
  name: string,
  location: InputLocation = { field: 'nemesis' },
): Promise<string> {
  if (!isModuleName(name)) return name;
  const family = await loadModule<NemesisFamily>('nemesis', name, location);
  const known = NEMESIS_FAMILIES.find(family.name);
  if (known === undefined) NEMESIS_FAMILIES.register(family.name, family);
  else if (known !== family) {
    throw new InputError(
      `the nemesis family in ${resolve(name)} is named ${family.name}, as another family`,
      location,
    );
  }
  return family.name;
}
