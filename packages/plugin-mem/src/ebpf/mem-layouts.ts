import { requireStruct, type StructLayout } from '@bpfscope/native';

/** Layouts of bpf/mem/mem.h, checked against the object's BTF. @internal */
export interface MemLayouts {
  faults: StructLayout;
  oom: StructLayout;
  cgroupChanges: StructLayout;
}

/** Take the layouts from the object's BTF; a drift between the object and the decoders is a LoadFailed. @internal */
export function memLayouts(layouts: ReadonlyMap<string, StructLayout>): MemLayouts {
  return {
    faults: requireStruct(layouts, 'mem_faults', { tgid: 4, tid: 4, min_flt: 8, maj_flt: 8, dead_min_flt: 8, dead_maj_flt: 8, comm: 16 }),
    oom: requireStruct(layouts, 'mem_oom_ev', {
      pid: 4, uid: 4, oom_score_adj: 4, ts_ns: 8, cgroup_id: 8, memcg_id: 8, total_vm_pages: 8, anon_rss_pages: 8, file_rss_pages: 8, shmem_rss_pages: 8, weight: 8, comm: 16,
    }),
    cgroupChanges: requireStruct(layouts, 'mem_cgroup_changes', { count: 8, last_ns: 8 }),
  };
}

/** An unsigned 64-bit little-endian field as a number (exact below 2^53). @internal */
export function u64(view: DataView, at: number): number {
  return view.getUint32(at + 4, true) * 4294967296 + view.getUint32(at, true);
}

const utf8 = new TextDecoder();

/** A NUL-terminated `char[len]` field. @internal */
export function cString(bytes: Uint8Array, at: number, len: number): string {
  let end = at;
  while (end < at + len && bytes[end] !== 0) end++;
  return utf8.decode(bytes.subarray(at, end));
}
