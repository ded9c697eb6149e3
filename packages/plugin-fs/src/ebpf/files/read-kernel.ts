import type { BpfMap, BpfObject, MapBatch } from '@bpfscope/native';
import { addRuns, decodeFileProcs, decodeProcs, decodeRuns, fileId, fileKey, type KernelFile, type KernelFileProc, type KernelProc, type KernelRun } from './decode-maps.js';
import type { FileLayouts } from './file-layouts.js';
import { pathText, type PathText } from './path-text.js';
import type { FileTable } from './top-files.js';

/** enum fs_cnt (bpf/fs/fs_file.h). @internal */
export const FS_CNT = { filesLost: 0, lostFull: 1, fileProcFull: 2, procFull: 3, pathFull: 4 } as const;

const round8 = (n: number): number => Math.ceil(n / 8) * 8;

/** Reads of the process table while the kernel moves runs into it. */
const MAX_TRIES = 4;

/**
 * Whole-map reads into a buffer kept from read to read, grown to twice the entries of a read
 * that did not fit (at most the whole map): a big map read every second allocates nothing
 * once its size settles, and a small one holds little memory.
 * @internal
 */
export class KeptBatch {
  #into: Uint8Array;

  constructor(private readonly map: BpfMap, entries = 256) {
    this.#into = new Uint8Array(Math.min(map.batchBytes(), entries * (map.keySize + map.entrySize)));
  }

  async read(): Promise<MapBatch> {
    const batch = await this.map.lookupBatch({ into: this.#into });
    if (batch.spilled) this.#into = new Uint8Array(Math.min(this.map.batchBytes(), 2 * batch.count * (this.map.keySize + this.map.entrySize)));
    return batch;
  }
}

/** fs_next keys (FS_SLOTS_* of bpf/fs/fs_file.h). */
const SLOTS_FILES = 0;
const SLOTS_FP = 1;

/** The file object's maps as a reading takes them. @internal */
export class KernelReads {
  readonly #procs: KeptBatch;
  /** Marks of the listed files' slots, kept from one reading to the next. */
  #wanted = new Uint8Array(0);
  /** Paths by file id: the kernel writes each once, so each is looked up once. */
  readonly #paths = new Map<string, PathText>();

  constructor(
    private readonly obj: BpfObject,
    private readonly layouts: FileLayouts,
  ) {
    this.#procs = new KeptBatch(obj.map('fs_procs'));
  }

  /**
   * Every process in fs_procs, summed over CPUs, with the runs not yet moved into it. The
   * table is read between two reads of the runs, again while a run moved meanwhile (its seq
   * changed, or is odd), so that a run is counted once, in its run or in the table.
   * @returns the processes, and whether the runs settled within the tries
   */
  async processes(): Promise<{ procs: KernelProc[]; settled: boolean }> {
    const map = this.obj.map('fs_procs');
    for (let tries = 1; ; tries++) {
      const before = this.#runs();
      const procs = decodeProcs(await this.#procs.read(), map.keySize, map.entrySize, round8(map.valueSize), this.layouts);
      const after = this.#runs();
      const settled = before.every((r, i) => r.seq % 2 === 0 && r.seq === after[i]!.seq);
      if (settled || tries === MAX_TRIES) {
        addRuns(procs, after);
        return { procs, settled };
      }
    }
  }

  #runs(): KernelRun[] {
    const map = this.obj.map('fs_run');
    return decodeRuns(map.readArray(), round8(map.valueSize), this.layouts);
  }

  /** Processes that ended (fs_gone). */
  gone(): number[] {
    const out: number[] = [];
    for (const key of this.obj.map('fs_gone').keys()) out.push(new DataView(key.buffer, key.byteOffset, 4).getUint32(0, true));
    return out;
  }

  /** Removes ended processes from fs_procs and fs_gone, after a reading listed them once. */
  forget(pids: readonly number[]): void {
    const procs = this.obj.map('fs_procs');
    const gone = this.obj.map('fs_gone');
    const key = new Uint8Array(4);
    const view = new DataView(key.buffer);
    for (const pid of pids) {
      view.setUint32(0, pid, true);
      procs.delete(key);
      gone.delete(key);
    }
  }

  /**
   * The records in use of a table of records in blocks (fs_recs, fs_fp_recs): the slots handed
   * out so far (fs_next[which]), in one batch read of the blocks that hold them. A slot handed
   * out while the read runs is left for the next reading; one not yet in use holds no
   * operations. Slot s is at s × `size` of the bytes read.
   */
  #records(map: string, which: number, perBlock: number): { records: Uint8Array; count: number } {
    const recs = this.obj.map(map);
    const next = this.obj.map('fs_next').readArray(which, 1);
    const count = Math.min(new DataView(next.buffer, next.byteOffset, 4).getUint32(0, true), recs.maxEntries * perBlock);
    return { records: recs.readArray(0, Math.ceil(count / perBlock)), count };
  }

  /** The files' records (fs_recs). */
  files(): FileTable {
    const { records, count } = this.#records('fs_recs', SLOTS_FILES, this.layouts.fileBlock);
    return { records, count, stride: this.layouts.file.size, layouts: this.layouts };
  }

  /** The (file, process) records of `files` (read whole from fs_fp_recs, the others skipped undecoded). */
  fileProcs(files: readonly KernelFile[]): KernelFileProc[] {
    const { records, count } = this.#records('fs_fp_recs', SLOTS_FP, this.layouts.fileProcBlock);
    const top = files.reduce((m, f) => Math.max(m, f.slot + 1), 0);
    if (this.#wanted.length < top) this.#wanted = new Uint8Array(Math.max(top, 2 * this.#wanted.length));
    const wanted = this.#wanted;
    for (const f of files) wanted[f.slot] = 1;
    try {
      return decodeFileProcs(records, count, this.layouts.fileProc.size, this.layouts, wanted);
    } finally {
      for (const f of files) wanted[f.slot] = 0;
    }
  }

  /** A file's path (looked up in fs_paths the first time). */
  path(f: KernelFile): PathText {
    const id = fileId(f.dev, f.ino, f.igen);
    const known = this.#paths.get(id);
    if (known !== undefined) return known;
    const value = this.obj.map('fs_paths').lookup(fileKey(f.dev, f.ino, f.igen, 0, this.layouts));
    // No entry: the kernel could not store it (fs_paths full), or it is being written now.
    if (value === undefined) return { path: null, status: 'unresolved' };
    const n = this.layouts.name;
    const v = new DataView(value.buffer, value.byteOffset, value.byteLength);
    const text = pathText(value.subarray(n.buf, n.buf + n.bufSize), v.getUint32(n.len, true), v.getUint32(n.status, true));
    this.#paths.set(id, text);
    return text;
  }

  /** fs_cnt slots ({@link FS_CNT}), summed over CPUs. */
  counts(): number[] {
    const map = this.obj.map('fs_cnt');
    const all = map.readArray();
    const view = new DataView(all.buffer, all.byteOffset, all.byteLength);
    const cpus = map.entrySize / 8;
    const out: number[] = [];
    for (let slot = 0; slot < map.maxEntries; slot++) {
      let s = 0;
      for (let c = 0; c < cpus; c++) s += Number(view.getBigUint64(slot * map.entrySize + c * 8, true));
      out.push(s);
    }
    return out;
  }
}
