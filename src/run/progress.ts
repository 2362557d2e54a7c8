import type { Op } from '../history/op.js';
import type { RunObserver, RunPhase } from './runner.js';

export interface ProgressOptions {
  /** Where the status goes (default stderr). */
  stream?: NodeJS.WriteStream;
  /** Redraw one line in place (default: whether the stream is a TTY). */
  tty?: boolean;
  /** Length of the main phase in seconds, for "remaining". */
  timeLimitS: number;
  /** Period of plain lines when not on a TTY (default 5 s); a TTY line is redrawn every second. */
  intervalMs?: number;
}

/** Counts so far, as shown. */
export interface ProgressCounts {
  ok: number;
  fail: number;
  info: number;
  fault: string;
}

/** The fault family an op starts or ends, and whether it ends it. */
function faultOf(f: string): { family: string; ends: boolean } {
  if (f === 'heal') return { family: '*', ends: true };
  if (f === 'kill' || f === 'start') return { family: 'kill', ends: f === 'start' };
  if (f === 'pause' || f === 'resume') return { family: 'pause', ends: f === 'resume' };
  if (f.endsWith('-clock')) return { family: 'clock', ends: f === 'reset-clock' };
  const m = /^(start|stop)-(.+)$/.exec(f);
  if (m) return { family: m[2]!, ends: m[1] === 'stop' };
  return { family: f, ends: false };
}

/**
 * The live status of a run: phase, ops/s, ok/fail/info counts, the current fault, elapsed
 * and remaining time. On a TTY one line redrawn in place; otherwise a plain line every few
 * seconds. Log lines printed through {@link print} do not tangle with the status line.
 */
export class Progress implements RunObserver {
  private readonly stream: NodeJS.WriteStream;
  private readonly tty: boolean;
  private readonly counts: ProgressCounts = { ok: 0, fail: 0, info: 0, fault: 'none' };
  /** Faults in place, by family, as shown. */
  private readonly faults = new Map<string, string>();
  private phase: RunPhase | 'starting' = 'starting';
  private mainStartedAt: number | undefined;
  private readonly startedAt = Date.now();
  private lastCompleted = 0;
  private lastAt = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private drawn = false;

  constructor(private readonly options: ProgressOptions) {
    this.stream = options.stream ?? process.stderr;
    this.tty = options.tty ?? this.stream.isTTY === true;
  }

  start(): void {
    const period = this.tty ? 1000 : (this.options.intervalMs ?? 5000);
    this.timer = setInterval(() => this.tick(), period);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.clear();
  }

  onOp(op: Op): void {
    if (op.process === 'nemesis') {
      if (op.type === 'invoke') return;
      const { family, ends } = faultOf(op.f);
      if (family === '*') this.faults.clear();
      else if (ends) this.faults.delete(family);
      else this.faults.set(family, `${op.f} ${short(op.error === undefined ? op.value : 'failed')}`.trim());
      this.counts.fault = this.faults.size === 0 ? 'none' : [...this.faults.values()].join(', ');
      return;
    }
    if (op.type === 'ok') this.counts.ok++;
    else if (op.type === 'fail') this.counts.fail++;
    else if (op.type === 'info') this.counts.info++;
  }

  onPhase(phase: RunPhase): void {
    this.phase = phase;
    if (phase === 'main') this.mainStartedAt = Date.now();
  }

  /** Prints a line above the status line. */
  print(line: string): void {
    this.clear();
    this.stream.write(`${line}\n`);
    if (this.tty && this.timer) this.draw();
  }

  /** The status as one line of text. */
  line(now = Date.now()): string {
    const { ok, fail, info, fault } = this.counts;
    const completed = ok + fail + info;
    const dt = (now - this.lastAt) / 1000;
    const rate = dt > 0 ? Math.round((completed - this.lastCompleted) / dt) : 0;
    const elapsed = (now - this.startedAt) / 1000;
    let left = '';
    if (this.phase === 'main' && this.mainStartedAt !== undefined) {
      const remaining = Math.max(0, this.options.timeLimitS - (now - this.mainStartedAt) / 1000);
      left = `, ${formatSeconds(remaining)} left`;
    }
    return `[${this.phase} ${formatSeconds(elapsed)}${left}] ${rate} ops/s  ok ${ok}  fail ${fail}  info ${info}  fault: ${fault}`;
  }

  private tick(): void {
    const now = Date.now();
    if (this.tty) this.draw(now);
    else this.stream.write(`${this.line(now)}\n`);
    this.lastCompleted = this.counts.ok + this.counts.fail + this.counts.info;
    this.lastAt = now;
  }

  private draw(now = Date.now()): void {
    const width = this.stream.columns || 120;
    this.stream.write(`\r\x1b[K${this.line(now).slice(0, Math.max(20, width - 1))}`);
    this.drawn = true;
  }

  private clear(): void {
    if (this.tty && this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}

function short(value: unknown): string {
  if (value === null || value === undefined) return '';
  // Nemesis results carry what they did: show the gist (kind, targets, nodes), not everything.
  if (typeof value === 'object' && !Array.isArray(value)) {
    const v = value as Record<string, unknown>;
    const gist = v.kind ?? v.nodes ?? v.targets;
    if (gist !== undefined) return short(Array.isArray(gist) ? gist.join(',') : gist);
  }
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

function formatSeconds(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.floor(s % 60)).padStart(2, '0')}s`;
}
