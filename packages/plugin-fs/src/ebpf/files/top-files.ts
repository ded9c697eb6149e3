import { u64, type FileLayouts } from './file-layouts.js';

/**
 * The records of fs_recs in the slots in use, as one read got them: slot `i` at
 * `i × stride` of `records`.
 * @internal
 */
export interface FileTable {
  records: Uint8Array;
  /** Slots read. */
  count: number;
  /** Bytes from one record to the next. */
  stride: number;
  layouts: FileLayouts;
}

/** Which files a scan keeps, and how many it lists. @internal */
export interface RankLimits {
  maxFiles: number;
  minBytes: number;
}

/**
 * The files of a {@link FileTable} with most bytes (then operations, then the lower slot), at
 * most `maxFiles`, read straight from the records: no object per file, and the arrays of the
 * scan kept from one reading to the next (grown to the largest table seen).
 * @internal
 */
export class FileRanking {
  #slots = new Int32Array(0);
  #bytes = new Float64Array(0);
  #ops = new Float64Array(0);
  #heap = new Int32Array(0);

  /**
   * @param table - the records read
   * @param limits - `maxFiles`, and `minBytes` (bytes read and written) a file needs
   * @param keep - for a file with operations and enough bytes, whether it passes the filters
   *   in force (given the view of the records and the record's offset); null: all pass
   * @returns the listed slots, first the one with most bytes, and how many files passed
   */
  select(table: FileTable, limits: RankLimits, keep: ((view: DataView, at: number) => boolean) | null): { slots: number[]; passing: number } {
    const { records, count, stride } = table;
    const c = table.layouts.counts;
    const base = table.layouts.file.c;
    const view = new DataView(records.buffer, records.byteOffset, records.byteLength);
    this.#grow(count);
    const slots = this.#slots;
    const bytes = this.#bytes;
    const ops = this.#ops;
    let n = 0;
    for (let i = 0, at = base; i < count; i++, at += stride) {
      const o = u64(view, at + c.opens) + u64(view, at + c.closes) + u64(view, at + c.reads) + u64(view, at + c.writes) + u64(view, at + c.fsyncs);
      if (o === 0) continue;
      const b = u64(view, at + c.bytes_read) + u64(view, at + c.bytes_written);
      if (b < limits.minBytes) continue;
      if (keep !== null && !keep(view, at - base)) continue;
      slots[n] = i;
      bytes[n] = b;
      ops[n] = o;
      n++;
    }
    return { slots: this.#top(n, Math.min(limits.maxFiles, n)), passing: n };
  }

  /** The `k` best of the `n` candidates, best first: a bounded heap whose root is the worst kept. */
  #top(n: number, k: number): number[] {
    if (k <= 0) return [];
    const bytes = this.#bytes;
    const ops = this.#ops;
    const slots = this.#slots;
    // Candidate a ranks after candidate b.
    const after = (a: number, b: number): boolean => bytes[a]! < bytes[b]! || (bytes[a] === bytes[b] && (ops[a]! < ops[b]! || (ops[a] === ops[b] && slots[a]! > slots[b]!)));
    const heap = this.#heap;
    let size = 0;
    for (let x = 0; x < n; x++) {
      if (size < k) {
        let i = size++;
        heap[i] = x;
        while (i > 0) {
          const p = (i - 1) >> 1;
          if (!after(heap[i]!, heap[p]!)) break;
          [heap[i], heap[p]] = [heap[p]!, heap[i]!];
          i = p;
        }
        continue;
      }
      if (!after(heap[0]!, x)) continue;
      heap[0] = x;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < size && after(heap[l]!, heap[m]!)) m = l;
        if (r < size && after(heap[r]!, heap[m]!)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    const best = Array.from(heap.subarray(0, size));
    best.sort((a, b) => (after(a, b) ? 1 : after(b, a) ? -1 : 0));
    return best.map((x) => slots[x]!);
  }

  #grow(count: number): void {
    if (this.#slots.length >= count) return;
    const size = Math.max(count, 2 * this.#slots.length, 1024);
    this.#slots = new Int32Array(size);
    this.#bytes = new Float64Array(size);
    this.#ops = new Float64Array(size);
    this.#heap = new Int32Array(size);
  }
}
