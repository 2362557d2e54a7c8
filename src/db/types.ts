import type { ClientOffers } from '../client/kind.js';
import type { Remote } from '../control/types.js';
import { InputError } from '../errors.js';

/** What a db adapter needs to act on a cluster. */
export interface DbContext {
  remote: Remote;
  /** All nodes of the test, in order. */
  nodes: readonly string[];
  /** Where node logs are collected to, on the controller. */
  logDir?: string;
  /** Adapter-specific options from the plan (e.g. `preVote`, `snapshotCount`, `tickTime`). */
  options: Record<string, unknown>;
}

/**
 * A system under test, driven over SSH: the core every adapter has (Jepsen's `DB`). What a
 * nemesis needs beyond it is a capability ({@link Killable}, {@link Pausable},
 * {@link HasPrimaries}, {@link HasLogFiles}, {@link HasDataFiles}) that an adapter may or may
 * not have; test for it with {@link hasCapability} or the `is…` guards. Every method acts on
 * one node, except where noted, and must be idempotent: setting up a set-up node is fine.
 */
export interface Db {
  readonly name: string;
  /** Installs (if missing), configures and starts the node, with an empty data dir. */
  setup(ctx: DbContext, node: string): Promise<void>;
  /** Stops the node and removes its data. */
  teardown(ctx: DbContext, node: string): Promise<void>;
  /** Resolves once the whole cluster serves requests; rejects with a clear error after timeoutMs. */
  awaitHealthy(ctx: DbContext, timeoutMs: number): Promise<void>;
  /** The client endpoint of a node, e.g. `10.77.0.11:2379`. */
  endpoint(ctx: DbContext, node: string): string;
  /** The server's version, for the run's facts. */
  version?(ctx: DbContext, node: string): Promise<string>;
  /**
   * The clients this adapter offers to workloads, by client kind (see src/client/kind.ts): a
   * workload runs on a db only when the db offers the kind of client the workload needs.
   */
  readonly clients: ClientOffers;
  /**
   * Regular expressions for log lines that mean the server went badly wrong (a panic, a fatal
   * error, corrupt data): any match makes a run invalid (checkers/log-patterns.ts). Plans add
   * their own with `logPatterns`.
   */
  readonly logPatterns?: readonly string[];
  /**
   * Matches of `logPatterns` that are the server's expected path, known by the lines around
   * them (see {@link ExpectedLogLines}): listed with the reason, not judged.
   */
  readonly expectedLogLines?: readonly ExpectedLogLines[];
}

/**
 * A line that matches a failure pattern but is known to be part of an expected path, told by
 * its context: it matches `line`, the line right after it matches `next` (e.g. the exception a
 * stack trace begins with) and one of the `within` lines before it (default 100) matches
 * `after` (what the server was doing). All are regular expressions. Keep each narrow: one
 * known message in one known situation, with `why` naming it.
 */
export interface ExpectedLogLines {
  /** What the lines are and why they are expected, for the reader of the result. */
  why: string;
  line: string;
  next: string;
  after: string;
  within?: number;
}

/** Jepsen's `Kill`: the server process can be crashed and started again, keeping its data. */
export interface Killable {
  /** SIGKILL the server process (a dead one stays dead). */
  kill(ctx: DbContext, node: string): Promise<void>;
  /** Starts the server on its existing data (a running one keeps running). */
  start(ctx: DbContext, node: string): Promise<void>;
}

/** Jepsen's `Pause`: the server process can be frozen and thawed. */
export interface Pausable {
  /** SIGSTOP the server process. */
  pause(ctx: DbContext, node: string): Promise<void>;
  /** SIGCONT the server process. */
  resume(ctx: DbContext, node: string): Promise<void>;
}

/** Jepsen's `Primary`: the adapter can tell which nodes lead. */
export interface HasPrimaries {
  /** The nodes that currently believe they lead (normally zero or one); acts on the whole cluster. */
  primaries(ctx: DbContext): Promise<string[]>;
}

/** Jepsen's `LogFiles`: the node's logs, collected into the run folder. */
export interface HasLogFiles {
  /** Paths of the node's log files, on the node. */
  logFiles(ctx: DbContext, node: string): Promise<string[]>;
}

/** Data files a file nemesis may damage (WAL, snapshots, transaction logs). */
export interface HasDataFiles {
  dataFiles(ctx: DbContext, node: string): Promise<string[]>;
}

/**
 * A data dir that can lose what was not fsynced, as in a power failure (lossyfs, the
 * `lossyDataDir` db option): the power nemesis kills the server, then drops.
 */
export interface HasLossyDataDir {
  /** True when the plan put the data dirs on lossyfs (the db option `lossyDataDir`). */
  lossyDataDirEnabled(ctx: DbContext): boolean;
  /** The moment of the power failure: no writeback makes anything durable until `loseUnsynced`. */
  cutPower(ctx: DbContext, node: string): Promise<void>;
  /** Rolls the node's data dir back to what was fsynced; the server must not run. */
  loseUnsynced(ctx: DbContext, node: string): Promise<{ files: number; bytes: number }>;
}

/**
 * Cluster membership can change (etcd `member add/remove`, ZooKeeper dynamic reconfiguration).
 * Nodes of the test outside the membership do not run the db; a node added joins with an empty
 * data dir (so a wiped node rejoins as a new member: remove, then add).
 */
export interface HasMembers {
  /** The voting members the cluster reports, as node names, sorted; acts on the whole cluster. */
  members(ctx: DbContext): Promise<string[]>;
  /** Adds `node` as a voting member and starts it with an empty data dir. */
  addMember(ctx: DbContext, node: string): Promise<void>;
  /** Removes `node` from the cluster, then stops it and wipes its data. */
  removeMember(ctx: DbContext, node: string): Promise<void>;
}

/** The server's process can be looked up: what tells a crashed node from a running one. */
export interface HasProcess {
  /** The server's pid on the node, or null when it is not running. */
  pid(ctx: DbContext, node: string): Promise<number | null>;
}

/** The capabilities, by the name nemeses and errors use. */
export interface Capabilities {
  kill: Killable;
  pause: Pausable;
  primaries: HasPrimaries;
  logFiles: HasLogFiles;
  dataFiles: HasDataFiles;
  lossyDataDir: HasLossyDataDir;
  process: HasProcess;
  members: HasMembers;
}

export type Capability = keyof Capabilities;

/** The methods that make each capability, and what it means in words (for errors). */
const CAPABILITIES: {
  readonly [C in Capability]: { methods: readonly (keyof Capabilities[C])[]; says: string };
} = {
  kill: { methods: ['kill', 'start'], says: 'kill and restart its server (Killable: kill, start)' },
  pause: { methods: ['pause', 'resume'], says: 'pause and resume its server (Pausable: pause, resume)' },
  primaries: { methods: ['primaries'], says: 'tell which nodes lead (HasPrimaries: primaries)' },
  logFiles: { methods: ['logFiles'], says: 'list its log files (HasLogFiles: logFiles)' },
  dataFiles: { methods: ['dataFiles'], says: 'list its data files (HasDataFiles: dataFiles)' },
  lossyDataDir: {
    methods: ['lossyDataDirEnabled', 'cutPower', 'loseUnsynced'],
    says: 'lose unsynced writes of its data dir (HasLossyDataDir: lossyDataDirEnabled, cutPower, loseUnsynced)',
  },
  process: { methods: ['pid'], says: 'look up its server process (HasProcess: pid)' },
  members: {
    methods: ['members', 'addMember', 'removeMember'],
    says: 'change its membership (HasMembers: members, addMember, removeMember)',
  },
};

/** Every capability name, in a fixed order. */
export const CAPABILITY_NAMES = Object.keys(CAPABILITIES) as readonly Capability[];

/** True when `db` has every method of `capability`. */
export function hasCapability<C extends Capability>(db: Db, capability: C): db is Db & Capabilities[C] {
  const methods = CAPABILITIES[capability].methods as readonly string[];
  return methods.every((m) => typeof (db as unknown as Record<string, unknown>)[m] === 'function');
}

export const isKillable = (db: Db): db is Db & Killable => hasCapability(db, 'kill');
export const isPausable = (db: Db): db is Db & Pausable => hasCapability(db, 'pause');
export const hasPrimaries = (db: Db): db is Db & HasPrimaries => hasCapability(db, 'primaries');
export const hasLogFiles = (db: Db): db is Db & HasLogFiles => hasCapability(db, 'logFiles');
export const hasDataFiles = (db: Db): db is Db & HasDataFiles => hasCapability(db, 'dataFiles');
export const hasLossyDataDir = (db: Db): db is Db & HasLossyDataDir => hasCapability(db, 'lossyDataDir');
export const hasMembers = (db: Db): db is Db & HasMembers => hasCapability(db, 'members');

/** The capabilities `db` has. */
export function capabilitiesOf(db: Db): Capability[] {
  return CAPABILITY_NAMES.filter((c) => hasCapability(db, c));
}

/** A db asked for a capability it lacks: bad input (the plan pairs a fault with a db that cannot take it). */
export class MissingCapabilityError extends InputError {
  constructor(db: Db, capability: Capability, who: string, field = 'nemesis') {
    super(`${who} needs a db that can ${CAPABILITIES[capability].says}; db ${db.name} cannot`, { field });
    this.name = 'MissingCapabilityError';
  }
}

/** `db` as having `capability`, or a {@link MissingCapabilityError} naming `who` needs it. */
export function requireCapability<C extends Capability>(
  db: Db,
  capability: C,
  who: string,
): Db & Capabilities[C] {
  if (!hasCapability(db, capability)) throw new MissingCapabilityError(db, capability, who);
  return db;
}
