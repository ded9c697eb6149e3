import { decodeCString, type MapBatch } from '@bpfscope/native';
import { u64, type FileLayouts } from './file-layouts.js';

/** Counts of a file, or of a file as one process used it. @internal */
export interface KernelCounts {
  opens: number;
  closes: number;
  reads: number;
  writes: number;
  bytesRead: number;
  bytesWritten: number;
  fsyncs: number;
}

/** One process's entry of fs_procs, summed over CPUs. @internal */
export interface KernelProc {
  pid: number;
  comm: string;
  reads: number;
  writes: number;
  bytesRead: number;
  bytesWritten: number;
  opens: number;
  fsyncs: number;
}

/** One file's record (fs_recs). @internal */
export interface KernelFile {
  /** The kernel's s_dev. */
  dev: number;
  ino: number;
  /** The inode's i_generation: a file that reuses a deleted one's inode number has another. */
  igen: number;
  counts: KernelCounts;
  flags: number;
  gen: number;
  /** Its slot in fs_recs. */
  slot: number;
}

/** One (file, process) record of fs_fp_recs. @internal */
export interface KernelFileProc {
  /** The file's slot in fs_recs. */
  file: number;
  pid: number;
  comm: string;
  counts: KernelCounts;
}

/** The key of a file (device, inode, generation) as text: of its path and processes. @internal */
export const fileId = (dev: number, ino: number, igen: number): string => `${dev}:${ino}:${igen}`;

function counts(v: DataView, at: number, o: FileLayouts['counts']): KernelCounts {
  return {
    opens: u64(v, at + o.opens),
    closes: u64(v, at + o.closes),
    reads: u64(v, at + o.reads),
    writes: u64(v, at + o.writes),
    bytesRead: u64(v, at + o.bytes_read),
    bytesWritten: u64(v, at + o.bytes_written),
    fsyncs: u64(v, at + o.fsyncs),
  };
}

const viewOf = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);

/**
 * fs_procs entries (per-CPU values, each `entrySize / cpus` bytes apart), summed over CPUs;
 * the command name is the first CPU copy that has one (the CPU that made the entry).
 * @param batch - a whole-map read
 * @param keySize - the map's key size
 * @param entrySize - bytes of one entry's values (all CPUs)
 * @param stride - bytes of one CPU's value
 * @internal
 */
export function decodeProcs(batch: MapBatch, keySize: number, entrySize: number, stride: number, layouts: FileLayouts, into: KernelProc[] = []): KernelProc[] {
  const o = layouts.proc;
  const keys = viewOf(batch.keys);
  const values = viewOf(batch.values);
  const cpus = Math.max(1, Math.floor(entrySize / stride));
  for (let i = 0; i < batch.count; i++) {
    const at = i * entrySize;
    const p: KernelProc = { pid: keys.getUint32(i * keySize, true), comm: '', reads: 0, writes: 0, bytesRead: 0, bytesWritten: 0, opens: 0, fsyncs: 0 };
    for (let c = 0; c < cpus; c++) {
      const cat = at + c * stride;
      p.reads += u64(values, cat + o.reads);
      p.writes += u64(values, cat + o.writes);
      p.bytesRead += u64(values, cat + o.bytes_read);
      p.bytesWritten += u64(values, cat + o.bytes_written);
      p.opens += u64(values, cat + o.opens);
      p.fsyncs += u64(values, cat + o.fsyncs);
      if (p.comm === '') p.comm = decodeCString(batch.values, cat + o.comm, 16);
    }
    into.push(p);
  }
  return into;
}

/** One CPU's run of calls by one process (fs_run), not yet in fs_procs. @internal */
export interface KernelRun {
  tgid: number;
  /** Even between the kernel's switches of the run, odd during one. */
  seq: number;
  reads: number;
  writes: number;
  bytesRead: number;
  bytesWritten: number;
  opens: number;
  fsyncs: number;
}

/**
 * The per-CPU values of fs_run (one entry), each `stride` bytes apart.
 * @internal
 */
export function decodeRuns(values: Uint8Array, stride: number, layouts: FileLayouts): KernelRun[] {
  const o = layouts.run;
  const v = viewOf(values);
  const out: KernelRun[] = [];
  for (let at = 0; at + o.size <= values.length; at += stride) {
    out.push({
      tgid: v.getUint32(at + o.tgid, true), seq: v.getUint32(at + o.seq, true),
      reads: u64(v, at + o.reads), writes: u64(v, at + o.writes), bytesRead: u64(v, at + o.bytes_read),
      bytesWritten: u64(v, at + o.bytes_written), opens: u64(v, at + o.opens), fsyncs: u64(v, at + o.fsyncs),
    });
  }
  return out;
}

/**
 * Adds each run to its process (a run whose process has no entry is of one that ended and
 * was read, or that the full table left out: it is not listed).
 * @internal
 */
export function addRuns(procs: KernelProc[], runs: readonly KernelRun[]): void {
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  for (const r of runs) {
    const p = r.tgid === 0 ? undefined : byPid.get(r.tgid);
    if (p === undefined) continue;
    p.reads += r.reads;
    p.writes += r.writes;
    p.bytesRead += r.bytesRead;
    p.bytesWritten += r.bytesWritten;
    p.opens += r.opens;
    p.fsyncs += r.fsyncs;
  }
}

/** The record of slot `slot` of fs_recs, at byte `at` of `view` (a file's key and counts). @internal */
export function decodeFile(view: DataView, at: number, slot: number, layouts: FileLayouts): KernelFile {
  const o = layouts.file;
  return {
    dev: view.getUint32(at + o.dev, true),
    ino: u64(view, at + o.ino),
    igen: view.getUint32(at + o.igen, true),
    counts: counts(view, at + o.c, layouts.counts),
    flags: view.getUint32(at + o.flags, true),
    gen: view.getUint32(at + o.gen, true),
    slot,
  };
}

/**
 * The records of fs_fp_recs (`count` of them, each `stride` bytes after the last) of the files
 * whose slots `wanted` marks (non-zero at the slot), with operations: a record of none is
 * of a pair being counted now (or of a slot given back).
 * @internal
 */
export function decodeFileProcs(records: Uint8Array, count: number, stride: number, layouts: FileLayouts, wanted: Uint8Array, into: KernelFileProc[] = []): KernelFileProc[] {
  const o = layouts.fileProc;
  const v = viewOf(records);
  for (let i = 0, at = 0; i < count; i++, at += stride) {
    const file = v.getUint32(at + o.file, true);
    if (file >= wanted.length || wanted[file] === 0) continue;
    const c = counts(v, at + o.c, layouts.counts);
    if (c.opens + c.closes + c.reads + c.writes + c.fsyncs === 0) continue;
    into.push({ file, pid: v.getUint32(at + o.tgid, true), comm: decodeCString(records, at + o.comm, 16), counts: c });
  }
  return into;
}

/** The bytes of an fs_files / fs_paths / fs_anchors key. @internal */
export function fileKey(dev: number, ino: number, igen: number, tgid: number, layouts: FileLayouts): Uint8Array {
  const key = new Uint8Array(layouts.key.size);
  const v = viewOf(key);
  v.setUint32(layouts.key.ino, ino % 4294967296, true);
  v.setUint32(layouts.key.ino + 4, Math.floor(ino / 4294967296), true);
  v.setUint32(layouts.key.dev, dev, true);
  v.setUint32(layouts.key.igen, igen, true);
  v.setUint32(layouts.key.tgid, tgid, true);
  return key;
}
