import type { CheckResult, Validity } from '../result.js';
import type { PartitionVisualization } from './visualization.js';

/** An op, as reported. */
export interface OpReport {
  /** Position of the invocation in the original history (`op.index`). */
  index: number;
  /** Position of its completion, or `null` when it never completed. */
  completionIndex: number | null;
  process: number;
  f: string;
  /** The model's description, e.g. `read() -> 3`. */
  description: string;
}

/** A partition that is not linearizable, or could not be decided. */
export interface PartitionReport {
  /** The partition's key (`null` for keyless ops or an unsplit history). */
  key: unknown;
  valid: false | 'unknown';
  reason?: string;
  /** The op that could not be linearized: the search reached its return without a place for it. */
  op?: OpReport;
  /** The states that op could have seen: where the longest partial linearizations end. */
  states: string[];
  /** The longest partial linearizations, as invocation indices into the original history. */
  linearizations: number[][];
  /** Everything the HTML report needs to draw this partition. */
  visualization: PartitionVisualization;
}

/** The linearizability checker's result. */
export interface LinearizableResult extends CheckResult {
  valid: Validity;
  reason?: string;
  model: string;
  /** Partitions that are not linearizable (first) or undecided; empty when valid. */
  failures: PartitionReport[];
  stats: {
    /** Client ops checked (after dropping the ones below). */
    ops: number;
    partitions: number;
    /** `fail` ops, which never happened. */
    droppedFailed: number;
    /** Read-only ops whose outcome is unknown, which constrain nothing. */
    droppedUnknownReads: number;
    /** Partitions left unchecked because another one is not linearizable. */
    skippedPartitions: number;
    /** Configurations explored, over every partition. */
    configurations: number;
    elapsedMs: number;
  };
}

/** A short text for the CLI. */
export function explain(result: LinearizableResult): string {
  const { stats } = result;
  const head =
    result.valid === true
      ? 'linearizable'
      : result.valid === false
        ? 'NOT linearizable'
        : `unknown${result.reason ? `: ${result.reason}` : ''}`;
  const lines = [
    `${head} (model ${result.model}; ${stats.ops} ops in ${stats.partitions} partition(s); ` +
      `${stats.configurations} configurations; ${Math.round(stats.elapsedMs)} ms)`,
  ];
  for (const f of result.failures.slice(0, 5)) {
    const where = f.key === null ? '' : `key ${JSON.stringify(f.key)}: `;
    if (f.valid === 'unknown') {
      lines.push(`  ${where}undecided: ${f.reason ?? 'search stopped'}`);
      continue;
    }
    if (f.op) {
      lines.push(
        `  ${where}op ${f.op.index} (process ${f.op.process}) ${f.op.description} cannot be linearized`,
      );
    }
    lines.push(`   it could have seen: ${f.states.join(' | ') || '(initial state)'}`);
    const longest = f.linearizations[0];
    if (longest) {
      const tail = longest.slice(-8).join(', ');
      lines.push(
        `   longest partial linearization: ${longest.length} ops, ending ${longest.length > 8 ? '…, ' : ''}${tail}`,
      );
    }
  }
  if (result.failures.length > 5) lines.push(` … and ${result.failures.length - 5} more partition(s)`);
  return lines.join('\n');
}
