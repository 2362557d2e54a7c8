/** The messages between the runner and a client process (src/run/client-host.ts, client-worker.ts). */
import type { Completion, Invocation } from '../client/types.js';

/** What the child needs to make the client the parent would have made in process. */
export interface ClientWorkerInit {
  /** The plan's workload and db: shipped names, or absolute module paths. */
  workload: string;
  db: string;
  options: Record<string, unknown>;
  dbOptions: Record<string, unknown>;
  concurrency: number;
  nodes: string[];
  /** `db.endpoint` of every node, computed by the parent. */
  endpoints: Record<string, string>;
}

/** Parent to child. */
export type ToClientWorker =
  | { kind: 'init'; init: ClientWorkerInit }
  | { kind: 'open'; id: number; node: string }
  | { kind: 'invoke'; id: number; op: Invocation; process: number }
  | { kind: 'close' };

/** Child to parent. */
export type FromClientWorker =
  | { kind: 'reply'; id: number; completion?: Completion; error?: string }
  | { kind: 'holding'; held: boolean };
