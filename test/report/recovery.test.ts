import { describe, expect, it } from 'vitest';
import type { Op } from '../../src/history/op.js';
import { buildReportData } from '../../src/report/index.js';
import { describeRecovery } from '../../src/report/recovery.js';

/** A write, a partition healed at 2.1 s, then whatever `after` adds. */
function ops(after: [number, number, Op['type'], string][]): Op[] {
  const events: [number, Op['process'], Op['type'], string][] = [
    [0.0, 0, 'invoke', 'write'],
    [0.01, 0, 'ok', 'write'],
    [1.0, 'nemesis', 'invoke', 'start-partition'],
    [1.1, 'nemesis', 'info', 'start-partition'],
    [2.0, 'nemesis', 'invoke', 'stop-partition'],
    [2.1, 'nemesis', 'info', 'stop-partition'],
    ...after,
  ];
  return events.map(([s, process, type, f], index) => ({
    index,
    time: Math.round(s * 1e9),
    type,
    process,
    f,
    value: null,
  }));
}

describe('recovery in the report', () => {
  it('says "not measured" when no op completes after the final heal, never "never"', () => {
    const d = buildReportData(ops([]), null, {});
    expect(d.recoveryText).toEqual(['not measured']);
  });

  it('gives the time to the first ok when ops ran after the heal', () => {
    const d = buildReportData(
      ops([
        [2.2, 1, 'invoke', 'read'],
        [2.35, 1, 'ok', 'read'],
      ]),
      null,
      {},
    );
    expect(d.recoveryText).toEqual(['0.250 s']);
  });

  it('says "not by the end of the run" only when ops were tried after the heal and none succeeded', () => {
    const d = buildReportData(
      ops([
        [2.2, 1, 'invoke', 'read'],
        [2.3, 1, 'fail', 'read'],
      ]),
      null,
      {},
    );
    expect(d.recoveryText).toEqual(['not by the end of the run']);
  });

  it('reads results stored before recoveries said whether they were measured as not measured', () => {
    expect(describeRecovery({ recoverS: null })).toBe('not measured');
    expect(describeRecovery({ recoverS: 12.345 })).toBe('12.3 s');
  });
});
