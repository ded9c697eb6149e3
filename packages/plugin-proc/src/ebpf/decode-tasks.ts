// One pass over the task iterator's output: threads summed into their process, one
// ProcessRecord per thread-group leader. Fields are read with DataView at offsets from
// BTF; sums live in one Float64Array, so no object is made per thread.
import { EventProcessingFailed } from '@bpfscope/core';
import { PF_KTHREAD } from '../procfs/parse-pid-stat.js';
import type { ProcessField, ProcessRecord } from '../records.js';
import { cputimeAdjust, type AdjustedTimes } from '../cpu-time.js';
import type { CgroupPathIndex } from './cgroup-paths.js';
import { cString, u64, type ProcLayouts } from './layouts.js';
import { taskStateLetter } from './task-state.js';

/** Settings and state shared over the readings of one source. @internal */
export interface TaskDecodeContext {
  layouts: ProcLayouts;
  pageSize: number;
  /** Boot time, s since the epoch, or null with `bootTimeReason`. */
  bootTime: number | null;
  bootTimeReason: string;
  cgroups: CgroupPathIndex;
  /** Only these tgids, or null for all. */
  pids: ReadonlySet<number> | null;
  /** Per-pid state of cputime_adjust, keyed by pid; entries carry the start time to catch PID reuse. */
  adjust: Map<number, AdjustedTimes & { start: number }>;
}

/** The decoded table. @internal */
export interface TaskTable {
  processes: ProcessRecord[];
  /** Task records read (threads included). */
  tasks: number;
  /** Thread groups whose leader was not in the output (it exited between the visits of its threads). */
  leaderless: number;
}

// Per-process sums, one row of N per slot.
const UT = 0, ST = 1, RT = 2, MINF = 3, MAJF = 4, RCH = 5, WCH = 6, SCR = 7, SCW = 8, RB = 9, WB = 10, CWB = 11;
const N = 12;
const NO_CGROUPS = 'the eBPF source reads only the cgroup v2 membership (task->cgroups->dfl_cgrp), not the v1 hierarchies';

let sums = new Float64Array(0);

/**
 * Decode the task iterator's output into one record per process.
 * @throws {@link @bpfscope/core!EventProcessingFailed} when the output is not a whole number of records
 * @internal
 */
export function decodeTaskTable(bytes: Uint8Array, ctx: TaskDecodeContext): TaskTable {
  const o = ctx.layouts.task;
  const size = o.size;
  if (bytes.length % size !== 0) {
    throw new EventProcessingFailed(`the proc_iter output (${bytes.length} bytes) is not a whole number of ${size}-byte proc_task records`, { details: { bytes: bytes.length, size } });
  }
  const n = bytes.length / size;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (sums.length < n * N) sums = new Float64Array(Math.max(n * N, 1024 * N));
  const s = sums;
  const slotOf = new Map<number, number>();
  const leaderAt: number[] = [];
  const pids = ctx.pids;
  for (let i = 0; i < n; i++) {
    const b = i * size;
    const tgid = view.getUint32(b + o.tgid, true);
    if (pids !== null && !pids.has(tgid)) continue;
    let slot = slotOf.get(tgid);
    if (slot === undefined) {
      slot = leaderAt.length;
      slotOf.set(tgid, slot);
      leaderAt.push(-1);
      s.fill(0, slot * N, slot * N + N);
    }
    const r = slot * N;
    s[r + UT]! += u64(view, b + o.utime_ns);
    s[r + ST]! += u64(view, b + o.stime_ns);
    s[r + RT]! += u64(view, b + o.runtime_ns);
    s[r + MINF]! += u64(view, b + o.min_flt);
    s[r + MAJF]! += u64(view, b + o.maj_flt);
    s[r + RCH]! += u64(view, b + o.rchar);
    s[r + WCH]! += u64(view, b + o.wchar);
    s[r + SCR]! += u64(view, b + o.syscr);
    s[r + SCW]! += u64(view, b + o.syscw);
    s[r + RB]! += u64(view, b + o.read_bytes);
    s[r + WB]! += u64(view, b + o.write_bytes);
    s[r + CWB]! += u64(view, b + o.cancelled_write_bytes);
    if (view.getUint32(b + o.is_leader, true) !== 0) leaderAt[slot] = b;
  }
  const processes: ProcessRecord[] = [];
  let leaderless = 0;
  let sorted = true;
  const adjust = ctx.adjust;
  const nextAdjust = new Map<number, AdjustedTimes & { start: number }>();
  for (let slot = 0; slot < leaderAt.length; slot++) {
    const b = leaderAt[slot]!;
    if (b < 0) {
      leaderless++;
      continue;
    }
    const r = slot * N;
    const pid = view.getUint32(b + o.tgid, true);
    const startNs = u64(view, b + o.start_boottime_ns);
    const ut = s[r + UT]! + u64(view, b + o.signal_utime_ns);
    const st = s[r + ST]! + u64(view, b + o.signal_stime_ns);
    const rt = s[r + RT]! + u64(view, b + o.signal_runtime_ns);
    let prev = adjust.get(pid);
    if (prev === undefined || prev.start !== startNs) prev = { utime: 0, stime: 0, start: startNs };
    cputimeAdjust(ut, st, rt, prev);
    nextAdjust.set(pid, prev);
    const cgroupId = u64(view, b + o.cgroup_id);
    const cg = ctx.cgroups.lookup(cgroupId);
    const startSecondsSinceBoot = startNs / 1e9;
    const readBytes = s[r + RB]! + u64(view, b + o.signal_read_bytes);
    const writeBytes = s[r + WB]! + u64(view, b + o.signal_write_bytes);
    const rec: ProcessRecord = {
      pid,
      ppid: view.getUint32(b + o.ppid, true),
      comm: cString(bytes, b + o.comm, 16),
      state: taskStateLetter(view.getUint32(b + o.state, true), view.getUint32(b + o.exit_state, true)),
      uid: view.getUint32(b + o.uid, true),
      euid: view.getUint32(b + o.euid, true),
      nice: view.getInt32(b + o.static_prio, true) - 120,
      priority: view.getInt32(b + o.prio, true) - 100,
      threads: view.getUint32(b + o.nr_threads, true),
      category: (view.getUint32(b + o.flags, true) & PF_KTHREAD) !== 0 ? 'kernel' : 'user',
      startSecondsSinceBoot,
      startTime: ctx.bootTime === null ? null : ctx.bootTime + startSecondsSinceBoot,
      userSeconds: prev.utime / 1e9,
      systemSeconds: prev.stime / 1e9,
      runtimeSeconds: rt / 1e9,
      cpuPercent: null,
      rssBytes: u64(view, b + o.rss_pages) * ctx.pageSize,
      vsizeBytes: u64(view, b + o.vm_pages) * ctx.pageSize,
      minorFaults: s[r + MINF]! + u64(view, b + o.signal_min_flt),
      majorFaults: s[r + MAJF]! + u64(view, b + o.signal_maj_flt),
      voluntaryCtxtSwitches: u64(view, b + o.nvcsw),
      nonvoluntaryCtxtSwitches: u64(view, b + o.nivcsw),
      ioReadBytes: readBytes,
      ioWriteBytes: writeBytes,
      io: {
        rchar: s[r + RCH]! + u64(view, b + o.signal_rchar),
        wchar: s[r + WCH]! + u64(view, b + o.signal_wchar),
        syscr: s[r + SCR]! + u64(view, b + o.signal_syscr),
        syscw: s[r + SCW]! + u64(view, b + o.signal_syscw),
        readBytes,
        writeBytes,
        cancelledWriteBytes: s[r + CWB]! + u64(view, b + o.signal_cancelled_write_bytes),
      },
      cgroupPath: typeof cg === 'string' ? null : cg.path,
      cgroupId,
      cgroups: null,
      container: typeof cg === 'string' ? null : cg.container,
      unavailable: unavailableFor(typeof cg === 'string' ? cg : null, ctx.bootTime === null ? ctx.bootTimeReason : null),
    };
    if (processes.length > 0 && processes[processes.length - 1]!.pid > pid) sorted = false;
    processes.push(rec);
  }
  ctx.adjust = nextAdjust;
  if (!sorted) processes.sort((a, b) => a.pid - b.pid);
  return { processes, tasks: n, leaderless };
}

// The same few combinations of reasons recur for every record: share one frozen object each.
const shared = new Map<string, Readonly<Partial<Record<ProcessField, string>>>>();

function unavailableFor(cgroupReason: string | null, bootReason: string | null): Partial<Record<ProcessField, string>> {
  const key = `${cgroupReason ?? ''}\u0000${bootReason ?? ''}`;
  let u = shared.get(key);
  if (u === undefined) {
    const o: Partial<Record<ProcessField, string>> = { cgroups: NO_CGROUPS };
    if (cgroupReason !== null) o.cgroupPath = o.container = cgroupReason;
    if (bootReason !== null) o.startTime = bootReason;
    u = Object.freeze(o);
    if (shared.size < 1000) shared.set(key, u);
  }
  return u as Partial<Record<ProcessField, string>>;
}
