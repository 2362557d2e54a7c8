/**
 * The checkers that look past the history's values: stats (never-succeeded ops, errors by
 * kind), crash (events of the node watch), log-patterns (a scan of real files on disk).
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRASH_F, checkCrashes, crashChecker, STATUS_F } from '../../checkers/crash.js';
import { judgeLogScan } from '../../checkers/log-patterns.js';
import { checkStats, errorKind, UNHANDLED_FIELD } from '../../checkers/stats.js';
import { InputError } from '../../src/errors.js';
import { scanLogs } from '../../src/run/log-scan.js';
import { type Event, history } from './build.js';

describe('stats', () => {
  const op = (p: number, f: string, outcome: 'ok' | 'fail' | 'info', extra?: Event[4]): Event[] => [
    [p, 'invoke', f],
    [p, outcome, f, null, extra],
  ];

  it('is valid when every op succeeded at least once, and counts per f', () => {
    const r = checkStats(
      history([...op(0, 'read', 'ok'), ...op(0, 'write', 'ok'), ...op(0, 'write', 'fail', { error: 'x' })]),
    );
    expect(r.valid).toBe(true);
    expect(r.byF.write).toEqual({ invoke: 2, ok: 1, fail: 1, info: 0 });
    expect(r.okFraction).toBeCloseTo(2 / 3);
  });

  it('is unknown when an op never succeeded, naming it', () => {
    const r = checkStats(
      history([
        ...op(0, 'read', 'fail', { error: 'timeout' }),
        ...op(0, 'write', 'ok'),
        ...op(1, 'read', 'info', { error: 'timeout' }),
      ]),
    );
    expect(r.valid).toBe('unknown');
    expect(r.neverOk).toEqual(['read']);
    expect(r.reason).toContain('read never succeeded');
  });

  it('groups errors by kind and counts the ones clients threw apart', () => {
    const r = checkStats(
      history([
        ...op(0, 'read', 'ok'),
        ...op(1, 'read', 'info', {
          error: 'connect ECONNREFUSED 10.0.0.1:2379',
          extra: { [UNHANDLED_FIELD]: 'Error' },
        }),
        ...op(2, 'read', 'info', {
          error: 'connect ECONNREFUSED 10.0.0.2:2379',
          extra: { [UNHANDLED_FIELD]: 'Error' },
        }),
        ...op(3, 'read', 'fail', { error: 'compare failed' }),
      ]),
    );
    expect(r.unhandledErrors).toBe(2);
    expect(r.errors[0]).toMatchObject({
      kind: 'connect ECONNREFUSED N:N',
      count: 2,
      unhandled: true,
      firstOp: 3,
    });
    expect(r.errors[1]).toMatchObject({ kind: 'compare failed', count: 1, unhandled: false });
    expect(errorKind('took 0x1f 12.5 ms "abc"')).toBe('took N N ms "…"');
  });

  it('is unknown without client ops', () => {
    expect(
      checkStats(
        history([
          ['nemesis', 'invoke', 'kill'],
          ['nemesis', 'info', 'kill'],
        ]),
      ).valid,
    ).toBe('unknown');
  });
});

describe('crash', () => {
  const status: Event[] = [
    ['nemesis', 'invoke', STATUS_F],
    ['nemesis', 'info', STATUS_F, { watched: true, probes: 12, alive: ['n1', 'n2'], dead: [], down: [] }],
  ];
  const crash = (node: string, kind = 'exited'): Event[] => [
    ['nemesis', 'invoke', CRASH_F],
    ['nemesis', 'info', CRASH_F, { node, kind, atS: 3.5, final: false, logTail: ['panic: boom'] }],
  ];
  const read: Event[] = [
    [0, 'invoke', 'read'],
    [0, 'ok', 'read', 1],
  ];

  it('is valid when the watch saw every server running', () => {
    const r = checkCrashes(history([...read, ...status]));
    expect(r.valid).toBe(true);
    expect(r.probes).toBe(12);
  });

  it('is invalid on a crash, naming the node, the op and the last log lines', () => {
    const r = checkCrashes(history([...read, ...crash('n2'), ...status]));
    expect(r.valid).toBe(false);
    expect(r.reason).toContain('n2 was not running');
    expect(r.crashes).toEqual([expect.objectContaining({ node: 'n2', op: 3, logTail: ['panic: boom'] })]);
    expect(crashChecker.explain?.(r)).toContain('n2 exited on its own (3.5 s, op 3)');
    const again = checkCrashes(history([...read, ...crash('n1', 'no-restart')]));
    expect(crashChecker.explain?.(again)).toContain('did not come back after its restart');
  });

  it('lists, without judging, the crash of a node whose data a nemesis damaged first', () => {
    const damage: Event[] = [
      ['nemesis', 'invoke', 'bitflip-file', { targets: 'one' }],
      ['nemesis', 'info', 'bitflip-file', { damages: [{ node: 'n2', file: '/d/wal', sizeBefore: 9 }] }],
    ];
    const r = checkCrashes(history([...read, ...damage, ...crash('n2'), ...status]));
    expect(r.valid).toBe(true);
    expect(r.afterDamage).toEqual([expect.objectContaining({ node: 'n2', damagedBy: 3 })]);
    // Damage after the crash excuses nothing.
    expect(checkCrashes(history([...read, ...crash('n2'), ...damage, ...status])).valid).toBe(false);
  });

  it('is unknown when the servers were not watched', () => {
    expect(checkCrashes(history(read)).valid).toBe('unknown');
    const unwatchable: Event[] = [
      ['nemesis', 'invoke', STATUS_F],
      ['nemesis', 'info', STATUS_F, { watched: false, reason: 'db x cannot tell its pid' }],
    ];
    expect(checkCrashes(history([...read, ...unwatchable])).reason).toBe('db x cannot tell its pid');
  });
});

describe('log-patterns', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'faultline-logs-'));
    mkdirSync(join(dir, 'n1'));
    mkdirSync(join(dir, 'n2'));
    writeFileSync(join(dir, 'n1', 'etcd.log'), 'all good\n{"level":"panic","msg":"boom"}\nfine\n');
    writeFileSync(join(dir, 'n2', 'etcd.log'), 'all good\nstill good\n');
    writeFileSync(join(dir, 'outside.log'), 'panic: not a node log\n');
    symlinkSync(join(dir, 'outside.log'), join(dir, 'n2', 'linked.log'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds matching lines with node, file and line; symlinks are not followed', async () => {
    const scan = await scanLogs(dir, ['"level":"(panic|fatal)"', '^panic: ']);
    expect(scan.files).toBe(2);
    expect(scan.matches).toEqual([
      {
        node: 'n1',
        file: 'etcd.log',
        line: 2,
        text: '{"level":"panic","msg":"boom"}',
        pattern: '"level":"(panic|fatal)"',
      },
    ]);
    const r = judgeLogScan(scan);
    expect(r.valid).toBe(false);
    expect(r.reason).toContain('(n1)');
  });

  it('is valid with no match, lists matches on deliberately damaged nodes without judging them', async () => {
    expect(judgeLogScan(await scanLogs(dir, ['FATAL'])).valid).toBe(true);
    const r = judgeLogScan(await scanLogs(dir, ['panic']), new Set(['n1']));
    expect(r.valid).toBe(true);
    expect(r.afterDamage).toHaveLength(1);
  });

  it('sets apart a match the db describes by its next line and a line before it, and only those', async () => {
    const expected = [
      { why: 'the known race', line: 'ERROR boom', next: '^cause: closed$', after: 'leaving' },
    ];
    const sub = mkdtempSync(join(tmpdir(), 'faultline-logs-'));
    mkdirSync(join(sub, 'n1'));
    writeFileSync(
      join(sub, 'n1', 'db.log'),
      [
        'leaving the leader', // 1
        'ERROR boom', // 2: expected (leaving before, cause after)
        'cause: closed',
        'ERROR boom', // 4: another cause: judged
        'cause: disk full',
        'ERROR other', // 6: not described: judged
        'cause: closed',
        'ERROR boom', // 8: the last line, no next line: judged
      ].join('\n'),
    );
    mkdirSync(join(sub, 'n2'));
    writeFileSync(join(sub, 'n2', 'db.log'), 'ERROR boom\ncause: closed\n'); // nothing before it: judged
    try {
      const scan = await scanLogs(sub, ['ERROR'], expected);
      expect(scan.expected).toEqual([
        { node: 'n1', file: 'db.log', line: 2, text: 'ERROR boom', pattern: 'ERROR', why: 'the known race' },
      ]);
      expect(scan.expectedCount).toBe(1);
      expect(scan.matches.map((m) => `${m.node}:${m.line}`)).toEqual(['n1:4', 'n1:6', 'n1:8', 'n2:1']);
      const r = judgeLogScan(scan);
      expect(r.matchCount).toBe(4);
      expect(r.expected).toHaveLength(1);
      // A window of one line: 'leaving' must be the line right before.
      const narrow = await scanLogs(sub, ['ERROR'], [{ ...expected[0]!, within: 1 }]);
      expect(narrow.expectedCount).toBe(1);
      writeFileSync(join(sub, 'n1', 'db.log'), 'leaving\nfiller\nERROR boom\ncause: closed\n');
      expect(
        (await scanLogs(sub, ['ERROR'], [{ ...expected[0]!, within: 1 }])).expectedCount,
      ).toBeUndefined();
      const onlyExpected = judgeLogScan(await scanLogs(sub, ['ERROR boom'], expected), new Set(['n2']));
      expect(onlyExpected.valid).toBe(true);
      expect(onlyExpected.expectedCount).toBe(1);
    } finally {
      rmSync(sub, { recursive: true, force: true });
    }
  });

  it('is unknown with no logs or no patterns; a bad pattern is bad input naming its place', async () => {
    expect(judgeLogScan(await scanLogs(join(dir, 'none'), ['x'])).valid).toBe('unknown');
    expect(judgeLogScan(await scanLogs(dir, [])).valid).toBe('unknown');
    await expect(scanLogs(dir, ['ok', '(unclosed'])).rejects.toThrow(InputError);
    await expect(scanLogs(dir, ['ok', '(unclosed'])).rejects.toThrow(/logPatterns\[1\]/);
  });
});
