import { describe, expect, it } from 'vitest';
import { CHECKERS } from '../../checkers/registry.js';
import { DBS } from '../../src/db/index.js';
import { InputError } from '../../src/errors.js';
import { Registry } from '../../src/registry.js';
import { WORKLOADS } from '../../workloads/index.js';

describe('Registry', () => {
  it('finds what was registered and lists the known names when a name is unknown', () => {
    const r = new Registry<number>('thing', [['b', 2]]).register('a', 1);
    expect(r.get('a')).toBe(1);
    expect(r.names()).toEqual(['a', 'b']);
    expect(() => r.get('c')).toThrow(InputError);
    expect(() => r.get('c')).toThrow('field thing: unknown thing "c" (known: a, b)');
    expect(() => r.get('c', { file: 'p.yaml', line: 3, field: 'db' })).toThrow(
      /^p\.yaml:3: field db: unknown/,
    );
  });

  it('never answers with a prototype key', () => {
    const r = new Registry<object>('db');
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(r.find(name)).toBeUndefined();
      expect(r.has(name)).toBe(false);
      expect(() => r.get(name)).toThrow(InputError);
    }
  });

  it('refuses a name registered twice, and an empty name', () => {
    const r = new Registry<number>('workload', [['x', 1]]);
    expect(() => r.register('x', 2)).toThrow(/already registered/);
    expect(() => r.register('', 2)).toThrow(/must not be empty/);
  });

  it('is the shape of the shipped dbs, workloads and checkers', () => {
    expect(DBS.names()).toEqual(expect.arrayContaining(['etcd', 'zookeeper']));
    expect(WORKLOADS.get('register').name).toBe('register');
    expect(CHECKERS.get('linearizable').name).toBe('linearizable');
    expect(() => WORKLOADS.get('nope')).toThrow(
      /field workload: unknown workload "nope" \(known: .*register/,
    );
  });
});
