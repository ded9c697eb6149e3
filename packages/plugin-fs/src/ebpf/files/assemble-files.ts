import { topKBy } from '@bpfscope/core';
import type { FsFile, FsFileProcess, FsProcess } from '../../records.js';
import { decodeFile, type KernelCounts, type KernelFile, type KernelFileProc, type KernelProc } from './decode-maps.js';
import { kernelDevText } from './kernel-dev.js';
import type { PathText } from './path-text.js';
import type { FileRanking, FileTable } from './top-files.js';

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
    .filter((x) => x.bytes >= limits.minBytes && x.operations > 0);
  return topKBy(kept, limits.topK, byBytesThenOps).map(({ p }) => ({
    pid: p.pid, comm: p.comm, reads: p.reads, writes: p.writes, bytesRead: p.bytesRead, bytesWritten: p.bytesWritten,
    opens: p.opens, fsyncs: p.fsyncs, storageBytesRead: null, storageBytesWritten: null,
  }));
}

/** How a reading gets what it lists of each file, for the files it lists only. @internal */
export interface FileDetails {
  /** A file's path. */
  pathOf(f: KernelFile): PathText;
  /** The (file, process) entries of these files. */
  processesOf(files: readonly KernelFile[]): readonly KernelFileProc[];
}

/**
 * Files, most bytes first, after the path prefixes in force and `minBytes`, at most
 * `maxFiles`, each with its top processes. A file the kernel judged outside the prefixes of
 * the generation in force is left out; one not judged since the prefixes changed (no
 * operation since) is kept when its path lies under a prefix. The table is ranked from its
 * records as they are ({@link FileRanking}); records, paths and processes are decoded and
 * looked up for the listed files only (and paths for the not-judged ones).
 * @returns the listed files and how many passed before the cap
 * @internal
 */
export function listFiles(table: FileTable, ranking: FileRanking, details: FileDetails, limits: ListLimits, prefixes: PrefixState | null): { files: FsFile[]; fileCount: number } {
  const o = table.layouts.file;
  const keep = prefixes === null ? null : (view: DataView, at: number): boolean => {
    if (view.getUint32(at + o.gen, true) === prefixes.gen) return (view.getUint32(at + o.flags, true) & FILE_OUT) === 0;
    const { path } = details.pathOf(decodeFile(view, at, at / table.stride, table.layouts));
    return path !== null && prefixes.prefixes.some((p) => under(path, p));
  };
  const { slots, passing } = ranking.select(table, limits, keep);
  const view = new DataView(table.records.buffer, table.records.byteOffset, table.records.byteLength);
  const listed = slots.map((slot) => decodeFile(view, slot * table.stride, slot, table.layouts));
  // Counted in the kernel: bytes and operations are numbers here.
  const procsOf = new Map<number, Array<FsFileProcess & { bytes: number; operations: number }>>();
  if (limits.topProcesses > 0 && listed.length > 0) {
    for (const fp of details.processesOf(listed)) {
      const list = procsOf.get(fp.file) ?? [];
      list.push({ pid: fp.pid, comm: fp.comm, bytes: fp.counts.bytesRead + fp.counts.bytesWritten, operations: operations(fp.counts) });
      procsOf.set(fp.file, list);
    }
  }
  return {
    fileCount: passing,
    files: listed.map((f) => {
      const path = details.pathOf(f);
      return {
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
        topProcesses: (procsOf.get(f.slot) ?? []).sort(byBytesThenOps).slice(0, limits.topProcesses),
      };
    }),
  };
}
