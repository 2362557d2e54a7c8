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
sent = {}; seen = {}; rtts = []; order = []
def drain():
    while True:
        try:
            data, _ = s.recvfrom(2048)
        except BlockingIOError:
            return
        i = int(data.split(b' ')[0])
        seen[i] = seen.get(i, 0) + 1
        order.append(i)
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
reordered = sum(1 for k in range(1, len(order)) if order[k] < order[k - 1])
print(json.dumps({'sent': n, 'answered': len(seen), 'duplicates': sum(c - 1 for c in seen.values()), 'reordered': reordered, 'rttsMs': rtts}))
`;

/** Starts the echo server detached, its pid in /run/faultline-probe.pid. Args: seconds, server code. */
const START_SERVER = `setsid -f bash -c 'echo $$ > /run/faultline-probe.pid; exec timeout "$1" python3 -c "$2" "$1"' probe "$1" "$2" </dev/null >/dev/null 2>&1
sleep 0.3
`;

export interface ProbeResult {
  sent: number;
  answered: number;
  duplicates: number;
  /** Answers that arrived after an answer to a later probe. */
  reordered: number;
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

/** A TCP sink on port 7078: reads $2 bytes, then answers "ok". Args: seconds, bytes. */
const TCP_SINK = `import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('0.0.0.0', 7078)); s.listen(1); s.settimeout(float(sys.argv[1]))
c, _ = s.accept(); want = int(sys.argv[2]); got = 0
while got < want:
    d = c.recv(65536)
    if not d: break
    got += len(d)
c.sendall(b'ok'); c.close()
`;

/** Sends $2 bytes to $1:7078 and prints the seconds until the sink answered. */
const TCP_SOURCE = `import socket, sys, time
c = socket.create_connection((sys.argv[1], 7078), timeout=60)
t = time.monotonic(); c.sendall(b'x' * int(sys.argv[2])); c.recv(2)
print(time.monotonic() - t)
`;

/** Throughput from `from` to `to` in kbit/s, sending `bytes`. */
export async function tcpThroughputKbit(
  remote: Remote,
  from: string,
  to: string,
  bytes: number,
): Promise<number> {
  await remote.script(to, START_SERVER, ['60', TCP_SINK.replace('sys.argv[2]', String(bytes))]);
  try {
    const r = await remote.exec(from, ['python3', '-c', TCP_SOURCE, remote.address(to), String(bytes)], {
      timeoutMs: 90_000,
    });
    return (bytes * 8) / 1000 / Number(r.stdout.trim());
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
