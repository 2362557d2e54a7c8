/**
 * Who is a member of the cluster, as the controller arranged it: the initial membership (the
 * first `members` nodes of the test, all by default) and every later add or remove. An adapter
 * with {@link HasMembers} consults it to know which nodes run the db at all and how a node
 * starts: with the initial cluster, or joining the cluster as it was when the node was added.
 */
import { z } from 'zod';
import type { DbContext } from './types.js';

/** The db option `members`: how many of the test's nodes form the initial membership. */
export const membersOption = {
  /** The first `members` nodes form the cluster; the rest exist but run no db until added (default: all). */
  members: z.number().int().positive().optional(),
};

/** The first `count` nodes (all when `count` is absent or larger). */
export function initialMembers(nodes: readonly string[], count: number | undefined): string[] {
  return nodes.slice(0, Math.min(count ?? nodes.length, nodes.length));
}

/** The controller's view of one cluster's membership. */
export interface MembershipView {
  /** The nodes the controller made members, in test order. */
  readonly members: readonly string[];
  /** Nodes that joined after bootstrap: the members (themselves included) at the time they joined. */
  readonly joinedWith: ReadonlyMap<string, readonly string[]>;
}

interface MutableView {
  members: Set<string>;
  joinedWith: Map<string, string[]>;
}

const views = new WeakMap<DbContext, MutableView>();

function viewOf(ctx: DbContext, count: number | undefined): MutableView {
  let view = views.get(ctx);
  if (!view) {
    view = { members: new Set(initialMembers(ctx.nodes, count)), joinedWith: new Map() };
    views.set(ctx, view);
  }
  return view;
}

/** Membership of the cluster of `ctx` (one per context, i.e. per run), starting from the initial one. */
export function membershipView(ctx: DbContext, count: number | undefined): MembershipView {
  const view = viewOf(ctx, count);
  return { members: ctx.nodes.filter((n) => view.members.has(n)), joinedWith: view.joinedWith };
}

/** Setting up a node puts it back in its initial state: a bootstrap member, or not a member. */
export function resetMember(ctx: DbContext, count: number | undefined, node: string): void {
  const view = viewOf(ctx, count);
  view.joinedWith.delete(node);
  if (initialMembers(ctx.nodes, count).includes(node)) view.members.add(node);
  else view.members.delete(node);
}

/**
 * Records that `node` joins, with `cluster` (the members the cluster reported, itself
 * included) or else the members the controller knows of; returns the members it joins with.
 */
export function recordJoin(
  ctx: DbContext,
  count: number | undefined,
  node: string,
  cluster?: readonly string[],
): string[] {
  const view = viewOf(ctx, count);
  view.members.add(node);
  const known = new Set(cluster ?? view.members);
  known.add(node);
  const withMembers = ctx.nodes.filter((n) => known.has(n));
  view.joinedWith.set(node, withMembers);
  return withMembers;
}

/** Records that `node` left the cluster. */
export function recordLeave(ctx: DbContext, count: number | undefined, node: string): void {
  const view = viewOf(ctx, count);
  view.members.delete(node);
  view.joinedWith.delete(node);
}

/**
 * The members the controller knows of for `ctx`, or undefined when no adapter keeps a view for
 * it (a db without membership changes): whether a node outside it should run its server at all.
 */
export function knownMembers(ctx: DbContext): readonly string[] | undefined {
  const view = views.get(ctx);
  return view ? ctx.nodes.filter((n) => view.members.has(n)) : undefined;
}
