/**
 * What one quorum case measured, read from its history alone (pure, no I/O): which sides of
 * the fault acknowledged writes while it held, how soon writes were acknowledged after the
 * fault and after the heal, and whether two sides acknowledged writes at the same time.
 *
 * A side's client threads are bound to its nodes (the runner spreads threads round-robin
 * over the nodes and records each invocation's node), so a write's side is its node's side.
 */
import type { Op } from '../history/op.js';

/** The client ops that change the register. */
const WRITES = new Set(['write', 'cas', 'add']);

/** A side is writable when it acknowledged a write while the fault held; unknown when it tried none. */
export type Writable = 'yes' | 'no' | 'unknown';

export interface SideMeasurement {
  nodes: string[];
  /** Writes invoked on this side after the fault was in place and before the heal began. */
  attempted: number;
  /** Of those, the ones acknowledged (`ok`) before the heal began. */
  acknowledged: number;
  writable: Writable;
  /** First and last acknowledgement while the fault held, s since the fault was in place. */
  ackWindowS?: [number, number];
}

export interface CaseMeasurement {
  /** The fault could not be found or applied: every figure below is missing. */
  problem?: string;
  /** Killed nodes (crash and site loss). */
  down: string[];
  /** The sides the fault left (the live nodes as one side for crashes). */
  sides: SideMeasurement[];
  /** Seconds the fault held. */
  heldS?: number;
  /** s from the fault being in place to a new leader outside the killed nodes or the old leader's side. */
  electedAfterS?: number;
  /** s from the fault being in place to the first acknowledged write invoked after it (includes any election). */
  firstWriteAfterFaultS?: number;
  /** s from the heal's end to the first acknowledged write invoked after it. */
  firstWriteAfterHealS?: number;
  /** Two or more sides acknowledged writes in overlapping windows. */
  splitBrain: boolean;
}

const FAULT_FS = new Set(['kill', 'start-partition']);
const HEAL_FS = new Set(['start', 'stop-partition']);

interface Completed {
  invoke: Op;
  done: Op | undefined;
}

/** Measures a case from its recorded ops; `nodes` are the case's nodes. */
export function measureCase(ops: readonly Op[], nodes: readonly string[]): CaseMeasurement {
  const none = (problem: string): CaseMeasurement => ({ problem, down: [], sides: [], splitBrain: false });
  const fault = nemesisCompletion(ops, (op) => FAULT_FS.has(op.f));
  if (!fault) return none('no fault was applied (the run ended before it)');
  if (fault.error !== undefined) return none(`the fault failed: ${String(fault.error)}`);
  const healInvoke = ops.find(
    (op) => op.process === 'nemesis' && op.type === 'invoke' && HEAL_FS.has(op.f) && op.index > fault.index,
  );
  const healed =
    healInvoke &&
    ops.find(
      (op) =>
        op.process === 'nemesis' &&
        op.type !== 'invoke' &&
        op.f === healInvoke.f &&
        op.index > healInvoke.index,
    );
  const from = fault.time;
  const until = healInvoke?.time ?? ops.at(-1)?.time ?? from;

  const { down, sideNodes } = sidesOf(fault, nodes);
  const writes = pairedWrites(ops);
  const during = writes.filter((w) => w.invoke.time >= from && w.invoke.time < until);
  const acked = (w: Completed): boolean => w.done?.type === 'ok' && w.done.time < until;

  const sides: SideMeasurement[] = sideNodes.map((members) => {
    const mine = during.filter((w) => w.invoke.node !== undefined && members.includes(w.invoke.node));
    const ok = mine.filter(acked);
    const side: SideMeasurement = {
      nodes: members,
      attempted: mine.length,
      acknowledged: ok.length,
      writable: ok.length > 0 ? 'yes' : mine.length > 0 ? 'no' : 'unknown',
    };
    if (ok.length > 0) {
      const times = ok.map((w) => (w.done!.time - from) / 1e9);
      side.ackWindowS = [Math.min(...times), Math.max(...times)];
    }
    return side;
  });

  const firstAfter = (t: number, before = Number.POSITIVE_INFINITY): number | undefined => {
    const times = writes
      .filter((w) => w.invoke.time >= t && w.done?.type === 'ok' && w.done.time < before)
      .map((w) => w.done!.time);
    return times.length > 0 ? (Math.min(...times) - t) / 1e9 : undefined;
  };
  const result: CaseMeasurement = {
    down,
    sides,
    heldS: (until - from) / 1e9,
    splitBrain: overlapping(sides.map((s) => s.ackWindowS)),
  };
  const elected = ops.find(
    (op) => op.process === 'nemesis' && op.type !== 'invoke' && op.f === 'elected' && op.index > fault.index,
  );
  if (elected && elected.time < until) result.electedAfterS = Math.max(0, (elected.time - from) / 1e9);
  const afterFault = firstAfter(from, until);
  if (afterFault !== undefined) result.firstWriteAfterFaultS = afterFault;
  if (healed) {
    const afterHeal = firstAfter(healed.time);
    if (afterHeal !== undefined) result.firstWriteAfterHealS = afterHeal;
  }
  return result;
}

/** The completion of the first nemesis op matching `which`. */
function nemesisCompletion(ops: readonly Op[], which: (op: Op) => boolean): Op | undefined {
  return ops.find((op) => op.process === 'nemesis' && op.type !== 'invoke' && which(op));
}

/** The killed nodes and the sides a fault's recorded value describes. */
function sidesOf(fault: Op, nodes: readonly string[]): { down: string[]; sideNodes: string[][] } {
  const value = (fault.value ?? {}) as { nodes?: unknown; components?: unknown };
  if (fault.f === 'kill') {
    const down = Array.isArray(value.nodes) ? value.nodes.map(String) : [];
    const live = nodes.filter((n) => !down.includes(n));
    return { down, sideNodes: live.length > 0 ? [live] : [] };
  }
  const components = Array.isArray(value.components)
    ? value.components.map((c) => (Array.isArray(c) ? c.map(String) : []))
    : [[...nodes]];
  return { down: [], sideNodes: components };
}

/** Every client write with its completion (none when the run ended first). */
function pairedWrites(ops: readonly Op[]): Completed[] {
  const open = new Map<number, Completed>();
  const out: Completed[] = [];
  for (const op of ops) {
    if (typeof op.process !== 'number') continue;
    if (op.type === 'invoke') {
      const entry: Completed = { invoke: op, done: undefined };
      open.set(op.process, entry);
      if (WRITES.has(op.f)) out.push(entry);
    } else {
      const entry = open.get(op.process);
      if (entry) entry.done = op;
      open.delete(op.process);
    }
  }
  return out;
}

/** True when any two of the windows (absent: none) overlap. */
export function overlapping(windows: readonly ([number, number] | undefined)[]): boolean {
  const present = windows.filter((w): w is [number, number] => w !== undefined);
  for (let i = 0; i < present.length; i++)
    for (let j = i + 1; j < present.length; j++) {
      const [a, b] = [present[i]!, present[j]!];
      if (a[0] <= b[1] && b[0] <= a[1]) return true;
    }
  return false;
}
