/**
 * Choosing the transport and the ensemble driver from flags: `--transport ssh|docker`,
 * `--driver netns|docker`; anything else is bad input naming the flag.
 */
import { describe, expect, it } from 'vitest';
import { driverOf } from '../../src/cli/cluster-docker.js';
import { transportOf } from '../../src/ensemble/connect.js';
import { InputError } from '../../src/errors.js';
import { validatePlan } from '../../src/run/plan.js';

describe('transport and driver flags', () => {
  it('--transport docker or ssh is taken as given; given nodes without it mean ssh', async () => {
    expect(await transportOf({ transport: 'docker' })).toBe('docker');
    expect(await transportOf({ transport: 'ssh', ensemble: 'fldock' })).toBe('ssh');
    expect(await transportOf({ nodes: 'a,b,c' })).toBe('ssh');
    expect(await transportOf({})).toBe('ssh');
  });

  it('an unknown transport or driver is bad input naming the flag', async () => {
    await expect(transportOf({ transport: 'lxc' })).rejects.toBeInstanceOf(InputError);
    await expect(transportOf({ transport: 'lxc' })).rejects.toThrow(/--transport must be ssh or docker/);
    expect(() => driverOf('lxc')).toThrow(InputError);
    expect(driverOf(undefined)).toBe('netns');
    expect(driverOf('docker')).toBe('docker');
  });

  it('a plan may say transport: docker, and nothing else', () => {
    expect(validatePlan({ workload: 'register', transport: 'docker', nodes: ['etcd1'] }).transport).toBe(
      'docker',
    );
    expect(() => validatePlan({ workload: 'register', transport: 'telnet' })).toThrow(InputError);
  });
});
