// The test children of test/children/steps.c: exact amounts of work on command, each
// started blocked in read(0), optionally pinned to one CPU, with the kernel's own
// counters for it read while it is off the CPU.
import { execFileSync, spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { waitBlocked } from './blocked.js';

let binary: string | undefined;

/**
 * A bound, in seconds, on how much more run time the kernel's own count (schedstat) may
 * charge a task per wake-up than a CPU's busy time measured at sched_switch shows: when
 * its CPU was idle, the scheduler starts the woken task's run at the clock of the wake-up
 * (check_preempt_curr skips the switch's clock update), the tracepoint at the switch, an
 * idle CPU's wake-up latency later (longer when its vCPU is descheduled). Far below a
 * burner's slice, which a loss of accounting would drop.
 */
export const WAKE_LATENCY_S = 1e-3;

/** Compiles steps.c once per test process. */
export function stepsBinary(): string {
  if (!binary) {
    const out = join(mkdtempSync(join(tmpdir(), 'bpfscope-steps-')), 'steps');
    execFileSync('gcc', ['-O2', '-o', out, fileURLToPath(new URL('./children/steps.c', import.meta.url))]);
    binary = out;
  }
  return binary;
}

/** The kernel's own figures for one single-threaded process. */
export interface KernelCounters {
  /** voluntary + involuntary context switches away from it (/proc/<pid>/status). */
  switches: number;
  voluntary: number;
  involuntary: number;
  /** Minor and major faults (/proc/<pid>/stat). */
  minorFaults: number;
  majorFaults: number;
  /** CPU time it ran, ns (/proc/<pid>/schedstat). */
  runNs: bigint;
  /** Times it was switched in to run (/proc/<pid>/schedstat pcount). */
  timeslices: bigint;
}

export function kernelCounters(pid: number): KernelCounters {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const schedstat = readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(' ');
  const voluntary = field('voluntary_ctxt_switches');
  const involuntary = field('nonvoluntary_ctxt_switches');
  return {
    switches: voluntary + involuntary,
    voluntary,
    involuntary,
    minorFaults: Number(rest[7]),
    majorFaults: Number(rest[9]),
    runNs: BigInt(schedstat[0] ?? 'x'),
    timeslices: BigInt(schedstat[2] ?? 'x'),
  };
}

/** A running steps child, blocked in read(0) between commands. */
export class StepsChild {
  private out = '';
  private waiters: (() => void)[] = [];

  private constructor(
    private readonly child: ChildProcessByStdio<Writable, Readable, null>,
    /** Its pid (single-threaded: also its tid). */
    readonly pid: number,
    private readonly exited: Promise<number | null>,
  ) {
    child.stdout.on('data', (d: Buffer) => {
      this.out += d.toString();
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** Starts a child (pinned to `cpu` with taskset when given) and waits until it is blocked, ready. */
  static async start(options: { cpu?: number } = {}): Promise<StepsChild> {
    const cmd = options.cpu === undefined ? [stepsBinary()] : ['taskset', '-c', String(options.cpu), stepsBinary()];
    const child = spawn(cmd[0] ?? '', cmd.slice(1), { stdio: ['pipe', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code) => resolve(code));
    });
    const ready = await new Promise<string>((resolve, reject) => {
      let out = '';
      const onData = (d: Buffer): void => {
        out += d.toString();
        const nl = out.indexOf('\n');
        if (nl >= 0) {
          child.stdout.off('data', onData);
          resolve(out.slice(0, nl));
        }
      };
      child.stdout.on('data', onData);
      exited.then((code) => reject(new Error(`steps exited (${code}) before it was ready`)), reject);
    });
    const pid = Number(/^ready (\d+)$/.exec(ready)?.[1]);
    if (!(pid > 0)) throw new Error(`steps said ${JSON.stringify(ready)}`);
    const steps = new StepsChild(child, pid, exited);
    await waitBlocked(pid);
    return steps;
  }

  /** The kernel's counters for the child now (call while it is blocked). */
  counters(): KernelCounters {
    return kernelCounters(this.pid);
  }

  /** Runs one command (`sleep 100`, `touch 500`, ...), waits for "done" and until the child is blocked again. */
  async run(command: string): Promise<void> {
    this.child.stdin.write(`${command}\n`);
    while (!this.out.includes('done\n')) {
      await new Promise<void>((resolve, reject) => {
        this.waiters.push(resolve);
        this.exited.then((code) => reject(new Error(`steps exited (${code}) during "${command}"`)), reject);
      });
    }
    this.out = this.out.replace('done\n', '');
    await waitBlocked(this.pid);
  }

  /** Ends the child (EOF on stdin) and waits for its exit. */
  async stop(): Promise<void> {
    this.child.stdin.end();
    const code = await this.exited;
    if (code !== 0) throw new Error(`steps exited ${code}`);
  }
}
