/** The fault families and their schedule: what the runner and the CLI import. */
export * from './clock.js';
export * from './combined.js';
export * from './deadman.js';
export * from './families.js';
export * from './file.js';
export * from './grudge.js';
export * from './kill.js';
export * from './membership.js';
export * from './membership-plan.js';
export * from './packet.js';
export * from './partition.js';
export * from './pause.js';
export * from './targets.js';
export type * from './types.js';
