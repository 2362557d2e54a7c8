import { InputError } from '../src/errors.js';
import { append } from './append.js';
import { election } from './election.js';
import { lock } from './lock.js';
import { noop } from './noop.js';
import { register } from './register.js';
import { set } from './set.js';
import type { Workload } from './types.js';
import { wr } from './wr.js';
import { ycsb } from './ycsb.js';

export { bindClients, offeredKinds, runsOn, workloadClientFactory } from './bind.js';
export type { CheckerRunOptions, CheckerSpec, Workload, WorkloadContext } from './types.js';

/** Every workload, by the name plans and `--workload` use. To add one, import it and add a line. */
export const WORKLOADS: ReadonlyMap<string, Workload> = new Map<string, Workload>([
  ['noop', noop],
  ['register', register],
  ['set', set],
  ['append', append],
  ['wr', wr],
  ['lock', lock],
  ['election', election],
  ['ycsb', ycsb],
]);

/** The workload called `name`, or an {@link InputError} on field `workload` listing the known ones. */
export function workloadByName(name: string): Workload {
  const w = WORKLOADS.get(name);
  if (!w) {
    throw new InputError(`unknown workload "${name}" (known: ${[...WORKLOADS.keys()].sort().join(', ')})`, {
      field: 'workload',
    });
  }
  return w;
}
