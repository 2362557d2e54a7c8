import { InputError } from '../src/errors.js';
import { Registry } from '../src/registry.js';
import { bankChecker } from './bank.js';
import { counterChecker } from './counter.js';
import { crashChecker } from './crash.js';
import { electionChecker } from './election.js';
import { listAppendChecker, rwRegisterChecker } from './elle/index.js';
import {
  casRegister,
  linearizableChecker,
  type Model,
  multiRegister,
  register,
} from './linearizable/index.js';
import { lockChecker } from './lock.js';
import { perfChecker } from './perf.js';
import { queueChecker } from './queue.js';
import type { Checker } from './result.js';
import { setChecker, setFullChecker } from './set.js';
import { statsChecker } from './stats.js';
import { uniqueIdsChecker } from './unique-ids.js';

/**
 * Every checker `faultline check --checker NAME` and plans know, by name. To add one, import it
 * and add it here; nothing else needs to change. `CHECKERS.get(name)` throws on field `checker`.
 */
export const CHECKERS = new Registry<Checker>('checker', [
  // [name, checker] entries are added as checkers land.
  ['list-append', listAppendChecker as Checker],
  ['rw-register', rwRegisterChecker as Checker],
  ['linearizable', linearizableChecker as Checker],
  ...[
    setChecker,
    setFullChecker,
    counterChecker,
    queueChecker,
    uniqueIdsChecker,
    bankChecker,
    lockChecker,
    electionChecker,
    perfChecker,
    statsChecker,
    crashChecker,
  ].map((c): [string, Checker] => [c.name, c as Checker]),
]);

/** Models whose initial state `--initial <json>` may set, by name. */
const MODELS_WITH_INITIAL: ReadonlyMap<string, (initial: unknown) => Model> = new Map<
  string,
  (initial: unknown) => Model
>([
  ['register', (initial) => register(initial) as Model],
  ['cas-register', (initial) => casRegister(initial) as Model],
  [
    'multi-register',
    (initial) => {
      if (typeof initial !== 'object' || initial === null || Array.isArray(initial)) {
        throw new InputError('multi-register starts from an object of registers, e.g. {"x": 0, "y": 0}', {
          field: '--initial',
        });
      }
      return multiRegister(initial as Record<string, unknown>) as Model;
    },
  ],
]);

/**
 * The linearizability model `name` starting in the state `initial` (Knossos'
 * `(cas-register 0)`, `(multi-register {:x 0 :y 0})`). Throws {@link InputError} for a model
 * that has no settable initial state.
 */
export function modelWithInitial(name: string, initial: unknown): Model {
  const make = MODELS_WITH_INITIAL.get(name);
  if (!make) {
    throw new InputError(
      `model ${JSON.stringify(name)} has no settable initial state; --initial works with ${[...MODELS_WITH_INITIAL.keys()].join(', ')}`,
      { field: '--initial' },
    );
  }
  return make(initial);
}
