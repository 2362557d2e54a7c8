/** UDP probes between two ensemble nodes (Python 3 on the nodes): round-trip time, loss, duplicates. */
import type { Remote } from '../../../src/control/types.js';

const PORT = 7077;

/** A UDP echo server: answers every datagram, for $1 seconds. */
const ECHO_SERVER = `import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('0.0.0.0', ${PORT}))
s.settimeout(0.5)
end = time.monotonic() + float(sys.argv[1])
while time.monotonic() < end:
    try:
        data, peer = s.recvfrom(2048)
    except socket.timeout:
        continue
    s.sendto(data, peer)
`;

/** Sends $2 datagrams to $1, $3 ms apart; prints JSON {sent, answered, duplicates, rttsMs}. */
const PROBE_CLIENT = `import json, socket, sys, time
addr = sys.argv[1]; n = int(sys.argv[2]); gap = float(sys.argv[3]) / 1000
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setblocking(False)
sent = {}; seen = {}; rtts = []
def drain():
    while True:
        try:
            data, _ = s.recvfrom(2048)
        except BlockingIOError:
            return
        i = int(data.split(b' ')[0])
        seen[i] = seen.get(i, 0) + 1
        if seen[i] == 1:
            rtts.append((time.monotonic() - sent[i]) * 1000)
for i in range(n):
    sent[i] = time.monotonic()
    s.sendto(b'%d probe' % i, (addr, ${PORT}))
    time.sleep(gap)
    drain()
end = time.monotonic() + 2
while time.monotonic() < end:
    time.sleep(0.01)
    drain()
print(json.dumps({'sent': n, 'answered': len(seen), 'duplicates': sum(c - 1 for c in seen.values()), 'rttsMs': rtts}))
`;

/** Starts the echo server detached, its pid in /run/faultline-probe.pid. Args: seconds, server code. */
const START_SERVER = `setsid -f bash -c 'echo $$ > /run/faultline-probe.pid; exec timeout "$1" python3 -c "$2" "$1"' probe "$1" "$2" </dev/null >/dev/null 2>&1
sleep 0.3
`;

export interface ProbeResult {
  sent: number;
  answered: number;
  duplicates: number;
  rttsMs: number[];
}

/** Probes from `from` to `to`: `count` datagrams, `gapMs` apart. */
export async function udpProbe(
  remote: Remote,
  from: string,
  to: string,
  count: number,
  gapMs = 5,
): Promise<ProbeResult> {
  const seconds = Math.ceil((count * gapMs) / 1000) + 10;
  await remote.script(to, START_SERVER, [String(seconds), ECHO_SERVER]);
  try {
    const r = await remote.exec(
      from,
      ['python3', '-c', PROBE_CLIENT, remote.address(to), String(count), String(gapMs)],
      {
        timeoutMs: (seconds + 10) * 1000,
      },
    );
    return JSON.parse(r.stdout) as ProbeResult;
  } finally {
    await remote.script(
      to,
      'kill "$(cat /run/faultline-probe.pid)" 2>/dev/null; rm -f /run/faultline-probe.pid',
      [],
      {
        allowFailure: true,
      },
    );
  }
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s[Math.floor(s.length / 2)]!;
}
