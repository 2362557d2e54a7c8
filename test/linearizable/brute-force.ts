import type { Model, ModelOp } from '../../checkers/linearizable/index.js';
import type { History } from '../../src/history/index.js';

/**
 * Linearizability by brute force: tries every order of the ops that respects real time,
 * with each op of unknown outcome either placed somewhere or left out. No cache, no
 * cleverness: an independent oracle for small histories.
 */
export function bruteForce(h: History, model: Model): boolean {
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
  const next = (state: unknown, op: ModelOp): unknown[] => {
    if (model.nondeterministic) return [...model.step(state as never, op)];
    const s = model.step(state as never, op);
    return s === undefined || s === false ? [] : [s];
  };
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
  return search(model.init(), 0);
}
