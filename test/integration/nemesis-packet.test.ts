/**
 * Packet faults on the real local ensemble, measured with UDP probes between two nodes:
 * 100 ms of delay adds about 100 ms to the round trip, 30% loss loses 30 ± 10% of probes,
 * duplicates arrive twice; stop-packet puts everything back. Prints the figures and the
 * mechanism the kernel allowed (netem, or the NFQUEUE/iptables fallback).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PacketApplied, packetNemesis } from '../../nemeses/packet.js';
import { partitionNemesis } from '../../nemeses/partition.js';
import type { SshRemote } from '../../src/control/ssh.js';
import { ensembleDown, ensembleUp, localRemote } from '../../src/ensemble/index.js';
import {
  allPairs,
  ENSEMBLE,
  faultlineRules,
  measureReachability,
  nemesisContext,
  SUBNET,
} from '../nemeses/support/ensemble.js';
import { median, tcpThroughputKbit, udpProbe } from '../nemeses/support/probe.js';

let remote: SshRemote;
let baselineMs = 0;

beforeAll(async () => {
  await ensembleDown(ENSEMBLE);
  await ensembleUp({ name: ENSEMBLE, nodes: 3, subnet: SUBNET });
  remote = await localRemote(ENSEMBLE, { timeoutMs: 30_000 });
  const base = await udpProbe(remote, 'n1', 'n2', 100);
  baselineMs = median(base.rttsMs);
  expect(base.answered).toBe(100);
});

afterAll(async () => {
  if (remote) {
    await packetNemesis()
      .heal(nemesisContext(remote))
      .catch(() => {});
    await remote.close();
  }
  await ensembleDown(ENSEMBLE);
});

describe('packet nemesis on the local ensemble', () => {
  it('delay 100 ms adds about 100 ms of round trip between two nodes', async () => {
    const nemesis = packetNemesis();
    const ctx = nemesisContext(remote);
    const out = await nemesis.invoke(ctx, { f: 'start-packet', value: { targets: ['n1'], delayMs: 100 } });
    const applied = out.value as PacketApplied;
    const delayed = await udpProbe(remote, 'n1', 'n2', 100);
    const back = await udpProbe(remote, 'n2', 'n3', 50); // n2 has no fault
    await nemesis.invoke(ctx, { f: 'stop-packet', value: null });
    const healed = await udpProbe(remote, 'n1', 'n2', 100);
    const added = median(delayed.rttsMs) - baselineMs;
    console.log(
      `packet delay via ${applied.mechanism.n1} (${Object.values(applied.how).join('; ')}): baseline RTT ${baselineMs.toFixed(2)} ms, ` +
        `with 100 ms delay ${median(delayed.rttsMs).toFixed(2)} ms (added ${added.toFixed(1)} ms), ` +
        `after stop ${median(healed.rttsMs).toFixed(2)} ms`,
    );
    expect(delayed.answered).toBe(100);
    // Behaviour, not timing: no delayed packet arrives early, and the delay is gone after stop
    // (the size of the delay on this machine is a figure of the packet benchmark, not a test).
    expect(added).toBeGreaterThan(95);
    expect(median(back.rttsMs)).toBeLessThan(median(delayed.rttsMs) / 2);
    expect(median(healed.rttsMs)).toBeLessThan(median(delayed.rttsMs) / 2);
    expect(Object.values(await faultlineRules(remote)).flat()).toEqual([]);
  });

  it('delay with jitter spreads round trips around the mean', async () => {
    const nemesis = packetNemesis();
    const ctx = nemesisContext(remote);
    await nemesis.invoke(ctx, { f: 'start-packet', value: { targets: ['n1'], delayMs: 50, jitterMs: 20 } });
    const r = await udpProbe(remote, 'n1', 'n2', 200);
    await nemesis.heal(ctx);
    const sorted = [...r.rttsMs].sort((a, b) => a - b);
    const p10 = sorted[Math.floor(sorted.length * 0.1)]!;
    const p90 = sorted[Math.floor(sorted.length * 0.9)]!;
    console.log(
      `jitter 50 ± 20 ms: p10 ${p10.toFixed(1)} ms, median ${median(r.rttsMs).toFixed(1)} ms, p90 ${p90.toFixed(1)} ms`,
    );
    expect(median(r.rttsMs)).toBeGreaterThan(40);
    expect(p90 - p10).toBeGreaterThan(20);
  });

  it('30% loss measures 30 ± 10%', async () => {
    const nemesis = packetNemesis();
    const ctx = nemesisContext(remote, undefined, 11);
    const out = await nemesis.invoke(ctx, { f: 'start-packet', value: { targets: ['n1'], lossPercent: 30 } });
    const r = await udpProbe(remote, 'n1', 'n2', 500, 2);
    await nemesis.invoke(ctx, { f: 'stop-packet', value: null });
    const after = await udpProbe(remote, 'n1', 'n2', 200, 2);
    const loss = 1 - r.answered / r.sent;
    console.log(
      `packet loss via ${(out.value as PacketApplied).mechanism.n1}: 30% asked, ${(loss * 100).toFixed(1)}% measured ` +
        `over ${r.sent} probes; after stop ${((1 - after.answered / after.sent) * 100).toFixed(1)}%`,
    );
    expect(loss).toBeGreaterThanOrEqual(0.2);
    expect(loss).toBeLessThanOrEqual(0.4);
    expect(after.answered).toBe(after.sent);
  });

  it('duplicates arrive twice', async () => {
    const nemesis = packetNemesis();
    const ctx = nemesisContext(remote, undefined, 3);
    await nemesis.invoke(ctx, { f: 'start-packet', value: { targets: ['n1'], duplicatePercent: 50 } });
    const r = await udpProbe(remote, 'n1', 'n2', 200, 2);
    await nemesis.heal(ctx);
    console.log(`duplicate 50%: ${r.duplicates} duplicate answers over ${r.sent} probes`);
    expect(r.answered).toBe(r.sent);
    expect(r.duplicates).toBeGreaterThan(60);
    expect(r.duplicates).toBeLessThan(140);
  });
});

describe('more packet behaviours', () => {
  it('reorder: some packets overtake delayed ones', async () => {
    const nemesis = packetNemesis();
    const ctx = nemesisContext(remote, undefined, 5);
    const calm = await udpProbe(remote, 'n1', 'n2', 200, 2);
    await nemesis.invoke(ctx, {
      f: 'start-packet',
      value: { targets: ['n1'], delayMs: 20, reorderPercent: 50 },
    });
    const r = await udpProbe(remote, 'n1', 'n2', 200, 2);
    await nemesis.heal(ctx);
    console.log(
      `reorder 50% (20 ms delay): ${r.reordered} of ${r.answered} answers out of order; without: ${calm.reordered}`,
    );
    expect(calm.reordered).toBe(0);
    expect(r.answered).toBe(r.sent);
    expect(r.reordered).toBeGreaterThan(20);
  });

  it('corrupt: damaged datagrams fail their checksum and are lost', async () => {
    const nemesis = packetNemesis();
    const ctx = nemesisContext(remote, undefined, 6);
    await nemesis.invoke(ctx, { f: 'start-packet', value: { targets: ['n1'], corruptPercent: 30 } });
    const r = await udpProbe(remote, 'n1', 'n2', 400, 2);
    await nemesis.heal(ctx);
    const lost = 1 - r.answered / r.sent;
    console.log(`corrupt 30%: ${(lost * 100).toFixed(1)}% of probes lost to bad checksums`);
    expect(lost).toBeGreaterThan(0.2);
    expect(lost).toBeLessThan(0.4);
  });

  it('rate: a 2000 kbit/s limit caps TCP throughput', async () => {
    const nemesis = packetNemesis();
    const ctx = nemesisContext(remote);
    const free = await tcpThroughputKbit(remote, 'n1', 'n2', 2_000_000);
    await nemesis.invoke(ctx, { f: 'start-packet', value: { targets: ['n1'], rateKbit: 2000 } });
    const capped = await tcpThroughputKbit(remote, 'n1', 'n2', 500_000);
    await nemesis.heal(ctx);
    console.log(
      `rate 2000 kbit/s via tbf: ${capped.toFixed(0)} kbit/s measured (unlimited: ${free.toFixed(0)} kbit/s)`,
    );
    expect(free).toBeGreaterThan(20_000);
    expect(capped).toBeGreaterThan(1400);
    expect(capped).toBeLessThan(2600);
    const qdisc = (await remote.exec('n1', ['tc', 'qdisc', 'show', 'dev', 'eth0'])).stdout;
    expect(qdisc).not.toContain('tbf');
  });
});

describe('packet and partition together', () => {
  it('partition rules stay ahead of the packet queue, so delayed packets are still cut', async () => {
    const ctx = nemesisContext(remote);
    const partition = partitionNemesis();
    const packet = packetNemesis();
    await partition.invoke(ctx, { f: 'start-partition', value: { grudge: { n1: ['n2'], n2: ['n1'] } } });
    await packet.invoke(ctx, { f: 'start-packet', value: { targets: ['n1'], delayMs: 10 } });
    const output = (await remote.exec('n1', ['iptables', '-w', '-S', 'OUTPUT'])).stdout;
    const jumps = output.split('\n').filter((l) => l.includes('-j FAULTLINE'));
    expect(jumps).toEqual(['-A OUTPUT -j FAULTLINE', '-A OUTPUT -j FAULTLINE-PKT']);
    expect((await measureReachability(remote)).filter((p) => p.includes('n1') && p.includes('n2'))).toEqual(
      [],
    );
    await packet.heal(ctx);
    await partition.heal(ctx);
    expect(await measureReachability(remote)).toEqual(allPairs(remote.nodes));
  });
});
