/** Composable, seeded op schedules, in the manner of Jepsen's generators. */
export * from './combinators.js';
export * from './core.js';
export * from './random.js';
export * from './simulate.js';
