/**
 * What a NATS server says about itself on its HTTP monitoring port: `/healthz` (serving, and
 * JetStream current) and `/jsz` (the JetStream meta leader and each stream's leader, as this
 * server sees them).
 */

/** One server's view of JetStream leadership. */
export interface JetStreamView {
  /** The meta leader it knows, or null when it knows none (no quorum, or still electing). */
  metaLeader: string | null;
  /** The meta group's size as it knows it. */
  clusterSize: number;
  /** Each stream's leader as it knows it (null: none), by stream name. */
  streamLeaders: Map<string, string | null>;
}

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

function nonEmptyString(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** Parses `/jsz?streams=true` (null when it is not JetStream's answer). */
export function parseJsz(json: string): JetStreamView | null {
  let body: unknown;
  try {
    body = JSON.parse(json);
  } catch {
    return null;
  }
  const top = record(body);
  if (!top) return null;
  const meta = record(top.meta_cluster);
  const streamLeaders = new Map<string, string | null>();
  const accounts = Array.isArray(top.account_details) ? top.account_details : [];
  for (const account of accounts) {
    const streams = record(account)?.stream_detail;
    for (const stream of Array.isArray(streams) ? streams : []) {
      const s = record(stream);
      const name = nonEmptyString(s?.name);
      if (name) streamLeaders.set(name, nonEmptyString(record(s?.cluster)?.leader));
    }
  }
  return {
    metaLeader: nonEmptyString(meta?.leader),
    clusterSize: typeof meta?.cluster_size === 'number' ? meta.cluster_size : 0,
    streamLeaders,
  };
}

/** Parses `/healthz`: null when healthy, else what it said. */
export function parseHealthz(status: number, body: string): string | null {
  let said = body.trim();
  try {
    const parsed = record(JSON.parse(body));
    if (status === 200 && parsed?.status === 'ok') return null;
    said = nonEmptyString(parsed?.error) ?? nonEmptyString(parsed?.status) ?? said;
  } catch {
    // not JSON: report the text
  }
  return `healthz ${status}: ${said || 'no body'}`;
}

/** GETs `url` within `timeoutMs`: the status and body, or throws (refused, timed out). */
export async function httpGet(url: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return { status: response.status, body: await response.text() };
}

/** The last non-empty line of a message, shortened: enough to say why, not a stack dump. */
export function oneLine(text: string, max = 160): string {
  const line =
    text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .at(-1) ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
