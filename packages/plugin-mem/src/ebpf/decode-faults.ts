import { EventProcessingFailed, IntIndex } from '@bpfscope/core';
import type { StructLayout } from '@bpfscope/native';
import type { FaultRows } from '../read/fault-ranking.js';
import { cString, u64 } from './mem-layouts.js';

type F64 = Float64Array<ArrayBuffer>;
const fitF = (a: F64, n: number): F64 => (a.length >= n ? a : new Float64Array(Math.max(n, a.length * 2)));
const fitI = (a: Int32Array<ArrayBuffer>, n: number): Int32Array<ArrayBuffer> => (a.length >= n ? a : new Int32Array(Math.max(n, a.length * 2)));

/**
 * Sums the task iterator's per-thread records (struct mem_faults) per process: every
 * thread's own faults, plus, on the thread-group leader, those of the threads that
 * exited — the same total as /proc/&lt;pid&gt;/stat. The sums go into typed arrays the
 * decoder reuses from reading to reading; a row's command name (the leader's) is
 * decoded from the bytes when it is asked for. The rows are valid until the next decode,
 * and the names while the bytes are not overwritten.
 * @internal
 */
export class FaultDecoder implements FaultRows {
  #index = new IntIndex(256);
  #pid: Int32Array<ArrayBuffer> = new Int32Array(256);
  #minor: F64 = new Float64Array(256);
  #major: F64 = new Float64Array(256);
  #threads: Int32Array<ArrayBuffer> = new Int32Array(256);
  /** Where the row's name is in `#bytes`; negative (−1 − at) while it is not the leader's. */
  #commAt: Int32Array<ArrayBuffer> = new Int32Array(256);
  #bytes: Uint8Array = new Uint8Array(0);
  length = 0;

  /**
   * @param bytes - what mem_iter wrote
   * @param layout - struct mem_faults from BTF
   * @returns this decoder, holding one row per process
   * @throws {@link @bpfscope/core!EventProcessingFailed} when the bytes are not a whole number of records
   */
  decode(bytes: Uint8Array, layout: StructLayout): FaultRows {
    const size = layout.size;
    if (bytes.length % size !== 0) {
      throw new EventProcessingFailed(`mem_iter wrote ${bytes.length} bytes, not a whole number of ${size}-byte struct mem_faults records`, {
        details: { bytes: bytes.length, size, source: layout.source },
      });
    }
    const f = layout.fields;
    const [tgidAt, tidAt, minAt, majAt, deadMinAt, deadMajAt, commAt] = [f.tgid!.offset, f.tid!.offset, f.min_flt!.offset, f.maj_flt!.offset, f.dead_min_flt!.offset, f.dead_maj_flt!.offset, f.comm!.offset];
    const records = bytes.length / size;
    this.#pid = fitI(this.#pid, records);
    this.#threads = fitI(this.#threads, records);
    this.#commAt = fitI(this.#commAt, records);
    this.#minor = fitF(this.#minor, records);
    this.#major = fitF(this.#major, records);
    this.#bytes = bytes;
    const index = this.#index;
    index.clear();
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let at = 0; at < bytes.length; at += size) {
      const tgid = view.getUint32(at + tgidAt, true);
      const leader = view.getUint32(at + tidAt, true) === tgid;
      let minor = u64(view, at + minAt);
      let major = u64(view, at + majAt);
      if (leader) {
        minor += u64(view, at + deadMinAt);
        major += u64(view, at + deadMajAt);
      }
      const rows = index.size;
      const r = index.add(tgid);
      if (r === rows) {
        this.#pid[r] = tgid;
        this.#minor[r] = minor;
        this.#major[r] = major;
        this.#threads[r] = 1;
        this.#commAt[r] = leader ? at + commAt : -1 - (at + commAt);
      } else {
        this.#minor[r]! += minor;
        this.#major[r]! += major;
        this.#threads[r]!++;
        if (leader && this.#commAt[r]! < 0) this.#commAt[r] = at + commAt;
      }
    }
    this.length = index.size;
    return this;
  }

  pid(row: number): number {
    return this.#pid[row]!;
  }

  minor(row: number): number {
    return this.#minor[row]!;
  }

  major(row: number): number {
    return this.#major[row]!;
  }

  threads(row: number): number {
    return this.#threads[row]!;
  }

  comm(row: number): string {
    const at = this.#commAt[row]!;
    return cString(this.#bytes, at < 0 ? -1 - at : at, 16);
  }
}
