/**
 * A user-space packet delayer for kernels without `tc netem`: a Python 3 script (standard
 * library only) that reads packets from an iptables NFQUEUE over raw netlink and hands each
 * back to the kernel after a delay, optionally duplicated, reordered or corrupted. Packets it
 * re-sends itself carry a mark so the queue rule lets them through.
 *
 * Args: queue-num delay-ms jitter-ms reorder-% duplicate-% corrupt-% seed pidfile.
 * The pid file is written once the queue is bound, so its presence means "ready".
 */

/** The firewall mark of packets the helper re-sends (duplicates); the queue rule skips them. */
export const NFQUEUE_MARK = '0xfa17';

/** The queue number the packet nemesis uses inside each node's network namespace. */
export const NFQUEUE_NUM = 4217;

export const NFQUEUE_HELPER = String.raw`#!/usr/bin/env python3
# faultline-nfqueue: delays (and duplicates, reorders, corrupts) packets from an NFQUEUE.
import heapq, os, random, select, socket, struct, sys, time

qnum = int(sys.argv[1]); delay = float(sys.argv[2]) / 1000; jitter = float(sys.argv[3]) / 1000
reorder = float(sys.argv[4]) / 100; duplicate = float(sys.argv[5]) / 100; corrupt = float(sys.argv[6]) / 100
rng = random.Random(int(sys.argv[7])); pidfile = sys.argv[8]
MARK = int('${NFQUEUE_MARK}', 16)
SUBSYS_QUEUE = 3; MSG_PACKET = 0; MSG_VERDICT = 1; MSG_CONFIG = 2
F_REQUEST = 1; NLMSG_ERROR = 2
A_PACKET_HDR = 1; A_VERDICT_HDR = 2; A_PAYLOAD = 10
C_CMD = 1; C_PARAMS = 2; C_QUEUE_MAXLEN = 3; C_MASK = 4; C_FLAGS = 5
F_FAIL_OPEN = 1
ACCEPT = 1

sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 12)  # NETLINK_NETFILTER
sock.bind((0, 0))
for opt in (33, socket.SO_RCVBUF):  # SO_RCVBUFFORCE, then the capped one
    try:
        sock.setsockopt(socket.SOL_SOCKET, opt, 16 << 20); break
    except OSError:
        pass
raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
raw.setsockopt(socket.SOL_SOCKET, 36, MARK)  # SO_MARK
seq = 0

def attr(kind, data):
    n = 4 + len(data)
    return struct.pack('=HH', n, kind) + data + b'\0' * ((4 - n % 4) % 4)

def send(mtype, attrs, family=0):
    global seq
    seq += 1
    body = struct.pack('=BBH', family, 0, socket.htons(qnum)) + attrs
    sock.send(struct.pack('=IHHII', 16 + len(body), (SUBSYS_QUEUE << 8) | mtype, F_REQUEST, seq, 0) + body)

send(MSG_CONFIG, attr(C_CMD, struct.pack('=BBH', 1, 0, 0)))  # BIND
send(MSG_CONFIG, attr(C_PARAMS, struct.pack('>IB', 0xffff, 2)))  # COPY_PACKET
send(MSG_CONFIG, attr(C_QUEUE_MAXLEN, struct.pack('>I', 20000)))
send(MSG_CONFIG, attr(C_FLAGS, struct.pack('>I', F_FAIL_OPEN)) + attr(C_MASK, struct.pack('>I', F_FAIL_OPEN)))
with open(pidfile + '.tmp', 'w') as f:
    f.write(str(os.getpid()))
os.rename(pidfile + '.tmp', pidfile)

pending = []  # (due, tiebreak, packet id, payload or None, duplicate?)
tie = 0

def release(pid, payload, dup):
    attrs = attr(A_VERDICT_HDR, struct.pack('>II', ACCEPT, pid))
    if payload is not None:
        attrs += attr(A_PAYLOAD, payload)
    send(MSG_VERDICT, attrs)
    if dup and payload is not None and len(payload) >= 20:
        try:
            raw.sendto(payload, (socket.inet_ntoa(payload[16:20]), 0))
        except OSError:
            pass

def on_packet(data):
    global tie
    pid = None; payload = None; i = 0
    while i + 4 <= len(data):
        n, kind = struct.unpack_from('=HH', data, i)
        if n < 4:
            break
        kind &= 0x3fff
        if kind == A_PACKET_HDR:
            pid = struct.unpack_from('>I', data, i + 4)[0]
        elif kind == A_PAYLOAD:
            payload = bytearray(data[i + 4:i + n])
        i += (n + 3) & ~3
    if pid is None:
        return
    changed = None
    if payload is not None and corrupt > 0 and rng.random() < corrupt:
        ihl = (payload[0] & 0x0f) * 4
        if len(payload) > ihl:
            at = rng.randrange(ihl, len(payload))
            payload[at] ^= 1 << rng.randrange(8)
            changed = bytes(payload)
    dup = duplicate > 0 and rng.random() < duplicate
    if dup and changed is None and payload is not None:
        changed = bytes(payload)
    wait = max(0.0, delay + (rng.uniform(-jitter, jitter) if jitter > 0 else 0.0))
    if reorder > 0 and rng.random() < reorder:
        wait = 0.0
    tie += 1
    heapq.heappush(pending, (time.monotonic() + wait, tie, pid, changed, dup))

while True:
    timeout = None
    if pending:
        timeout = max(0.0, pending[0][0] - time.monotonic())
    ready, _, _ = select.select([sock], [], [], timeout)
    if ready:
        while True:
            try:
                buf = sock.recv(1 << 17, socket.MSG_DONTWAIT)
            except BlockingIOError:
                break
            except OSError:
                break  # ENOBUFS: the kernel dropped some; fail-open keeps traffic flowing
            j = 0
            while j + 16 <= len(buf):
                n, mtype = struct.unpack_from('=IH', buf, j)
                if n < 16:
                    break
                if mtype == (SUBSYS_QUEUE << 8) | MSG_PACKET:
                    on_packet(buf[j + 20:j + n])
                j += (n + 3) & ~3
    now = time.monotonic()
    while pending and pending[0][0] <= now:
        _, _, pid, payload, dup = heapq.heappop(pending)
        release(pid, payload, dup)
`;
