import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NEMESIS_FAMILIES } from '../../nemeses/families.js';
import { InputError } from '../../src/errors.js';
import { executePlan } from '../../src/run/execute.js';
import { isModuleName, resolveDb, resolveNemesis } from '../../src/run/modules.js';
import { loadPlanFile, testName } from '../../src/run/plan.js';

let dir: string;

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'faultline-modules-'));
  // An in-process workload (it brings its own client): a counter in memory, adds and reads.
  file(
    'counter.mjs',
    `let value = 0;
export const workload = {
  name: 'mem-counter',
  description: 'a counter in memory',
  client: { name: 'mem-counter', description: 'add, read' },
  localClient: () => ({ open: async () => {}, close: async () => {} }),
  invoke: async (_client, op) => {
    if (op.f === 'add') { value += op.value; return { type: 'ok', value: op.value }; }
    return { type: 'ok', value };
  },
  // A function is a generator too (GenLike); the plan's rate paces it.
  generator: () => {
    let i = 0;
    return () => (i++ % 2 ? { f: 'read', value: null } : { f: 'add', value: 1 });
  },
  checkers: () => ({ counter: {} }),
};
`,
  );
  file('lies.mjs', `export default { name: 'lies', check: () => ({ valid: false, reason: 'planted' }) };\n`);
  file('half-db.mjs', `export const db = { name: 'half', setup: async () => {} };\n`);
  file('nothing.mjs', 'export const unrelated = 1;\n');
  file(
    'fault.mjs',
    `export const nemesis = { name: 'api-test-fault', description: 'x', requires: [], inAll: false, effects: {},
  style: { label: 'x', fill: 'red', text: 'red' }, schedule: () => ({}), create: () => ({}) };\n`,
  );
  file('half-fault.mjs', "export default { name: 'half-fault', create: () => ({}) };\n");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('modules named in plans', () => {
  it('tells module names from shipped names', () => {
    expect(['./a.js', '../b/c.js', '/abs/d.js'].map(isModuleName)).toEqual([true, true, true]);
    expect(['etcd', 'register', 'linearizable', 'a.js'].map(isModuleName)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });

  it('refuses a module that lacks what a db must have, naming the plan file, line and field', async () => {
    const plan = file('half.yaml', 'workload: register\n\ndb: ./half-db.mjs\n');
    const err = await loadPlanFile(plan).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toMatch(
      new RegExp(
        `^${plan}:3:5: field db: the db exported by ${join(dir, 'half-db.mjs')} lacks teardown, awaitHealthy, endpoint, clients$`,
      ),
    );
  });

  it('refuses a module that exports nothing of the kind, and one that is missing', async () => {
    const none = file('none.yaml', 'workload: ./nothing.mjs\n');
    await expect(loadPlanFile(none)).rejects.toThrow(
      /none\.yaml:1:11: field workload: .*nothing\.mjs exports no workload/,
    );
    const missing = file('missing.yaml', 'workload: register\ncheckers:\n  ./gone.mjs: {}\n');
    await expect(loadPlanFile(missing)).rejects.toThrow(
      /missing\.yaml:3:3: field checkers: cannot load checker module .*gone\.mjs/,
    );
    await expect(resolveDb('./no-such-db.js')).rejects.toThrow(InputError);
  });

  it('registers a nemesis family module under its own name; refuses one that lacks parts, at its line', async () => {
    const plan = await loadPlanFile(file('fault.yaml', 'workload: register\nnemesis: [kill, ./fault.mjs]\n'));
    expect(plan.nemesis).toEqual(['kill', join(dir, 'fault.mjs')]);
    expect(NEMESIS_FAMILIES.find('api-test-fault')?.description).toBe('x');
    expect(await resolveNemesis(join(dir, 'fault.mjs'))).toBe('api-test-fault');
    const half = file('half-fault.yaml', 'workload: register\nnemesis:\n  - kill\n  - ./half-fault.mjs\n');
    await expect(loadPlanFile(half)).rejects.toThrow(
      /half-fault\.yaml:4:5: field nemesis\.1: the nemesis exported by .*half-fault\.mjs lacks requires, effects, style, schedule$/,
    );
  });

  it('runs a plan whose workload and checker are modules, resolved next to the plan file', async () => {
    const planFile = file(
      'plan.yaml',
      'workload: ./counter.mjs\ndb: none\ntimeLimit: 1\nquiet: 0\nrate: 50\n',
    );
    const plan = await loadPlanFile(planFile);
    expect(plan.workload).toBe(join(dir, 'counter.mjs'));
    expect(testName(plan)).toBe('counter');
    const lines: string[] = [];
    const good = await executePlan(plan, {
      resultsDir: join(dir, 'results'),
      progress: false,
      out: (l) => lines.push(l),
      echo: () => {},
    });
    expect(good.result.valid).toBe(true);
    expect(good.exitCode).toBe(0);
    expect((good.result.results as Record<string, unknown>).counter).toMatchObject({ valid: true });

    const lying = await loadPlanFile(
      file(
        'lying.yaml',
        'workload: ./counter.mjs\ndb: none\ntimeLimit: 1\nquiet: 0\nrate: 50\ncheckers:\n  ./lies.mjs: {}\n',
      ),
    );
    const bad = await executePlan(lying, {
      resultsDir: join(dir, 'results'),
      progress: false,
      out: () => {},
      echo: () => {},
    });
    expect(bad.result.valid).toBe(false);
    expect(bad.exitCode).toBe(1);
  });
});
