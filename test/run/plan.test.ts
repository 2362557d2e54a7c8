import { describe, expect, it } from 'vitest';
import { overridesFromFlags } from '../../src/cli/test.js';
import { InputError } from '../../src/errors.js';
import { expandMatrix, nemesisList, parsePlan, testName } from '../../src/run/plan.js';

function errorOf(text: string, file = 'plans/x.yaml'): InputError {
  try {
    parsePlan(text, file);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error('expected an InputError');
}

describe('plan files', () => {
  it('fills in defaults and accepts overrides', () => {
    const plan = parsePlan('workload: register\ndb: etcd\nnemesis: [partition, kill]\n', 'p.yaml', {
      timeLimit: 7,
    });
    expect(plan).toMatchObject({
      workload: 'register',
      db: 'etcd',
      timeLimit: 7,
      concurrency: 10,
      rate: 100,
    });
    expect(nemesisList(plan)).toEqual(['partition', 'kill']);
    expect(testName(plan)).toBe('etcd-register');
    expect(nemesisList(parsePlan('workload: w\nnemesis: partition,pause\n', 'p.yaml'))).toEqual([
      'partition',
      'pause',
    ]);
  });

  it('names file, line, column and field of a wrong value', () => {
    const e = errorOf('workload: register\ndb: etcd\nconcurrency: -3\n');
    expect(e.location).toMatchObject({ file: 'plans/x.yaml', line: 3, column: 14, field: 'concurrency' });
    expect(e.message).toMatch(/^plans\/x\.yaml:3:14: field concurrency: /);
  });

  it('checks in batch unless the plan (or --online) says online; names a wrong mode', () => {
    expect(parsePlan('workload: noop\n', 'p.yaml').checking).toBe('batch');
    expect(parsePlan('workload: noop\nchecking: online\n', 'p.yaml').checking).toBe('online');
    expect(parsePlan('workload: noop\n', 'p.yaml', overridesFromFlags({ online: true })).checking).toBe(
      'online',
    );
    const e = errorOf('workload: noop\nchecking: streaming\n');
    expect(e.location).toMatchObject({ file: 'plans/x.yaml', line: 2, field: 'checking' });
    expect(e.message).toMatch(/batch|online/);
  });

  it('names the line of a wrong list element', () => {
    const e = errorOf('workload: register\nnodes:\n  - n1\n  - 42\n');
    expect(e.location).toMatchObject({ line: 4, field: 'nodes[1]' });
  });

  it('names an unknown field and its line', () => {
    const e = errorOf('workload: register\n\ntimelimit: 60\n');
    expect(e.location).toMatchObject({ line: 3, column: 1, field: 'timelimit' });
    expect(e.reason).toContain('unknown field timelimit');
  });

  it('names a nested field', () => {
    const e = errorOf('workload: register\ncheckers:\n  linearizable: cas-register\n');
    expect(e.location).toMatchObject({ line: 3, field: 'checkers.linearizable' });
  });

  it('says a required field is missing', () => {
    const e = errorOf('db: etcd\n');
    expect(e.location.field).toBe('workload');
    expect(e.reason).toBe('required field is missing');
  });

  it('reports YAML syntax errors with their line', () => {
    const e = errorOf('workload: register\nnodes: [n1, n2\ndb: etcd\n');
    expect(e.location.file).toBe('plans/x.yaml');
    expect(e.location.line).toBeGreaterThanOrEqual(2);
  });

  it('reads JSON plans, with lines too', () => {
    expect(parsePlan('{"workload": "noop", "rate": 0}', 'p.json').rate).toBe(0);
    const e = errorOf('{\n  "workload": "noop",\n  "rate": "fast"\n}', 'p.json');
    expect(e.location).toMatchObject({ file: 'p.json', line: 3, field: 'rate' });
  });

  it('expands a matrix into named variants', () => {
    const plan = parsePlan(
      'name: reg\nworkload: register\nmatrix:\n  db: [etcd, zookeeper]\n  nemesis: [[partition], [kill, pause]]\n',
      'm.yaml',
    );
    const variants = expandMatrix(plan);
    expect(variants.map((v) => v.name)).toEqual([
      'reg-etcd-partition',
      'reg-etcd-kill_pause',
      'reg-zookeeper-partition',
      'reg-zookeeper-kill_pause',
    ]);
    expect(variants[3]).toMatchObject({ db: 'zookeeper', nemesis: ['kill', 'pause'] });
    expect(variants.every((v) => v.matrix === undefined)).toBe(true);
  });

  it('checks matrix values against their field', () => {
    const e = errorOf('workload: register\nmatrix:\n  concurrency: [1, 0]\n');
    expect(e.location).toMatchObject({ line: 3, field: 'matrix.concurrency[1]' });
    const f = errorOf('workload: register\nmatrix:\n  colour: [red]\n');
    expect(f.location).toMatchObject({ line: 3, field: 'matrix.colour' });
  });
});
