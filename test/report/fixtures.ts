import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { opToJsonl } from '../../src/history/codecs/index.js';
import { History, type Op, type OpType, type Process } from '../../src/history/index.js';
import { runCheckers } from '../../src/run/check.js';

/** The op value that must stay text in the report. */
export const XSS = '<script>window.__xss=1</script>';

type Ev = [number, Process, OpType, string, unknown?];

/**
 * A register history, built by hand, that is not linearizable: after a write of the XSS
 * string completes, a read begins and returns the older value 1. A partition is injected
 * and healed around it.
 */
export function invalidRegisterOps(): Op[] {
  const events: Ev[] = [
    [0.0, 0, 'invoke', 'write', 1],
    [0.01, 0, 'ok', 'write', 1],
    [0.02, 1, 'invoke', 'read', null],
    [0.03, 1, 'ok', 'read', 1],
    [0.05, 'nemesis', 'invoke', 'start-partition', 'majorities-ring'],
    [0.06, 'nemesis', 'info', 'start-partition', 'majorities-ring'],
    [0.1, 0, 'invoke', 'write', XSS],
    [0.12, 0, 'ok', 'write', XSS],
    [0.13, 1, 'invoke', 'read', null],
    [0.15, 1, 'ok', 'read', 1],
    [0.16, 2, 'invoke', 'write', 3],
    [0.2, 2, 'info', 'write', 3],
    [0.3, 'nemesis', 'invoke', 'stop-partition', null],
    [0.31, 'nemesis', 'info', 'stop-partition', null],
    [0.35, 0, 'invoke', 'read', null],
    [0.36, 0, 'ok', 'read', 3],
  ];
  return events.map(([s, process, type, f, value], index) => ({
    index,
    time: Math.round(s * 1e9),
    type,
    process,
    f,
    value: value ?? null,
  }));
}

/** Writes a run folder for `ops` as the store does (history.jsonl, results.json, test.json). */
export async function writeRunFolder(dir: string, ops: Op[], facts: Record<string, unknown>): Promise<void> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'history.jsonl'), `${ops.map(opToJsonl).join('\n')}\n`);
  const result = await runCheckers(History.from(ops.map((o) => ({ ...o }))), {
    linearizable: { model: 'register' },
  });
  writeFileSync(join(dir, 'results.json'), JSON.stringify(result, null, 2));
  writeFileSync(join(dir, 'test.json'), JSON.stringify(facts, null, 2));
}
