import { EventProcessingFailed } from '@bpfscope/core';

/**
 * Time one CPU (or all CPUs) spent in each state since boot, in seconds.
 * /proc/stat's `user` already includes `guest`, and `nice` includes `guestNice`:
 * do not add them again.
 * @internal
 */
export interface CpuTimes {
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  /** Time stolen by the hypervisor; null before Linux 2.6.11. */
  steal: number | null;
  /** Time running guests (part of `user`); null before Linux 2.6.24. */
  guest: number | null;
  /** Time running niced guests (part of `nice`); null before Linux 2.6.33. */
  guestNice: number | null;
}

/** The parts of /proc/stat the cpu family uses. @internal */
export interface ProcStat {
  /** The aggregate `cpu` line. */
  total: CpuTimes;
  /** One entry per `cpuN` line; offline CPUs are absent, so `cpu` can have gaps. */
  perCpu: Array<CpuTimes & { cpu: number }>;
  /** Context switches on all CPUs since boot (`ctxt`). */
  contextSwitches: number;
  /** Boot time, seconds since the Unix epoch (`btime`). */
  bootTime: number;
  /** Processes and threads created since boot. */
  processes: number;
  /** Runnable threads now. */
  procsRunning: number;
  /** Threads blocked on I/O now. */
  procsBlocked: number;
}

const SINGLE = { ctxt: 'contextSwitches', btime: 'bootTime', processes: 'processes', procs_running: 'procsRunning', procs_blocked: 'procsBlocked' } as const;
type SingleKey = keyof typeof SINGLE;
const isSingleKey = (name: string): name is SingleKey => Object.hasOwn(SINGLE, name);

/**
 * Parse /proc/stat. Clock ticks are divided by `userHz` (USER_HZ, the machine's
 * `AT_CLKTCK`, not CONFIG_HZ). Lines it does not use (intr, softirq, ...) are skipped.
 * @param text - the file's content
 * @param path - the file's path, for errors
 * @param userHz - clock ticks per second of the counters, measured (`machineConstants().clockTicks`)
 * @returns the CPU times and counters
 * @throws {@link EventProcessingFailed} for an empty or truncated file, a `cpu` line with
 *   fewer than 7 numbers or a non-numeric field, or a missing `cpu`, `ctxt`, `btime`,
 *   `processes`, `procs_running` or `procs_blocked` line
 * @internal
 */
export function parseProcStat(text: string, path: string, userHz: number): ProcStat {
  const fail = (lineNo: number, line: string, why: string): never => {
    throw new EventProcessingFailed(`${path} line ${lineNo}: ${why}`, { details: { path, line: lineNo, content: line.slice(0, 120) } });
  };
  if (text.length === 0) fail(1, '', 'the file is empty');
  const lines = text.split('\n');
  const fields: number[] = [];
  let total: CpuTimes | null = null;
  const perCpu: ProcStat['perCpu'] = [];
  const single: Partial<Record<SingleKey, number>> = {};
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.length === 0) continue;
    const space = line.indexOf(' ');
    const name = space < 0 ? line : line.slice(0, space);
    if (name.startsWith('cpu')) {
      const id = name.length === 3 ? -1 : parseId(name);
      if (id === null) fail(i + 1, line, `"${name}" is not a cpu line name`);
      if (space < 0 || !scanUints(line, space + 1, fields)) fail(i + 1, line, 'a cpu field is not a non-negative integer');
      if (fields.length < 7) fail(i + 1, line, `cpu line has ${fields.length} numbers, at least 7 expected (truncated?)`);
      const times = toTimes(fields, userHz);
      if (id === -1) total = times;
      else perCpu.push({ cpu: id as number, ...times });
    } else if (isSingleKey(name)) {
      if (space < 0 || !scanUints(line, space + 1, fields) || fields.length !== 1) fail(i + 1, line, `"${name}" needs one non-negative integer`);
      single[name] = fields[0] as number;
    }
  }
  if (total === null) fail(1, lines[0] ?? '', 'no aggregate "cpu " line');
  const lastNo = lines.length - (lines[lines.length - 1] === '' ? 1 : 0);
  const need = (key: SingleKey): number => single[key] ?? fail(lastNo, lines[lastNo - 1] ?? '', `no "${key}" line before the end of the file (truncated?)`);
  return {
    total: total as CpuTimes,
    perCpu,
    contextSwitches: need('ctxt'),
    bootTime: need('btime'),
    processes: need('processes'),
    procsRunning: need('procs_running'),
    procsBlocked: need('procs_blocked'),
  };
}

function toTimes(f: readonly number[], hz: number): CpuTimes {
  const at = (i: number): number => (f[i] as number) / hz;
  const opt = (i: number): number | null => (i < f.length ? at(i) : null);
  return { user: at(0), nice: at(1), system: at(2), idle: at(3), iowait: at(4), irq: at(5), softirq: at(6), steal: opt(7), guest: opt(8), guestNice: opt(9) };
}

/** The N of `cpuN`, or null when the rest is not all digits. */
function parseId(name: string): number | null {
  const out: number[] = [];
  return scanUints(name, 3, out) && out.length === 1 ? (out[0] as number) : null;
}

/**
 * Space-separated unsigned integers from `from` to the end of `line`, into `out`.
 * One pass over the characters, no regex or substring per field: this runs every second.
 * @returns false when a character other than a digit or a space occurs
 */
function scanUints(line: string, from: number, out: number[]): boolean {
  out.length = 0;
  let value = -1;
  for (let i = from; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c >= 48 && c <= 57) value = (value < 0 ? 0 : value * 10) + (c - 48);
    else if (c === 32) {
      if (value >= 0) out.push(value);
      value = -1;
    } else return false;
  }
  if (value >= 0) out.push(value);
  return true;
}
