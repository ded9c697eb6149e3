import { machineConstants, requireMachineValue, parseFailure } from '@bpfscope/core';

/** The task is a kernel thread (`PF_KTHREAD` in include/linux/sched.h), in field 9 (`flags`). */
export const PF_KTHREAD = 0x00200000;

/**
 * One process's /proc/&lt;pid&gt;/stat, with units converted. Field numbers are those of
 * proc_pid_stat(5).
 */
export interface PidStat {
  /** Field 1: process ID. */
  pid: number;
  /** Field 2: the command name without its parentheses (`task->comm`, at most 15 bytes; may hold spaces and parentheses). */
  comm: string;
  /** Field 3: one-letter state (`R` running, `S` sleeping, `D` disk sleep, `Z` zombie, `T` stopped, `t` traced, `X` dead, `I` idle kernel thread, ...). */
  state: string;
  /** Field 4: parent PID (0 for PID 1 and for kthreadd). */
  ppid: number;
  /** Field 5: process group ID. */
  pgrp: number;
  /** Field 6: session ID. */
  session: number;
  /** Field 7: controlling terminal, encoded device number (0 for none). */
  ttyNr: number;
  /** Field 9: kernel flags word (`PF_*`). */
  flags: number;
  /** True when {@link PF_KTHREAD} is set in `flags`. */
  kernelThread: boolean;
  /** Field 10: minor page faults (no disk read needed). */
  minorFaults: number;
  /** Field 12: major page faults (a page had to be read from disk). */
  majorFaults: number;
  /** Field 14: user-mode CPU time, seconds (ticks / userHz). */
  userSeconds: number;
  /** Field 15: kernel-mode CPU time, seconds (ticks / userHz). */
  systemSeconds: number;
  /** Field 18: kernel priority (20 + nice for normal tasks; -2 to -100 for real-time ones). */
  priority: number;
  /** Field 19: nice value, -20 to 19. */
  nice: number;
  /** Field 20: threads in the process. */
  threads: number;
  /** Field 22: start time after boot, in clock ticks. */
  startTicks: number;
  /** Field 22 in seconds after boot (ticks / userHz). */
  startSecondsSinceBoot: number;
  /** Start time in seconds since the Unix epoch (`btime` + start after boot), or null when no boot time was given. */
  startTime: number | null;
  /** Field 23: virtual memory size, bytes. */
  vsizeBytes: number;
  /** Field 24: resident set size, pages. */
  rssPages: number;
  /** Field 24 in bytes (pages × page size). */
  rssBytes: number;
}

/** Options of {@link parsePidStat}. */
export interface PidStatOptions {
  /** Clock ticks per second of the time fields (USER_HZ). @default this machine's, measured ({@link @bpfscope/core!machineConstants}) */
  userHz?: number;
  /** Bytes per page, to convert `rss`. @default this machine's, measured ({@link @bpfscope/core!machineConstants}) */
  pageSize?: number;
  /** Boot time, seconds since the Unix epoch (`btime` of /proc/stat); without it {@link PidStat.startTime} is null. */
  bootTime?: number | null;
}

const INT = /^-?\d+$/;
// Fields after `comm` that this parser needs: up to field 24 (rss), i.e. 22 after comm.
const NEEDED_AFTER_COMM = 22;

/**
 * Parse /proc/&lt;pid&gt;/stat. The command name may contain spaces and parentheses (a
 * process can name itself `x) R 9 (y`), so it is taken from the first `(` to the LAST `)`
 * of the line, and the numbered fields are counted from there.
 * @param text - the file's content (one line)
 * @param path - the file's path, for errors
 * @param options - USER_HZ, page size and boot time
 * @returns the fields with times in seconds and sizes in bytes
 * @throws {@link @bpfscope/core!EventProcessingFailed} naming the path and line 1 for an empty or truncated
 *   line (fewer than 24 fields), a missing `(`/`)` around the command name, a state that
 *   is not one letter, or a non-integer numeric field
 * @throws {@link @bpfscope/core!DataUnavailable} when USER_HZ or the page size is not given and cannot be measured
 */
export function parsePidStat(text: string, path: string, options: PidStatOptions = {}): PidStat {
  const { bootTime = null } = options;
  const userHz = options.userHz ?? requireMachineValue(machineConstants().clockTicks, 'stat CPU times in seconds');
  const pageSize = options.pageSize ?? requireMachineValue(machineConstants().pageSize, 'stat rss in bytes');
  const nl = text.indexOf('\n');
  const line = nl < 0 ? text : text.slice(0, nl);
  const fail = (why: string): never => {
    throw parseFailure(path, 1, line, why);
  };
  const open = line.indexOf(' (');
  const close = line.lastIndexOf(')');
  if (open < 0 || close < open) fail('no "(comm)" after the PID (empty or truncated file?)');
  const pidText = line.slice(0, open);
  if (!/^\d+$/.test(pidText)) fail(`PID "${pidText}" is not an integer`);
  const comm = line.slice(open + 2, close);
  const rest = line.slice(close + 2).split(' ');
  if (line[close + 1] !== ' ' || rest.length < NEEDED_AFTER_COMM) {
    fail(`${rest.length + 2} fields, at least ${NEEDED_AFTER_COMM + 2} expected (truncated?)`);
  }
  // rest[i] is field i + 3 (field 3, state, is rest[0]).
  const field = (n: number): number => {
    const v = rest[n - 3] as string;
    if (!INT.test(v)) fail(`field ${n} "${v.slice(0, 30)}" is not an integer`);
    return Number(v);
  };
  const state = rest[0] as string;
  if (!/^[A-Za-z]$/.test(state)) fail(`field 3 (state) "${state.slice(0, 30)}" is not one letter`);
  const flags = field(9);
  const startTicks = field(22);
  const rssPages = field(24);
  const startSecondsSinceBoot = startTicks / userHz;
  return {
    pid: Number(pidText),
    comm,
    state,
    ppid: field(4),
    pgrp: field(5),
    session: field(6),
    ttyNr: field(7),
    flags,
    kernelThread: (flags & PF_KTHREAD) !== 0,
    minorFaults: field(10),
    majorFaults: field(12),
    userSeconds: field(14) / userHz,
    systemSeconds: field(15) / userHz,
    priority: field(18),
    nice: field(19),
    threads: field(20),
    startTicks,
    startSecondsSinceBoot,
    startTime: bootTime === null ? null : bootTime + startSecondsSinceBoot,
    vsizeBytes: field(23),
    rssPages,
    rssBytes: rssPages * pageSize,
  };
}
