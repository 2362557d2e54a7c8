/**
 * `exec` latency over Docker (DockerRemote: `docker exec` through the Engine API) against
 * over SSH to a namespace node (SshRemote, one kept-open connection), in the same run,
 * interleaved in rounds so that a busy machine slows both alike; the `docker exec` CLI as a
 * reference. On its own one-node ensembles `fldxbn` (netns, 10.119.0.0/24) and `fldxbd`
 * (docker, 10.117.3.0/24), which it brings up and always removes. Needs root.
 *
 *     npm run bench -- docker-exec
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Remote } from '../src/control/types.js';
import { ensureDockerd, stopDockerd } from '../src/ensemble/docker-daemon.js';
import {
  dockerEnsembleDown,
  dockerEnsembleRemote,
  dockerEnsembleUp,
  dockerNames,
} from '../src/ensemble/docker-ensemble.js';
import { ensembleDown, ensembleUp, localRemote } from '../src/ensemble/index.js';

const NETNS = 'fldxbn';
const DOCKER = 'fldxbd';
const ROUNDS = 10;
const PER_ROUND = 10;

export interface LatencyFigures {
  samples: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
}

export interface DockerExecFigures {
  ssh: LatencyFigures;
  docker: LatencyFigures;
  dockerCli: LatencyFigures;
  /** docker mean / ssh mean. */
  dockerOverSshRatio: number;
}

export async function run(): Promise<DockerExecFigures> {
  const started = await ensureDockerd();
  await ensembleDown(NETNS);
  await dockerEnsembleDown(DOCKER);
  let ssh: Remote | undefined;
  let docker: Remote | undefined;
  try {
    await ensembleUp({ name: NETNS, nodes: 1, subnet: '10.119.0.0/24' });
    await dockerEnsembleUp({ name: DOCKER, nodes: 1, subnet: '10.117.3.0/24' });
    ssh = await localRemote(NETNS);
    docker = await dockerEnsembleRemote(DOCKER);
    const container = dockerNames(DOCKER).container('n1');
    const times = { ssh: [] as number[], docker: [] as number[], dockerCli: [] as number[] };
    // Warm up both paths (connection, exec machinery).
    await ssh.exec('n1', ['true']);
    await docker.exec('n1', ['true']);
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < PER_ROUND; i++) times.ssh.push(await timed(() => ssh!.exec('n1', ['true'])));
      for (let i = 0; i < PER_ROUND; i++) times.docker.push(await timed(() => docker!.exec('n1', ['true'])));
      times.dockerCli.push(await timed(() => promisify(execFile)('docker', ['exec', container, 'true'])));
    }
    const sshFigures = latency(times.ssh);
    const dockerFigures = latency(times.docker);
    return {
      ssh: sshFigures,
      docker: dockerFigures,
      dockerCli: latency(times.dockerCli),
      dockerOverSshRatio: round1(dockerFigures.meanMs / sshFigures.meanMs),
    };
  } finally {
    await ssh?.close().catch(() => undefined);
    await docker?.close().catch(() => undefined);
    await ensembleDown(NETNS);
    await dockerEnsembleDown(DOCKER);
    await stopDockerd(started);
  }
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

function latency(samples: number[]): LatencyFigures {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return {
    samples: samples.length,
    meanMs: round1(samples.reduce((a, b) => a + b, 0) / samples.length),
    p50Ms: round1(at(0.5)),
    p95Ms: round1(at(0.95)),
  };
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
