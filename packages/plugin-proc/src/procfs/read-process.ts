import { existsSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { machineConstants, parsePidIo, procReadErrorCode, readProcFile, requireMachineValue, type DataUnavailable, type KeptFiles } from '@bpfscope/core';
import type { ProcessField, ProcessRecord } from '../records.js';
import { CgroupIdResolver } from './cgroup-id.js';
import { containerFromCgroupPath, type ContainerIdentity } from './container-id.js';
import { cgroupV2Path, parsePidCgroup } from './parse-pid-cgroup.js';
import { parsePidStat } from './parse-pid-stat.js';
import { parsePidStatus } from './parse-pid-status.js';
import { REFUSAL_CODES, type Refusals } from './refusals.js';

/** Options of {@link readProcess} and {@link scanProcesses}. */
export interface ReadProcessOptions {
  /** sysfs root, to look cgroup IDs up (`/sys`); without it every `cgroupId` is null with a reason. @default null */
  sysRoot?: string | null;
  /** Bytes per page, to convert stat's page counts. @default the machine's, `AT_PAGESZ` of `<procRoot>/self/auxv` ({@link @bpfscope/core!machineConstants}) */
  pageSize?: number;
  /** Clock ticks per second of stat's time fields (USER_HZ). @default the machine's, `AT_CLKTCK` of `<procRoot>/self/auxv` */
  userHz?: number;
  /** Boot time, seconds since the Unix epoch; without it `startTime` is null. {@link scanProcesses} reads it from /proc/stat. @default null */
  bootTime?: number | null;
}

/** A process that exited while it was read (not an error: processes come and go). */
export interface ProcessVanished {
  /** Discriminant. */
  status: 'vanished';
  /** The process. */
  pid: number;
  /** The file at which it was found gone (ENOENT or ESRCH). */
  file: string;
}

/** A process that was read. */
export interface ProcessRead {
  /** Discriminant. */
  status: 'ok';
  /** Its record. */
  record: ProcessRecord;
}

/** The outcome of reading one process: its record, or the fact that it exited while it was read. */
export type ProcessReadResult = ProcessRead | ProcessVanished;

/** Shared state of one scan. @internal */
export interface ReadContext {
  pageSize: number;
  userHz: number;
  bootTime: number | null;
  bootTimeReason: string;
  cgroupIds: CgroupIdResolver;
  /** Read the files of a process through descriptors kept from reading to reading (the processes read again at every reading); absent: by path. */
  files?: KeptFiles | null;
  /** Optional files refused for permission, not asked again for a while (the processes read again at every reading); absent: asked at every read. */
  refusals?: Refusals | null;
}

/**
 * @throws {@link @bpfscope/core!DataUnavailable} when the page size or USER_HZ is not given and cannot be measured
 * @internal
 */
export function readContext(procRoot: string, options: ReadProcessOptions, bootTimeReason = 'no boot time was given'): ReadContext {
  const mc = options.pageSize === undefined || options.userHz === undefined ? machineConstants(procRoot) : null;
  return {
    pageSize: options.pageSize ?? requireMachineValue(mc!.pageSize, `stat's page counts in bytes (${procRoot})`),
    userHz: options.userHz ?? requireMachineValue(mc!.clockTicks, `stat's CPU times in seconds (${procRoot})`),
    bootTime: options.bootTime ?? null,
    bootTimeReason,
    cgroupIds: new CgroupIdResolver(options.sysRoot ?? null),
  };
}

/** Raised inside a read when the process turns out to have exited. */
class Vanished {
  constructor(readonly file: string) {}
}

const GONE = new Set(['ENOENT', 'ESRCH']);

/** Why procfs records have no `runtimeSeconds`. @internal */
export const NO_RUNTIME = 'procfs has no exact whole-process CPU runtime (/proc/<pid>/schedstat is per thread); it needs the eBPF source';

/**
 * Read /proc/&lt;pid&gt;/stat, status, io and cgroup, and the ns/mnt and ns/net links, into one {@link ProcessRecord}.
 *
 * A process can exit at any moment: ENOENT or ESRCH on stat or status, or on io or cgroup
 * once the /proc/&lt;pid&gt; directory is gone, gives `{ status: 'vanished' }` instead of an
 * error. io and cgroup are optional: EACCES/EPERM (another user's process without root), or
 * ENOENT while the directory still exists (a kernel built without the file), leave those
 * fields null with the reason in `unavailable`.
 * @param procRoot - procfs root, `/proc` or a fixture tree's `proc`
 * @param pid - the process
 * @param options - sysfs root, page size, USER_HZ and boot time
 * @returns the record, or the file at which the process was found gone
 * @throws {@link @bpfscope/core!EventProcessingFailed} when a file is malformed (see the parsers)
 * @throws {@link @bpfscope/core!DataUnavailable} when stat or status cannot be read for another reason than the exit of the process,
 *   or when the page size or USER_HZ is not given and cannot be measured
 */
export function readProcess(procRoot: string, pid: number, options: ReadProcessOptions = {}): ProcessReadResult {
  return readProcessWith(procRoot, pid, readContext(procRoot, options));
}

/** {@link readProcess} with a context shared over a scan. @internal */
export function readProcessWith(procRoot: string, pid: number, ctx: ReadContext): ProcessReadResult {
  try {
    return { status: 'ok', record: build(procRoot, pid, ctx) };
  } catch (e) {
    if (e instanceof Vanished) return { status: 'vanished', pid, file: e.file };
    throw e;
  }
}

function build(procRoot: string, pid: number, ctx: ReadContext): ProcessRecord {
  const unavailable: Partial<Record<ProcessField, string>> = {};
  const files = ctx.files ?? null;
  const read = (rel: string): string => (files === null ? readProcFile(procRoot, rel) : files.read(rel));
  const required = (name: string): [string, string] => {
    const rel = `${pid}/${name}`;
    try {
      return [read(rel), join(procRoot, rel)];
    } catch (e) {
      if (GONE.has(procReadErrorCode(e) ?? '')) throw new Vanished(join(procRoot, rel));
      throw e;
    }
  };
  const refusals = ctx.refusals ?? null;
  const stat = parsePidStat(...required('stat'), { pageSize: ctx.pageSize, userHz: ctx.userHz, bootTime: ctx.bootTime });
  const start = stat.startSecondsSinceBoot;
  /** A refusal that still stands: the field is unavailable without a read. */
  const refused = (name: string, field: ProcessField): boolean => {
    const reason = refusals?.get(pid, start, name) ?? null;
    if (reason !== null) unavailable[field] = reason;
    return reason !== null;
  };
  const optional = (name: string, field: ProcessField): [string, string] | null => {
    if (refused(name, field)) return null;
    const rel = `${pid}/${name}`;
    try {
      return [read(rel), join(procRoot, rel)];
    } catch (e) {
      const code = procReadErrorCode(e);
      if (code === undefined) throw e;
      if (code === 'ESRCH' || (code === 'ENOENT' && !existsSync(join(procRoot, String(pid))))) throw new Vanished(join(procRoot, rel));
      unavailable[field] = (e as DataUnavailable).message;
      if (REFUSAL_CODES.has(code)) refusals?.set(pid, start, name, unavailable[field]!);
      return null;
    }
  };
  const status = parsePidStatus(...required('status'));
  const ioFile = optional('io', 'io');
  const io = ioFile === null ? null : parsePidIo(...ioFile);
  const cgroupFile = optional('cgroup', 'cgroups');
  const cgroups = cgroupFile === null ? null : parsePidCgroup(...cgroupFile);

  let cgroupPath: string | null = null;
  let cgroupId: number | null = null;
  let container: ContainerIdentity | null = null;
  if (cgroups === null) {
    unavailable.cgroupId = unavailable.cgroupPath = unavailable.container = `cgroup membership is unavailable: ${unavailable.cgroups}`;
  } else {
    cgroupPath = cgroupV2Path(cgroups);
    if (cgroupPath === null) {
      unavailable.cgroupId = unavailable.cgroupPath = 'the process has no cgroup v2 membership (no 0:: line: a cgroup-v1-only system)';
    } else {
      const r = ctx.cgroupIds.resolve(cgroupPath);
      cgroupId = r.id;
      if (r.reason !== null) unavailable.cgroupId = r.reason;
    }
    // The v2 path first, then the v1 ones: the first that names a container wins.
    const paths = [...cgroups].sort((a, b) => a.hierarchyId - b.hierarchyId).map((c) => c.path);
    for (const p of paths) {
      container = containerFromCgroupPath(p);
      if (container !== null) break;
    }
  }
  const namespace = (kind: 'mnt' | 'net', field: 'mountNamespace' | 'netNamespace'): number | null => {
    if (refused(`ns/${kind}`, field)) return null;
    const path = join(procRoot, String(pid), 'ns', kind);
    let link: string;
    try {
      link = readlinkSync(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? '';
      if (code === 'ESRCH' || (code === 'ENOENT' && !existsSync(join(procRoot, String(pid))))) throw new Vanished(path);
      // EACCES: another user's process without root (the links need ptrace access); ENOENT: an exiting process, or a tree without the link.
      unavailable[field] = `${path} cannot be read (${code || String(e)})`;
      if (REFUSAL_CODES.has(code)) refusals?.set(pid, start, `ns/${kind}`, unavailable[field]!);
      return null;
    }
    const m = /^\w+:\[(\d+)\]$/.exec(link);
    if (m === null) {
      unavailable[field] = `${path} links to ${JSON.stringify(link)}, not ${kind}:[inode]`;
      return null;
    }
    return Number(m[1]);
  };
  const mountNamespace = namespace('mnt', 'mountNamespace');
  const netNamespace = namespace('net', 'netNamespace');
  if (stat.startTime === null) unavailable.startTime = ctx.bootTimeReason;
  unavailable.runtime = NO_RUNTIME;

  return {
    source: 'procfs',
    pid: stat.pid,
    ppid: stat.ppid,
    comm: stat.comm,
    state: stat.state,
    uid: status.uid.real,
    euid: status.uid.effective,
    nice: stat.nice,
    priority: stat.priority,
    threads: stat.threads,
    category: stat.kernelThread ? 'kernel' : 'user',
    startSecondsSinceBoot: stat.startSecondsSinceBoot,
    startTime: stat.startTime,
    userSeconds: stat.userSeconds,
    systemSeconds: stat.systemSeconds,
    runtimeSeconds: null,
    cpuPercent: null,
    // VmRSS is the exact figure (the per-CPU parts of the mm's counters summed); stat's
    // rss is the shared count alone, 4-17% low. No VmRSS line: no mm (kernel thread,
    // zombie), nothing resident (stat's rss is 0 too).
    rssBytes: status.vmRssBytes ?? 0,
    vsizeBytes: stat.vsizeBytes,
    minorFaults: stat.minorFaults,
    majorFaults: stat.majorFaults,
    voluntaryCtxtSwitches: status.voluntaryCtxtSwitches,
    nonvoluntaryCtxtSwitches: status.nonvoluntaryCtxtSwitches,
    ioReadBytes: io?.readBytes ?? null,
    ioWriteBytes: io?.writeBytes ?? null,
    io,
    cgroupPath,
    cgroupId,
    cgroups,
    container,
    mountNamespace,
    netNamespace,
    unavailable,
  };
}
