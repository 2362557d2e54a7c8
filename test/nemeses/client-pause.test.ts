/**
 * The client-pause nemesis's choices and bookkeeping, over an in-memory list of hosted clients
 * (the real SIGSTOP is in test/run/client-host.test.ts and test/integration/lock-set.test.ts).
 */
import { describe, expect, it } from 'vitest';
import {
  clientPauseFamily,
  clientPauseNemesis,
  clientPauseValue,
  pickClient,
} from '../../nemeses/client-pause.js';
import { buildSchedule } from '../../nemeses/combined.js';
import type { NemesisContext } from '../../nemeses/types.js';
import type { ClientProcesses, HostedClient } from '../../src/client/processes.js';
import { seededRandom } from '../../src/generator/random.js';

function hosted(pid: number, holding = false, paused = false): HostedClient {
  return { pid, process: pid - 100, holding, paused };
}

class MemoryClients implements ClientProcesses {
  constructor(readonly clients: HostedClient[]) {}
  readonly signals: string[] = [];
  list(): HostedClient[] {
    return this.clients.map((c) => ({ ...c }));
  }
  pause(pid: number): boolean {
    const c = this.clients.find((x) => x.pid === pid);
    if (!c) return false;
    this.clients[this.clients.indexOf(c)] = { ...c, paused: true };
    this.signals.push(`STOP ${pid}`);
    return true;
  }
  resume(pid: number): boolean {
    const c = this.clients.find((x) => x.pid === pid);
    if (!c?.paused) return false;
    this.clients[this.clients.indexOf(c)] = { ...c, paused: false };
    this.signals.push(`CONT ${pid}`);
    return true;
  }
}

function context(clients: ClientProcesses | undefined, recorded: unknown[][] = []): NemesisContext {
  return {
    random: seededRandom(1),
    log: () => undefined,
    record: (f: string, value: unknown) => recorded.push([f, value]),
    ...(clients ? { clients } : {}),
  } as unknown as NemesisContext;
}

describe('client-pause', () => {
  it('reads op values: a target name or { target, ms }, holder by default', () => {
    expect(clientPauseValue('random')).toEqual({ target: 'random' });
    expect(clientPauseValue({ target: 'holder', ms: 5000 })).toEqual({ target: 'holder', ms: 5000 });
    expect(clientPauseValue(null)).toEqual({ target: 'holder' });
    expect(clientPauseValue({ ms: -1 })).toEqual({ target: 'holder' });
  });

  it('aims at a client holding the lock, any running client when none does, never a paused one', () => {
    const random = seededRandom(3);
    const clients = [hosted(101), hosted(102, true), hosted(103, true, true), hosted(104)];
    for (let i = 0; i < 20; i++) expect(pickClient(clients, 'holder', random)?.pid).toBe(102);
    const nobody = [hosted(101), hosted(102, false, true)];
    expect(pickClient(nobody, 'holder', random)?.pid).toBe(101);
    const seen = new Set(Array.from({ length: 40 }, () => pickClient(clients, 'random', random)?.pid));
    expect([...seen].sort()).toEqual([101, 102, 104]);
    expect(pickClient([hosted(101, true, true)], 'holder', random)).toBeUndefined();
  });

  it('stops the holder, says whom, and resumes every client it stopped at resume-client and at heal', async () => {
    const clients = new MemoryClients([hosted(101), hosted(102, true)]);
    const ctx = context(clients);
    const nemesis = clientPauseNemesis();
    const paused = await nemesis.invoke(ctx, { f: 'pause-client', value: { target: 'holder' } });
    expect(paused.value).toMatchObject({ target: 'holder', pid: 102, process: 2, holding: true });
    await nemesis.invoke(ctx, { f: 'pause-client', value: 'random' });
    const resumed = await nemesis.invoke(ctx, { f: 'resume-client', value: null });
    expect(resumed.value).toMatchObject({ pids: [101, 102], processes: [1, 2] });
    await nemesis.invoke(ctx, { f: 'pause-client', value: 'holder' });
    await nemesis.heal(ctx);
    expect(clients.signals).toEqual(['STOP 102', 'STOP 101', 'CONT 101', 'CONT 102', 'STOP 102', 'CONT 102']);
    expect(clients.list().every((c) => !c.paused)).toBe(true);
  });

  it('with ms, resumes by itself and records a resume-client op', async () => {
    const clients = new MemoryClients([hosted(101, true)]);
    const recorded: unknown[][] = [];
    const ctx = context(clients, recorded);
    const nemesis = clientPauseNemesis();
    await nemesis.invoke(ctx, { f: 'pause-client', value: { target: 'holder', ms: 1 } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(clients.signals).toEqual(['STOP 101', 'CONT 101']);
    expect(recorded).toEqual([['resume-client', { pids: [101], processes: [1], cause: 'paused for 1 ms' }]]);
  });

  it('says so, and stops nothing, when clients run inside the runner or none runs', async () => {
    const nemesis = clientPauseNemesis();
    const inProcess = await nemesis.invoke(context(undefined), { f: 'pause-client', value: 'holder' });
    expect(inProcess.error).toMatch(/inside the runner/);
    const none = await nemesis.invoke(context(new MemoryClients([])), { f: 'pause-client', value: 'holder' });
    expect(none.error).toMatch(/no running client/);
  });

  it('has a schedule part: pause the holder until the stop op, or for clientPauseMs with no stop op', () => {
    expect(clientPauseFamily.requires).toEqual([]);
    expect(buildSchedule({ families: ['client-pause'], intervalS: 4 }).packages).toEqual([
      {
        family: 'client-pause',
        startOps: [{ f: 'pause-client', value: { target: 'holder' } }],
        stopOp: { f: 'resume-client', value: null },
        finalOps: [{ f: 'resume-client', value: null }],
      },
    ]);
    const timed = buildSchedule({ families: ['client-pause'], intervalS: 4, clientPauseMs: 5000 });
    expect(timed.packages).toEqual([
      {
        family: 'client-pause',
        startOps: [{ f: 'pause-client', value: { target: 'holder', ms: 5000 } }],
        finalOps: [{ f: 'resume-client', value: null }],
      },
    ]);
  });
});
