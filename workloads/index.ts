import { Registry } from '../src/registry.js';
import { append } from './append.js';
import { election } from './election.js';
import { ephemeral } from './ephemeral.js';
import { lock } from './lock.js';
import { lockSet } from './lock-set.js';
import { noop } from './noop.js';
import { queue } from './queue.js';
import { register } from './register.js';
import { sequence } from './sequence.js';
import { set } from './set.js';
import type { Workload } from './types.js';
import { uniqueIds } from './unique-ids.js';
import { watch } from './watch.js';
import { wr } from './wr.js';
import { ycsb } from './ycsb.js';

export { bindClients, offeredKinds, runsOn, workloadClientFactory } from './bind.js';
export type { CheckerRunOptions, CheckerSpec, Workload, WorkloadContext } from './types.js';

/** Every workload, by the name plans and `--workload` use. `WORKLOADS.get(name)` throws on field `workload`. */
export const WORKLOADS = new Registry<Workload>('workload', [
  ['noop', noop],
  ['register', register],
  ['set', set],
  ['append', append],
  ['wr', wr],
  ['lock', lock],
  ['election', election],
  ['ycsb', ycsb],
  ['queue', queue],
  ['unique-ids', uniqueIds],
  ['lock-set', lockSet],
  ['watch', watch],
  ['sequence', sequence],
  ['ephemeral', ephemeral],
]);
