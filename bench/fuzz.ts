/**
 * Fuzzing the exit-code contract: random and mutated histories, in every format, through
 * every reader and every checker (the linearizable one with every model), as
 * `faultline check` runs them. A case ends in 0 (valid), 1 (invalid), 2 (unknown) or 254
 * (bad input); 255 means a bug of faultline. The bench counts cases by exit code and
 * lists the first few 255s. `npm run bench -- fuzz` (100,000 cases; FUZZ_CASES=n to change).
 * test/fuzz/ runs the same cases under fast-check.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MODELS } from '../checkers/linearizable/index.js';
import { CHECKERS } from '../checkers/registry.js';
import { InputError } from '../src/errors.js';
import { type Random, seededRandom } from '../src/generator/random.js';
import { opToEdn, opToJepsenLog, opToJsonl } from '../src/history/codecs/index.js';
import type { Op, OpType } from '../src/history/op.js';
import { checkHistoryFile } from '../src/run/check.js';

/** What a case runs: a checker, and the model when it is `linearizable`. */
export interface FuzzTarget {
  checker: string;
  model?: string;
}

/** Every registered checker, the linearizable one once per built-in model. */
export function fuzzTargets(): FuzzTarget[] {
  const targets: FuzzTarget[] = [];
  for (const checker of CHECKERS.names()) {
    if (checker === 'linearizable') for (const model of MODELS.keys()) targets.push({ checker, model });
    else targets.push({ checker });
  }
  return targets;
}

/** The file extensions, one per reader (`.txt` is sniffed). */
export const FUZZ_EXTENSIONS = ['.jsonl', '.edn', '.log', '.txt'] as const;

/** One case: everything is derived from `seed`. */
export interface FuzzCase {
  seed: number;
  target: FuzzTarget;
  extension: (typeof FUZZ_EXTENSIONS)[number];
}

const FS = [
  'read',
  'write',
  'cas',
  'add',
  'txn',
  'enqueue',
  'dequeue',
  'drain',
  'acquire',
  'release',
  'transfer',
  'generate',
  'put',
  'get',
  'append',
  'leader',
];

/** The functions each target understands, so that most cases reach the checker's logic. */
const FS_OF: Record<string, readonly string[]> = {
  register: ['read', 'write'],
  'cas-register': ['read', 'write', 'cas'],
  kv: ['put', 'get', 'append'],
  'multi-register': ['txn'],
  mutex: ['acquire', 'release'],
  set: ['add', 'read'],
  'fifo-queue': ['enqueue', 'dequeue'],
  'unordered-queue': ['enqueue', 'dequeue'],
  'list-append': ['txn'],
  'rw-register': ['txn'],
  'set-full': ['add', 'read'],
  counter: ['add', 'read'],
  queue: ['enqueue', 'dequeue', 'drain'],
  'unique-ids': ['generate'],
  bank: ['transfer', 'read'],
  lock: ['acquire', 'release'],
  election: ['leader', 'read'],
};

function pick<T>(rnd: Random, xs: readonly T[]): T {
  return xs[Math.floor(rnd() * xs.length)]!;
}

function int(rnd: Random, n: number): number {
  return Math.floor(rnd() * n);
}

/** A value shaped for `f` most of the time, and anything (shallow) otherwise. */
function valueFor(rnd: Random, f: string, type: OpType): unknown {
  if (rnd() < 0.15) return anyValue(rnd, 3);
  const n = () => int(rnd, 5);
  switch (f) {
    case 'read':
      return type === 'invoke' ? null : pick(rnd, [n(), null, [n(), n()], { 0: n(), 1: n() }]);
    case 'cas':
      return [n(), n()];
    case 'txn':
      return Array.from({ length: 1 + int(rnd, 3) }, () =>
        pick(rnd, [
          ['append', n(), n()],
          ['r', n(), type === 'invoke' ? null : [n(), n()]],
          ['w', n(), n()],
          ['r', pick(rnd, ['x', 'y']), type === 'invoke' ? null : n()],
        ]),
      );
    case 'transfer':
      return { from: n(), to: n(), amount: n() };
    case 'drain':
      return type === 'invoke' ? null : [n(), n()];
    default:
      return rnd() < 0.3 ? [n(), n()] : n();
  }
}

function anyValue(rnd: Random, depth: number): unknown {
  const r = rnd();
  if (depth <= 0 || r < 0.5) {
    return pick(rnd, [null, true, false, int(rnd, 10), -1, 0.5, 'x', '', 1e300, Number.MAX_SAFE_INTEGER]);
  }
  if (r < 0.8) return Array.from({ length: int(rnd, 4) }, () => anyValue(rnd, depth - 1));
  return {
    a: anyValue(rnd, depth - 1),
    [pick(rnd, ['b', '#set', '__proto__', 'type'])]: anyValue(rnd, depth - 1),
  };
}

/** A plausible history: processes invoke and complete in turn, with crashes and a nemesis. */
export function randomOps(rnd: Random, target?: FuzzTarget): Op[] {
  const fs = (target && FS_OF[target.model ?? target.checker]) ?? FS;
  const ops: Op[] = [];
  const processes = 1 + int(rnd, 4);
  const open = new Map<number, Op>();
  let next = processes;
  const live = Array.from({ length: processes }, (_, i) => i);
  let time = 0;
  const length = int(rnd, 40);
  for (let i = 0; i < length; i++) {
    time += int(rnd, 1000);
    if (rnd() < 0.05) {
      ops.push({ index: i, time, type: 'info', process: 'nemesis', f: 'start-partition', value: 'halves' });
      continue;
    }
    const slot = int(rnd, live.length);
    const process = live[slot]!;
    const pending = open.get(process);
    if (!pending) {
      const f = rnd() < 0.9 ? pick(rnd, fs) : pick(rnd, FS);
      const op: Op = { index: i, time, type: 'invoke', process, f, value: valueFor(rnd, f, 'invoke') };
      if (rnd() < 0.1) op.key = int(rnd, 3);
      open.set(process, op);
      ops.push(op);
      continue;
    }
    const type = pick(rnd, ['ok', 'ok', 'ok', 'fail', 'info'] as const);
    const op: Op = { index: i, time, type, process, f: pending.f, value: valueFor(rnd, pending.f, type) };
    if (pending.key !== undefined) op.key = pending.key;
    open.delete(process);
    ops.push(op);
    if (type === 'info') live[slot] = next++;
  }
  return ops;
}

const TOKENS = [
  '1e400',
  '-1e99999',
  '[[[[',
  ']]',
  '{',
  '}',
  'nil',
  ':ok',
  ':invoke',
  '"',
  '\\',
  '#{',
  '#_',
  '#inst "x"',
  '12N',
  '__proto__',
  '"__proto__":1,',
  '"time":-5,',
  '\u0000',
  '\ufeff',
  'INFO  jepsen.util - 0\t:invoke\t:read\tnil\n',
  '\n',
];

/** Applies 1–4 random edits (flip, delete, duplicate, insert a nasty token, truncate). */
export function mutate(rnd: Random, text: string): string {
  let s = text;
  const edits = 1 + int(rnd, 4);
  for (let e = 0; e < edits; e++) {
    const at = int(rnd, s.length + 1);
    switch (int(rnd, 5)) {
      case 0:
        s = s.slice(0, at) + String.fromCharCode(int(rnd, 128)) + s.slice(at + 1);
        break;
      case 1:
        s = s.slice(0, at) + s.slice(at + 1 + int(rnd, 20));
        break;
      case 2: {
        const len = int(rnd, 80);
        s = s.slice(0, at) + s.slice(at, at + len) + s.slice(at);
        break;
      }
      case 3:
        s = s.slice(0, at) + pick(rnd, TOKENS) + s.slice(at);
        break;
      default:
        s = s.slice(0, at);
    }
  }
  return s;
}

function randomBytes(rnd: Random): Buffer {
  return Buffer.from(Array.from({ length: int(rnd, 4096) }, () => int(rnd, 256)));
}

/** The file content of a case: a history in the extension's format, often mutated; or noise. */
export function caseContent(c: FuzzCase): Buffer {
  const rnd = seededRandom(c.seed);
  const r = rnd();
  if (r < 0.05) return randomBytes(rnd);
  const ops = randomOps(rnd, c.target);
  const encode = c.extension === '.jsonl' ? opToJsonl : c.extension === '.log' ? opToJepsenLog : opToEdn;
  let text = '';
  try {
    const lines = ops.map(encode);
    text = c.extension === '.edn' && rnd() < 0.3 ? `[${lines.join('\n')}]` : `${lines.join('\n')}\n`;
  } catch {
    // A value the writer refuses (1e300 is fine; nothing else should be): write nothing.
  }
  return Buffer.from(r < 0.45 ? text : mutate(rnd, text));
}

/** faultline's exit code for an outcome, as the CLI's main() maps it. */
export function exitCodeOf(outcome: { valid: unknown } | unknown): number {
  if (outcome instanceof InputError) return 254;
  if (outcome instanceof Error) {
    const code = (outcome as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES' ? 254 : 255;
  }
  const valid = (outcome as { valid: unknown }).valid;
  return valid === true ? 0 : valid === false ? 1 : 2;
}

/** What running one case gave: its exit code, the error of a 255, and how long it took. */
export interface FuzzOutcome {
  code: number;
  error?: string;
  ms: number;
}

/** Writes the case's file into `dir` and checks it as `faultline check --time-limit` would. */
export async function runFuzzCase(dir: string, c: FuzzCase, timeLimitMs: number): Promise<FuzzOutcome> {
  const file = join(dir, `case${c.extension}`);
  writeFileSync(file, caseContent(c));
  const started = performance.now();
  let outcome: unknown;
  try {
    outcome = (await checkHistoryFile(file, { ...c.target, timeLimitMs })).result;
  } catch (err) {
    outcome = err;
  }
  const code = exitCodeOf(outcome);
  return {
    code,
    ms: performance.now() - started,
    ...(code === 255 ? { error: String((outcome as Error)?.stack ?? outcome).slice(0, 400) } : {}),
  };
}

/** The case numbered `i` of a run: targets and formats in turn, seeds from `i`. */
export function nthCase(i: number, targets: readonly FuzzTarget[], seedBase = 1): FuzzCase {
  return {
    seed: seedBase + i,
    target: targets[i % targets.length]!,
    extension: FUZZ_EXTENSIONS[Math.floor(i / targets.length) % FUZZ_EXTENSIONS.length]!,
  };
}

/** Figures of a fuzz run. */
export interface FuzzFigures {
  cases: number;
  /** The `--time-limit` of each case, in seconds. */
  timeLimitS: number;
  /** Cases by exit code: 0, 1, 2, 254, 255. */
  byExitCode: Record<string, number>;
  /** Cases that ran past the time limit (reading included) by more than a second. */
  overTimeLimit: number;
  slowestCaseMs: number;
  casesPerSecond: number;
  /** The first few 255s: case and error. */
  crashes: { case: FuzzCase; error: string }[];
  /** Every 255, counted by the first line of its error. */
  crashKinds: Record<string, number>;
}

export async function run(): Promise<FuzzFigures> {
  const cases = Number(process.env.FUZZ_CASES ?? 100_000);
  const first = Number(process.env.FUZZ_FIRST ?? 0);
  const timeLimitMs = 2000;
  const dir = mkdtempSync(join(process.env.FUZZ_DIR ?? tmpdir(), 'faultline-fuzz-'));
  const targets = fuzzTargets();
  const byExitCode: Record<string, number> = { 0: 0, 1: 0, 2: 0, 254: 0, 255: 0 };
  const crashes: FuzzFigures['crashes'] = [];
  const crashKinds: Record<string, number> = {};
  let overTimeLimit = 0;
  let slowest = 0;
  const started = performance.now();
  try {
    for (let i = first; i < first + cases; i++) {
      const c = nthCase(i, targets);
      const outcome = await runFuzzCase(dir, c, timeLimitMs);
      byExitCode[outcome.code] = (byExitCode[outcome.code] ?? 0) + 1;
      if (outcome.ms > timeLimitMs + 1000) overTimeLimit++;
      slowest = Math.max(slowest, outcome.ms);
      if (outcome.error) {
        const kind = outcome.error.split('\n')[0]!;
        crashKinds[kind] = (crashKinds[kind] ?? 0) + 1;
        if (crashes.length < 10) crashes.push({ case: c, error: outcome.error });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    cases,
    timeLimitS: timeLimitMs / 1000,
    byExitCode,
    overTimeLimit,
    slowestCaseMs: Math.round(slowest),
    casesPerSecond: Math.round(cases / seconds),
    crashes,
    crashKinds,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await run(), null, 2));
}
