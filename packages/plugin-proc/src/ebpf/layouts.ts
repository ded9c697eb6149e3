import { decodeCString, requireStruct, type StructLayout } from '@bpfscope/native';

/** Members of `struct proc_task` (bpf/proc/proc.h) the decoder reads, with their sizes. @internal */
export const PROC_TASK_FIELDS = {
  tid: 4, tgid: 4, ppid: 4, uid: 4, euid: 4, prio: 4, static_prio: 4, state: 4, flags: 4, nr_threads: 4, is_leader: 4, exit_state: 4,
  utime_ns: 8, stime_ns: 8, runtime_ns: 8, start_boottime_ns: 8, min_flt: 8, maj_flt: 8,
  rchar: 8, wchar: 8, syscr: 8, syscw: 8, read_bytes: 8, write_bytes: 8, cancelled_write_bytes: 8,
  rss_pages: 8, vm_pages: 8, cgroup_id: 8, nvcsw: 8, nivcsw: 8,
  signal_utime_ns: 8, signal_stime_ns: 8, signal_runtime_ns: 8, signal_min_flt: 8, signal_maj_flt: 8,
  signal_read_bytes: 8, signal_write_bytes: 8, signal_rchar: 8, signal_wchar: 8,
  signal_syscr: 8, signal_syscw: 8, signal_cancelled_write_bytes: 8,
  mnt_ns: 4, net_ns: 4, filter_pass: 4,
  comm: 16,
} as const;

/** Members of `struct proc_ev` the event decoder reads. @internal */
export const PROC_EV_FIELDS = {
  type: 4, pid: 4, tid: 4, ppid: 4, exit_code: 4, ts_ns: 8, cgroup_id: 8,
  runtime_ns: 8, utime_ns: 8, stime_ns: 8, min_flt: 8, maj_flt: 8, rchar: 8, wchar: 8, read_bytes: 8, write_bytes: 8,
  hiwater_rss_pages: 8, weight: 8, comm: 16,
} as const;

/** Byte offsets of a struct's members, plus its size. @internal */
export type Offsets<K extends string> = Readonly<Record<K, number>> & { readonly size: number };

function offsets<K extends string>(layout: StructLayout, fields: Readonly<Record<K, number>>): Offsets<K> {
  const out: Record<string, number> = { size: layout.size };
  for (const name of Object.keys(fields)) out[name] = layout.fields[name]!.offset;
  return out as Offsets<K>;
}

/** The object's layouts, checked against what the decoders read (a drift is a LoadFailed naming the member). @internal */
export interface ProcLayouts {
  task: Offsets<keyof typeof PROC_TASK_FIELDS>;
  event: Offsets<keyof typeof PROC_EV_FIELDS>;
}

/**
 * Read `struct proc_task` and `struct proc_ev` from the object's BTF.
 * @throws {@link @bpfscope/core!LoadFailed} when a struct or member is missing or has another size
 * @internal
 */
export function procLayouts(layouts: Map<string, StructLayout>): ProcLayouts {
  return {
    task: offsets(requireStruct(layouts, 'proc_task', PROC_TASK_FIELDS), PROC_TASK_FIELDS),
    event: offsets(requireStruct(layouts, 'proc_ev', PROC_EV_FIELDS), PROC_EV_FIELDS),
  };
}


/** A u64 as a number (exact below 2^53: counters, ns and IDs stay far below). @internal */
export function u64(view: DataView, at: number): number {
  return view.getUint32(at, true) + view.getUint32(at + 4, true) * 4294967296;
}

/**
 * `v` as a small integer where it is one. Counters summed in doubles would each be
 * stored as a 16-byte heap number in a record; an exact 31-bit value kept as a Smi
 * costs nothing beyond its field (10,000 records hold ~15 of them each).
 * @internal
 */
export function int(v: number): number {
  const t = v | 0;
  return t === v ? t : v;
}

interface CommEntry {
  w0: number;
  w1: number;
  w2: number;
  w3: number;
  s: string;
}

/**
 * Command names (`char[16]`), decoded once per distinct 16 bytes: thousands of processes
 * share a few names, and building each string again is most of a table's decode time.
 * A hit compares all four words, so a hash collision only costs a decode.
 * @internal
 */
export class CommCache {
  #map = new Map<number, CommEntry>();

  /** The name at `at` (16 bytes, NUL-terminated). */
  get(view: DataView, u8: Uint8Array, at: number): string {
    const w0 = view.getUint32(at, true);
    const w1 = view.getUint32(at + 4, true);
    const w2 = view.getUint32(at + 8, true);
    const w3 = view.getUint32(at + 12, true);
    const h = (Math.imul(Math.imul(Math.imul(w0, 0x9e3779b1) ^ w1, 0x85ebca6b) ^ w2, 0xc2b2ae35) ^ w3) & 0x3fffffff;
    const e = this.#map.get(h);
    if (e !== undefined && e.w0 === w0 && e.w1 === w1 && e.w2 === w2 && e.w3 === w3) return e.s;
    const s = decodeCString(u8, at, 16);
    if (e === undefined) {
      if (this.#map.size >= 16384) this.#map.clear();
      this.#map.set(h, { w0, w1, w2, w3, s });
    }
    return s;
  }
}
