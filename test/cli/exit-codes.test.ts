/**
 * The exit-code contract of `check`, `analyze`, `report` and `run` on hostile or broken
 * input, through the real CLI: 0 valid, 1 invalid, 2 unknown, 254 bad input with a one-line
 * message naming the file — never 255, never a hang.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mulberry32 } from '../../src/generator/random.js';
import { describeBuilt, faultline, needsBuild, ROOT, requireBuilt } from '../support/cli.js';

let dir: string;
beforeAll(() => {
  if (needsBuild) requireBuilt();
  dir = mkdtempSync(join(tmpdir(), 'faultline-exit-'));
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** One line on stderr, starting `faultline: `, no stack trace. */
function expectOneLine(stderr: string, pattern: RegExp): void {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^faultline: /);
  expect(lines[0]).toMatch(pattern);
  expect(stderr).not.toMatch(/internal error|\n\s+at /);
}

const WRITE_OK =
  '{"type":"invoke","process":0,"f":"write","value":1}\n{"type":"ok","process":0,"f":"write","value":1}\n';

describeBuilt('faultline check', () => {
  it('refuses 4 KiB of random bytes named .log (no op in it) with 254', () => {
    const rnd = mulberry32(7);
    const bytes = Buffer.from(Array.from({ length: 4096 }, () => Math.floor(rnd() * 256)));
    const r = faultline(['check', file('random.log', bytes), '--model', 'cas-register']);
    expect(r.status).toBe(254);
    expectOneLine(r.stderr, /random\.log:1: no Jepsen op line found/);
  });

  it('gives unknown (2), never valid, for an empty history', () => {
    for (const name of ['empty.jsonl', 'empty.edn', 'empty.log']) {
      const r = faultline(['check', file(name, ''), '--model', 'cas-register']);
      expect(r.status).toBe(2);
      expect(r.stdout).toMatch(/unknown: no operations/);
    }
  });

  it('refuses /dev/zero, /dev/urandom and a FIFO as a history with 254, without reading them', () => {
    symlinkSync('/dev/zero', join(dir, 'zero.jsonl'));
    symlinkSync('/dev/urandom', join(dir, 'urandom.edn'));
    execFileSync('mkfifo', [join(dir, 'fifo.jsonl')]);
    for (const [name, what] of [
      ['zero.jsonl', 'a device'],
      ['urandom.edn', 'a device'],
      ['fifo.jsonl', 'a FIFO'],
    ] as const) {
      const r = faultline(['check', join(dir, name), '--model', 'register', '--time-limit', '5'], {
        timeout: 30_000,
      });
      expect(r.status).toBe(254);
      expectOneLine(r.stderr, new RegExp(`${name}: ${what}, not a regular file`));
    }
  });

  it('refuses 100,000 nested EDN vectors and JSON arrays with 254 and the nesting limit', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const edn = faultline(['check', file('deep.edn', `${deep}\n`), '--model', 'register']);
    expect(edn.status).toBe(254);
    expectOneLine(edn.stderr, /deep\.edn:1:\d+: nested deeper than 100 levels/);
    const json = faultline([
      'check',
      file('deep.jsonl', `{"type":"invoke","process":0,"f":"write","value":${deep}}\n`),
      '--model',
      'register',
    ]);
    expect(json.status).toBe(254);
    expectOneLine(json.stderr, /deep\.jsonl:1:\d+: field value\[0\]\[0\].*: nested deeper than 100 levels/);
  });

  it('refuses 1e400 (JSONL) and 1e99999 (EDN) with 254 naming file, line and field', () => {
    const json = faultline([
      'check',
      file('inf.jsonl', WRITE_OK.replace(/"value":1}\n$/, '"value":1e400}\n')),
      '--model',
      'register',
    ]);
    expect(json.status).toBe(254);
    expectOneLine(json.stderr, /inf\.jsonl:2:\d+: field value: Infinity is not a finite number/);
    const edn = faultline([
      'check',
      file('inf.edn', '{:type :invoke, :process 0, :f :write, :value [1 1e99999]}\n'),
      '--model',
      'register',
    ]);
    expect(edn.status).toBe(254);
    expectOneLine(edn.stderr, /inf\.edn:1:\d+: field value\[1\]: Infinity is not a finite number/);
    const converted = faultline(['convert', join(dir, 'inf.jsonl'), join(dir, 'inf-out.edn')]);
    expect(converted.status).toBe(254);
  });

  it('refuses a completion earlier than its invocation with 254 and its position, for perf too', () => {
    const back = file(
      'back.jsonl',
      '{"type":"invoke","process":0,"f":"read","value":null,"time":2000000000}\n' +
        '{"type":"invoke","process":1,"f":"read","value":null,"time":3000000000}\n' +
        '{"type":"ok","process":0,"f":"read","value":1,"time":0}\n' +
        '{"type":"ok","process":1,"f":"read","value":1,"time":4000000000}\n',
    );
    for (const args of [
      ['--checker', 'perf'],
      ['--model', 'register'],
    ]) {
      const r = faultline(['check', back, ...args]);
      expect(r.status).toBe(254);
      expectOneLine(
        r.stderr,
        /back\.jsonl:3:?\d*: field time: completion \(op 2\) at time 0 is earlier than its invocation \(op 0\)/,
      );
    }
  });

  it('prints the torn-last-line warning before exiting', () => {
    const r = faultline(['check', file('torn.jsonl', `${WRITE_OK}{"type":"inv`), '--model', 'register']);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/torn\.jsonl:3: torn last line ignored/);
  });

  it('refuses --checker __proto__ with 254 like any unknown checker', () => {
    const r = faultline(['check', file('proto.jsonl', WRITE_OK), '--checker', '__proto__']);
    expect(r.status).toBe(254);
    expectOneLine(r.stderr, /unknown checker "__proto__"/);
  });
});

describeBuilt('faultline check --initial', () => {
  // Knossos' data/multi-register/good/multi-register.edn (jepsen-io/knossos, EPL-1.0), unchanged:
  // valid for a multi-register that starts at x = 0, y = 0, and only then.
  const knossos = join(ROOT, 'test/cli/fixtures/knossos-multi-register.edn');

  it("checks Knossos' multi-register history valid from x = 0, y = 0", () => {
    const r = faultline(['check', knossos, '--model', 'multi-register', '--initial', '{"x":0,"y":0}']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('finds it invalid from empty registers (a read of y = 0 before any write of 0)', () => {
    expect(faultline(['check', knossos, '--model', 'multi-register']).status).toBe(1);
  });

  it('sets a cas-register initial value; bad JSON or a model without one is 254', () => {
    const readZero = file(
      'read-zero.jsonl',
      '{"type":"invoke","process":0,"f":"read","value":null}\n{"type":"ok","process":0,"f":"read","value":0}\n',
    );
    expect(faultline(['check', readZero, '--model', 'cas-register']).status).toBe(1);
    expect(faultline(['check', readZero, '--model', 'cas-register', '--initial', '0']).status).toBe(0);
    const bad = faultline(['check', readZero, '--model', 'cas-register', '--initial', '{x']);
    expect(bad.status).toBe(254);
    expectOneLine(bad.stderr, /field --initial: expected JSON/);
    const noInitial = faultline(['check', readZero, '--model', 'fifo-queue', '--initial', '[]']);
    expect(noInitial.status).toBe(254);
    expectOneLine(noInitial.stderr, /field --initial: model "fifo-queue" has no settable initial state/);
  });
});

describeBuilt('faultline analyze', () => {
  function run(name: string, facts: unknown): string {
    const runDir = join(dir, name);
    mkdirSync(runDir);
    writeFileSync(join(runDir, 'history.jsonl'), WRITE_OK);
    writeFileSync(join(runDir, 'test.json'), JSON.stringify(facts));
    return runDir;
  }

  it('refuses --checker __proto__ with 254 (it ran no checker and said valid)', () => {
    const r = faultline(['analyze', run('proto-flag', { workload: 'register' }), '--checker', '__proto__']);
    expect(r.status).toBe(254);
    expectOneLine(r.stderr, /field --checker: unknown checker "__proto__"/);
  });

  it('refuses an unknown checker named in test.json with 254, naming the file', () => {
    for (const name of ['nosuch', '__proto__']) {
      const runDir = run(`stored-${name}`, { plan: { checkers: JSON.parse(`{"${name}":{}}`) } });
      const r = faultline(['analyze', runDir]);
      expect(r.status).toBe(254);
      expectOneLine(
        r.stderr,
        new RegExp(`test\\.json: field plan\\.checkers\\.${name}: unknown checker "${name}"`),
      );
    }
  });
});

describeBuilt('faultline report', () => {
  it('refuses a results.json nested 100,000 deep with 254', () => {
    const runDir = join(dir, 'deep-results');
    mkdirSync(runDir);
    writeFileSync(join(runDir, 'history.jsonl'), WRITE_OK);
    writeFileSync(
      join(runDir, 'results.json'),
      `{"valid":true,"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
    );
    const r = faultline(['report', runDir]);
    expect(r.status).toBe(254);
    expectOneLine(r.stderr, /results\.json: field x\[0\].*: nested deeper than 100 levels/);
  });
});

describeBuilt('faultline run (plans)', () => {
  it('refuses a YAML alias bomb with 254', () => {
    let yaml = 'a0: &a0 [x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i <= 9; i++)
      yaml += `a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(', ')}]\n`;
    const r = faultline(['run', file('bomb.yaml', `${yaml}workload: [*a9]\n`)]);
    expect(r.status).toBe(254);
    expectOneLine(r.stderr, /bomb\.yaml: Excessive alias count .* \(at most 100 aliases\)/);
  });

  it('refuses a plan larger than 1 MiB with 254', () => {
    const r = faultline(['run', file('huge.yaml', `workload: noop\n# ${'x'.repeat(2 << 20)}\n`)]);
    expect(r.status).toBe(254);
    expectOneLine(r.stderr, /huge\.yaml: \d+ bytes: larger than the 1048576-byte limit/);
  });

  it('refuses a matrix of more than 10,000 runs with 254', () => {
    const values = `[${Array.from({ length: 200 }, (_, i) => i + 1).join(', ')}]`;
    const r = faultline([
      'run',
      file('matrix.yaml', `workload: noop\nmatrix:\n  seed: ${values}\n  concurrency: ${values}\n`),
    ]);
    expect(r.status).toBe(254);
    expectOneLine(r.stderr, /matrix\.yaml:\d+:\d+: field matrix: the matrix expands to 40000 runs/);
  });
});
