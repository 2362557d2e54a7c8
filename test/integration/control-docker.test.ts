/**
 * DockerRemote against a real ensemble of containers: the contract every transport keeps
 * (test/support/remote-contract.ts), then what is Docker's own: `cluster down` leaves nothing.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DockerRemote } from '../../src/control/docker.js';
import { RemoteConnectError } from '../../src/control/errors.js';
import {
  dockerEnsembleDown,
  dockerEnsembleRemote,
  dockerEnsembleStatus,
  dockerEnsembleUp,
  dockerNames,
} from '../../src/ensemble/docker-ensemble.js';
import { waitForPort } from '../../src/ensemble/host.js';
import { DOCKER_INSTALLED, DOCKER_PREREQUISITE, IMAGE_BUILD_MS, useDockerd } from '../support/docker.js';
import { prerequisite } from '../support/prerequisites.js';
import { remoteContract } from '../support/remote-contract.js';

const NAME = 'fldctl';
const SUBNET = '10.117.1.0/24';
/** Accepts (and closes) connections on port 7777: something to reach on a node. */
const LISTENER = `import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('0.0.0.0', 7777))
s.listen()
while True:
    s.accept()[0].close()`;

function docker(...args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8' });
}

describe.runIf(prerequisite(DOCKER_PREREQUISITE, DOCKER_INSTALLED))(
  'DockerRemote on a docker ensemble',
  () => {
    let remote: DockerRemote;
    const { container } = dockerNames(NAME);
    useDockerd();

    beforeAll(async () => {
      await dockerEnsembleDown(NAME);
      await dockerEnsembleUp({ name: NAME, nodes: 5, subnet: SUBNET });
      remote = await dockerEnsembleRemote(NAME, { timeoutMs: 10_000 });
    }, IMAGE_BUILD_MS);

    afterAll(async () => {
      await remote?.close();
      await dockerEnsembleDown(NAME);
    });

    remoteContract({
      remote: () => remote,
      freshRemote: (timeoutMs) => dockerEnsembleRemote(NAME, { timeoutMs }),
      addressOfN4: /^10\.117\.1\.14\s+/,
      powerOff: async (node) => {
        docker('kill', container(node));
      },
      freeze: async (node) => {
        docker('pause', container(node));
        return async () => {
          docker('unpause', container(node));
        };
      },
      repair: async () => {
        await dockerEnsembleUp({ name: NAME });
      },
      deadNodeMessage: /^n2: cannot run `true` in container faultline-fldctl-n2: .*is not running/,
      frozenNodeError: {
        type: RemoteConnectError,
        message: /^n3: cannot run `true` in container .*is paused/,
      },
    });

    it('nodes reach each other by name, and the controller reaches them at their addresses', async () => {
      const status = await dockerEnsembleStatus(NAME);
      expect(status.nodes.map((n) => [n.name, n.address, n.state])).toEqual(
        [1, 2, 3, 4, 5].map((i) => [`n${i}`, `10.117.1.${10 + i}`, 'running']),
      );
      const pid = (
        await remote.script('n5', 'setsid python3 -c "$1" </dev/null >/dev/null 2>&1 & echo $!', [LISTENER])
      ).stdout.trim();
      try {
        const fromNode = await remote.script(
          'n1',
          'for i in $(seq 50); do exec 3<>/dev/tcp/n5/7777 && exit 0; sleep 0.1; done; exit 1',
        );
        expect(fromNode.code).toBe(0);
        expect(await waitForPort(remote.address('n5'), 7777, 5_000)).toBe(true);
      } finally {
        await remote.exec('n5', ['kill', pid], { allowFailure: true });
      }
    });

    it('cluster down leaves no container, network or firewall rule', async () => {
      const { bridge, network } = dockerNames(NAME);
      expect(execFileSync('iptables-save', { encoding: 'utf8' })).toContain(bridge);
      const report = await dockerEnsembleDown(NAME);
      expect(report.removedContainers).toHaveLength(5);
      expect(report.removedNetworks).toEqual([network]);
      expect(docker('ps', '-a', '-q', '--filter', `label=faultline.ensemble=${NAME}`)).toBe('');
      expect(docker('network', 'ls', '-q', '--filter', `name=${network}`)).toBe('');
      expect(execFileSync('iptables-save', { encoding: 'utf8' })).not.toContain(bridge);
      expect(execFileSync('iptables-save', { encoding: 'utf8' })).not.toContain(SUBNET);
      expect((await dockerEnsembleStatus(NAME)).exists).toBe(false);
    });
  },
);
