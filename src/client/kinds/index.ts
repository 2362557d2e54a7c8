/** The client interfaces faultline's workloads need; a db adapter offers the ones it can. */
export * from './election.js';
export * from './ephemeral.js';
export * from './kv.js';
export * from './lock.js';
export * from './lock-set.js';
export * from './queue.js';
export * from './register.js';
export * from './sequence.js';
export * from './set.js';
export * from './txn.js';
export * from './unique-ids.js';
export * from './watch.js';
