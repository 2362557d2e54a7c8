import { Registry } from '../src/registry.js';
import { bankChecker } from './bank.js';
import { counterChecker } from './counter.js';
import { electionChecker } from './election.js';
import { listAppendChecker, rwRegisterChecker } from './elle/index.js';
import { linearizableChecker } from './linearizable/index.js';
import { lockChecker } from './lock.js';
import { perfChecker } from './perf.js';
import { queueChecker } from './queue.js';
import type { Checker } from './result.js';
import { setChecker, setFullChecker } from './set.js';
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
  ].map((c): [string, Checker] => [c.name, c as Checker]),
]);
