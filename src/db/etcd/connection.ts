/**
 * The etcd connection every etcd client uses: one `etcd3` client bound to ONE member (no failover, so that
 * partitions matter), with the library's retries and circuit breakers off (a retried
 * non-idempotent op would make the history lie) and a deadline on every unary call.
 */
import { noop } from 'cockatiel';
import { Etcd3 } from 'etcd3';
import { errorText, shortError } from '../../client/calls.js';
import type { Done, Failed } from '../../client/types.js';

/** Deadline of every unary call, unless a workload gives its own. */
export const DEFAULT_CALL_TIMEOUT_MS = 3000;

/** A client of the member at `endpoint` (`host:port`): no retries, a deadline on every unary call. */
export function connectEtcd(endpoint: string, callTimeoutMs = DEFAULT_CALL_TIMEOUT_MS): Etcd3 {
  return new Etcd3({
    hosts: `http://${endpoint}`,
    dialTimeout: callTimeoutMs,
    faultHandling: { host: () => noop, global: noop },
    // Streams (watches, lease keep-alives) live as long as the client; unary calls get a deadline.
    defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + callTimeoutMs }),
  });
}

/** What an error's text says about whether the request reached the server. */
export type ErrorKind = 'not-sent' | 'rejected' | 'indefinite';

/**
 * Sorts an etcd client error: `not-sent` (no connection: the request was never written),
 * `rejected` (the server refused it before proposing it), or `indefinite` (timeouts, lost
 * connections, leader changes mid-request, anything unknown).
 */
export function etcdErrorKind(err: unknown): ErrorKind {
  const text = errorText(err);
  if (
    /No connection established|ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|Connection pool has no hosts/i.test(text)
  )
    return 'not-sent';
  // Refused by the member before any proposal: throttling, a missing lease, a bad request.
  if (
    /etcdserver: too many requests|requested lease not found|invalid argument|permission denied/i.test(text)
  )
    return 'rejected';
  return 'indefinite';
}

/**
 * The completion for a failed call: `fail` when the op surely did not take effect (it was
 * never sent or was refused, or it is a read, which changes nothing), else `info`.
 */
export function etcdFailure(err: unknown, readOnly: boolean): Failed {
  const kind = etcdErrorKind(err);
  const error = shortError(err);
  if (readOnly || kind !== 'indefinite') return { type: 'fail', error };
  return { type: 'info', error };
}

/**
 * Gives back something held under a lease (a lock, a leadership) by `give`: `ok`, also when
 * the lease is gone already (it expired, and the hold with it); else the call's failure.
 */
export async function releaseLeased(give: () => Promise<unknown>): Promise<Done> {
  try {
    await give();
    return { type: 'ok' };
  } catch (err) {
    if (/requested lease not found/.test(String(err))) return { type: 'ok', error: 'lease had expired' };
    return etcdFailure(err, false);
  }
}
