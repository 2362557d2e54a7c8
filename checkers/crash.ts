/**
 * Crash: the db's server must not die on its own, and must come back when restarted. A history
 * can check out while a node lies dead (the others keep a quorum), so the run watches the
 * servers (src/run/node-watch.ts) and records what it saw as nemesis events: `node-crash` for
 * each node found not running when it should, and `node-status` once at the end. Any crash
 * makes the run invalid, with the node, when, and its last log lines; a history without a
 * `node-status` event was not watched, and the verdict is `unknown`.
 */
import type { History, Op } from '../src/history/index.js';
import type { Checker, CheckResult } from './result.js';

/** The `f` of a crash event. */
export const CRASH_F = 'node-crash';
/** The `f` of the end-of-run status event. */
export const STATUS_F = 'node-status';

/** One node found not running when it should have been. */
export interface NodeCrash {
  node: string;
  /**
   * `exited`: it ran, then was gone without anyone stopping it; `no-restart`: it was started
   * again after a fault and did not come back; `still-down`: already reported, still gone.
   */
  kind: 'exited' | 'no-restart' | 'still-down';
  /** Seconds since the watch began. */
  atS: number;
  /** Seen by the last look, after the final phase (else by a probe during the run). */
  final: boolean;
  lastPid?: number;
  /** Why the restart failed, when it threw. */
  startError?: string;
  /** The node's last log lines when the crash was seen. */
  logTail?: string[];
}

/** What the watch saw at the end. */
export type NodeStatus =
  | { watched: false; reason: string }
  | { watched: true; probes: number; alive: string[]; dead: string[]; down: string[] };

export interface CrashResult extends CheckResult {
  crashes: (NodeCrash & { op: number })[];
  crashCount: number;
  /**
   * Crashes of nodes whose data files a nemesis had damaged before (truncated, bits flipped):
   * a server that stops on data it finds corrupt fails safe, so these are listed, not judged.
   */
  afterDamage: (NodeCrash & { op: number; damagedBy: number })[];
  /** Nodes running at the end. */
  alive?: string[];
  probes?: number;
}

/**
 * The nodes whose data files a nemesis damaged, each with the op that first did: completions
 * whose value lists `damages` of `{ node, file }` (the file nemesis).
 */
export function damagedNodes(ops: readonly Op[]): Map<string, number> {
  const damaged = new Map<string, number>();
  for (const op of ops) {
    if (op.process !== 'nemesis' || op.type === 'invoke') continue;
    const damages = (op.value as { damages?: unknown } | null)?.damages;
    if (!Array.isArray(damages)) continue;
    for (const d of damages as { node?: unknown; file?: unknown }[]) {
      if (typeof d?.node === 'string' && typeof d.file === 'string' && d.file !== '' && !damaged.has(d.node))
        damaged.set(d.node, op.index);
    }
  }
  return damaged;
}

export function checkCrashes(history: History): CrashResult {
  const crashes: CrashResult['crashes'] = [];
  const afterDamage: CrashResult['afterDamage'] = [];
  const damaged = damagedNodes(history.ops);
  let status: NodeStatus | undefined;
  for (const op of history.ops) {
    if (op.process !== 'nemesis' || op.type === 'invoke') continue;
    if (op.f === CRASH_F) {
      const crash = { ...(op.value as NodeCrash), op: op.index };
      const damagedBy = damaged.get(crash.node);
      if (damagedBy !== undefined && damagedBy < op.index) afterDamage.push({ ...crash, damagedBy });
      else crashes.push(crash);
    } else if (op.f === STATUS_F) status = op.value as NodeStatus;
  }
  const found = { crashes, crashCount: crashes.length, afterDamage };
  if (crashes.length > 0) {
    const nodes = [...new Set(crashes.map((c) => c.node))].sort();
    return {
      valid: false,
      reason: `${nodes.join(', ')} ${nodes.length === 1 ? 'was' : 'were'} not running when ${nodes.length === 1 ? 'it' : 'they'} should have been`,
      ...found,
    };
  }
  if (!status) {
    return {
      valid: 'unknown',
      reason: 'the servers were not watched: no node-status event in the history',
      ...found,
    };
  }
  if (!status.watched) return { valid: 'unknown', reason: status.reason, ...found };
  if (status.probes === 0)
    return { valid: 'unknown', reason: 'no node could be probed', ...found, probes: 0 };
  return { valid: true, ...found, alive: status.alive, probes: status.probes };
}

export const crashChecker: Checker = {
  name: 'crash',
  description: 'the db server never died on its own and came back after every restart',
  check: (history) => checkCrashes(history),
  explain(result) {
    const r = result as CrashResult;
    if (r.crashCount === 0) return r.valid === true ? `no crash (${r.probes} probes)` : String(r.reason);
    return r.crashes
      .map((c) => {
        const what = c.kind === 'exited' ? 'exited on its own' : 'did not come back after its restart';
        const tail = c.logTail?.length ? `\n    ${c.logTail.slice(-5).join('\n    ')}` : '';
        return `${c.node} ${what} (${c.atS} s, op ${c.op})${c.startError ? `: ${c.startError}` : ''}${tail}`;
      })
      .join('\n');
  },
};
