/**
 * The `k` records with the largest measure, largest first. Records whose measure is
 * null (not measured) are left out rather than ranked as zero.
 *
 * Runs in O(n log k) with a bounded min-heap, so a cap of 20 over 10,000 processes
 * does not sort them all.
 * @param records - the records
 * @param measure - the value to rank by, or null when the record has none
 * @param k - how many to keep (a cap)
 * @returns at most `k` records
 */
export function topK<T>(records: Iterable<T>, measure: (r: T) => number | null, k: number): T[] {
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`k must be a whole number >= 0, got ${k}`);
  if (k === 0) return [];
  const heap: Array<{ v: number; r: T }> = [];
  const swap = (i: number, j: number): void => {
    const t = heap[i]!;
    heap[i] = heap[j]!;
    heap[j] = t;
  };
  const up = (i: number): void => {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (heap[p]!.v <= heap[i]!.v) return;
      swap(i, p);
      i = p;
    }
  };
  const down = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && heap[l]!.v < heap[m]!.v) m = l;
      if (r < heap.length && heap[r]!.v < heap[m]!.v) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  for (const r of records) {
    const v = measure(r);
    if (v === null || Number.isNaN(v)) continue;
    if (heap.length < k) {
      heap.push({ v, r });
      up(heap.length - 1);
    } else if (v > heap[0]!.v) {
      heap[0] = { v, r };
      down(0);
    }
  }
  return heap.sort((a, b) => b.v - a.v).map((e) => e.r);
}

/**
 * The first `k` of `items` in `order` (a comparator, as `Array.prototype.sort` takes), sorted:
 * for rankings by more than one value (bytes, then operations). A bounded heap, O(n log k),
 * so a cap of 100 over 10,000 records does not sort them all.
 * @param items - the records
 * @param k - how many to keep (a cap; 0 or less keeps none)
 * @param order - negative when `a` comes before `b`
 * @returns at most `k` records, in `order`
 */
export function topKBy<T>(items: readonly T[], k: number, order: (a: T, b: T) => number): T[] {
  if (k <= 0) return [];
  if (items.length <= k) return [...items].sort(order);
  // A max-heap by `order` of the k best so far: its root is the worst of them.
  const heap: T[] = [];
  const worse = (i: number, j: number): boolean => order(heap[i]!, heap[j]!) > 0;
  const swap = (i: number, j: number): void => void ([heap[i], heap[j]] = [heap[j]!, heap[i]!]);
  for (const x of items) {
    if (heap.length < k) {
      heap.push(x);
      for (let i = heap.length - 1; i > 0 && worse(i, (i - 1) >> 1); i = (i - 1) >> 1) swap(i, (i - 1) >> 1);
      continue;
    }
    if (order(x, heap[0]!) >= 0) continue;
    heap[0] = x;
    for (let i = 0; ;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < k && worse(l, m)) m = l;
      if (r < k && worse(r, m)) m = r;
      if (m === i) break;
      swap(i, m);
      i = m;
    }
  }
  return heap.sort(order);
}

/**
 * The `k` best of `n` rows held in typed arrays, best first, without an object per row:
 * the row indices go into `out`, kept sorted by insertion (O(n) for rows that do not
 * enter, O(k) for one that does).
 * @param n - rows 0 to n-1
 * @param k - how many to keep (at most `out.length`)
 * @param before - whether row `a` ranks before row `b`; a total order (break ties, e.g. by pid) gives one answer
 * @param out - where the indices go
 * @param include - whether a row takes part (rows without a measure are left out); all when absent
 * @returns how many indices `out` holds
 * @throws RangeError when `k` is not a whole number from 0 to `out.length`
 * @internal
 */
export function topKIndices(n: number, k: number, before: (a: number, b: number) => boolean, out: Int32Array, include?: (i: number) => boolean): number {
  if (!Number.isInteger(k) || k < 0 || k > out.length) throw new RangeError(`k must be a whole number from 0 to ${out.length}, got ${k}`);
  if (k === 0) return 0;
  let m = 0;
  for (let i = 0; i < n; i++) {
    if (include !== undefined && !include(i)) continue;
    if (m === k) {
      if (!before(i, out[k - 1]!)) continue;
      m--;
    }
    let j = m;
    while (j > 0 && before(i, out[j - 1]!)) {
      out[j] = out[j - 1]!;
      j--;
    }
    out[j] = i;
    m++;
  }
  return m;
}
