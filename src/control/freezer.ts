/** Transports that can freeze whole nodes from outside (Docker's `pause`), apart from any client library. */

/** A transport that can freeze and thaw whole nodes from outside (Docker's `pause`). */
export interface NodeFreezer {
  pauseNode(node: string): Promise<void>;
  resumeNode(node: string): Promise<void>;
}

/** True when `remote` can freeze whole nodes. */
export function canFreezeNodes(remote: object): remote is NodeFreezer {
  const r = remote as Partial<NodeFreezer>;
  return typeof r.pauseNode === 'function' && typeof r.resumeNode === 'function';
}
