import type { FsFile, FsFileProcess, FsProcess } from '../../records.js';
import type { KernelCounts, KernelFile, KernelFileProc, KernelProc } from './decode-maps.js';
import { kernelDevText } from './kernel-dev.js';
import type { PathText } from './path-text.js';

// struct fs_file.flags (bpf/fs/fs_file.h).
const FILE_DELETED = 1;
const FILE_OUT = 2;

/** What a reading lists, from the options. @internal */
export interface ListLimits {
  maxFiles: number;
  topK: number;
  topProcesses: number;
  minBytes: number;
}

/** The path prefixes the kernel holds, with their generation. @internal */
export interface PrefixState {
  prefixes: readonly string[];
  gen: number;
}

const operations = (c: KernelCounts): number => c.opens + c.closes + c.reads + c.writes + c.fsyncs;
const byBytesThenOps = <T extends { bytes: number; operations: number }>(a: T, b: T): number => b.bytes - a.bytes || b.operations - a.operations;
const under = (path: string, prefix: string): boolean => path === prefix || path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`);

/** Processes, most bytes first, after `minBytes`, at most `topK`. @internal */
export function listProcesses(procs: readonly KernelProc[], limits: ListLimits): FsProcess[] {
  const kept = procs
    .map((p) => ({ p, bytes: p.bytesRead + p.bytesWritten, operations: p.reads + p.writes + p.opens + p.fsyncs }))
    .filter((x) => x.bytes >= limits.minBytes && x.operations > 0)
    .sort(byBytesThenOps);
  return kept.slice(0, limits.topK).map(({ p }) => ({
    pid: p.pid, comm: p.comm, reads: p.reads, writes: p.writes, bytesRead: p.bytesRead, bytesWritten: p.bytesWritten,
    opens: p.opens, fsyncs: p.fsyncs, storageBytesRead: null, storageBytesWritten: null,
  }));
}

/**
 * Files, most bytes first, after the path prefixes in force and `minBytes`, at most
 * `maxFiles`, each with its top processes. A file the kernel judged outside the prefixes of
 * the generation in force is left out; one not judged since the prefixes changed (no
 * operation since) is kept when its path lies under a prefix.
 * @returns the listed files and how many passed before the cap
 * @internal
 */
export function listFiles(
  files: readonly KernelFile[],
  fileProcs: readonly KernelFileProc[],
  pathOf: (f: KernelFile) => PathText,
  limits: ListLimits,
  prefixes: PrefixState | null,
): { files: FsFile[]; fileCount: number } {
  const passing: Array<{ f: KernelFile; path: PathText; bytes: number; operations: number }> = [];
  for (const f of files) {
    const bytes = f.counts.bytesRead + f.counts.bytesWritten;
    const ops = operations(f.counts);
    if (ops === 0 || bytes < limits.minBytes) continue;
    const path = pathOf(f);
    if (prefixes !== null) {
      if (f.gen === prefixes.gen ? (f.flags & FILE_OUT) !== 0 : path.path === null || !prefixes.prefixes.some((p) => under(path.path!, p))) continue;
    }
    passing.push({ f, path, bytes, operations: ops });
  }
  passing.sort(byBytesThenOps);
  const listed = passing.slice(0, limits.maxFiles);
  const procsOf = new Map<string, FsFileProcess[]>();
  if (limits.topProcesses > 0 && listed.length > 0) {
    const wanted = new Set(listed.map((x) => x.f.id));
    for (const fp of fileProcs) {
      if (!wanted.has(fp.id)) continue;
      const list = procsOf.get(fp.id) ?? [];
      list.push({ pid: fp.pid, comm: fp.comm, bytes: fp.counts.bytesRead + fp.counts.bytesWritten, operations: operations(fp.counts) });
      procsOf.set(fp.id, list);
    }
  }
  return {
    fileCount: passing.length,
    files: listed.map(({ f, path }) => ({
      dev: kernelDevText(f.dev),
      inode: f.ino,
      path: path.path,
      // Unlinked while open says more than a cut name (the `…/` prefix still shows the cut).
      pathStatus: (f.flags & FILE_DELETED) !== 0 && path.path !== null ? 'deleted' : path.status,
      opens: f.counts.opens,
      closes: f.counts.closes,
      reads: f.counts.reads,
      writes: f.counts.writes,
      bytesRead: f.counts.bytesRead,
      bytesWritten: f.counts.bytesWritten,
      fsyncs: f.counts.fsyncs,
      topProcesses: (procsOf.get(f.id) ?? []).sort(byBytesThenOps).slice(0, limits.topProcesses),
    })),
  };
}
