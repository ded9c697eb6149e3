// How a reading takes the runs of calls each CPU holds in `sc_cpu` (counts-only mode)
// together with `sc_proc`, so that every call completed before the reading began is
// counted exactly once and no call is ever counted twice.
//
// The kernel keeps, per CPU and slot, SC_RUNS runs (tgid, id, pending, seq) and moves a
// run into `sc_proc` (that CPU's value of the key) when it replaces it: seq is odd during
// the replacement and grows by 2 per replacement, and the add into `sc_proc` happens
// between the two seq stores. A call is thus in one place at a time: a run, or `sc_proc`,
// where it stays (only the reader deletes rows, between readings). The reading:
//   A  copies of sc_cpu until each run has been seen with the same even seq in two
//      consecutive copies (the first of the two is whole: no replacement overlapped it);
//   P  the batch read of sc_proc (by the caller, between runsBefore and runsAfter);
//   C  copies of sc_cpu. A run whose seq is still A's was not moved during [A, C] ⊇ P:
//      its calls are in no row of P, and its pending (from the first C copy, whole
//      because a later copy shows the same seq) is added. A run whose seq changed was
//      moved into sc_proc under A's key kA after P may have read it: P's row of kA is
//      replaced by one lookup of kA made after a copy shows the move done (seq past
//      A's + 1). Such a run's later runs began after the reading did and are left out.
//   A lookup of kA also holds any run of kA on another CPU that moved before it, which
//   the reading would add again as unchanged. So every lookup is followed by another
//   copy; a run counted as unchanged that changed since is dropped from the unchanged
//   ones, its key looked up again after its move, and copied again, until a copy finds
//   nothing new. Only `sc_proc` rows whose keys were looked up, and unchanged runs
//   verified by a copy after the last lookup, are counted: never twice.
// Giving up (a CPU that stays in the middle of a replacement over MAX_COPIES copies, which
// preemption-off programs make all but impossible) stops after a copy, so it can only
// under-count: a run without a whole A copy is not counted and its key is not looked up,
// and a key whose lookup was still due keeps its last value (or P's row).
import { SC_MAX_SYSCALLS } from './syscall-maps.js';

/** Copies of `sc_cpu` made before giving up, in the A phase and after P. */
export const MAX_COPIES = 32;

/** Where a slot's runs are in a copy of `sc_cpu`. @internal */
export interface RunLayout {
  cpus: number;
  /** The slot's first entry and its number of entries (`SC_RUNS`). */
  first: number;
  runs: number;
  /** A CPU's value's size in the copy, and the fields' offsets in it. */
  stride: number;
  pending: number;
  tgid: number;
  id: number;
  seq: number;
}

/** The kernel reads a merge makes: copies of `sc_cpu` and single lookups of `sc_proc`. @internal */
export interface RunMaps {
  /** A copy of the whole `sc_cpu` map. */
  copyRuns(): DataView;
  /** The per-CPU values of this slot's `sc_proc` row (tgid, id), read now; undefined when missing. */
  lookupRow(tgid: number, id: number): DataView | undefined;
}

/** The A phase: per run, a whole copy of it and its seq there; no copy: never seen whole. @internal */
export interface RunsBefore {
  views: (DataView | undefined)[];
  seq: Uint32Array;
  /** The processes with calls pending in a run, in any copy. */
  pending: Set<number>;
}

/** What the reading adds to `sc_proc`'s batch. @internal */
export interface RunMerge {
  /** Keys (`tgid * SC_MAX_SYSCALLS + id`) whose batch rows give way to a later lookup (undefined: no row). */
  looked: Map<number, DataView | undefined>;
  /** The unchanged runs: their whole copy and their entry index (offset = index * stride). */
  runs: { view: DataView; entry: number }[];
  /** The processes with calls pending in a run, in any copy. */
  pending: Set<number>;
  /** false when the merge gave up (it may have under-counted, never over-counted). */
  settled: boolean;
}

/** The key of a row, as one number. @internal */
export const rowKey = (tgid: number, id: number): number => tgid * SC_MAX_SYSCALLS + id;

const u64 = (v: DataView, at: number): number => v.getUint32(at + 4, true) * 4294967296 + v.getUint32(at, true);

/** A run's offset in a copy of `sc_cpu`, by its index among the slot's runs × CPUs. @internal */
export const runOffset = (l: RunLayout, i: number): number => ((l.first + Math.floor(i / l.cpus)) * l.cpus + (i % l.cpus)) * l.stride;

function notePending(l: RunLayout, v: DataView, out: Set<number>): void {
  for (let i = 0; i < l.runs * l.cpus; i++) {
    const at = runOffset(l, i);
    if (u64(v, at + l.pending) > 0) out.add(v.getUint32(at + l.tgid, true));
  }
}

/** The A phase, before the batch read of `sc_proc`. @internal */
export function runsBefore(maps: RunMaps, l: RunLayout): RunsBefore {
  const n = l.runs * l.cpus;
  const a: RunsBefore = { views: new Array<DataView | undefined>(n).fill(undefined), seq: new Uint32Array(n), pending: new Set() };
  let prev = maps.copyRuns();
  notePending(l, prev, a.pending);
  for (let copies = 1, left = n; left > 0 && copies < MAX_COPIES; copies++) {
    const next = maps.copyRuns();
    notePending(l, next, a.pending);
    for (let i = 0; i < n; i++) {
      if (a.views[i] !== undefined) continue;
      const s = prev.getUint32(runOffset(l, i) + l.seq, true);
      if (s % 2 === 0 && next.getUint32(runOffset(l, i) + l.seq, true) === s) {
        a.views[i] = prev;
        a.seq[i] = s;
        left--;
      }
    }
    prev = next;
  }
  return a;
}

/** After the batch read of `sc_proc`: the C copies and the lookups (see the top of this file). @internal */
export function runsAfter(maps: RunMaps, l: RunLayout, a: RunsBefore): RunMerge {
  const n = l.runs * l.cpus;
  const out: RunMerge = { looked: new Map(), runs: [], pending: a.pending, settled: false };
  const first = maps.copyRuns();
  notePending(l, first, out.pending);
  // Per run: 0 left out (never whole in A, or a key out of range), 1 unchanged, 2 changed.
  const state = new Uint8Array(n);
  const due = new Set<number>();
  const keyOf = (i: number): number => {
    const v = a.views[i]!;
    return rowKey(v.getUint32(runOffset(l, i) + l.tgid, true), v.getUint32(runOffset(l, i) + l.id, true));
  };
  const change = (i: number): void => {
    state[i] = 2;
    // A run that held no call moved nothing into sc_proc: its key needs no lookup.
    if (u64(a.views[i]!, runOffset(l, i) + l.pending) > 0) due.add(keyOf(i));
  };
  for (let i = 0; i < n; i++) {
    const v = a.views[i];
    if (v === undefined || v.getUint32(runOffset(l, i) + l.id, true) >= SC_MAX_SYSCALLS) continue;
    if (first.getUint32(runOffset(l, i) + l.seq, true) === a.seq[i]) state[i] = 1;
    else change(i);
  }
  for (let copies = 1; copies < MAX_COPIES; copies++) {
    const v = maps.copyRuns();
    notePending(l, v, out.pending);
    let moving = false;
    for (let i = 0; i < n; i++) {
      const s = v.getUint32(runOffset(l, i) + l.seq, true);
      if (state[i] === 1 && s !== a.seq[i]) change(i);
      // A's run is being moved (seq A's + 1): its add into sc_proc may not be done yet.
      if (state[i] === 2 && s === (a.seq[i]! + 1) >>> 0) moving = true;
    }
    if (due.size === 0 && !moving) {
      out.settled = true;
      break;
    }
    if (moving) continue;
    for (const k of due) {
      const tgid = Math.floor(k / SC_MAX_SYSCALLS);
      out.looked.set(k, maps.lookupRow(tgid, k - tgid * SC_MAX_SYSCALLS));
    }
    due.clear();
  }
  // Every lookup was followed by a copy that checked the unchanged runs: their calls are in
  // no row read. (Giving up leaves a due key with its last lookup, or P's row: an under-count.)
  for (let i = 0; i < n; i++) if (state[i] === 1 && u64(first, runOffset(l, i) + l.pending) > 0) out.runs.push({ view: first, entry: i });
  return out;
}
