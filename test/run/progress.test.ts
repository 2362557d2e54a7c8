import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Op } from '../../src/history/op.js';
import { Progress } from '../../src/run/progress.js';

function sink(tty: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  let text = '';
  const w = new Writable({
    write(chunk, _enc, done) {
      text += chunk.toString();
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  Object.assign(w, { isTTY: tty, columns: 200 });
  return { stream: w, text: () => text };
}

let index = 0;
const op = (type: Op['type'], process: Op['process'], f: string, value: unknown = null): Op => ({
  index: index++,
  time: 0,
  type,
  process,
  f,
  value,
});

describe('progress', () => {
  it('counts completions and follows faults as they start and end', () => {
    const { stream } = sink(false);
    const p = new Progress({ stream, timeLimitS: 60 });
    p.onPhase('main');
    p.onOp(op('invoke', 0, 'read'));
    p.onOp(op('ok', 0, 'read'));
    p.onOp(op('fail', 1, 'cas'));
    p.onOp(op('info', 2, 'write'));
    p.onOp(op('info', 'nemesis', 'start-partition', { kind: 'majority', grudge: {} }));
    p.onOp(op('info', 'nemesis', 'kill', { targets: 'one', nodes: ['n3'] }));
    expect(p.line()).toMatch(/ok 1 {2}fail 1 {2}info 1 {2}fault: start-partition majority, kill n3$/);
    expect(p.line()).toMatch(/^\[main \d+s, (59s|1m00s) left\]/);
    p.onOp(op('info', 'nemesis', 'stop-partition'));
    expect(p.line()).toMatch(/fault: kill n3$/);
    p.onOp(op('info', 'nemesis', 'start'));
    expect(p.line()).toMatch(/fault: none$/);
  });

  it('on a TTY redraws one line in place; log lines go above it', () => {
    const { stream, text } = sink(true);
    const p = new Progress({ stream, timeLimitS: 10 });
    p.start();
    p.print('phase main');
    p.stop();
    expect(text()).toContain('phase main\n');
    expect(text()).toContain('\r\x1b[K[');
  });

  it('without a TTY prints plain lines, no escape codes', async () => {
    const { stream, text } = sink(false);
    const p = new Progress({ stream, timeLimitS: 10, intervalMs: 20 });
    p.start();
    await new Promise((r) => setTimeout(r, 70));
    p.stop();
    expect(text()).toMatch(/^\[starting \d+s\] \d+ ops\/s/m);
    expect(text()).not.toContain('\x1b');
  });
});
