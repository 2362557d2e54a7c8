/**
 * etcd membership over the v3 HTTP gateway (`/v3/cluster/member/*`), from the controller: list,
 * add (a voting member; it then starts with `--initial-cluster-state existing`), remove.
 */
/** One member as the cluster lists it. An added member that has not started yet has no name. */
export interface EtcdMember {
  /** uint64, as a decimal string. */
  id: string;
  name: string;
  peerUrls: string[];
}

/** Parses a member list (or the answer to an add, which lists the members after it). */
export function parseEtcdMembers(json: string): EtcdMember[] {
  // Bare uint64 ids would be rounded by JSON.parse: quote them first.
  const quoted = json.replace(/"ID":\s*(\d+)/g, '"ID":"$1"');
  const parsed = JSON.parse(quoted) as { members?: { ID?: string; name?: string; peerURLs?: string[] }[] };
  return (parsed.members ?? []).map((m) => ({
    id: String(m.ID ?? ''),
    name: m.name ?? '',
    peerUrls: m.peerURLs ?? [],
  }));
}

/** The node whose peer URL the member advertises, if it is one of the test's nodes. */
export function nodeOfMember(
  member: EtcdMember,
  peerUrlOf: (node: string) => string,
  nodes: readonly string[],
): string | undefined {
  return nodes.find((n) => member.peerUrls.includes(peerUrlOf(n)));
}

/**
 * The leader the members agree on, or undefined: a majority of `members` answered (`answers`:
 * each node's own status, null where none came), all name the same leader, and that leader is a
 * member and says so itself. A member whose leader was just removed still names it until its
 * election timeout; a change proposed through it meanwhile is lost, and the call hangs until
 * it times out.
 */
export function agreedLeader(
  members: readonly EtcdMember[],
  answers: readonly ({ memberId: string; leaderId: string } | null)[],
): string | undefined {
  const ids = new Set(members.map((m) => m.id));
  const byId = new Map<string, { leaderId: string }>();
  for (const a of answers) if (a && ids.has(a.memberId)) byId.set(a.memberId, a);
  if (byId.size <= members.length / 2) return undefined;
  const leaders = new Set([...byId.values()].map((a) => a.leaderId));
  if (leaders.size !== 1) return undefined;
  const [leader] = leaders;
  return leader !== undefined && ids.has(leader) && byId.get(leader)?.leaderId === leader
    ? leader
    : undefined;
}

/** A refused or failed membership call, with etcd's own words. */
export class EtcdMembershipError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EtcdMembershipError';
  }
}

/** True when `err` says the connection was never made: the request surely had no effect. */
function neverConnected(err: unknown): boolean {
  const cause = (err as { cause?: { code?: string } }).cause;
  return cause?.code === 'ECONNREFUSED' || cause?.code === 'EHOSTUNREACH';
}

/**
 * POSTs `body` to `path` on the first of `endpoints` that accepts a connection; an endpoint
 * that refuses it is skipped (nothing happened there), any other error ends the call.
 */
export async function etcdGatewayCall(
  endpoints: readonly string[],
  path: string,
  body: unknown,
  timeoutMs: number,
): Promise<string> {
  const refused: string[] = [];
  for (const endpoint of endpoints) {
    let response: Response;
    try {
      response = await fetch(`http://${endpoint}${path}`, {
        method: 'POST',
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      if (neverConnected(err)) {
        refused.push(endpoint);
        continue;
      }
      throw new EtcdMembershipError(`${path} on ${endpoint}: ${(err as Error).message}`);
    }
    const text = await response.text();
    if (response.ok) return text;
    const said = /"(?:error|message)":\s*"([^"]+)"/.exec(text)?.[1] ?? text.trim();
    throw new EtcdMembershipError(`${path} on ${endpoint}: HTTP ${response.status}: ${said}`);
  }
  throw new EtcdMembershipError(`${path}: no member accepted a connection (${refused.join(', ')})`);
}

/** The members, asked of `endpoints` in turn. */
export async function listEtcdMembers(endpoints: readonly string[], timeoutMs = 3000): Promise<EtcdMember[]> {
  return parseEtcdMembers(await etcdGatewayCall(endpoints, '/v3/cluster/member/list', {}, timeoutMs));
}

/**
 * etcd refuses a reconfiguration (strict reconfig check) until every started member has been
 * connected for 5 s: right after a start or a change. The refusal changed nothing, so it is
 * asked again, until `retryMs` is over; so is any refusal `retryOn` matches.
 */
async function reconfigure(
  endpoints: readonly string[],
  path: string,
  body: unknown,
  timeoutMs: number,
  retryMs: number,
  retryOn = /unhealthy cluster/,
): Promise<string> {
  const deadline = performance.now() + retryMs;
  while (true) {
    try {
      return await etcdGatewayCall(endpoints, path, body, timeoutMs);
    } catch (err) {
      if (!retryOn.test((err as Error).message) || performance.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/**
 * Adds a voting member with `peerUrl`; returns the members after the add. etcd 3.4 derives a
 * new member's id from its peer URLs and the time in whole seconds, so adding a URL again in
 * the second it was last added gives the id of the member removed since, and etcd refuses it
 * ("member not found", its word for a removed id; nothing changed): asked again, as the
 * strict reconfig check's refusals are.
 */
export async function addEtcdMember(
  endpoints: readonly string[],
  peerUrl: string,
  timeoutMs = 10_000,
  retryMs = 15_000,
): Promise<EtcdMember[]> {
  const body = { peerURLs: [peerUrl] };
  const retryOn = /unhealthy cluster|member not found/;
  return parseEtcdMembers(
    await reconfigure(endpoints, '/v3/cluster/member/add', body, timeoutMs, retryMs, retryOn),
  );
}

/** Removes the member with `id`. */
export async function removeEtcdMember(
  endpoints: readonly string[],
  id: string,
  timeoutMs = 10_000,
  retryMs = 15_000,
): Promise<void> {
  await reconfigure(endpoints, '/v3/cluster/member/remove', { ID: id }, timeoutMs, retryMs);
}
