import { describe, expect, it } from 'vitest';
import { buildSchedule, checkCapabilities, requiredCapabilities } from '../../nemeses/combined.js';
import { NEMESIS_FAMILIES } from '../../nemeses/families.js';
import { killNemesis } from '../../nemeses/kill.js';
import type { NemesisContext } from '../../nemeses/types.js';
import { NO_CLIENTS } from '../../src/client/kind.js';
import type { Remote } from '../../src/control/types.js';
import { etcd } from '../../src/db/etcd/index.js';
import {
  capabilitiesOf,
  type Db,
  hasCapability,
  isKillable,
  MissingCapabilityError,
  requireCapability,
} from '../../src/db/types.js';
import { zookeeper } from '../../src/db/zookeeper/index.js';
import { InputError } from '../../src/errors.js';

/** The core only: it cannot be killed, paused or asked for its leader. */
const coreOnly: Db = {
  name: 'toy',
  clients: NO_CLIENTS,
  setup: async () => undefined,
  teardown: async () => undefined,
  awaitHealthy: async () => undefined,
  endpoint: (_ctx, node) => node,
};

describe('db capabilities', () => {
  it('the daemon adapters have every capability; a core-only db none', () => {
    for (const db of [etcd, zookeeper]) {
      expect(capabilitiesOf(db)).toEqual(['kill', 'pause', 'primaries', 'logFiles', 'dataFiles', 'process']);
    }
    expect(capabilitiesOf(coreOnly)).toEqual([]);
    expect(isKillable(coreOnly)).toBe(false);
    expect(hasCapability({ ...coreOnly, kill: async () => undefined } as Db, 'kill')).toBe(false);
  });

  it('requireCapability names who needs what, as bad input', () => {
    expect(requireCapability(etcd, 'pause', 'x')).toBe(etcd);
    expect(() => requireCapability(coreOnly, 'pause', 'the pause nemesis')).toThrow(
      /field nemesis: the pause nemesis needs a db that can pause and resume its server \(Pausable: pause, resume\); db toy cannot/,
    );
  });

  it('a schedule is refused before it runs when the db lacks what a family needs', () => {
    const kill = buildSchedule({ families: ['kill'], intervalS: 1, targets: ['one'] });
    expect([...requiredCapabilities(kill).keys()]).toEqual(['kill']);
    expect(() => checkCapabilities(kill, coreOnly)).toThrow(MissingCapabilityError);
    expect(() => checkCapabilities(kill, coreOnly)).toThrow(/nemesis kill needs a db that can kill/);
    expect(() => checkCapabilities(kill, etcd)).not.toThrow();
  });

  it('ops aimed at primaries need HasPrimaries; partitions alone need nothing', () => {
    const plain = buildSchedule({ families: ['partition'], intervalS: 1, partitions: ['majority'] });
    expect(requiredCapabilities(plain).size).toBe(0);
    expect(() => checkCapabilities(plain, coreOnly)).not.toThrow();
    const primaries = buildSchedule({ families: ['partition'], intervalS: 1, partitions: ['primaries'] });
    expect(() => checkCapabilities(primaries, coreOnly)).toThrow(
      /start-partition aimed at primaries.*tell which nodes lead/,
    );
  });

  it('a nemesis met at run time with a db lacking its capability refuses clearly', async () => {
    const ctx = {
      db: coreOnly,
      dbContext: {},
      nodes: ['n1'],
      random: () => 0,
      log: () => undefined,
    } as unknown as NemesisContext & { remote: Remote };
    await expect(killNemesis().invoke(ctx, { f: 'kill', value: ['n1'] })).rejects.toThrow(InputError);
  });

  it('every family describes its ops once: each f belongs to one family', () => {
    const seen = new Map<string, string>();
    for (const family of NEMESIS_FAMILIES.values()) {
      for (const f of Object.keys(family.effects)) {
        expect(seen.get(f), `${f} in ${family.name} and ${seen.get(f)}`).toBeUndefined();
        seen.set(f, family.name);
      }
      const part = family.schedule({ targets: ['one'] });
      for (const op of [...part.startOps, ...(part.stopOp ? [part.stopOp] : []), ...part.finalOps]) {
        expect(family.effects[op.f], `${family.name} op ${op.f}`).toBeDefined();
        expect(family.create().fs).toContain(op.f);
      }
    }
  });
});
