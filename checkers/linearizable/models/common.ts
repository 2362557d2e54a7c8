import { InputError } from '../../../src/errors.js';
import type { ModelOp } from '../model.js';

/** The independent object an op acts on: its `key` field (`undefined` when it has none). */
export function keyOf(op: ModelOp): unknown {
  return op.key;
}

/** The error for an op a model does not understand; it names the op's place in the history. */
export function badOp(model: string, op: ModelOp, why: string, field = 'value'): InputError {
  return new InputError(`op ${op.index} (${op.f}): model ${model}: ${why}`, { field });
}

/** The op's value as the model should see it: the result when known, else the argument. */
export function observedValue(op: ModelOp): unknown {
  return op.known && op.output !== undefined ? op.output : op.input;
}
