import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { procReadErrorCode, readProcFile, type DataUnavailable } from '@bpfscope/core';
import { parseIoSyscallCounts } from './parse-io-syscalls.js';
import { parsePidSyscall, type CurrentSyscall } from './parse-pid-syscall.js';

/** Fields of a {@link ProcessSyscalls} that can be absent; the reason is in {@link ProcessSyscalls.unavailable}. */
export type SyscallField = 'readCalls' | 'writeCalls' | 'current' | 'callsBySyscall' | 'errorsBySyscall';

/**
 * Why procfs can never give the per-call figures: there is no per-syscall counter in
 * procfs, and bpfscope does not estimate them from the read/write-class totals.
 */
export const PROCFS_SYSCALL_UNAVAILABLE: Readonly<Record<'callsBySyscall' | 'errorsBySyscall', string>> = Object.freeze({
  callsBySyscall: 'procfs has no per-system-call counts (only the read-class and write-class totals of /proc/<pid>/io); they need the eBPF source',
  errorsBySyscall: 'procfs does not record system call results; error counts need the eBPF source',
});

/** What procfs can say about one process's system calls. */
export interface ProcessSyscalls {
  /** Process ID. */
  pid: number;
  /** Read-class system calls since the process started (io `syscr`); null when io is unavailable. */
  readCalls: number | null;
  /** Write-class system calls since the process started (io `syscw`); null when io is unavailable. */
  writeCalls: number | null;
  /** The call the main thread is in now; null when /proc/&lt;pid&gt;/syscall is unavailable. */
  current: CurrentSyscall | null;
  /** Calls by system call name; always null from procfs (see {@link PROCFS_SYSCALL_UNAVAILABLE}). */
  callsBySyscall: Readonly<Record<string, number>> | null;
  /** Failed calls by system call name; always null from procfs. */
  errorsBySyscall: Readonly<Record<string, number>> | null;
  /** Why each null field is absent. */
  unavailable: Partial<Record<SyscallField, string>>;
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

/** A process whose system-call files were read. */
export interface ProcessSyscallsRead {
  /** Discriminant. */
  status: 'ok';
  /** Its record. */
  record: ProcessSyscalls;
}

/** The outcome of {@link readProcessSyscalls}: the record, or the fact that the process exited while it was read. */
export type ProcessSyscallsResult = ProcessSyscallsRead | ProcessVanished;

/**
 * Read /proc/&lt;pid&gt;/io (syscr, syscw) and /proc/&lt;pid&gt;/syscall. Either file may be
 * refused (EACCES/EPERM: another user's process, or a ptrace check the caller fails; the
 * kernel also needs CONFIG_HAVE_ARCH_TRACEHOOK for syscall): its fields are then null with
 * the reason. ENOENT or ESRCH once /proc/&lt;pid&gt; is gone means the process exited.
 * @param procRoot - procfs root, `/proc` or a fixture tree's `proc`
 * @param pid - the process
 * @returns the record, or `vanished`
 * @throws {@link @bpfscope/core!EventProcessingFailed} when a file is malformed
 */
export function readProcessSyscalls(procRoot: string, pid: number): ProcessSyscallsResult {
  const unavailable: Partial<Record<SyscallField, string>> = { ...PROCFS_SYSCALL_UNAVAILABLE };
  let vanishedAt: string | null = null;
  const read = (name: string, fields: SyscallField[]): [string, string] | null => {
    const rel = `${pid}/${name}`;
    try {
      return [readProcFile(procRoot, rel), join(procRoot, rel)];
    } catch (e) {
      const code = procReadErrorCode(e);
      if (code === undefined) throw e;
      if (code === 'ESRCH' || (code === 'ENOENT' && !existsSync(join(procRoot, String(pid))))) vanishedAt ??= join(procRoot, rel);
      for (const f of fields) unavailable[f] = (e as DataUnavailable).message;
      return null;
    }
  };
  const io = read('io', ['readCalls', 'writeCalls']);
  const counts = io === null ? null : parseIoSyscallCounts(...io);
  const sc = vanishedAt === null ? read('syscall', ['current']) : null;
  if (vanishedAt !== null) return { status: 'vanished', pid, file: vanishedAt };
  return {
    status: 'ok',
    record: {
      pid,
      readCalls: counts?.readCalls ?? null,
      writeCalls: counts?.writeCalls ?? null,
      current: sc === null ? null : parsePidSyscall(...sc),
      callsBySyscall: null,
      errorsBySyscall: null,
      unavailable,
    },
  };
}
