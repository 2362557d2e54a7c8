/** The lossyDataDir option, lossyfs's flags and reports, and the power family's schedule. Pure. */
import { describe, expect, it } from 'vitest';
import { NEMESIS_FAMILIES } from '../../nemeses/families.js';
import { dbOptionsForPower } from '../../nemeses/power.js';
import { etcd } from '../../src/db/etcd/index.js';
import { parseLoss } from '../../src/db/lossyfs/node.js';
import { lossyfsFlags, lossySettings } from '../../src/db/lossyfs/options.js';
import { nats } from '../../src/db/nats/index.js';
import type { DbContext } from '../../src/db/types.js';
import { InputError } from '../../src/errors.js';

const ctx = (options: Record<string, unknown>): DbContext =>
  ({ remote: undefined, nodes: ['n1'], options }) as unknown as DbContext;

describe('lossyDataDir', () => {
  it('is off unless asked for; true is honest fsync without writeback', () => {
    expect(lossySettings(undefined)).toBeNull();
    expect(lossySettings(false)).toBeNull();
    expect(lossySettings(true)).toEqual({ fsync: 'honest', writebackMs: 0 });
    expect(etcd.lossyDataDirEnabled(ctx({}))).toBe(false);
    expect(etcd.lossySettings(ctx({ lossyDataDir: { fsync: 'lies' } }))).toEqual({
      fsync: 'lies',
      writebackMs: 0,
    });
    expect(nats.lossyDataDirEnabled(ctx({ lossyDataDir: true }))).toBe(true);
  });

  it('becomes lossyfs flags', () => {
    expect(lossyfsFlags({ fsync: 'honest', writebackMs: 0 })).toEqual([]);
    expect(lossyfsFlags({ fsync: 'lies', writebackMs: 2000 })).toEqual([
      '--fsync-lies',
      '--writeback-ms',
      '2000',
    ]);
  });

  it('refuses a typo, naming the field', () => {
    expect(() => etcd.options(ctx({ lossyDataDir: { fsync: 'never' } }))).toThrow(InputError);
    expect(() => etcd.options(ctx({ lossyDataDir: { writeback: 1 } }))).toThrow(/lossyDataDir/);
  });

  it('puts the real files beside the mount point', () => {
    const paths = etcd.lossyPaths(ctx({}), 'n1');
    expect(paths.mount).toBe('/var/lib/etcd/faultline/n1/etcd/data');
    expect(paths.backing).toBe('/var/lib/etcd/faultline/n1/etcd/data.backing');
  });
});

describe('lossyfs reports', () => {
  it('parses what a drop lost and what a drop would lose', () => {
    expect(parseLoss('dropped files=3 bytes=12345\n')).toEqual({ files: 3, bytes: 12345 });
    expect(parseLoss('unsynced files=1 bytes=60 drops=0 lost_files=0 lost_bytes=0 fsync=honest')).toEqual({
      files: 1,
      bytes: 60,
    });
    expect(parseLoss('lossyfs is not mounted')).toBeNull();
  });
});

describe('the power family', () => {
  it('loses unsynced writes on the targets and powers them on at the stop', () => {
    const power = NEMESIS_FAMILIES.get('power');
    expect(power.requires).toEqual(['kill', 'lossyDataDir']);
    expect(power.effects).toEqual({ 'lose-unsynced': 'begins', 'power-on': 'ends' });
    expect(power.schedule({ targets: ['one', 'all'] })).toEqual({
      startOps: [
        { f: 'lose-unsynced', value: 'one' },
        { f: 'lose-unsynced', value: 'all' },
      ],
      stopOp: { f: 'power-on', value: null },
      finalOps: [{ f: 'power-on', value: null }],
    });
  });

  it('turns lossyDataDir on for a run with power, unless the plan says otherwise', () => {
    expect(dbOptionsForPower(['kill', 'power'], { preVote: true })).toEqual({
      preVote: true,
      lossyDataDir: true,
    });
    expect(dbOptionsForPower(['power'], { lossyDataDir: false })).toEqual({ lossyDataDir: false });
    expect(dbOptionsForPower(['kill'], {})).toEqual({});
  });
});
