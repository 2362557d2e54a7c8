/**
 * Which addresses the results browser may bind and which `Host` headers it answers. A page
 * on another site can make the browser of someone on this machine send requests to
 * 127.0.0.1 under its own name (DNS rebinding); checking the `Host` header defeats that.
 */
import { isIP } from 'node:net';
import { hostname } from 'node:os';

/** The names a loopback-bound browser answers to. */
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/** True for `localhost`, 127.0.0.0/8 and ::1: addresses only this machine can reach. */
export function isLoopback(address: string): boolean {
  const a = address.toLowerCase();
  if (a === 'localhost' || a === '::1' || a === '[::1]') return true;
  return isIP(a) === 4 && a.startsWith('127.');
}

/** True for an address `--host` may name: an IP address, or `localhost`. */
export function isBindableAddress(address: string): boolean {
  return address === 'localhost' || isIP(address) !== 0;
}

/** The name part of a Host header (`[::1]:8080` → `[::1]`, `Localhost:80` → `localhost`). */
export function hostName(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end < 0 ? h : h.slice(0, end + 1);
  }
  const colon = h.indexOf(':');
  return colon < 0 ? h : h.slice(0, colon);
}

/**
 * The Host header check of a browser bound to `bound`. Bound to loopback, it answers only
 * `localhost`, `127.0.0.1` and `[::1]`. Bound beyond loopback (an explicit choice), it also
 * answers IP addresses (which no one can rebind), this machine's host name and `extraNames`.
 */
export function hostAllowed(
  bound: string,
  extraNames: readonly string[] = [],
): (header: string | undefined) => boolean {
  const names = new Set(LOOPBACK_NAMES);
  for (const n of extraNames) names.add(n.toLowerCase());
  const wide = !isLoopback(bound);
  if (wide) names.add(hostname().toLowerCase());
  return (header) => {
    if (!header) return false;
    const name = hostName(header);
    if (names.has(name)) return true;
    if (!wide) return false;
    const bare = name.startsWith('[') ? name.slice(1, -1) : name;
    return isIP(bare) !== 0;
  };
}
