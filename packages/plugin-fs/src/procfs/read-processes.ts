import { filterParts, isBpfscopeError, parsePidIo, procReadErrorCode, recordPasses, type BpfscopeError, type FamilyFilter, type ProcfsReader } from '@bpfscope/core';
import { processFilterRecord } from '../filter-record.js';
import type { ResolvedFsOptions } from '../options.js';
import type { FsMetrics, FsProcess } from '../records.js';

/** The processes' I/O as one reading of /proc/&lt;pid&gt;/io found it. @internal */
export interface ProcessesRead {
  /** Processes with any I/O, most bytes first, after `minBytes`, at most `topK`. */
  processes: FsProcess[];
  /** Processes whose io file the kernel refused (not ours, no CAP_SYS_PTRACE): left out. */
  unreadable: number;
  /** Processes whose io file could not be parsed: left out. */
  malformed: number;
  /** Why /proc could not be listed (then `processes` is empty), else null. */
  error: BpfscopeError | null;
}

const GONE = new Set(['ENOENT', 'ESRCH']);

/**
 * A process's command name from /proc/&lt;pid&gt;/comm, or null when the process is gone or
 * the kernel refused it (`refused` is then called).
 * @internal
 */
export function readComm(procfs: ProcfsReader, pid: number, refused: () => void = () => undefined): string | null {
  try {
    return procfs.readProc(`${pid}/comm`).replace(/\n$/, '');
  } catch (e) {
    const code = procReadErrorCode(e);
    if (code === undefined) throw e;
    if (!GONE.has(code)) refused();
    return null;
  }
}

/** The processes listed in /proc now (its numeric entries). @internal */
export function listPids(procfs: ProcfsReader): number[] {
  return procfs.listProc('').filter((e) => e.directory && /^\d+$/.test(e.name)).map((e) => Number(e.name));
}

/** A process's comm, or null when it is gone or refused (counted in `out`). */
const commOf = (procfs: ProcfsReader, pid: number, out: ProcessesRead): string | null => readComm(procfs, pid, () => void out.unreadable++);

/**
 * Read /proc/&lt;pid&gt;/io of every process, and the comm of those listed (of every one
 * when `keep` looks at comm). A process that exits meanwhile is left out; one the kernel does
 * not let us read is left out and counted.
 * @param procfs - the engine's procfs reader
 * @param options - `minBytes` and `topK`
 * @param keep - which processes may be listed, judged before the `topK` cut
 * @param keepNeedsComm - whether `keep` judges `comm` (then every comm is read before the cut)
 * @returns the processes and what was left out
 * @internal
 */
export function readProcesses(procfs: ProcfsReader, options: Pick<ResolvedFsOptions, 'minBytes' | 'topK'>, keep: (p: FsProcess) => boolean = () => true, keepNeedsComm = false): ProcessesRead {
  const out: ProcessesRead = { processes: [], unreadable: 0, malformed: 0, error: null };
  let pids;
  try {
    pids = listPids(procfs);
  } catch (e) {
    if (!isBpfscopeError(e)) throw e;
    out.error = e as BpfscopeError;
    return out;
  }
  const all: FsProcess[] = [];
  for (const pid of pids) {
    let text: string;
    try {
      text = procfs.readProc(`${pid}/io`);
    } catch (e) {
      const code = procReadErrorCode(e);
      if (code === undefined) throw e;
      if (!GONE.has(code)) out.unreadable++;
      continue;
    }
    let io;
    try {
      io = parsePidIo(text, `${procfs.procRoot}/${pid}/io`);
    } catch (e) {
      if (!isBpfscopeError(e)) throw e;
      out.malformed++;
      continue;
    }
    if (io.rchar + io.wchar + io.syscr + io.syscw === 0) continue; // no I/O at all (a kernel thread)
    if (io.rchar + io.wchar < options.minBytes) continue;
    const comm = keepNeedsComm ? commOf(procfs, pid, out) : '';
    if (comm === null) continue;
    const p: FsProcess = {
      pid, comm, reads: io.syscr, writes: io.syscw, bytesRead: io.rchar, bytesWritten: io.wchar,
      opens: null, fsyncs: null, storageBytesRead: io.readBytes, storageBytesWritten: io.writeBytes,
    };
    if (keep(p)) all.push(p);
  }
  all.sort((a, b) => b.bytesRead + b.bytesWritten - (a.bytesRead + a.bytesWritten) || a.pid - b.pid);
  if (keepNeedsComm) {
    out.processes = all.slice(0, options.topK);
    return out;
  }
  // The comm of the listed ones only; one gone meanwhile makes room for the next.
  for (const p of all) {
    if (out.processes.length >= options.topK) break;
    const comm = commOf(procfs, p.pid, out);
    if (comm === null) continue;
    p.comm = comm;
    out.processes.push(p);
  }
  return out;
}

/**
 * Fill a reading's `processes` from /proc/&lt;pid&gt;/io (as {@link readProcesses}), with what
 * was left out: an unlisted /proc in `errors`, malformed files in `skippedLines`, refused
 * ones in `unavailable.processes`. The fallback reads its processes so, and the eBPF source
 * when it counts none in the kernel.
 * @param m - the reading, changed in place
 * @param procfs - the engine's procfs reader
 * @param options - `minBytes` and `topK`
 * @param filter - the family's filter, judged before the `topK` cut
 * @internal
 */
export function readProcessesInto(m: FsMetrics, procfs: ProcfsReader, options: Pick<ResolvedFsOptions, 'minBytes' | 'topK'>, filter: FamilyFilter): void {
  const parts = filterParts(filter);
  const byComm = parts.includes('comms') || parts.includes('excludeComms');
  const procs = readProcesses(procfs, options, parts.length === 0 ? undefined : (p) => recordPasses(filter, parts, processFilterRecord(p)), byComm);
  if (procs.error !== null) m.errors.processes = procs.error;
  if (procs.malformed > 0) m.skippedLines['<pid>/io'] = procs.malformed;
  if (procs.unreadable > 0) {
    m.unavailable.processes =
      `the /proc/<pid>/io of ${procs.unreadable} process(es) could not be read (permission denied by the kernel's ptrace access check: ` +
      'another user\'s process without CAP_SYS_PTRACE, or a process that made itself non-dumpable); they are left out, the others are listed';
  }
  m.processes = procs.processes;
}
