/** The quorum findings as plain-text tables (terminal) and Markdown (README). Pure. */
import { fmt } from '../report/format.js';
import type { QuorumSummary, SizeRow } from './summary.js';

const HEAD = [
  'N',
  'quorum',
  'tolerates',
  'measured',
  'writable split sides',
  'election s',
  'first write s',
  'recovery s',
  'safety',
];

/** One row per size; a `!` marks a measurement that differs from theory. */
function sizeCells(row: SizeRow): string[] {
  const measured =
    row.measuredTolerated === null
      ? '-'
      : `${row.measuredTolerated}${row.measuredTolerated !== row.tolerated ? ' !' : ''}`;
  const splits =
    row.splits.length === 0
      ? '-'
      : row.splits
          .map(
            (s) =>
              `${s.split}: ${s.writableSides}${s.writableSides !== s.expected || s.splitBrain ? ' !' : ''}`,
          )
          .join(', ');
  return [
    String(row.size),
    String(row.quorum),
    String(row.tolerated),
    measured,
    splits,
    row.electionS === undefined ? '-' : fmt(row.electionS, 2),
    row.firstWriteS === undefined ? '-' : fmt(row.firstWriteS, 2),
    row.recoveryS === undefined ? '-' : fmt(row.recoveryS, 2),
    row.safety,
  ];
}

export function textTable(summary: QuorumSummary): string {
  const rows = [HEAD, ...summary.sizes.map(sizeCells)];
  const widths = HEAD.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = (summary.sizes.length === 0 ? [] : rows).map((r) =>
    r
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  );
  for (const layout of summary.layouts) lines.push(`${layout.sentence} [${layout.safety}]`);
  for (const finding of summary.findings) lines.push(`finding: ${finding}`);
  return lines.join('\n');
}

export function markdownTable(summary: QuorumSummary): string {
  const lines = [`| ${HEAD.join(' | ')} |`, `| ${HEAD.map(() => '---').join(' | ')} |`];
  // `1|4` inside a cell would end it: Markdown wants the bar escaped.
  for (const row of summary.sizes)
    lines.push(
      `| ${sizeCells(row)
        .map((c) => c.replace(/\|/g, '\\|'))
        .join(' | ')} |`,
    );
  return lines.join('\n');
}
