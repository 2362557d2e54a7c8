import { describe, expect, it } from 'vitest';
import { benchCases, parseBenchPlan } from '../../src/bench/plan.js';
import { InputError } from '../../src/errors.js';

const PLAN = `name: nightly
dbs: [etcd, zookeeper]
workloads:
  - { label: ycsb-a, workload: ycsb, options: { mix: a } }
  - register
nemeses: [none, [partition, kill]]
concurrency: [10, 50]
warmup: 5
duration: 30
`;

function errorOf(text: string): InputError {
  try {
    parseBenchPlan(text, 'plan.yaml');
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('no error');
}

describe('bench plans', () => {
  it('expands the matrix into named test plans with warm-up in the time limit', () => {
    const plan = parseBenchPlan(PLAN, 'plans/bench/x.yaml');
    const cases = benchCases(plan);
    expect(cases).toHaveLength(2 * 2 * 2 * 2);
    const first = cases[0]!;
    expect(first.id).toBe('etcd-ycsb-a-none-c10');
    expect(first.plan.timeLimit).toBe(35);
    expect(first.plan.workloadOptions).toEqual({ mix: 'a' });
    expect(first.plan.rate).toBe(0);
    const combined = cases.find((c) => c.id === 'zookeeper-register-partition+kill-c50')!;
    expect(combined.plan.nemesis).toEqual(['partition', 'kill']);
    expect(combined.plan.db).toBe('zookeeper');
  });

  it('names the plan after its file when it has no name', () => {
    const plan = parseBenchPlan('workloads: [ycsb]\n', 'plans/bench/etcd small.yaml');
    expect(plan.name).toBe('etcd_small');
    expect(benchCases(plan).map((c) => c.id)).toEqual(['etcd-ycsb-none-c10']);
  });

  it('points at the file, line and field of a bad value', () => {
    const e = errorOf(PLAN.replace('concurrency: [10, 50]', 'concurrency: [10, -5]'));
    expect(e.location).toMatchObject({ file: 'plan.yaml', line: 7, field: 'concurrency[1]' });
  });

  it('points at an unknown field inside a workload entry', () => {
    const e = errorOf(PLAN.replace('options: { mix: a }', 'opts: { mix: a }'));
    expect(e.location).toMatchObject({ file: 'plan.yaml', line: 4, field: 'workloads[0].opts' });
    expect(e.message).toMatch(/unknown field opts/);
  });

  it('refuses an unknown workload, or a db the workload has no client for, at its line', () => {
    const unknown = errorOf(PLAN.replace('  - register', '  - nosuch'));
    expect(unknown.location).toMatchObject({ file: 'plan.yaml', line: 5, field: 'workloads[1]' });
    expect(unknown.message).toMatch(/unknown workload "nosuch"/);
    const noClient = errorOf(PLAN.replace('dbs: [etcd, zookeeper]', 'dbs: [etcd, none]'));
    expect(noClient.location).toMatchObject({ line: 2, field: 'dbs[1]' });
    expect(noClient.message).toMatch(/ycsb has no client for db none/);
  });

  it('says a required field is missing, and reports YAML syntax errors with their line', () => {
    expect(errorOf('dbs: [etcd]\n').location).toMatchObject({ field: 'workloads' });
    expect(errorOf('dbs: [etcd]\n').message).toMatch(/required field is missing/);
    expect(errorOf('workloads: [ycsb\nduration: 3\n').location.line).toBeGreaterThan(0);
  });
});
