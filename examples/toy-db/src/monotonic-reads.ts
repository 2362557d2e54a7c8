/** A checker of its own: each process's successful reads never go down (the counter only grows). */
import type { Checker, CheckResult, History } from 'faultline';

export const checker: Checker = {
  name: 'monotonic-reads',
  description: "each process's reads of the counter never decrease",
  check(history: History): CheckResult {
    const last = new Map<unknown, number>();
    const drops: { process: unknown; from: number; to: number; index: number }[] = [];
    let reads = 0;
    for (const op of history.ops) {
      if (op.type !== 'ok' || op.f !== 'read' || typeof op.value !== 'number') continue;
      reads++;
      const before = last.get(op.process);
      if (before !== undefined && op.value < before)
        drops.push({ process: op.process, from: before, to: op.value, index: op.index });
      last.set(op.process, op.value);
    }
    if (reads === 0) return { valid: 'unknown', reason: 'no successful reads' };
    return { valid: drops.length === 0, reads, drops: drops.slice(0, 20) };
  },
};
