import type { Remote } from '../control/types.js';

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
 * A system under test, driven over SSH. Every method acts on one node, except where noted,
 * and must be idempotent: setting up a set-up node or killing a dead one is fine.
 */
export interface Db {
  readonly name: string;
  /** Installs (if missing), configures and starts the node, with an empty data dir. */
  setup(ctx: DbContext, node: string): Promise<void>;
  /** Stops the node and removes its data. */
  teardown(ctx: DbContext, node: string): Promise<void>;
  start(ctx: DbContext, node: string): Promise<void>;
  /** SIGKILL the server process. */
  kill(ctx: DbContext, node: string): Promise<void>;
  /** SIGSTOP the server process. */
  pause(ctx: DbContext, node: string): Promise<void>;
  /** SIGCONT the server process. */
  resume(ctx: DbContext, node: string): Promise<void>;
  /** Resolves once the whole cluster serves requests; rejects with a clear error after timeoutMs. */
  awaitHealthy(ctx: DbContext, timeoutMs: number): Promise<void>;
  /** The nodes that currently believe they lead (normally zero or one). */
  primaries(ctx: DbContext): Promise<string[]>;
  /** Paths of the node's log files, for collection into the run folder. */
  logFiles(ctx: DbContext, node: string): Promise<string[]>;
  /** Data files a file nemesis may corrupt (WAL, snapshots, transaction logs). */
  dataFiles?(ctx: DbContext, node: string): Promise<string[]>;
  /** The server's version, for the run's facts. */
  version?(ctx: DbContext, node: string): Promise<string>;
  /** The client endpoint of a node, e.g. `10.77.0.11:2379`. */
  endpoint(ctx: DbContext, node: string): string;
  /** Stops the server gracefully (SIGTERM, then SIGKILL after a grace period); keeps its data. */
  stop?(ctx: DbContext, node: string): Promise<void>;
  /** Removes the node's data (the server must be stopped); the next `start` begins empty. */
  wipe?(ctx: DbContext, node: string): Promise<void>;
  /** The server's process id on the node (in the node's PID namespace), or null when it is not running. */
  pid?(ctx: DbContext, node: string): Promise<number | null>;
}
