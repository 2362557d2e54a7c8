import type { Model, ModelOp } from '../../checkers/linearizable/index.js';
import type { History } from '../../src/history/index.js';
import type { Spec } from './specs.js';

/**
 * Linearizability by brute force: tries every order of the ops that respects real time,
 * with each op of unknown outcome either placed somewhere or left out. No cache, no
 * cleverness: an independent oracle for small histories. Against a checker's `Model` it
 * checks the search; against a `Spec` (specs.ts) it checks the model's semantics too.
 */
export function bruteForce(h: History, object: Model | Spec<unknown>): boolean {
  const ops: { op: ModelOp; start: number; end: number }[] = [];
  h.ops.forEach((invoke, i) => {
    if (invoke.type !== 'invoke') return;
    const completion = h.completionOf(i);
    if (completion?.type === 'fail') return;
    const known = completion?.type === 'ok';
    ops.push({
      op: {
        f: invoke.f,
        input: invoke.value,
        output: known ? completion!.value : undefined,
        known,
        key: invoke.key,
        index: invoke.index,
        completionIndex: completion?.index,
        process: invoke.process as number,
      },
      start: i,
      end: known ? completion!.index : Number.POSITIVE_INFINITY,
    });
  });
  const taken = new Array<boolean>(ops.length).fill(false);
  const required = ops.filter((o) => o.op.known).length;
  const next = nextStates(object);
  const search = (state: unknown, done: number): boolean => {
    if (done === required) return true;
    for (let i = 0; i < ops.length; i++) {
      if (taken[i]) continue;
      // Every untaken op that completed before this one started must come first.
      if (ops.some((o, j) => !taken[j] && o.end < ops[i]!.start)) continue;
      taken[i] = true;
      for (const s of next(state, ops[i]!.op)) {
        if (search(s, done + (ops[i]!.op.known ? 1 : 0))) {
          taken[i] = false;
          return true;
        }
      }
      taken[i] = false;
    }
    return false;
  };
  return search(object.init(), 0);
}

function nextStates(object: Model | Spec<unknown>): (state: unknown, op: ModelOp) => readonly unknown[] {
  if (!('hash' in object)) return (state, op) => object.step(state, op);
  const model = object;
  if (model.nondeterministic) return (state, op) => model.step(state as never, op);
  return (state, op) => {
    const s = model.step(state as never, op);
    return s === undefined || s === false ? [] : [s];
  };
}
