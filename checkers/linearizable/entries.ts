import type { History } from '../../src/history/index.js';
import type { Model, ModelOp } from './model.js';

/** The ops of one independent object, as call and return events in real-time order. */
export interface Partition {
  /** The key its ops share (`undefined` for keyless ops, or when the history is not split). */
  readonly key: unknown;
  /** Ops in order of invocation; an op's id is its position here. */
  readonly ops: readonly ModelOp[];
  /**
   * Call and return events in real-time order: `2 * id` is op `id`'s call, `2 * id + 1` its
   * return. Ops whose outcome is unknown return at +infinity: their returns come last.
   */
  readonly events: Int32Array;
}

/** What {@link toPartitions} left out, and why. */
export interface Dropped {
  /** Ops that completed `fail`: they never happened. */
  failed: number;
  /** Read-only ops whose outcome is unknown: they constrain nothing. */
  unknownReads: number;
}

/**
 * Turns a history into the search's input. `fail` ops are dropped (they never happened);
 * `info` and never-completed ops take effect at some time after their invocation or never,
 * so their returns move to +infinity (and read-only ones, which then constrain nothing, are
 * dropped). Nemesis ops are ignored. With `split`, ops go to one partition per
 * `model.partition(op)` key (P-compositionality); otherwise there is a single partition.
 */
export function toPartitions(
  history: History,
  model: Model,
  split = true,
): { partitions: Partition[]; dropped: Dropped } {
  const dropped: Dropped = { failed: 0, unknownReads: 0 };
  const ops = history.ops;
  const groups = new Map<unknown, Group>();
  // Completion position -> where its return event goes.
  const pendingReturns = new Map<number, { group: Group; id: number }>();
  const partitionOf = split ? model.partition : undefined;

  for (let i = 0; i < ops.length; i++) {
    const invoke = ops[i]!;
    if (invoke.process === 'nemesis') continue;
    if (invoke.type !== 'invoke') {
      const ret = pendingReturns.get(i);
      if (ret) {
        ret.group.events.push(2 * ret.id + 1);
        pendingReturns.delete(i);
      }
      continue;
    }
    const p = history.partnerOf(i);
    const completion = p >= 0 ? ops[p] : undefined;
    if (completion?.type === 'fail') {
      dropped.failed++;
      continue;
    }
    const known = completion?.type === 'ok';
    const op: ModelOp = {
      f: invoke.f,
      input: invoke.value,
      output: known ? completion!.value : undefined,
      known,
      key: invoke.key ?? completion?.key,
      index: invoke.index,
      completionIndex: completion?.index,
      process: invoke.process,
    };
    if (!known && model.isReadOnly?.(op)) {
      dropped.unknownReads++;
      continue;
    }
    const key = partitionOf ? partitionOf.call(model, op) : undefined;
    const groupId =
      key === undefined || typeof key === 'number' || typeof key === 'string' ? key : JSON.stringify(key);
    let group = groups.get(groupId);
    if (!group) {
      group = { key, ops: [], events: [], unknown: [] };
      groups.set(groupId, group);
    }
    const id = group.ops.length;
    group.ops.push(op);
    group.events.push(2 * id);
    if (known) pendingReturns.set(p, { group, id });
    else group.unknown.push(2 * id + 1);
  }
  const partitions = [...groups.values()].map((g) => ({
    key: g.key,
    ops: g.ops,
    events: Int32Array.from([...g.events, ...g.unknown]),
  }));
  return { partitions, dropped };
}

interface Group {
  key: unknown;
  ops: ModelOp[];
  events: number[];
  /** Returns of ops whose outcome is unknown, appended after every real return. */
  unknown: number[];
}
