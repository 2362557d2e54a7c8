import { describe, expect, it } from 'vitest';
import { checkLinearizableSync, MODELS, type Model } from '../../checkers/linearizable/index.js';
import { InputError } from '../../src/errors.js';
import { type Event, history } from './helpers.js';

/** Runs `f` sequentially (each op completes before the next starts) and checks it. */
function sequential(model: string | Model, ops: [f: string, input: unknown, output?: unknown][]) {
  const events: Event[] = [];
  for (const [f, input, output] of ops) {
    events.push([0, 'invoke', f, input]);
    events.push([0, 'ok', f, output === undefined ? input : output]);
  }
  return checkLinearizableSync(history(events), model).valid;
}

describe('models', () => {
  it('registers every model by name', () => {
    expect([...MODELS.keys()].sort()).toEqual(
      [
        'cas-register',
        'fifo-queue',
        'kv',
        'multi-register',
        'mutex',
        'register',
        'set',
        'unordered-queue',
      ].sort(),
    );
  });

  it('register: reads see the last write; an ok read of nil means never written', () => {
    expect(
      sequential('register', [
        ['read', null, null],
        ['write', 1],
        ['read', null, 1],
      ]),
    ).toBe(true);
    expect(
      sequential('register', [
        ['write', 1],
        ['read', null, null],
      ]),
    ).toBe(false);
    expect(
      sequential('register', [
        ['write', 1],
        ['read', null, 2],
      ]),
    ).toBe(false);
    expect(
      sequential('register', [
        ['write', [1, 2]],
        ['read', null, [1, 2]],
      ]),
    ).toBe(true);
    expect(
      sequential('register', [
        ['write', false],
        ['read', null, false],
      ]),
    ).toBe(true);
    expect(
      sequential('register', [
        ['write', false],
        ['read', null, null],
      ]),
    ).toBe(false);
  });

  it('cas-register: cas takes effect only from the expected value', () => {
    expect(
      sequential('cas-register', [
        ['write', 1],
        ['cas', [1, 2]],
        ['read', null, 2],
      ]),
    ).toBe(true);
    expect(
      sequential('cas-register', [
        ['write', 1],
        ['cas', [3, 2]],
      ]),
    ).toBe(false);
    expect(
      sequential('cas-register', [
        ['cas', [null, 5]],
        ['read', null, 5],
      ]),
    ).toBe(true);
  });

  it('cas-register: a failed cas never happened; an info cas happened or not', () => {
    const failed = history([
      [0, 'invoke', 'write', 1],
      [0, 'ok', 'write', 1],
      [1, 'invoke', 'cas', [1, 2]],
      [1, 'fail', 'cas', [1, 2]],
      [2, 'invoke', 'read', null],
      [2, 'ok', 'read', 1],
    ]);
    expect(checkLinearizableSync(failed, 'cas-register').valid).toBe(true);
    const crashed = (read: number) =>
      history([
        [0, 'invoke', 'write', 1],
        [0, 'ok', 'write', 1],
        [1, 'invoke', 'cas', [1, 2]],
        [1, 'info', 'cas', [1, 2]],
        [2, 'invoke', 'read', null],
        [2, 'ok', 'read', read],
        [3, 'invoke', 'read', null],
        [3, 'ok', 'read', 1],
      ]);
    // The cas may take effect after the read of 2 only if... it cannot: 2 then 1 needs a write of 1.
    expect(checkLinearizableSync(crashed(2), 'cas-register').valid).toBe(false);
    expect(checkLinearizableSync(crashed(1), 'cas-register').valid).toBe(true);
  });

  it('an info op may take effect long after it crashed', () => {
    const h = history([
      [0, 'invoke', 'write', 7],
      [0, 'info', 'write', 7],
      [1, 'invoke', 'read', null],
      [1, 'ok', 'read', null],
      [2, 'invoke', 'read', null],
      [2, 'ok', 'read', 7],
    ]);
    expect(checkLinearizableSync(h, 'register').valid).toBe(true);
    // An info read constrains nothing and is dropped.
    const r = checkLinearizableSync(
      history([
        [0, 'invoke', 'read', null],
        [0, 'info', 'read', 3],
      ]),
      'register',
    );
    expect(r.valid).toBe(true);
    expect(r.stats.droppedUnknownReads).toBe(1);
  });

  it('kv: get/put/append per key, keys start as ""', () => {
    const ops: Event[] = [
      [0, 'invoke', 'get', null, 'a'],
      [0, 'ok', 'get', '', 'a'],
      [0, 'invoke', 'append', 'x', 'a'],
      [0, 'ok', 'append', 'x', 'a'],
      [0, 'invoke', 'append', 'y', 'a'],
      [0, 'ok', 'append', 'y', 'a'],
      [0, 'invoke', 'put', 'z', 'b'],
      [0, 'ok', 'put', 'z', 'b'],
      [0, 'invoke', 'get', null, 'a'],
      [0, 'ok', 'get', 'xy', 'a'],
    ];
    expect(checkLinearizableSync(history(ops), 'kv').valid).toBe(true);
    expect(checkLinearizableSync(history(ops), 'kv', { split: false }).valid).toBe(true);
    const bad: Event[] = [...ops, [0, 'invoke', 'get', null, 'b'], [0, 'ok', 'get', '', 'b']];
    expect(checkLinearizableSync(history(bad), 'kv').valid).toBe(false);
    expect(checkLinearizableSync(history(bad), 'kv', { split: false }).valid).toBe(false);
  });

  it('mutex: acquire only when free, release only when held', () => {
    expect(
      sequential('mutex', [
        ['acquire', null],
        ['release', null],
        ['acquire', null],
      ]),
    ).toBe(true);
    expect(
      sequential('mutex', [
        ['acquire', null],
        ['acquire', null],
      ]),
    ).toBe(false);
    expect(sequential('mutex', [['release', null]])).toBe(false);
  });

  it('set: a read returns exactly the elements added', () => {
    expect(
      sequential('set', [
        ['add', 1],
        ['add', 2],
        ['read', null, [2, 1]],
      ]),
    ).toBe(true);
    expect(
      sequential('set', [
        ['add', 1],
        ['add', 2],
        ['read', null, [1]],
      ]),
    ).toBe(false);
    expect(
      sequential('set', [
        ['add', 1],
        ['read', null, [1, 3]],
      ]),
    ).toBe(false);
  });

  it('fifo-queue: dequeues return the head; none from an empty queue', () => {
    const q = (out: unknown) =>
      sequential('fifo-queue', [
        ['enqueue', 1],
        ['enqueue', 2],
        ['dequeue', null, out],
      ]);
    expect(q(1)).toBe(true);
    expect(q(2)).toBe(false);
    expect(sequential('fifo-queue', [['dequeue', null, null]])).toBe(false);
  });

  it('fifo-queue: a crashed dequeue may have taken the head', () => {
    const events = (crash: boolean): Event[] => [
      [0, 'invoke', 'enqueue', 1],
      [0, 'ok', 'enqueue', 1],
      [0, 'invoke', 'enqueue', 2],
      [0, 'ok', 'enqueue', 2],
      ...(crash
        ? ([
            [1, 'invoke', 'dequeue', null],
            [1, 'info', 'dequeue', null],
          ] as Event[])
        : []),
      [2, 'invoke', 'dequeue', null],
      [2, 'ok', 'dequeue', 2],
    ];
    expect(checkLinearizableSync(history(events(true)), 'fifo-queue').valid).toBe(true);
    expect(checkLinearizableSync(history(events(false)), 'fifo-queue').valid).toBe(false);
  });

  it('unordered-queue: dequeues return any pending element, each once', () => {
    const q = (out: unknown) =>
      sequential('unordered-queue', [
        ['enqueue', 1],
        ['enqueue', 2],
        ['dequeue', null, out],
      ]);
    expect(q(2)).toBe(true);
    expect(q(3)).toBe(false);
    expect(
      sequential('unordered-queue', [
        ['enqueue', 1],
        ['dequeue', null, 1],
        ['dequeue', null, 1],
      ]),
    ).toBe(false);
    // A crashed dequeue (which may take any element) never makes a later dequeue possible.
    const h = history([
      [0, 'invoke', 'enqueue', 1],
      [0, 'ok', 'enqueue', 1],
      [1, 'invoke', 'dequeue', null],
      [1, 'info', 'dequeue', null],
      [2, 'invoke', 'dequeue', null],
      [2, 'ok', 'dequeue', 1],
    ]);
    expect(checkLinearizableSync(h, 'unordered-queue').valid).toBe(true);
  });

  it('nondeterministic models: the search tries every next state', () => {
    // A coin: `flip` lands on 0 or 1; `read` sees the side up.
    const coin: Model<number> = {
      name: 'coin',
      nondeterministic: true,
      init: () => 0,
      equal: (a, b) => a === b,
      hash: (s) => s,
      step: (s, op) => (op.f === 'flip' ? [0, 1] : op.output === s ? [s] : []),
    };
    const flips = (reads: number[]) =>
      history(
        reads.flatMap((r): Event[] => [
          [0, 'invoke', 'flip', null],
          [0, 'ok', 'flip', null],
          [0, 'invoke', 'read', null],
          [0, 'ok', 'read', r],
        ]),
      );
    expect(checkLinearizableSync(flips([1, 0, 1, 1]), coin).valid).toBe(true);
    const twoReads = history([
      [0, 'invoke', 'flip', null],
      [0, 'ok', 'flip', null],
      [0, 'invoke', 'read', null],
      [0, 'ok', 'read', 1],
      [0, 'invoke', 'read', null],
      [0, 'ok', 'read', 0],
    ]);
    expect(checkLinearizableSync(twoReads, coin).valid).toBe(false);
  });

  it('multi-register: txns of reads and writes; nil reads are unconstrained', () => {
    const txn = (input: unknown, output: unknown): [string, unknown, unknown] => ['txn', input, output];
    expect(
      sequential('multi-register', [
        txn(
          [
            ['w', 'x', 1],
            ['w', 'y', 2],
          ],
          [
            ['w', 'x', 1],
            ['w', 'y', 2],
          ],
        ),
        txn(
          [
            ['r', 'x', null],
            ['r', 'y', null],
          ],
          [
            ['r', 'x', 1],
            ['r', 'y', 2],
          ],
        ),
        txn([['r', 'z', null]], [['r', 'z', null]]),
      ]),
    ).toBe(true);
    expect(
      sequential('multi-register', [
        txn([['w', 'x', 1]], [['w', 'x', 1]]),
        txn([['r', 'x', null]], [['r', 'x', 2]]),
      ]),
    ).toBe(false);
  });

  it('rejects ops a model does not know, naming the op', () => {
    expect(() => sequential('register', [['frob', 1]])).toThrow(InputError);
    expect(() => sequential('cas-register', [['cas', 1]])).toThrow(/op 0 \(cas\).*\[expected new\]/);
    expect(() => checkLinearizableSync(history([]), 'nope')).toThrow(/unknown model "nope"; known: /);
  });
});
