import type { Partition } from './entries.js';
import { type Model, type ModelOp, show } from './model.js';
import type { DescribedPartial } from './scheduler.js';

/**
 * A partition drawn as Porcupine does: every op as a bar from call to return on its
 * process' line, and the longest partial linearizations as paths through them, each step
 * with the state after it. Plain JSON.
 */
export interface PartitionVisualization {
  ops: {
    /** Invocation position in the original history. */
    index: number;
    /** Completion position (`ok` or `info`), or `null` when it never completed. */
    completionIndex: number | null;
    process: number;
    description: string;
    /** False when the outcome is unknown (`info` or never completed): its bar runs to the end. */
    known: boolean;
  }[];
  partials: { steps: { index: number; description: string; stateAfter: string }[] }[];
}

export function describeOp(model: Model, op: ModelOp): string {
  return shallow(() =>
    model.describeOp
      ? model.describeOp(op)
      : `${op.f}(${show(op.input)}) -> ${op.known ? show(op.output) : '?'}`,
  );
}

export function describeState<State>(model: Model<State>, state: State): string {
  return shallow(() => (model.describeState ? model.describeState(state) : show(state)));
}

/**
 * A description, or a placeholder when the value nests too deep to render (the history
 * readers refuse such values; a history built in memory may still hold one).
 */
function shallow(describe: () => string): string {
  try {
    return describe();
  } catch (err) {
    if (err instanceof RangeError) return '(a value nested too deep to show)';
    throw err;
  }
}

export function visualize(
  model: Model,
  partition: Partition,
  partials: readonly DescribedPartial[],
): PartitionVisualization {
  const { ops } = partition;
  return {
    ops: ops.map((op) => ({
      index: op.index,
      completionIndex: op.completionIndex ?? null,
      process: op.process,
      description: describeOp(model, op),
      known: op.known,
    })),
    partials: partials.map((p) => ({
      steps: p.ops.map((id, i) => ({
        index: ops[id]!.index,
        description: describeOp(model, ops[id]!),
        stateAfter: p.states[i]!,
      })),
    })),
  };
}
