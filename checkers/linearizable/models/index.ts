import type { Model } from '../model.js';
import { kv } from './kv.js';
import { multiRegister } from './multi-register.js';
import { mutex } from './mutex.js';
import { fifoQueue, unorderedQueue } from './queues.js';
import { casRegister, register } from './register.js';
import { set } from './set.js';

export { KvMany, KvOne, type KvState, kv } from './kv.js';
export { multiRegister, RegistersState } from './multi-register.js';
export { mutex } from './mutex.js';
export { BagState, FifoState, fifoQueue, unorderedQueue } from './queues.js';
export { casRegister, register } from './register.js';
export { SetState, set } from './set.js';

/** The built-in models by name (`--model NAME`), each a factory of a fresh model. */
export const MODELS: ReadonlyMap<string, () => Model> = new Map<string, () => Model>([
  ['register', () => register()],
  ['cas-register', () => casRegister()],
  ['kv', () => kv()],
  ['multi-register', () => multiRegister()],
  ['mutex', () => mutex()],
  ['set', () => set()],
  ['fifo-queue', () => fifoQueue()],
  ['unordered-queue', () => unorderedQueue()],
]);
