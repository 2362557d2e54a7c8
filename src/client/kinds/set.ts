/** A grow-only set of integers (the `set` workload). */
import { clientKind } from '../kind.js';
import type { Done, Outcome, Session } from '../types.js';

export interface SetClient extends Session {
  /** Adds a unique element. */
  add(element: number): Promise<Done>;
  /** Every element, sorted. */
  read(): Promise<Outcome<number[]>>;
}

export const SET_CLIENT = clientKind<SetClient>('set', 'add of unique integers and read of the whole set');

/** Element names back to the integers that were added, sorted. */
export function setElements(names: readonly string[]): number[] {
  return names
    .map(Number)
    .filter(Number.isInteger)
    .sort((a, b) => a - b);
}
