/** The cluster did not become healthy in time; `unhealthy` says, per node, what was last seen. */
export class NotHealthyError extends Error {
  readonly unhealthy: ReadonlyMap<string, string>;
  constructor(db: string, timeoutMs: number, unhealthy: ReadonlyMap<string, string>) {
    const list = [...unhealthy].map(([node, why]) => `${node} (${why})`).join('; ');
    super(`${db} not healthy after ${timeoutMs} ms: ${unhealthy.size} node(s) not serving: ${list}`);
    this.name = 'NotHealthyError';
    this.unhealthy = unhealthy;
  }
}

/** Checks one node within `timeoutMs`; resolves with null when it is healthy, else with why not. */
export type NodeProbe = (node: string, timeoutMs: number) => Promise<string | null>;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The probe's verdict, or a reason when it throws or outlives `ms` (a hung SSH call must not hang us). */
function withDeadline(verdict: Promise<string | null>, ms: number): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no verdict within ${ms} ms`), ms);
  });
  const caught = verdict.catch((e: unknown) => (e instanceof Error ? e.message : String(e)));
  return Promise.race([caught, late]).finally(() => clearTimeout(timer));
}

/**
 * Probes all nodes at once, round after round, until every node is healthy; rejects with a
 * {@link NotHealthyError} naming the nodes that are not once `timeoutMs` has passed.
 */
export async function awaitAllHealthy(
  db: string,
  nodes: readonly string[],
  probe: NodeProbe,
  timeoutMs: number,
  { probeTimeoutMs = 3000, intervalMs = 150 } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const budget = Math.max(200, Math.min(probeTimeoutMs, deadline - Date.now()));
    // Every round probes every node: "healthy" means all at once, not each at some point.
    const verdicts = await Promise.all(nodes.map((node) => withDeadline(probe(node, budget), budget + 2000)));
    const unhealthy = new Map<string, string>();
    nodes.forEach((node, i) => {
      const why = verdicts[i];
      if (why !== null && why !== undefined) unhealthy.set(node, oneLine(why) || 'unhealthy');
    });
    if (unhealthy.size === 0) return;
    if (Date.now() + intervalMs >= deadline) throw new NotHealthyError(db, timeoutMs, unhealthy);
    await sleep(intervalMs);
  }
}

/** The last non-empty line of a message, shortened: enough to say why, not a stack dump. */
export function oneLine(text: string, max = 160): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const line = lines.at(-1) ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
