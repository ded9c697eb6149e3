// One pass over the task iterator's output: threads summed into their process, one
// ProcessRecord per thread-group leader. Fields are read with DataView at offsets from
// BTF; sums live in one Float64Array, so no object is made per thread.
import { EventProcessingFailed, IntIndex } from '@bpfscope/core';
import { PF_KTHREAD } from '../procfs/parse-pid-stat.js';
import type { ProcessField, ProcessRecord } from '../records.js';
import type { PidIo } from '@bpfscope/core';
import { cputimeAdjust } from '../cpu-time.js';
import type { CgroupPathIndex } from './cgroup-paths.js';
import { CommCache, int, u64, type ProcLayouts } from './layouts.js';
import { taskStateLetter } from './task-state.js';

/** Settings and state shared over the readings of one source. @internal */
export interface TaskDecodeContext {
  layouts: ProcLayouts;
  pageSize: number;
  /** Boot time, s since the epoch, or null with `bootTimeReason`. */
  bootTime: number | null;
  bootTimeReason: string;
  cgroups: CgroupPathIndex;
  /** Command names decoded so far. */
  comms: CommCache;
  /** Only these tgids, or null for all. */
  pids: ReadonlySet<number> | null;
  /**
   * The kernel filter slot (bit) of this reader: only records whose `filter_pass` has it
   * are kept (the iterator also wrote tasks for other engines sharing the object); 0 keeps all.
   */
  filterBit: number;
  /** Per-process state kept between readings, keyed by pid (see {@link ProcState}). */
  state: Map<number, ProcState>;
  /** Readings decoded so far. */
  generation: number;
  /** `performance.now()` of the previous reading, or null before the first. */
  prevAt: number | null;
}

/**
 * What is kept of a process between readings: its start (a reused PID is another
 * process), the last cputime_adjust result (ns) and the reading that last saw it.
 * @internal
 */
export interface ProcState {
  start: number;
  utime: number;
  stime: number;
  generation: number;
  /** The record of the last reading: given out again, frozen, while no field changes. */
  rec: ProcessRecord | null;
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

// Kept from reading to reading (a decode runs synchronously: no two share them at once).
let sums = new Float64Array(0);
const slotOf = new IntIndex(1024);
/** The slot of each tgid slotOf holds, by its row there. */
let slotRows = new Int32Array(1024);
let leaderAt = new Int32Array(1024);

/**
 * Decode the task iterator's output into one record per process.
 * @throws {@link @bpfscope/core!EventProcessingFailed} when the output is not a whole number of records
 * @internal
 */
export function decodeTaskTable(bytes: Uint8Array, ctx: TaskDecodeContext, at: number): TaskTable {
  const o = ctx.layouts.task;
  const size = o.size;
  // Offsets in locals: the layout object has ~45 keys and is read ~60 times per record.
  const { tgid: oTgid, utime_ns: oUt, stime_ns: oSt, runtime_ns: oRt, min_flt: oMinf, maj_flt: oMajf, rchar: oRch, wchar: oWch } = o;
  const { syscr: oScr, syscw: oScw, read_bytes: oRb, write_bytes: oWb, cancelled_write_bytes: oCwb, is_leader: oLeader } = o;
  if (bytes.length % size !== 0) {
    throw new EventProcessingFailed(`the proc_iter output (${bytes.length} bytes) is not a whole number of ${size}-byte proc_task records`, { details: { bytes: bytes.length, size } });
  }
  const n = bytes.length / size;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (sums.length < n * N) sums = new Float64Array(Math.max(n * N, 1024 * N));
  const s = sums;
  slotOf.clear();
  if (leaderAt.length < n) {
    leaderAt = new Int32Array(Math.max(n, leaderAt.length * 2));
    slotRows = new Int32Array(leaderAt.length);
  }
  let slots = 0;
  const pids = ctx.pids;
  const bit = ctx.filterBit;
  const oPass = o.filter_pass;
  const oThreads = o.nr_threads;
  // True once a thread came before its leader: leaders must then look their slot up.
  let early = false;
  for (let i = 0; i < n; i++) {
    const b = i * size;
    const tgid = view.getUint32(b + oTgid, true);
    if (pids !== null && !pids.has(tgid)) continue;
    if (bit !== 0 && (view.getUint32(b + oPass, true) & bit) === 0) continue;
    const leader = view.getUint32(b + oLeader, true) !== 0;
    let slot: number;
    // Most processes have one thread: no other record will look their slot up.
    if (leader && !early && view.getUint32(b + oThreads, true) === 1) slot = -1;
    else {
      const row = slotOf.get(tgid);
      slot = row < 0 ? -1 : slotRows[row]!;
    }
    if (slot < 0) {
      slot = slots++;
      if (!leader || view.getUint32(b + oThreads, true) !== 1) slotRows[slotOf.add(tgid)] = slot;
      if (!leader) early = true;
      leaderAt[slot] = -1;
      s.fill(0, slot * N, slot * N + N);
    }
    const r = slot * N;
    s[r + UT]! += u64(view, b + oUt);
    s[r + ST]! += u64(view, b + oSt);
    s[r + RT]! += u64(view, b + oRt);
    s[r + MINF]! += u64(view, b + oMinf);
    s[r + MAJF]! += u64(view, b + oMajf);
    s[r + RCH]! += u64(view, b + oRch);
    s[r + WCH]! += u64(view, b + oWch);
    s[r + SCR]! += u64(view, b + oScr);
    s[r + SCW]! += u64(view, b + oScw);
    s[r + RB]! += u64(view, b + oRb);
    s[r + WB]! += u64(view, b + oWb);
    s[r + CWB]! += u64(view, b + oCwb);
    if (leader) leaderAt[slot] = b;
  }
  const processes: ProcessRecord[] = [];
  let leaderless = 0;
  let sorted = true;
  const state = ctx.state;
  const gen = ++ctx.generation;
  const dt = ctx.prevAt === null ? 0 : (at - ctx.prevAt) / 1000;
  ctx.prevAt = at;
  const bootReason = ctx.bootTime === null ? ctx.bootTimeReason : null;
  const unavailableOk = unavailableFor(null, bootReason, false);
  const { ppid: oPpid, comm: oComm, state: oState, exit_state: oExit, uid: oUid, euid: oEuid, static_prio: oSprio, prio: oPrio } = o;
  const { nr_threads: oThr, flags: oFlags, start_boottime_ns: oStart, rss_pages: oRss, vm_pages: oVm, nvcsw: oNv, nivcsw: oNiv, cgroup_id: oCg } = o;
  const { signal_utime_ns: oSut, signal_stime_ns: oSst, signal_runtime_ns: oSrt, signal_min_flt: oSminf, signal_maj_flt: oSmajf } = o;
  const { signal_read_bytes: oSrb, signal_write_bytes: oSwb, signal_rchar: oSrch, signal_wchar: oSwch, signal_syscr: oSscr } = o;
  const { signal_syscw: oSscw, signal_cancelled_write_bytes: oScwb, mnt_ns: oMnt, net_ns: oNet } = o;
  const pageSize = ctx.pageSize;
  const bootTime = ctx.bootTime;
  for (let slot = 0; slot < slots; slot++) {
    const b = leaderAt[slot]!;
    if (b < 0) {
      leaderless++;
      continue;
    }
    const r = slot * N;
    const pid = view.getUint32(b + oTgid, true);
    const startNs = u64(view, b + oStart);
    const ut = s[r + UT]! + u64(view, b + oSut);
    const st = s[r + ST]! + u64(view, b + oSst);
    const rt = s[r + RT]! + u64(view, b + oSrt);
    let prev = state.get(pid);
    let cpuPercent: number | null = null;
    if (prev === undefined || prev.start !== startNs) {
      prev = { start: startNs, utime: 0, stime: 0, generation: gen, rec: null };
      state.set(pid, prev);
    } else if (prev.generation === gen - 1 && dt > 0) {
      const before = prev.utime + prev.stime;
      cputimeAdjust(ut, st, rt, prev);
      cpuPercent = Math.round(((prev.utime + prev.stime - before) / 1e9 / dt) * 10000) / 100;
    }
    if (cpuPercent === null) cputimeAdjust(ut, st, rt, prev);
    prev.generation = gen;
    const cgroupId = int(u64(view, b + oCg));
    const cg = ctx.cgroups.lookup(cgroupId);
    const cgOk = typeof cg !== 'string';
    const ppid = view.getUint32(b + oPpid, true);
    const comm = ctx.comms.get(view, bytes, b + oComm);
    const taskState = taskStateLetter(view.getUint32(b + oState, true), view.getUint32(b + oExit, true));
    const uid = view.getUint32(b + oUid, true);
    const euid = view.getUint32(b + oEuid, true);
    const nice = view.getInt32(b + oSprio, true) - 120;
    const priority = view.getInt32(b + oPrio, true) - 100;
    const threads = view.getUint32(b + oThr, true);
    const userSeconds = prev.utime / 1e9;
    const systemSeconds = prev.stime / 1e9;
    const runtimeSeconds = rt / 1e9;
    const rssBytes = int(u64(view, b + oRss) * pageSize);
    const vsizeBytes = int(u64(view, b + oVm) * pageSize);
    const minorFaults = int(s[r + MINF]! + u64(view, b + oSminf));
    const majorFaults = int(s[r + MAJF]! + u64(view, b + oSmajf));
    const nvcsw = int(u64(view, b + oNv));
    const nivcsw = int(u64(view, b + oNiv));
    const rchar = int(s[r + RCH]! + u64(view, b + oSrch));
    const wchar = int(s[r + WCH]! + u64(view, b + oSwch));
    const syscr = int(s[r + SCR]! + u64(view, b + oSscr));
    const syscw = int(s[r + SCW]! + u64(view, b + oSscw));
    const readBytes = int(s[r + RB]! + u64(view, b + oSrb));
    const writeBytes = int(s[r + WB]! + u64(view, b + oSwb));
    const cancelled = int(s[r + CWB]! + u64(view, b + oScwb));
    const cgroupPath = cgOk ? cg.path : null;
    const container = cgOk ? cg.container : null;
    // 0: the task had left its namespaces (exiting), so it has none to report.
    const mnt = view.getUint32(b + oMnt, true);
    const mountNamespace = mnt === 0 ? null : mnt;
    const netNs = view.getUint32(b + oNet, true);
    const netNamespace = mnt === 0 ? null : netNs;
    const unavailable = cgOk && mnt !== 0 ? unavailableOk : unavailableFor(cgOk ? null : cg, bootReason, mnt === 0);
    // An idle process reads the same every time: give out its last (frozen) record
    // again rather than a new one, so a table of mostly idle processes makes little garbage.
    // pid, start time and category are fixed for one ProcState; the rest is compared.
    const old = prev.rec;
    let rec: ProcessRecord;
    if (
      old !== null && old.cpuPercent === cpuPercent && old.runtimeSeconds === runtimeSeconds && old.userSeconds === userSeconds &&
      old.systemSeconds === systemSeconds && old.ppid === ppid && old.comm === comm && old.state === taskState &&
      old.threads === threads && old.rssBytes === rssBytes && old.vsizeBytes === vsizeBytes && old.minorFaults === minorFaults &&
      old.majorFaults === majorFaults && old.voluntaryCtxtSwitches === nvcsw && old.nonvoluntaryCtxtSwitches === nivcsw &&
      old.uid === uid && old.euid === euid && old.nice === nice && old.priority === priority &&
      sameIo(old.io!, rchar, wchar, syscr, syscw, readBytes, writeBytes, cancelled) && old.cgroupId === cgroupId &&
      old.cgroupPath === cgroupPath && old.container === container && old.unavailable === unavailable &&
      old.mountNamespace === mountNamespace && old.netNamespace === netNamespace
    ) {
      rec = old;
    } else {
      const startSecondsSinceBoot = startNs / 1e9;
      rec = Object.freeze({
        source: 'ebpf',
        pid,
        ppid,
        comm,
        state: taskState,
        uid,
        euid,
        nice,
        priority,
        threads,
        category: (view.getUint32(b + oFlags, true) & PF_KTHREAD) !== 0 ? 'kernel' : 'user',
        startSecondsSinceBoot,
        startTime: bootTime === null ? null : bootTime + startSecondsSinceBoot,
        userSeconds,
        systemSeconds,
        runtimeSeconds,
        cpuPercent,
        rssBytes,
        vsizeBytes,
        minorFaults,
        majorFaults,
        voluntaryCtxtSwitches: nvcsw,
        nonvoluntaryCtxtSwitches: nivcsw,
        ioReadBytes: readBytes,
        ioWriteBytes: writeBytes,
        io: Object.freeze({ rchar, wchar, syscr, syscw, readBytes, writeBytes, cancelledWriteBytes: cancelled }),
        cgroupPath,
        cgroupId,
        cgroups: null,
        container,
        mountNamespace,
        netNamespace,
        unavailable,
      }) as ProcessRecord;
      prev.rec = rec;
    }
    if (processes.length > 0 && processes[processes.length - 1]!.pid > pid) sorted = false;
    processes.push(rec);
  }
  // Forget processes no reading has seen since the last one.
  if (state.size > processes.length) for (const [pid, st] of state) if (st.generation !== gen) state.delete(pid);
  if (!sorted) processes.sort((a, b) => a.pid - b.pid);
  return { processes, tasks: n, leaderless };
}

function sameIo(io: PidIo, rchar: number, wchar: number, syscr: number, syscw: number, readBytes: number, writeBytes: number, cancelled: number): boolean {
  return io.rchar === rchar && io.wchar === wchar && io.syscr === syscr && io.syscw === syscw && io.readBytes === readBytes && io.writeBytes === writeBytes && io.cancelledWriteBytes === cancelled;
}

// The same few combinations of reasons recur for every record: share one frozen object each.
const shared = new Map<string, Readonly<Partial<Record<ProcessField, string>>>>();

const NO_NAMESPACES = 'the process was exiting: it had left its namespaces (nsproxy is NULL)';

function unavailableFor(cgroupReason: string | null, bootReason: string | null, noNamespaces: boolean): Partial<Record<ProcessField, string>> {
  const key = `${cgroupReason ?? ''}\u0000${bootReason ?? ''}\u0000${noNamespaces ? 1 : 0}`;
  let u = shared.get(key);
  if (u === undefined) {
    const o: Partial<Record<ProcessField, string>> = { cgroups: NO_CGROUPS };
    if (cgroupReason !== null) o.cgroupPath = o.container = cgroupReason;
    if (bootReason !== null) o.startTime = bootReason;
    if (noNamespaces) o.mountNamespace = o.netNamespace = NO_NAMESPACES;
    u = Object.freeze(o);
    if (shared.size < 1000) shared.set(key, u);
  }
  return u as Partial<Record<ProcessField, string>>;
}
