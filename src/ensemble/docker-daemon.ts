/**
 * The Docker daemon on the controller host: is it answering, and starting Debian's `dockerd`
 * when it is not (as root). Host-side shell work goes through zx, which quotes what it interpolates.
 */

import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import Docker from 'dockerode';
import { dockerSocketPath } from '../control/docker.js';
import { InputError } from '../errors.js';

/** Rejects, saying what to do, unless a Docker daemon answers (for commands that only look or remove). */
export async function requireDockerd(): Promise<void> {
  if (await dockerdAnswers()) return;
  throw new InputError(
    `the Docker daemon does not answer at ${dockerSocketPath()}; start it (as root: dockerd) or set DOCKER_HOST`,
    { field: '--driver' },
  );
}

/** The daemon this process started, if it had to; `stopDockerd` ends exactly that one. */
export interface StartedDockerd {
  pid: number;
}

/** True when the Docker daemon answers a ping on its socket. */
export async function dockerdAnswers(socketPath = dockerSocketPath()): Promise<boolean> {
  try {
    await new Docker({ socketPath }).ping();
    return true;
  } catch {
    return false;
  }
}

/**
 * Makes sure a Docker daemon answers: when none does and we are root with Debian's `dockerd`
 * installed, starts one (its log in /var/log/faultline-dockerd.log). Resolves with the daemon
 * started here, or undefined when one was already running; rejects saying what is missing.
 */
export async function ensureDockerd(timeoutMs = 60_000): Promise<StartedDockerd | undefined> {
  if (await dockerdAnswers()) return undefined;
  if (process.getuid?.() !== 0) {
    throw new InputError(
      `the Docker daemon does not answer at ${dockerSocketPath()}; start it (as root: dockerd) or set DOCKER_HOST`,
      { field: '--driver' },
    );
  }
  const { $ } = await import('zx');
  const which = await $({ quiet: true, nothrow: true })`command -v dockerd`;
  if (which.exitCode !== 0) {
    throw new InputError(
      'dockerd is not installed: apt-get install docker.io (scripts/ensure-deps.sh does)',
      {
        field: '--driver',
      },
    );
  }
  // A daemon outlives this process, so it is spawned detached with its own log, not through zx.
  const log = openSync('/var/log/faultline-dockerd.log', 'a');
  const child = spawn(which.stdout.trim(), [], { detached: true, stdio: ['ignore', log, log] });
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start dockerd');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await dockerdAnswers()) return { pid };
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('dockerd did not answer after starting; see /var/log/faultline-dockerd.log');
}

/** Stops a daemon `ensureDockerd` started (by its pid) and waits until it has exited. */
export async function stopDockerd(started: StartedDockerd | undefined, timeoutMs = 30_000): Promise<void> {
  if (!started) return;
  try {
    process.kill(started.pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      process.kill(started.pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
