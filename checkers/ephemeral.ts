/**
 * Ephemeral membership: a member's node (a ZooKeeper ephemeral znode, an etcd key under a lease)
 * lives exactly as long as its session, and observers' lists of members agree with that.
 *
 * Op shapes (the `ephemeral` workload's):
 * - `register` (value: the member's name): `ok` once the member's node exists under a fresh
 *   session; the `ok` value is `{member, session, ttlMs}` (the granted session timeout or lease
 *   TTL). Member names are never reused.
 * - `heartbeat` (value: the member): `ok` when the server renewed the session during the call.
 * - `leave` (value: the member): `ok` once the node is gone (session closed, lease revoked).
 * - `die`, `cut` (value: the member): the member's client died, or was cut off; from the `ok`
 *   on, nothing more keeps its session alive.
 * - `list` (value: null): `ok` with the names of the members whose nodes exist, read at one
 *   moment between invocation and completion (a linearizable read).
 *
 * Promises checked, each breach named with its ops:
 * - `deleted-while-alive`: an `ok` register or heartbeat invoked at `t` proves the session's
 *   expiry is no earlier than `t + ttl`; a list that surely began after the node existed and
 *   ended before `t + ttl - slackMs` without the member (and before the member began to leave
 *   or its process crashed) saw the node deleted too early.
 * - `not-deleted-after-death`: after an `ok` die or cut at `d`, the node must be gone by
 *   `d + ttl + boundMs`; a fault of the nemesis (a kill, a partition, a heal) may elect a new
 *   leader, which restarts session and lease clocks, so the deadline is counted again from the
 *   last nemesis op that completed before it, and it never runs out while a fault is in force
 *   (an ensemble killed whole expires nothing until it is back): it is then counted again from
 *   the op that ended the fault. A list invoked after the deadline that still has the member
 *   breaches it. A death no list could judge is counted as `unverifiedDeaths`.
 * - `present-after-leave`: a list invoked after an `ok` leave still has the member.
 * - `resurrected`: a list surely after one that saw the node deleted has it again.
 * - `phantom`: a list has a member no register had been invoked for before it ended (or
 *   whose register surely failed).
 *
 * Valid when nothing is breached; `unknown` when no list or no register succeeded.
 */
import type { History, Op } from '../src/history/index.js';
import { faultWindows } from './perf/faults.js';
import type { Checker, CheckResult, CommonCheckOptions } from './result.js';
import { field, nsToMs as ms, plural, verdictWord } from './values.js';

/** Options of `ephemeral`. */
export interface EphemeralOptions extends CommonCheckOptions {
  /** The session timeout or TTL to assume when a register's `ok` value does not say (ms). */
  ttlMs?: number;
  /**
   * How much earlier than the proven expiry a deletion is tolerated (ms, default 1000): a
   * ZooKeeper follower tells the leader of its sessions' activity with the leader's next ping,
   * every half tick (1000 ms with the default tickTime), so the leader's clock of a session can
   * lag the client's last request by that much.
   */
  slackMs?: number;
  /** How long after `ttl` a dead member's node may still be seen (ms, default 5000). */
  boundMs?: number;
}

export type BreachKind =
  | 'deleted-while-alive'
  | 'not-deleted-after-death'
  | 'present-after-leave'
  | 'resurrected'
  | 'phantom';

/** One broken promise. */
export interface EphemeralBreach {
  kind: BreachKind;
  member: string;
  /** `op.index` of the ops it rests on: the member's and the observer's. */
  ops: number[];
  explanation: string;
}

/** A member's session beside its node's lifetime, as seen in the history (times in ms). */
export interface MemberTimeline {
  member: string;
  process: number | string;
  node?: string;
  session?: string;
  ttlMs?: number;
  /** Register invoked and (if ok) completed. */
  registerMs: number;
  registeredMs?: number;
  /** Invocation times of the ok heartbeats. */
  heartbeatsMs: number[];
  /** The proven expiry: no deletion was allowed before it (minus slack). */
  aliveUntilMs?: number;
  /** How the membership ended: leave, die, cut, crash (an info op), or still a member. */
  end: 'leave' | 'die' | 'cut' | 'crash' | 'member';
  endMs?: number;
  /** For die and cut: when the node had to be gone by. */
  deadlineMs?: number;
  /** Lists that saw the node: first and last (completion times). */
  firstSeenMs?: number;
  lastSeenMs?: number;
  /** The first list that surely saw it deleted (completion time). */
  goneByMs?: number;
  breached: boolean;
}

/** What `ephemeral` found. */
export interface EphemeralResult extends CheckResult {
  memberCount: number;
  registeredCount: number;
  listCount: number;
  deaths: number;
  verifiedDeaths: number;
  unverifiedDeaths: number;
  breachCount: number;
  breachCounts: Partial<Record<BreachKind, number>>;
  /** The first 100 breaches. */
  breaches: EphemeralBreach[];
  /** Per member (the first 300, breached ones first): the report's timelines. */
  memberTimelines: MemberTimeline[];
}

interface Member {
  name: string;
  process: number | string;
  node?: string;
  register: Op;
  registered?: Op;
  failed: boolean;
  session?: string;
  ttlNs?: number;
  /** ok register/heartbeat invocations: each proves the session alive at or after it. */
  proofs: Op[];
  /** When the node may begin to vanish legitimately: a leave or a crash began (ns). */
  windowEnd: number;
  end: MemberTimeline['end'];
  endOp?: Op;
  died?: Op;
  left?: Op;
}

interface ListRead {
  invoke: Op;
  done: Op;
  members: ReadonlySet<string>;
}

const MEMBER_FS = new Set(['register', 'heartbeat', 'leave', 'die', 'cut']);
const MS = 1e6;

/** The member an op is about: a string value, or `value.member`. */
export function memberOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  const m = field(value, 'member');
  return typeof m === 'string' ? m : undefined;
}

function listOf(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.filter((x): x is string => typeof x === 'string');
}

/** Checks ephemeral membership. O(members × lists). */
export function checkEphemeral(history: History, options: EphemeralOptions = {}): EphemeralResult {
  const slackNs = (options.slackMs ?? 1000) * MS;
  const boundNs = (options.boundMs ?? 5000) * MS;
  const members = new Map<string, Member>();
  const lists: ListRead[] = [];
  const nemesisDone: number[] = [];

  for (let i = 0; i < history.length; i++) {
    const op = history.at(i);
    if (op.process === 'nemesis') {
      if (op.type !== 'invoke') nemesisDone.push(op.time);
      continue;
    }
    if (op.type !== 'invoke') continue;
    const done = history.completionOf(i);
    if (op.f === 'list') {
      const names = done?.type === 'ok' ? listOf(done.value) : undefined;
      if (done && names) lists.push({ invoke: op, done, members: new Set(names) });
      continue;
    }
    if (!MEMBER_FS.has(op.f)) continue;
    const name = memberOf(op.value);
    if (name === undefined) continue;
    const type = done?.type ?? 'info';
    if (op.f === 'register') {
      members.set(name, registerOf(name, op, done, options.ttlMs));
      continue;
    }
    const m = members.get(name);
    if (!m) continue;
    if (type === 'info' && m.windowEnd === Number.POSITIVE_INFINITY) {
      // The process crashed: its client is closed at some time after this invocation.
      m.windowEnd = op.time;
      if (m.end === 'member') {
        m.end = 'crash';
        m.endOp = op;
      }
    }
    if (type !== 'ok' || !done) continue;
    if (op.f === 'heartbeat') m.proofs.push(op);
    else if (op.f === 'leave') {
      m.windowEnd = Math.min(m.windowEnd, op.time);
      m.end = 'leave';
      m.endOp = op;
      m.left = done;
    } else {
      m.end = op.f as 'die' | 'cut';
      m.endOp = op;
      m.died = done;
    }
  }

  const breaches: EphemeralBreach[] = [];
  const timelines: MemberTimeline[] = [];
  let deaths = 0;
  let verifiedDeaths = 0;
  nemesisDone.sort((a, b) => a - b);
  const faults: FaultSpan[] = faultWindows(history.ops).windows.map((w) => ({
    start: w.start * 1e9,
    end: w.end === null ? null : w.end * 1e9,
  }));

  for (const m of members.values()) {
    const before = breaches.length;
    const seen = lists.filter((l) => l.members.has(m.name));
    // The node surely existed by: the register's ok, or the first list that had it.
    let createdBy = m.registered ? m.registered.time : Number.POSITIVE_INFINITY;
    for (const l of seen) createdBy = Math.min(createdBy, l.done.time);
    const absent = lists.filter((l) => !l.members.has(m.name) && l.invoke.time > createdBy);
    const goneBy = absent.reduce<ListRead | undefined>(
      (a, l) => (a === undefined || l.done.time < a.done.time ? l : a),
      undefined,
    );

    // Phantom: seen before any register was invoked, or after a register that surely failed.
    const phantom = seen.find((l) => m.failed || l.done.time < m.register.time);
    if (phantom) {
      breaches.push({
        kind: 'phantom',
        member: m.name,
        ops: [m.register.index, phantom.done.index],
        explanation: `list op ${phantom.done.index} has ${m.name}, whose register (op ${m.register.index}) ${
          m.failed ? 'surely failed' : 'had not begun'
        }`,
      });
    }

    // Deleted while alive.
    let aliveUntil: number | undefined;
    let proof: Op | undefined;
    if (m.ttlNs !== undefined) {
      for (const p of m.proofs) {
        if (p.time >= m.windowEnd) continue;
        const until = p.time + m.ttlNs;
        if (aliveUntil === undefined || until > aliveUntil) {
          aliveUntil = until;
          proof = p;
        }
      }
    }
    if (goneBy && aliveUntil !== undefined && proof && goneBy.done.time < m.windowEnd) {
      if (goneBy.done.time < aliveUntil - slackNs) {
        breaches.push({
          kind: 'deleted-while-alive',
          member: m.name,
          ops: [m.register.index, proof.index, goneBy.done.index],
          explanation: `list op ${goneBy.done.index} (ended ${ms(goneBy.done.time)} ms) no longer has ${m.name}, but ${proof.f} op ${proof.index} (invoked ${ms(proof.time)} ms) proved its session alive until at least ${ms(aliveUntil)} ms (ttl ${ms(m.ttlNs!)} ms, slack ${ms(slackNs)} ms)`,
        });
      }
    }

    // Not deleted after its client died.
    let deadline: number | undefined;
    if (m.died && m.ttlNs !== undefined) {
      deaths++;
      deadline = deathDeadline(m.died.time, m.ttlNs + boundNs, nemesisDone, faults);
      const late = seen.find((l) => l.invoke.time > deadline!);
      const judged = lists.some((l) => l.invoke.time > deadline!);
      if (judged) verifiedDeaths++;
      if (late) {
        breaches.push({
          kind: 'not-deleted-after-death',
          member: m.name,
          ops: [m.endOp!.index, late.done.index],
          explanation: `list op ${late.done.index} (invoked ${ms(late.invoke.time)} ms) still has ${m.name}, whose client ${m.end === 'cut' ? 'was cut off' : 'died'} at op ${m.died.index} (${ms(m.died.time)} ms): it had to be gone by ${ms(deadline)} ms (ttl ${ms(m.ttlNs)} ms + bound ${ms(boundNs)} ms, from its death or the last fault's end)`,
        });
      }
    }

    // Present after leave.
    if (m.left) {
      const after = seen.find((l) => l.invoke.time > m.left!.time);
      if (after) {
        breaches.push({
          kind: 'present-after-leave',
          member: m.name,
          ops: [m.left.index, after.done.index],
          explanation: `list op ${after.done.index} still has ${m.name} after its leave completed (op ${m.left.index})`,
        });
      }
    }

    // Resurrected: present in a list that began after one that saw it deleted.
    if (goneBy) {
      const back = seen.find((l) => l.invoke.time > goneBy.done.time);
      if (back) {
        breaches.push({
          kind: 'resurrected',
          member: m.name,
          ops: [goneBy.done.index, back.done.index],
          explanation: `list op ${goneBy.done.index} saw ${m.name} deleted, yet list op ${back.done.index}, invoked after it ended, has it again`,
        });
      }
    }

    timelines.push({
      member: m.name,
      process: m.process,
      ...(m.register.node !== undefined && { node: m.register.node }),
      ...(m.session !== undefined && { session: m.session }),
      ...(m.ttlNs !== undefined && { ttlMs: ms(m.ttlNs) }),
      registerMs: ms(m.register.time),
      ...(m.registered && { registeredMs: ms(m.registered.time) }),
      heartbeatsMs: m.proofs.filter((p) => p.f === 'heartbeat').map((p) => ms(p.time)),
      ...(aliveUntil !== undefined && { aliveUntilMs: ms(aliveUntil) }),
      end: m.end,
      ...(m.endOp && { endMs: ms(m.endOp.time) }),
      ...(deadline !== undefined && Number.isFinite(deadline) && { deadlineMs: ms(deadline) }),
      ...(seen.length > 0 && {
        firstSeenMs: ms(Math.min(...seen.map((l) => l.done.time))),
        lastSeenMs: ms(Math.max(...seen.map((l) => l.done.time))),
      }),
      ...(goneBy && { goneByMs: ms(goneBy.done.time) }),
      breached: breaches.length > before,
    });
  }

  // Members nobody registered, yet listed.
  const unknownNames = new Set<string>();
  for (const l of lists) for (const n of l.members) if (!members.has(n)) unknownNames.add(n);
  for (const n of unknownNames) {
    const l = lists.find((x) => x.members.has(n))!;
    breaches.push({
      kind: 'phantom',
      member: n,
      ops: [l.done.index],
      explanation: `list op ${l.done.index} has ${n}, which no register ever named`,
    });
  }

  const breachCounts: Partial<Record<BreachKind, number>> = {};
  for (const b of breaches) breachCounts[b.kind] = (breachCounts[b.kind] ?? 0) + 1;
  timelines.sort((a, b) => Number(b.breached) - Number(a.breached) || a.registerMs - b.registerMs);
  const registeredCount = [...members.values()].filter((m) => m.registered).length;
  const base = {
    memberCount: members.size,
    registeredCount,
    listCount: lists.length,
    deaths,
    verifiedDeaths,
    unverifiedDeaths: deaths - verifiedDeaths,
    breachCount: breaches.length,
    breachCounts,
    breaches: breaches.slice(0, 100),
    memberTimelines: timelines.slice(0, 300),
  };
  if (breaches.length > 0) return { valid: false, ...base };
  if (lists.length === 0) return { valid: 'unknown', reason: 'no list succeeded', ...base };
  if (registeredCount === 0) return { valid: 'unknown', reason: 'no member registered', ...base };
  return { valid: true, ...base };
}

function registerOf(name: string, invoke: Op, done: Op | undefined, ttlMs: number | undefined): Member {
  const ok = done?.type === 'ok';
  const ttl = ok ? field(done.value, 'ttlMs') : undefined;
  const session = ok ? field(done.value, 'session') : undefined;
  const ttlNs = typeof ttl === 'number' && ttl > 0 ? ttl * MS : ttlMs !== undefined ? ttlMs * MS : undefined;
  const crashed = !done || done.type === 'info';
  return {
    name,
    process: invoke.process,
    ...(invoke.node !== undefined && { node: invoke.node }),
    register: invoke,
    ...(ok && { registered: done }),
    failed: done?.type === 'fail',
    ...(session !== undefined && session !== null && { session: String(session) }),
    ...(ttlNs !== undefined && { ttlNs }),
    proofs: ok ? [invoke] : [],
    windowEnd: crashed ? invoke.time : Number.POSITIVE_INFINITY,
    end: crashed ? 'crash' : 'member',
    ...(crashed && { endOp: invoke }),
  };
}

/** A fault in force from `start` to `end` (ns; `end` null: never healed). */
export interface FaultSpan {
  start: number;
  end: number | null;
}

/**
 * When a member that died at `diedAt` must be gone by: `span` after its death, counted again
 * from every nemesis op that completed before the deadline (it may have moved the leader), and
 * from the end of every fault still in force at the deadline (while the ensemble is down or cut
 * apart, nothing need expire). Infinite when such a fault was never healed: no list can judge it.
 */
export function deathDeadline(
  diedAt: number,
  span: number,
  nemesisDone: readonly number[],
  faults: readonly FaultSpan[] = [],
): number {
  let from = diedAt;
  for (;;) {
    const deadline = from + span;
    let next: number | undefined;
    for (const t of nemesisDone) if (t > from && t <= deadline) next = Math.max(next ?? t, t);
    for (const f of faults) {
      if (f.start > deadline || (f.end !== null && f.end <= deadline)) continue;
      if (f.end === null) return Number.POSITIVE_INFINITY;
      next = Math.max(next ?? f.end, f.end);
    }
    if (next === undefined) return deadline;
    from = next;
  }
}

/** `--checker ephemeral`. */
export const ephemeralChecker: Checker<EphemeralOptions> = {
  name: 'ephemeral',
  description:
    'ephemeral nodes and leases: a node goes only after its session can have expired, and goes within a bound after its client died; lists agree',
  check: (history, options) => checkEphemeral(history, options),
  explain(result) {
    const r = result as EphemeralResult;
    const lines = [
      `${verdictWord(r.valid)}${r.reason ? `: ${r.reason}` : ''}: ${plural(r.memberCount, 'member')} (${r.registeredCount} registered), ${plural(r.listCount, 'list')}; ${plural(r.deaths, 'death')} (${r.unverifiedDeaths} not judged by any later list); ${r.breachCount} breach${r.breachCount === 1 ? '' : 'es'}.`,
    ];
    for (const b of r.breaches.slice(0, 10)) lines.push(`  ${b.kind}: ${b.explanation}`);
    return lines.join('\n');
  },
};
