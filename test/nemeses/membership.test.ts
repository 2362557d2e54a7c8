import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildSchedule,
  checkCapabilities,
  initialScheduleState,
  nextNemesisOp,
} from '../../nemeses/combined.js';
import { effectOfF } from '../../nemeses/families.js';
import { membershipNemesis, parseMembershipOptions } from '../../nemeses/membership.js';
import {
  isMajorityOf,
  membershipRange,
  planGrow,
  planRestore,
  planShrink,
} from '../../nemeses/membership-plan.js';
import type { NemesisContext } from '../../nemeses/types.js';
import { NO_CLIENTS } from '../../src/client/kind.js';
import type { Db, DbContext, HasMembers } from '../../src/db/types.js';
import { MissingCapabilityError } from '../../src/db/types.js';
import { InputError } from '../../src/errors.js';
import { seededRandom } from '../../src/generator/random.js';
import { loadPlanFile } from '../../src/run/plan.js';
import { ROOT } from '../support/cli.js';

const nodes = ['n1', 'n2', 'n3', 'n4', 'n5'];

describe('membership planning', () => {
  it('majority rule: what remains must be more than half of the current configuration', () => {
    expect(isMajorityOf(2, 3)).toBe(true);
    expect(isMajorityOf(2, 4)).toBe(false);
    expect(isMajorityOf(1, 2)).toBe(false);
    expect(isMajorityOf(3, 5)).toBe(true);
  });

  it('the range defaults to 1..all nodes and is clamped', () => {
    expect(membershipRange(5)).toEqual({ min: 1, max: 5 });
    expect(membershipRange(5, { min: 3, max: 9 })).toEqual({ min: 3, max: 5 });
    expect(membershipRange(5, { min: 0 })).toEqual({ min: 1, max: 5 });
  });

  it('grows by one node from outside the membership, never past the maximum', () => {
    const random = seededRandom(1);
    for (let i = 0; i < 20; i++) {
      const change = planGrow(['n1', 'n2', 'n3'], nodes, { min: 1, max: 5 }, random);
      expect(change.action).toBe('add');
      if (change.action !== 'add') continue;
      expect(change.nodes).toHaveLength(1);
      expect(['n4', 'n5']).toContain(change.nodes[0]);
    }
    expect(planGrow(['n1', 'n2', 'n3', 'n4'], nodes, { min: 1, max: 4 }, random)).toEqual({
      action: 'none',
      reason: 'at the maximum of 4 members',
    });
    expect(planGrow(nodes, nodes, { min: 1, max: 5 }, random).action).toBe('none');
  });

  it('shrinks by one member while a majority stays; never below the minimum', () => {
    const random = seededRandom(2);
    for (const members of [nodes, nodes.slice(0, 4), nodes.slice(0, 3)]) {
      const change = planShrink(members, { min: 1, max: 5 }, false, random);
      expect(change.action).toBe('remove');
      if (change.action !== 'remove') continue;
      expect(change.nodes).toHaveLength(1);
      expect(members).toContain(change.nodes[0]);
      expect(isMajorityOf(members.length - 1, members.length)).toBe(true);
    }
    // 2 members: removing one leaves no majority of 2.
    expect(planShrink(['n1', 'n2'], { min: 1, max: 5 }, false, random)).toEqual({
      action: 'none',
      reason: 'removing one of 2 members would leave no majority of them',
    });
    expect(planShrink(['n1', 'n2', 'n3'], { min: 3, max: 5 }, false, random)).toEqual({
      action: 'none',
      reason: 'at the minimum of 3 members',
    });
  });

  it('unsafe shrinks remove a majority of the configuration at once (positive control of the rule)', () => {
    const random = seededRandom(3);
    const five = planShrink(nodes, { min: 1, max: 5 }, true, random);
    expect(five.action).toBe('remove');
    if (five.action === 'remove') {
      expect(five.nodes).toHaveLength(3);
      expect(isMajorityOf(nodes.length - five.nodes.length, nodes.length)).toBe(false);
    }
    const two = planShrink(['n1', 'n2'], { min: 1, max: 5 }, true, random);
    expect(two).toMatchObject({ action: 'remove' });
    if (two.action === 'remove') expect(two.nodes).toHaveLength(1);
    // The minimum still holds: 5 -> 3 at most with min 3.
    const bounded = planShrink(nodes, { min: 3, max: 5 }, true, random);
    if (bounded.action === 'remove') expect(bounded.nodes).toHaveLength(2);
    expect(planShrink(['n1'], { min: 1, max: 5 }, true, random).action).toBe('none');
  });

  it('restores by adding what is missing first, then removing what is extra, one at a time', () => {
    expect(planRestore(['n2', 'n3', 'n4', 'n5'], ['n1', 'n2', 'n3'])).toEqual([
      { action: 'add', node: 'n1' },
      { action: 'remove', node: 'n4' },
      { action: 'remove', node: 'n5' },
    ]);
    expect(planRestore(['n1', 'n2', 'n3'], ['n1', 'n2', 'n3'])).toEqual([]);
  });
});

/** A cluster held in memory (pure logic only): it refuses what the test tells it to. */
function fakeCluster(initial: string[]) {
  const state = { members: [...initial], refuse: false, lose: false, dead: false };
  const db: Db & HasMembers = {
    name: 'fake',
    clients: NO_CLIENTS,
    setup: async () => undefined,
    teardown: async () => undefined,
    awaitHealthy: async () => undefined,
    endpoint: (_ctx, node) => node,
    members: async () => {
      if (state.dead) throw new Error('no member tells the configuration');
      return [...state.members].sort();
    },
    addMember: async (_ctx, node) => {
      if (state.refuse) throw new Error('refused');
      state.members.push(node);
    },
    removeMember: async (_ctx, node) => {
      if (state.refuse) throw new Error('refused');
      state.members = state.members.filter((n) => n !== node);
      if (state.lose) throw new Error('answer lost');
    },
  };
  const ctx: NemesisContext = {
    remote: undefined as never,
    nodes,
    db,
    dbContext: { nodes, options: {} } as unknown as DbContext,
    random: seededRandom(7),
    log: () => undefined,
  };
  return { state, db, ctx };
}

describe('membership nemesis', () => {
  it('records ok, fail and info outcomes with the members after each op, and restores', async () => {
    const { state, ctx } = fakeCluster(['n1', 'n2', 'n3']);
    const nemesis = membershipNemesis();
    await nemesis.setup(ctx);
    const grown = await nemesis.invoke(ctx, { f: 'grow', value: null });
    expect(grown.value).toMatchObject({ outcome: 'ok', members: expect.any(Array) });
    expect((grown.value as { members: string[] }).members).toHaveLength(4);

    const capped = await nemesis.invoke(ctx, { f: 'grow', value: { max: 4 } });
    expect(capped.value).toMatchObject({ outcome: 'fail', reason: 'at the maximum of 4 members' });

    state.refuse = true;
    const refused = await nemesis.invoke(ctx, { f: 'shrink', value: null });
    expect(refused).toMatchObject({ value: { outcome: 'fail', removed: [] }, error: 'refused' });
    state.refuse = false;

    state.lose = true;
    const lost = await nemesis.invoke(ctx, { f: 'shrink', value: null });
    expect(lost).toMatchObject({ value: { outcome: 'info' }, error: 'answer lost' });
    state.lose = false;

    const restored = await nemesis.invoke(ctx, { f: 'restore-membership', value: null });
    expect(restored.value).toMatchObject({ outcome: 'ok', members: ['n1', 'n2', 'n3'] });
    await nemesis.invoke(ctx, { f: 'shrink', value: { unsafe: true } });
    expect(state.members).toHaveLength(1);
    await nemesis.heal(ctx);
    expect([...state.members].sort()).toEqual(['n1', 'n2', 'n3']);
  });

  it('heals a cluster no member of which answers by saying so, not by failing the run', async () => {
    const { state, ctx } = fakeCluster(['n1', 'n2', 'n3']);
    const logged: string[] = [];
    const nemesis = membershipNemesis();
    await nemesis.setup({ ...ctx, log: (line) => logged.push(line) });
    await nemesis.invoke(ctx, { f: 'shrink', value: null });
    state.dead = true;
    await expect(nemesis.heal({ ...ctx, log: (line) => logged.push(line) })).resolves.toBeUndefined();
    expect(logged.join('\n')).toMatch(/not restored, no member answers: no member tells/);
    // A cluster that answers but refuses is still a failed heal.
    state.dead = false;
    state.refuse = true;
    await expect(nemesis.heal(ctx)).rejects.toThrow(/restoring the membership/);
  });

  it('is a family: alternates a change with a restore, shades its windows, needs HasMembers', () => {
    const schedule = buildSchedule({ families: ['membership'], intervalS: 1, membership: { unsafe: true } });
    let state = initialScheduleState(schedule);
    const random = seededRandom(5);
    const fs: string[] = [];
    for (let i = 0; i < 6; i++) {
      const next = nextNemesisOp(schedule, state, random)!;
      state = next.state;
      fs.push(next.op.f);
      if (next.op.f !== 'restore-membership') expect(next.op.value).toEqual({ unsafe: true });
    }
    expect(fs.filter((_, i) => i % 2 === 1)).toEqual(Array(3).fill('restore-membership'));
    expect(effectOfF('grow')?.effect).toBe('begins');
    expect(effectOfF('restore-membership')?.effect).toBe('ends');
    const coreOnly = { ...fakeCluster([]).db } as Partial<HasMembers> & Db;
    delete coreOnly.members;
    expect(() => checkCapabilities(schedule, coreOnly)).toThrow(MissingCapabilityError);
  });

  it('reads nemesisOptions.membership; bad fields are bad input naming them', () => {
    expect(parseMembershipOptions(undefined)).toBeUndefined();
    expect(parseMembershipOptions({ min: 2, max: 4, unsafe: false })).toEqual({
      min: 2,
      max: 4,
      unsafe: false,
    });
    expect(() => parseMembershipOptions({ min: 0 })).toThrow(/nemesisOptions\.membership\.min/);
    expect(() => parseMembershipOptions({ min: 4, max: 2 })).toThrow(InputError);
    expect(() => parseMembershipOptions({ safe: true })).toThrow(/nemesisOptions\.membership\.safe/);
    expect(() => parseMembershipOptions('yes')).toThrow(InputError);
  });

  it('the example plan asks for 3 of 5 members and the membership nemesis', async () => {
    const plan = await loadPlanFile(join(ROOT, 'plans/membership.yaml'));
    expect(plan.dbOptions).toEqual({ members: 3 });
    expect(plan.nemesis).toBe('membership');
    expect(parseMembershipOptions(plan.nemesisOptions.membership)).toEqual({ max: 5 });
  });
});
