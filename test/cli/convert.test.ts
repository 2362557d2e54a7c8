import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readHistoryFile, readHistoryFileWithWarnings } from '../../src/history/codecs/index.js';
import { describeBuilt, needsBuild, ROOT, requireBuilt, faultline as run } from '../support/cli.js';
import { PORCUPINE_DIR } from '../support/paths.js';

const CORPUS = PORCUPINE_DIR;

const faultline = (...args: string[]) => run(args);

let dir: string;
beforeAll(async () => {
  if (needsBuild) requireBuilt();
  dir = await mkdtemp(join(tmpdir(), 'faultline-cli-'));
}, 180_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describeBuilt('faultline convert', () => {
  it('converts a Jepsen log to JSONL and EDN and back, keeping every op', async () => {
    const log = join(CORPUS, 'etcd/etcd_002.log');
    const original = await readHistoryFile(log);
    for (const [from, to] of [
      [log, join(dir, 'a.jsonl')],
      [join(dir, 'a.jsonl'), join(dir, 'a.edn')],
      [join(dir, 'a.edn'), join(dir, 'a.log')],
    ] as const) {
      const r = faultline('convert', from, to);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect((await readHistoryFile(to)).ops).toEqual(original.ops);
    }
    expect((await readFile(join(dir, 'a.edn'), 'utf8')).split('\n')[0]).toBe(
      '{:index 0, :time 0, :type :invoke, :process 4, :f :read, :value nil}', // INFO  jepsen.util - 4 :invoke :read nil
    );
  });

  it('converts Porcupine kv EDN lines (.txt) to JSONL with the key kept', async () => {
    const out = join(dir, 'kv.jsonl');
    expect(faultline('convert', join(CORPUS, 'kv/c01-ok.txt'), out).status).toBe(0);
    expect((await readFile(out, 'utf8')).split('\n')[0]).toBe(
      '{"index":0,"time":0,"type":"invoke","process":0,"f":"append","value":"x 0 0 y","key":"0"}',
    );
  });

  const bad: [string, string, string, RegExp][] = [
    [
      'mistyped',
      'type.jsonl',
      '{"type":"invoke","process":0,"f":"read","value":null}\n{"type":"okk","process":0,"f":"read","value":1}\n',
      /^faultline: .*type\.jsonl:2:2: field type: expected one of invoke, ok, fail, info, got "okk"$/,
    ],
    [
      'process not a number',
      'process.jsonl',
      '{"type":"invoke","process":"x","f":"read","value":null}\n',
      /^faultline: .*process\.jsonl:1:18: field process: expected an integer or nemesis, got "x"$/,
    ],
    [
      'time not a number',
      'time.edn',
      '{:type :invoke, :process 0, :f :read, :value nil, :time "noon"}\n',
      /^faultline: .*time\.edn:1:51: field time: expected a number of nanoseconds, got "noon"$/,
    ],
    [
      'missing field',
      'missing.edn',
      '{:type :invoke, :process 0, :value nil}\n',
      /^faultline: .*missing\.edn:1:1: field f: missing field f$/,
    ],
    [
      'truncated',
      'truncated.edn',
      '{:type :invoke, :process 0, :f :read, :value nil}\n{:type :ok, :process 0, :f :re',
      /^faultline: .*truncated\.edn:2:1: field f: unexpected end of file \(truncated\?\): this form is never closed$/,
    ],
    [
      'unknown extension',
      'history.csv',
      'type,process\n',
      /^faultline: .*history\.csv: cannot tell the history format from the extension ".csv"/,
    ],
  ];
  for (const [name, file, text, message] of bad) {
    it(`exits 254 with a one-line message for ${name} input`, async () => {
      const input = join(dir, file);
      await writeFile(input, text);
      const out = join(dir, `${file}.out.jsonl`);
      const r = faultline('convert', input, out);
      expect(r.status).toBe(254);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr.trimEnd()).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(existsSync(out)).toBe(false);
    });
  }

  it('exits 254 for a missing input file', () => {
    const r = faultline('convert', join(dir, 'nope.jsonl'), join(dir, 'nope.edn'));
    expect(r.status).toBe(254);
    expect(r.stderr).toMatch(/^faultline: .*ENOENT.*nope\.jsonl/);
  });

  it('skips a torn last JSONL line with a warning, or refuses it with --strict', async () => {
    const input = join(dir, 'torn.jsonl');
    await writeFile(input, '{"type":"invoke","process":0,"f":"read","value":null}\n{"type":"ok","proc');
    const r = faultline('convert', input, join(dir, 'torn.edn'));
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(
      `faultline: warning: ${input}:2: torn last line ignored (was the writer killed mid-write?)\n`,
    );
    expect((await readHistoryFile(join(dir, 'torn.edn'))).incomplete()).toHaveLength(1);
    const strict = faultline('convert', '--strict', input, join(dir, 'torn2.edn'));
    expect(strict.status).toBe(254);
    expect(strict.stderr).toMatch(/torn\.jsonl:2:19: torn last line/);
  });
});

describeBuilt('JsonlWriter in a process killed with SIGKILL', () => {
  it('loses at most the last second of ops', async () => {
    const path = join(dir, 'killed.jsonl');
    const codecs = join(ROOT, 'dist/src/history/codecs/index.js');
    // The child records 2 ops a millisecond (too few to fill the 1 MiB buffer: only the timer flushes), stamped with its wall clock, and reports the
    // stamp of the last op it recorded on stdout (synchronous for pipes on Linux).
    const child = spawn(
      'node',
      [
        '--input-type=module',
        '-e',
        `import { JsonlWriter } from ${JSON.stringify(codecs)};
         const w = JsonlWriter.open(${JSON.stringify(path)});
         let i = 0;
         setInterval(() => {
           const now = Date.now();
           for (let k = 0; k < 2; k++, i++)
             w.write({ index: i, time: now, type: i % 2 ? 'ok' : 'invoke', process: 0, f: 'write', value: i });
           process.stdout.write(now + '\\n');
         }, 1);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let reported = '';
    child.stdout.on('data', (d: Buffer) => {
      reported += d.toString();
    });
    await new Promise((r) => setTimeout(r, 2500));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('close', r));
    const stamps = reported.trim().split('\n');
    const lastRecorded = Number(stamps[stamps.length - 1]);
    const { history, warnings } = await readHistoryFileWithWarnings(path);
    expect(history.length).toBeGreaterThan(100);
    expect(warnings.length).toBeLessThanOrEqual(1);
    const lastOnDisk = history.at(history.length - 1).time;
    expect(lastRecorded - lastOnDisk).toBeLessThan(1000);
    expect(lastRecorded - lastOnDisk).toBeGreaterThanOrEqual(0);
  }, 20_000);
});
