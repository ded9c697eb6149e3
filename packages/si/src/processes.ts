import { totalmem } from 'node:os';
import type { ProcMetrics, ProcessRecord } from '@bpfscope/plugin-proc';
import { localDateTime, onlineCpus, readCommandLine, stateWord, type KernelThreadNames, type UserNames } from './process-details.js';
import type { PidFiles } from './pid-files.js';
import type { SiProcessData, SiProcessesData } from './types.js';

/** Each process's CPU seconds at the previous call, keyed by PID and start (a reused PID starts anew). @internal */
export interface ProcessCpuState {
  timestamp: number;
  times: Map<string, { user: number; system: number }>;
  /** Each listed process's `started`, by its start time (ms since the epoch): formatted once per process. */
  started: Map<number, string>;
  /** The result of that call, answered again for the same reading (a shared one). */
  result: SiProcessesData;
}

/** Where processes() reads what the proc family does not carry. @internal */
export interface ProcessReadContext {
  procRoot: string;
  sysRoot: string;
  users: UserNames;
  /** Read /proc/&lt;pid&gt;/cmdline (the option `commandLines`); absent: yes. */
  commandLines?: boolean;
  /** Kernel threads' full names kept between calls; absent: read at each call. */
  kernelNames?: KernelThreadNames;
  /** Command lines read through descriptors kept between calls; absent: read by path. */
  argv?: PidFiles;
}

const key = (p: ProcessRecord): string => `${p.pid}:${p.startSecondsSinceBoot}`;

/** Shares of all CPUs' time, percent, user + system at most 100 (as systeminformation clamps them). */
function cpuShares(user: number, system: number, cpuSeconds: number): { cpuu: number; cpus: number } {
  let cpuu = cpuSeconds > 0 ? Math.max(0, (user / cpuSeconds) * 100) : 0;
  let cpus = cpuSeconds > 0 ? Math.max(0, (system / cpuSeconds) * 100) : 0;
  const sum = cpuu + cpus;
  if (sum > 100) {
    cpuu = (cpuu / sum) * 100;
    cpus = (cpus / sum) * 100;
  }
  return { cpuu, cpus };
}

/**
 * systeminformation's processes() from a proc reading, with each process's command line
 * (/proc/&lt;pid&gt;/cmdline) and user name (/etc/passwd) added.
 * @internal
 */
export function toProcesses(data: ProcMetrics, timestamp: number, previous: ProcessCpuState | null, ctx: ProcessReadContext): ProcessCpuState {
  if (previous && previous.timestamp === timestamp) return previous;
  const ncpu = onlineCpus(ctx.sysRoot);
  ctx.users.refresh();
  const memTotal = totalmem();
  const bootMs = data.countersSince === null ? null : Date.parse(data.countersSince);
  const times = new Map<string, { user: number; system: number }>();
  const started = new Map<number, string>();
  const list: SiProcessData[] = [];
  const counts = { running: 0, blocked: 0, sleeping: 0, unknown: 0 };
  for (const p of data.processes) {
    const k = key(p);
    times.set(k, { user: p.userSeconds, system: p.systemSeconds });
    const before = previous?.times.get(k);
    // Over the interval since the previous call; a process that is new since then, and every
    // process on the first call, counts from its start over all CPUs' time since boot.
    const span = previous && before ? (timestamp - previous.timestamp) / 1000 : bootMs === null ? null : (timestamp - bootMs) / 1000;
    const shares =
      ncpu === null || span === null
        ? null
        : cpuShares(p.userSeconds - (before?.user ?? 0), p.systemSeconds - (before?.system ?? 0), span * ncpu);
    const state = stateWord(p.state);
    if (state === 'running' || state === 'blocked' || state === 'sleeping') counts[state]++;
    else counts.unknown++;
    const kernel = p.category === 'kernel';
    const names = kernel ? ctx.kernelNames : undefined;
    const argv = ctx.argv;
    const cmd = readCommandLine(ctx.procRoot, p.pid, p.comm, kernel, ctx.commandLines ?? true, names && ((comm) => names.full(p.pid, p.startSecondsSinceBoot, comm)), argv && (() => argv.read(p.pid, p.startSecondsSinceBoot)));
    list.push({
      pid: p.pid,
      parentPid: p.ppid,
      name: cmd.name,
      cpu: shares ? shares.cpuu + shares.cpus : null,
      cpuu: shares?.cpuu ?? null,
      cpus: shares?.cpus ?? null,
      mem: (p.rssBytes / memTotal) * 100,
      priority: 39 - p.priority,
      memVsz: Math.round(p.vsizeBytes / 1024),
      memRss: Math.round(p.rssBytes / 1024),
      nice: p.nice,
      started: p.startTime === null ? null : startedText(p.startTime * 1000, previous, started),
      state,
      tty: null,
      user: ctx.users.name(p.euid),
      command: cmd.command,
      params: cmd.params,
      path: cmd.path,
    });
  }
  ctx.kernelNames?.sweep();
  ctx.argv?.sweep();
  list.sort((a, b) => a.pid - b.pid);
  return { timestamp, times, started, result: { all: list.length, ...counts, list } };
}

/** `started` of a process that started at `ms`: the previous call's text when it listed it too, else formatted now; kept in `now`. */
function startedText(ms: number, previous: ProcessCpuState | null, now: Map<number, string>): string {
  let text = now.get(ms) ?? previous?.started.get(ms);
  if (text === undefined) text = localDateTime(ms);
  now.set(ms, text);
  return text;
}
