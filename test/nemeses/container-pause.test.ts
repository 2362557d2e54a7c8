/**
 * The container-pause family only acts through a transport that can freeze whole nodes: on any
 * other (SSH) it is bad input before anything runs; on one that can, pause and resume reach it,
 * and heal thaws every node it froze. The transport here is a recording stand-in (pure logic);
 * the real `docker pause` runs in test/integration/e2e-docker.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { containerPauseNemesis } from '../../nemeses/container-pause.js';
import type { NemesisContext } from '../../nemeses/types.js';
import { InputError } from '../../src/errors.js';

function context(remote: object): NemesisContext {
  return {
    remote,
    nodes: ['n1', 'n2', 'n3'],
    random: () => 0,
    log: () => {},
  } as unknown as NemesisContext;
}

describe('container-pause nemesis', () => {
  it('is refused on a transport that cannot freeze nodes', async () => {
    const nemesis = containerPauseNemesis();
    await expect(nemesis.setup(context({ exec: async () => ({}) }))).rejects.toBeInstanceOf(InputError);
  });

  it('freezes the targets and thaws them on resume and on heal', async () => {
    const calls: string[] = [];
    const remote = {
      pauseNode: async (node: string) => void calls.push(`pause ${node}`),
      resumeNode: async (node: string) => void calls.push(`resume ${node}`),
    };
    const ctx = context(remote);
    const nemesis = containerPauseNemesis();
    await nemesis.setup(ctx);
    const paused = await nemesis.invoke(ctx, { f: 'container-pause', value: ['n2', 'n3'] } as never);
    expect(paused.value).toMatchObject({ nodes: ['n2', 'n3'] });
    const resumed = await nemesis.invoke(ctx, { f: 'container-resume', value: null } as never);
    expect(resumed.value).toMatchObject({ nodes: ['n2', 'n3'] });
    await nemesis.invoke(ctx, { f: 'container-pause', value: ['n1'] } as never);
    await nemesis.heal(ctx);
    expect(calls).toEqual(['pause n2', 'pause n3', 'resume n2', 'resume n3', 'pause n1', 'resume n1']);
  });
});
