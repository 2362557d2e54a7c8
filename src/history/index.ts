export * from './history.js';
export * from './op.js';
