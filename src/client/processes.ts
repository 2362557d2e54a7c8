/**
 * Clients hosted in processes of their own (one per logical process), which can really be
 * stopped: SIGSTOP freezes the client with everything it runs — its calls, the lease
 * keep-alives of an etcd client, the heartbeats of a ZooKeeper session — as a long GC pause
 * would, and SIGCONT lets it go on as if nothing happened. The runner hosts clients so when a
 * plan asks for it; the `client-pause` nemesis stops and resumes them through this interface.
 */

/** One hosted client, as the nemesis sees it. */
export interface HostedClient {
  /** The OS process that runs the client. */
  readonly pid: number;
  /** The logical process (history `process`) it last performed an op for; null before its first op. */
  readonly process: number | null;
  /** The client said it holds a lock or lease (see `InvokeContext.holding`). */
  readonly holding: boolean;
  /** Stopped by {@link ClientProcesses.pause} and not resumed yet. */
  readonly paused: boolean;
}

/** The hosted clients of a run. */
export interface ClientProcesses {
  /** The clients the runner currently uses (not those it closed), oldest first. */
  list(): HostedClient[];
  /** Stops the client's process (SIGSTOP); false when it is gone. */
  pause(pid: number): boolean;
  /** Lets it go on (SIGCONT); false when it is gone or was not paused. */
  resume(pid: number): boolean;
}
