/**
 * Membership changes: `grow` adds a node of the test to the cluster, `shrink` removes members
 * (see membership-plan.ts for which, and the majority rule), `restore-membership` and `heal` go
 * back to the membership the run began with. Each op's value says its outcome: `ok` (the change
 * is made), `fail` (none was made: refused by the plan or the db, and the cluster lists the
 * members it had), `info` (it may or may not have been made), and the members after it.
 */
import type { Invocation } from '../src/client/types.js';
import { type Db, type DbContext, type HasMembers, requireCapability } from '../src/db/types.js';
import { InputError } from '../src/errors.js';
import {
  type MembershipRange,
  membershipRange,
  planGrow,
  planRestore,
  planShrink,
} from './membership-plan.js';
import type { Nemesis, NemesisContext, NemesisFamily, NemesisOutcome } from './types.js';

/** What a plan's `nemesisOptions.membership` may say. */
export interface MembershipScheduleOptions {
  /** Fewest members (default 1; the majority rule usually stops shrinking earlier). */
  min?: number;
  /** Most members (default: every node of the test). */
  max?: number;
  /** Shrink by a majority of the configuration at once. */
  unsafe?: boolean;
}

type MemberDb = Db & HasMembers;

function memberDb(ctx: NemesisContext): MemberDb {
  return requireCapability(ctx.db, 'members', 'the membership nemesis');
}

/** The options carried by a `grow`/`shrink` op's value. */
function opOptions(op: Invocation): MembershipScheduleOptions & { range: Partial<MembershipRange> } {
  const v = (op.value !== null && typeof op.value === 'object' ? op.value : {}) as Record<string, unknown>;
  const range: Partial<MembershipRange> = {
    ...(typeof v.min === 'number' ? { min: v.min } : {}),
    ...(typeof v.max === 'number' ? { max: v.max } : {}),
  };
  return { range, unsafe: v.unsafe === true };
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The outcome of changes that stopped at `err`: `fail` when the cluster still lists `before`. */
async function failedOutcome(
  db: MemberDb,
  dbContext: DbContext,
  before: readonly string[],
  what: Record<string, unknown>,
  err: unknown,
): Promise<NemesisOutcome> {
  const after = await db.members(dbContext).catch(() => undefined);
  const unchanged = after !== undefined && after.join(',') === before.join(',');
  return {
    value: { outcome: unchanged ? 'fail' : 'info', ...what, members: after ?? null },
    error: message(err),
  };
}

/** Builds the membership nemesis. It keeps the membership it found at setup, to restore it. */
export function membershipNemesis(): Nemesis {
  let original: string[] | undefined;

  async function originalMembers(ctx: NemesisContext): Promise<string[]> {
    original ??= await memberDb(ctx).members(ctx.dbContext);
    return original;
  }

  async function change(ctx: NemesisContext, op: Invocation): Promise<NemesisOutcome> {
    const db = memberDb(ctx);
    await originalMembers(ctx);
    const { range, unsafe } = opOptions(op);
    const before = await db.members(ctx.dbContext);
    const bounds = membershipRange(ctx.nodes.length, range);
    const plan =
      op.f === 'grow'
        ? planGrow(before, ctx.nodes, bounds, ctx.random)
        : planShrink(before, bounds, unsafe === true, ctx.random);
    if (plan.action === 'none') return { value: { outcome: 'fail', reason: plan.reason, members: before } };
    const key = plan.action === 'add' ? 'added' : 'removed';
    const done: string[] = [];
    try {
      for (const node of plan.nodes) {
        if (plan.action === 'add') await db.addMember(ctx.dbContext, node);
        else await db.removeMember(ctx.dbContext, node);
        done.push(node);
      }
    } catch (err) {
      return failedOutcome(db, ctx.dbContext, before, { [key]: done, planned: plan.nodes }, err);
    }
    const members = await db.members(ctx.dbContext);
    ctx.log(`membership: ${key} ${done.join(', ')}; members ${members.join(', ')}`);
    return { value: { outcome: 'ok', [key]: done, members } };
  }

  async function restore(ctx: NemesisContext): Promise<NemesisOutcome> {
    const db = memberDb(ctx);
    const target = await originalMembers(ctx);
    const before = await db.members(ctx.dbContext);
    const added: string[] = [];
    const removed: string[] = [];
    try {
      for (const step of planRestore(before, target)) {
        if (step.action === 'add') {
          await db.addMember(ctx.dbContext, step.node);
          added.push(step.node);
        } else {
          await db.removeMember(ctx.dbContext, step.node);
          removed.push(step.node);
        }
      }
    } catch (err) {
      return failedOutcome(db, ctx.dbContext, before, { added, removed }, err);
    }
    return { value: { outcome: 'ok', added, removed, members: await db.members(ctx.dbContext) } };
  }

  return {
    name: 'membership',
    fs: ['grow', 'shrink', 'restore-membership'],
    async setup(ctx) {
      original = undefined;
      await originalMembers(ctx);
    },
    async invoke(ctx, op) {
      if (op.f === 'grow' || op.f === 'shrink') return change(ctx, op);
      if (op.f === 'restore-membership') return restore(ctx);
      return { value: null, error: `membership nemesis cannot ${op.f}` };
    },
    async heal(ctx) {
      if (original === undefined) return;
      // A cluster no member of which answers (a power loss it did not survive, say) has no
      // membership to restore: nothing of this nemesis is left on the nodes, the run's teardown
      // removes the db, and the crash checker judges the dead servers. Said, not thrown.
      let reachable = true;
      await memberDb(ctx)
        .members(ctx.dbContext)
        .catch((err: unknown) => {
          reachable = false;
          ctx.log(`membership: not restored, no member answers: ${(err as Error).message}`);
        });
      if (!reachable) return;
      const outcome = await restore(ctx);
      if (outcome.error) throw new Error(`restoring the membership: ${outcome.error}`);
    },
    async teardown() {},
  };
}

/** The ops' value: the plan's options, or null when it gives none. */
function scheduleValue(options: MembershipScheduleOptions | undefined): MembershipScheduleOptions | null {
  const v: MembershipScheduleOptions = {
    ...(options?.min !== undefined ? { min: options.min } : {}),
    ...(options?.max !== undefined ? { max: options.max } : {}),
    ...(options?.unsafe === true ? { unsafe: true } : {}),
  };
  return Object.keys(v).length > 0 ? v : null;
}

/** Membership changes: grow or shrink the cluster, then restore the membership it began with. */
export const membershipFamily: NemesisFamily = {
  name: 'membership',
  description: 'add or remove cluster members (a majority stays), then restore the original membership',
  requires: ['members'],
  // In `all` for dbs with HasMembers (etcd, ZooKeeper; not NATS).
  inAll: true,
  effects: { grow: 'begins', shrink: 'begins', 'restore-membership': 'ends' },
  style: { label: 'membership', fill: 'rgba(13,148,136,0.14)', text: '#0f766e' },
  schedule: ({ membership }) => {
    const value = scheduleValue(membership);
    return {
      startOps: [
        { f: 'grow', value },
        { f: 'shrink', value },
      ],
      stopOp: { f: 'restore-membership', value: null },
      finalOps: [{ f: 'restore-membership', value: null }],
    };
  },
  create: membershipNemesis,
};

/** Reads `nemesisOptions.membership` of a plan; a bad field is bad input naming it. */
export function parseMembershipOptions(value: unknown): MembershipScheduleOptions | undefined {
  if (value === undefined) return undefined;
  const field = 'nemesisOptions.membership';
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new InputError('expected an object with min, max, unsafe', { field });
  const v = value as Record<string, unknown>;
  const out: MembershipScheduleOptions = {};
  for (const [key, given] of Object.entries(v)) {
    if (key === 'min' || key === 'max') {
      if (typeof given !== 'number' || !Number.isInteger(given) || given < 1)
        throw new InputError('expected a whole number >= 1', { field: `${field}.${key}` });
      out[key] = given;
    } else if (key === 'unsafe') {
      if (typeof given !== 'boolean')
        throw new InputError('expected true or false', { field: `${field}.unsafe` });
      out.unsafe = given;
    } else {
      throw new InputError(`unknown option (known: min, max, unsafe)`, { field: `${field}.${key}` });
    }
  }
  if (out.min !== undefined && out.max !== undefined && out.min > out.max)
    throw new InputError('min is larger than max', { field: `${field}.min` });
  return out;
}
