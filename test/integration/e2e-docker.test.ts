/**
 * End to end on an ensemble of containers (`cluster up --driver docker`, `flde2e`,
 * 10.117.2.0/24, its own): one run per db (etcd, ZooKeeper, NATS) with partitions and kills
 * (etcd also with `docker pause`, and with packet faults and SIGSTOP pauses),
 * through executePlan as `faultline test --ensemble flde2e` does, each valid. Then `cluster
 * down` leaves no container, network or firewall rule. Short runs (15 s each).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dockerEnsembleDown,
  dockerEnsembleStatus,
  dockerEnsembleUp,
  dockerNames,
} from '../../src/ensemble/docker-ensemble.js';
import { type ExecuteResult, executePlan } from '../../src/run/execute.js';
import { validatePlan } from '../../src/run/plan.js';
import { DOCKER_INSTALLED, DOCKER_PREREQUISITE, IMAGE_BUILD_MS, useDockerd } from '../support/docker.js';
import { prerequisite } from '../support/prerequisites.js';

const NAME = 'flde2e';
const SUBNET = '10.117.2.0/24';
const report = (line: string) => console.log(`[e2e-docker] ${line}`);

describe.runIf(prerequisite(DOCKER_PREREQUISITE, DOCKER_INSTALLED))(
  'etcd, ZooKeeper and NATS on docker nodes, end to end',
  () => {
    let resultsDir: string;
    useDockerd();

    beforeAll(async () => {
      resultsDir = mkdtempSync(join(tmpdir(), 'faultline-e2e-docker-'));
      await dockerEnsembleDown(NAME);
      await dockerEnsembleUp({ name: NAME, nodes: 3, subnet: SUBNET });
    }, IMAGE_BUILD_MS);

    afterAll(async () => {
      await dockerEnsembleDown(NAME);
      rmSync(resultsDir, { recursive: true, force: true });
    }, 120_000);

    async function runPlan(plan: Record<string, unknown>): Promise<ExecuteResult> {
      const result = await executePlan(
        validatePlan({
          quiet: 2,
          concurrency: 6,
          rate: 100,
          opTimeout: 5,
          seed: 42,
          timeLimit: 15,
          nemesis: ['partition', 'kill'],
          nemesisOptions: { interval: 4 },
          ...plan,
        }),
        { nodeFlags: { ensemble: NAME }, resultsDir, progress: false, out: () => undefined },
      );
      expect(result.error).toBeUndefined();
      const s = result.stats;
      report(
        `${String(plan.db)} ${String(plan.workload)}: ${s.ok} ok, ${s.fail} fail, ${s.info} info, ` +
          `${s.nemesisOps} nemesis ops, valid ${String(result.result.valid)}; ${result.dir}`,
      );
      return result;
    }

    it('etcd register under partitions, kills and docker pauses is linearizable', async () => {
      const r = await runPlan({
        db: 'etcd',
        workload: 'register',
        nemesis: ['partition', 'kill', 'container-pause'],
      });
      expect(r.stats.ok).toBeGreaterThan(50);
      expect(r.stats.nemesisOps).toBeGreaterThan(0);
      expect(r.result.valid).toBe(true);
    }, 300_000);

    it('ZooKeeper register under partitions and kills is linearizable', async () => {
      const r = await runPlan({ db: 'zookeeper', workload: 'register' });
      expect(r.stats.ok).toBeGreaterThan(50);
      expect(r.stats.nemesisOps).toBeGreaterThan(0);
      expect(r.result.valid).toBe(true);
    }, 300_000);

    it('NATS set under partitions and kills loses nothing acknowledged', async () => {
      const r = await runPlan({ db: 'nats', workload: 'set' });
      expect(r.stats.ok).toBeGreaterThan(50);
      expect(r.stats.nemesisOps).toBeGreaterThan(0);
      expect(r.result.valid).toBe(true);
    }, 300_000);

    it('etcd register under packet faults and process pauses is linearizable', async () => {
      const r = await runPlan({ db: 'etcd', workload: 'register', nemesis: ['packet', 'pause'] });
      expect(r.stats.ok).toBeGreaterThan(50);
      expect(r.stats.nemesisOps).toBeGreaterThan(0);
      expect(r.result.valid).toBe(true);
    }, 300_000);

    it('cluster down leaves no container, network or firewall rule', async () => {
      const { bridge, network } = dockerNames(NAME);
      const report = await dockerEnsembleDown(NAME);
      expect(report.removedContainers).toHaveLength(3);
      expect(report.removedNetworks).toEqual([network]);
      expect(
        execFileSync('docker', ['ps', '-a', '-q', '--filter', `label=faultline.ensemble=${NAME}`], {
          encoding: 'utf8',
        }),
      ).toBe('');
      const rules = execFileSync('iptables-save', { encoding: 'utf8' });
      expect(rules).not.toContain(bridge);
      expect(rules).not.toContain(SUBNET);
      expect((await dockerEnsembleStatus(NAME)).exists).toBe(false);
    });
  },
);
