/**
 * A JVM skewed by the clock nemesis' libfaketime wrapper must still wait when it waits. With
 * Debian's libfaketime 0.9.10 on glibc 2.36, every timed wait on a CLOCK_MONOTONIC condvar
 * (Object.wait, LockSupport.parkNanos, the JVM's own monitors) returned at once unless
 * FAKETIME_FORCE_MONOTONIC_FIX=0: the JVM spun, and three skewed ZooKeeper servers on a busy
 * two-core machine had no quorum within a minute. Measured here by counting how often a
 * timed wait returns during one second of the JVM's own monotonic clock: about ten for
 * 100 ms waits, thousands when the waits do not wait. Needs java and Debian's faketime
 * (scripts/ensure-deps.sh installs both); runs on the controller host, no ensemble.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKETIME_WRAPPER_SCRIPT } from '../../nemeses/clock.js';

const run = promisify(execFile);

/** Counts the returns of Object.wait(100) and parkNanos(100 ms) over one second each. */
const WAKEUPS_JAVA = `
import java.util.concurrent.locks.LockSupport;
public class Wakeups {
  public static void main(String[] args) throws Exception {
    Object monitor = new Object();
    long waits = 0, parks = 0;
    long end = System.nanoTime() + 1_000_000_000L;
    while (System.nanoTime() < end) { synchronized (monitor) { monitor.wait(100); } waits++; }
    end = System.nanoTime() + 1_000_000_000L;
    while (System.nanoTime() < end) { LockSupport.parkNanos(100_000_000L); parks++; }
    System.out.println("waits=" + waits + " parks=" + parks + " wall=" + System.currentTimeMillis());
  }
}
`;

/** Well above the ~10 returns of waits that wait (spurious wake-ups are rare), far below a spin. */
const MAX_RETURNS = 60;

let dir: string;
let wrapper: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flf-faketime-jvm-'));
  await writeFile(join(dir, 'Wakeups.java'), WAKEUPS_JAVA);
  // javac from the JRE's own jdk.compiler module, compiled once outside libfaketime.
  const javac = ['-XX:-UsePerfData', '-m', 'jdk.compiler/com.sun.tools.javac.Main', '-d', dir];
  await run('java', [...javac, join(dir, 'Wakeups.java')], { timeout: 120_000 });
  const made = await run('bash', ['-c', FAKETIME_WRAPPER_SCRIPT, 'faketime-wrapper', dir, 'java']);
  wrapper = made.stdout.trim();
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Measured {
  waits: number;
  parks: number;
  /** The JVM's wall clock minus the host's, in ms. */
  skewMs: number;
}

async function measure(
  offset: string,
  java: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Measured> {
  await writeFile(join(dir, 'faketime'), `${offset}\n`);
  const out = await run(java, ['-XX:-UsePerfData', '-cp', dir, 'Wakeups'], { env, timeout: 120_000 });
  const m = /waits=(\d+) parks=(\d+) wall=(\d+)/.exec(out.stdout);
  if (!m) throw new Error(`unexpected output: ${out.stdout}${out.stderr}`);
  return { waits: Number(m[1]), parks: Number(m[2]), skewMs: Number(m[3]) - Date.now() };
}

describe('a JVM under the clock nemesis libfaketime wrapper', () => {
  for (const offset of ['+60s', '-60s']) {
    it(`is skewed by ${offset} and its timed waits still wait`, async () => {
      const m = await measure(offset, wrapper);
      console.log(
        `libfaketime ${offset}: ${m.waits} Object.wait and ${m.parks} parkNanos returns in 1 s each`,
      );
      expect(Math.sign(m.skewMs)).toBe(offset.startsWith('-') ? -1 : 1);
      expect(Math.abs(m.skewMs)).toBeGreaterThan(50_000);
      expect(m.waits).toBeLessThanOrEqual(MAX_RETURNS);
      expect(m.parks).toBeLessThanOrEqual(MAX_RETURNS);
    });
  }

  it('control: with libfaketime left to its default monotonic fix, the same waits spin', async () => {
    // The wrapper's environment minus FAKETIME_FORCE_MONOTONIC_FIX=0, as the wrapper had before.
    const text = await run('cat', [wrapper]);
    const lib = /LD_PRELOAD=(\S+)/.exec(text.stdout)?.[1];
    expect(lib).toBeDefined();
    const env = {
      ...process.env,
      LD_PRELOAD: lib,
      FAKETIME_TIMESTAMP_FILE: join(dir, 'faketime'),
      FAKETIME_CACHE_DURATION: '1',
      FAKETIME_DONT_FAKE_MONOTONIC: '1',
    };
    const m = await measure('+60s', 'java', env);
    console.log(
      `libfaketime +60s, default monotonic fix: ${m.waits} wait and ${m.parks} park returns in 1 s each`,
    );
    expect(Math.max(m.waits, m.parks)).toBeGreaterThan(MAX_RETURNS);
  });
});
