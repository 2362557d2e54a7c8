import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  FAKETIME_ACTIVE_SCRIPT,
  FAKETIME_STROBE_SCRIPT,
  FAKETIME_WRAPPER_SCRIPT,
  faketimeOffset,
  SET_CLOCK_SCRIPT,
  SHIFT_CLOCK_SCRIPT,
  STROBE_CLOCK_SCRIPT,
} from '../../nemeses/clock.js';
import {
  ARM_SCRIPT,
  DISARM_SCRIPT,
  deadmanDir,
  HEAL_LEFTOVERS_SCRIPT,
  WATCHDOG_SCRIPT,
} from '../../nemeses/deadman.js';
import { BITFLIP_SCRIPT, pickFile, TRUNCATE_SCRIPT } from '../../nemeses/file.js';
import {
  fallbackScript,
  healPacketScript,
  netemArgs,
  netemScript,
  PROBE_NETEM_SCRIPT,
  parseBehaviour,
} from '../../nemeses/packet.js';
import {
  APPLY_PARTITION_SCRIPT,
  HEAL_PARTITION_SCRIPT,
  parsePartitionValue,
} from '../../nemeses/partition.js';
import { resumePidsSnippet, STOPPED_PIDS_SCRIPT } from '../../nemeses/pause.js';
import { InputError } from '../../src/errors.js';
import { fallBackOutsideCI } from '../support/prerequisites.js';

function bash(script: string, args: string[] = []): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync('bash', ['-s', '--', ...args], { input: script, encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function syntaxOk(script: string): string {
  return spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' }).stderr;
}

describe('generated scripts', () => {
  it('all parse as bash', () => {
    const b = {
      delayMs: 100,
      jitterMs: 10,
      lossPercent: 30,
      duplicatePercent: 1,
      reorderPercent: 5,
      rateKbit: 1000,
    };
    for (const s of [
      APPLY_PARTITION_SCRIPT,
      HEAL_PARTITION_SCRIPT,
      ARM_SCRIPT,
      DISARM_SCRIPT,
      HEAL_LEFTOVERS_SCRIPT,
      WATCHDOG_SCRIPT,
      PROBE_NETEM_SCRIPT,
      healPacketScript('/run/faultline/n1'),
      netemScript('/run/faultline/n1', b),
      fallbackScript('/run/faultline/n1', b, 7),
      STOPPED_PIDS_SCRIPT,
      resumePidsSnippet([12, 13]),
      SHIFT_CLOCK_SCRIPT,
      SET_CLOCK_SCRIPT,
      STROBE_CLOCK_SCRIPT,
      FAKETIME_WRAPPER_SCRIPT,
      FAKETIME_ACTIVE_SCRIPT,
      FAKETIME_STROBE_SCRIPT,
      TRUNCATE_SCRIPT,
      BITFLIP_SCRIPT,
    ]) {
      expect(syntaxOk(s)).toBe('');
    }
  });

  it('the fallback embeds a helper that compiles with python3', () => {
    const script = fallbackScript('/x', { delayMs: 5 }, 1);
    const py = script.split("<<'FAULTLINE_EOF'\n")[1]!.split('FAULTLINE_EOF')[0]!;
    const r = spawnSync('python3', ['-c', 'import sys, ast; ast.parse(sys.stdin.read())'], {
      input: py,
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('loss-only fallback needs no helper; delay does', () => {
    expect(fallbackScript('/x', { lossPercent: 30 }, 1)).not.toContain('NFQUEUE');
    expect(fallbackScript('/x', { lossPercent: 30 }, 1)).toContain('--probability 0.300000');
    expect(fallbackScript('/x', { delayMs: 100 }, 1)).toContain('-j NFQUEUE --queue-num');
  });

  it('netem arguments', () => {
    expect(netemArgs({ delayMs: 100, jitterMs: 10, lossPercent: 30 })).toEqual([
      'delay',
      '100ms',
      '10ms',
      'loss',
      '30%',
    ]);
    expect(netemArgs({ reorderPercent: 5 })).toEqual(['delay', '10ms', 'reorder', '5%']);
    expect(netemArgs({ rateKbit: 512 })).toEqual(['rate', '512kbit']);
  });

  it('validates packet behaviours and partition values with the field', () => {
    expect(parseBehaviour({ targets: 'all', delayMs: 100 })).toEqual({ delayMs: 100 });
    expect(() => parseBehaviour({ lossPercent: 130 })).toThrow(/value.lossPercent/);
    expect(() => parseBehaviour({ delayMs: -1 })).toThrow(InputError);
    expect(() => parseBehaviour({ targets: 'all' })).toThrow(/no packet behaviour/);
    expect(parsePartitionValue('bridge')).toBe('bridge');
    expect(parsePartitionValue({ kind: 'halves' })).toBe('halves');
    expect(parsePartitionValue({ grudge: { a: ['b'], b: ['a'] } })).toEqual({ a: ['b'], b: ['a'] });
    expect(() => parsePartitionValue({ grudge: { a: 'b' } })).toThrow(/value.grudge.a/);
  });

  it('libfaketime offsets, and a wrapper that runs the real program under them', () => {
    expect(faketimeOffset(60_000)).toBe('+60s');
    expect(faketimeOffset(-1500)).toBe('-1.5s');
    const dir = mkdtempSync(join(tmpdir(), 'fl-faketime-'));
    const made = bash(FAKETIME_WRAPPER_SCRIPT, [dir, 'date']);
    if (made.code !== 0) {
      // No libfaketime on this machine: the script must say so (and CI must have it).
      expect(made.stderr).toMatch(/libfaketime is not installed/);
      fallBackOutsideCI('libfaketime (Debian faketime, installed by scripts/ensure-deps.sh)');
      return;
    }
    writeFileSync(join(dir, 'faketime'), '+3600s\n');
    const faked = Number(spawnSync(made.stdout.trim(), ['+%s'], { encoding: 'utf8' }).stdout.trim());
    expect(faked - Date.now() / 1000).toBeGreaterThan(3590);
    expect(faked - Date.now() / 1000).toBeLessThan(3610);
    rmSync(dir, { recursive: true });
  });

  it('picks data files', () => {
    const files = ['/d/member/snap/db', '/d/member/wal/0.wal', '/d/member/wal/1.wal'];
    expect(pickFile(files, undefined, () => 0)).toBe('/d/member/wal/1.wal');
    expect(pickFile(files, 'snap', () => 0.9)).toBe('/d/member/snap/db');
    expect(pickFile(files, 'nothing', () => 0)).toBeUndefined();
  });

  it('truncates and flips bits in place', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fl-file-'));
    const f = join(dir, 'wal');
    writeFileSync(f, Buffer.alloc(100, 0x41));
    expect(bash(TRUNCATE_SCRIPT, [f, '90']).stdout.trim()).toBe('90');
    expect(bash(BITFLIP_SCRIPT, [f, '89', '0']).stdout.trim()).toBe('65->64');
    const data = readFileSync(f);
    expect(data.length).toBe(90);
    expect(data[89]).toBe(0x40);
    expect(data[88]).toBe(0x41);
    rmSync(dir, { recursive: true });
  });
});

describe('dead-man watchdog (real bash, local folder)', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) {
      bash(HEAL_LEFTOVERS_SCRIPT, [d]);
      rmSync(d, { recursive: true, force: true });
    }
  });

  function armed(timeoutS: number): { dir: string; marker: string } {
    const base = mkdtempSync(join(tmpdir(), 'fl-deadman-'));
    const dir = deadmanDir('n1', base);
    dirs.push(dir);
    const marker = join(base, 'healed');
    const r = bash(ARM_SCRIPT, [
      dir,
      String(timeoutS),
      'partition',
      `echo healed >> ${marker}`,
      WATCHDOG_SCRIPT,
    ]);
    expect(r.stdout).toMatch(/^started \d+/);
    return { dir, marker };
  }

  it('heals once the lease is not renewed for N seconds, then exits', async () => {
    const { dir, marker } = armed(2);
    const pid = Number(readFileSync(join(dir, 'watchdog.pid'), 'utf8'));
    await new Promise((r) => setTimeout(r, 1000));
    expect(existsSync(marker)).toBe(false);
    await new Promise((r) => setTimeout(r, 3000));
    expect(readFileSync(marker, 'utf8')).toBe('healed\n');
    expect(existsSync(join(dir, 'heal.d', 'partition.sh'))).toBe(false);
    // It exits right after healing; on a loaded machine that may take a moment.
    const alive = () => spawnSync('kill', ['-0', String(pid)]).status === 0;
    for (let i = 0; i < 50 && alive(); i++) await new Promise((r) => setTimeout(r, 100));
    expect(alive()).toBe(false);
  });

  it('does not heal while the lease is renewed; a second arm reuses the watchdog', async () => {
    const { dir, marker } = armed(2);
    const again = bash(ARM_SCRIPT, [dir, '2', 'pause', 'true', WATCHDOG_SCRIPT]);
    expect(again.stdout).toMatch(/^running \d+/);
    for (let i = 0; i < 8; i++) {
      writeFileSync(join(dir, 'lease'), String(i));
      await new Promise((r) => setTimeout(r, 600));
    }
    expect(existsSync(marker)).toBe(false);
    expect(bash(DISARM_SCRIPT, [dir, 'partition']).stdout.trim()).toBe('armed');
    expect(bash(DISARM_SCRIPT, [dir, 'pause']).stdout.trim()).toMatch(/^stopped \d+/);
    await new Promise((r) => setTimeout(r, 2500));
    expect(existsSync(marker)).toBe(false);
  });

  it('owner tokens: another owner is refused while faults are live, cannot disarm them; force takes over', () => {
    const dir = deadmanDir('n1', mkdtempSync(join(tmpdir(), 'fl-deadman-')));
    dirs.push(dir);
    const arm = (family: string, token: string, who: string, force: string) =>
      bash(ARM_SCRIPT, [dir, '30', family, 'true', WATCHDOG_SCRIPT, token, who, force]);
    expect(arm('partition', 'tok-a', 'run A', '0').stdout).toMatch(/^started \d+/);
    const refused = arm('packet', 'tok-b', 'run B', '0');
    expect(refused.code).toBe(3);
    expect(refused.stdout.trim()).toBe('foreign run A');
    expect(existsSync(join(dir, 'heal.d', 'packet.sh'))).toBe(false);
    expect(bash(DISARM_SCRIPT, [dir, 'partition', 'tok-b']).stdout.trim()).toBe('foreign');
    expect(existsSync(join(dir, 'heal.d', 'partition.sh'))).toBe(true);
    expect(arm('packet', 'tok-b', 'run B', '1').stdout).toMatch(/^running \d+/);
    expect(readFileSync(join(dir, 'owner'), 'utf8')).toBe('tok-b\nrun B\n');
    expect(bash(DISARM_SCRIPT, [dir, 'partition', 'tok-b']).stdout.trim()).toBe('armed');
    expect(bash(DISARM_SCRIPT, [dir, 'packet', 'tok-b']).stdout.trim()).toMatch(/^stopped \d+/);
    expect(existsSync(join(dir, 'owner'))).toBe(false);
  });

  it('heal-leftovers runs the snippets and stops the watchdog', () => {
    const { dir, marker } = armed(30);
    const out = bash(HEAL_LEFTOVERS_SCRIPT, [dir]).stdout;
    expect(out).toMatch(/ran partition.sh/);
    expect(out).toMatch(/stopped watchdog \d+/);
    expect(readFileSync(marker, 'utf8')).toBe('healed\n');
  });
});
