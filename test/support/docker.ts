/**
 * Docker for integration tests: whether it is installed, and a daemon for the suite's duration
 * (started when none answers, and then stopped again: tests stop only what they started).
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import { ensureDockerd, type StartedDockerd, stopDockerd } from '../../src/ensemble/docker-daemon.js';

/** Debian's docker.io (the daemon) and debootstrap (for the node image) are installed. */
export const DOCKER_INSTALLED =
  ['/usr/sbin/dockerd', '/usr/bin/dockerd'].some((p) => existsSync(p)) &&
  ['/usr/sbin/debootstrap', '/usr/bin/debootstrap'].some((p) => existsSync(p));

/** The first `cluster up --driver docker` on a machine builds the node image (debootstrap): up to 30 min. */
export const IMAGE_BUILD_MS = 30 * 60_000;

/** What the prerequisite check names when Docker is missing. */
export const DOCKER_PREREQUISITE = 'Docker (Debian docker.io and debootstrap: scripts/ensure-deps.sh)';

/** Makes sure a daemon answers for the suite; stops it afterwards if the suite started it. */
export function useDockerd(): void {
  let started: StartedDockerd | undefined;
  beforeAll(async () => {
    started = await ensureDockerd();
  }, 120_000);
  afterAll(async () => {
    await stopDockerd(started);
  });
}
