import { requireStruct, type StructLayout } from '@bpfscope/native';

/** Members of `struct net_conn` (bpf/net/net.h) the table decoder reads, with their sizes. @internal */
export const NET_CONN_FIELDS = {
  cookie: 8, protocol: 4, family: 4, saddr: 16, daddr: 16, sport: 4, dport: 4, state: 4, uid: 4, netns: 4, owned: 4, pid: 4, origin: 4,
  cgroup_id: 8, start_ns: 8, last_ns: 8, bytes_sent: 8, bytes_received: 8, segs_out: 8, segs_in: 8, retrans: 8, srtt_us: 8,
  dgrams_sent: 8, dgrams_recv: 8, tcp_full: 4, base_sent: 8, base_recv: 8, base_segs_out: 8, base_segs_in: 8,
  inode: 8, send_queue: 8, recv_queue: 8, comm: 16,
} as const;

/** Members of `struct net_ev` the event decoder reads. @internal */
export const NET_EV_FIELDS = {
  type: 4, pid: 4, old_state: 4, new_state: 4, ts_ns: 8, cookie: 8, cgroup_id: 8, family: 4, sport: 4, dport: 4, netns: 4,
  saddr: 16, daddr: 16, start_ns: 8, bytes_sent: 8, bytes_received: 8, segs_out: 8, segs_in: 8, retrans: 8, srtt_us: 8, weight: 8, comm: 16,
} as const;

/** Members of `struct net_proc` (per-CPU values of net_proc). @internal */
export const NET_PROC_FIELDS = {
  udp_bytes_sent: 8, udp_bytes_recv: 8, udp_sent: 8, udp_recv: 8, tcp_bytes_sent: 8, tcp_bytes_recv: 8, tcp_segs_out: 8, tcp_segs_in: 8,
  retrans: 8, cgroup_id: 8, comm: 16,
} as const;

/** Members of `struct net_host_key` and `struct net_host`. @internal */
export const NET_HOST_KEY_FIELDS = { family: 4, addr: 16 } as const;
/** @internal */
export const NET_HOST_FIELDS = { bytes_sent: 8, bytes_recv: 8, packets_sent: 8, packets_recv: 8 } as const;
/** Members of `struct net_filter`. @internal */
export const NET_FILTER_FIELDS = { parts: 4, protocols: 4, port_lo: 4, port_hi: 4, families: 4 } as const;

/** Byte offsets of a struct's members, plus its size. @internal */
export type Offsets<K extends string> = Readonly<Record<K, number>> & { readonly size: number };

function offsets<K extends string>(layouts: Map<string, StructLayout>, name: string, fields: Readonly<Record<K, number>>): Offsets<K> {
  const layout = requireStruct(layouts, name, fields);
  const out: Record<string, number> = { size: layout.size };
  for (const f of Object.keys(fields)) out[f] = layout.fields[f]!.offset;
  return out as Offsets<K>;
}

/** The net object's record layouts, checked against what the decoders read. @internal */
export interface NetLayouts {
  conn: Offsets<keyof typeof NET_CONN_FIELDS>;
  event: Offsets<keyof typeof NET_EV_FIELDS>;
  proc: Offsets<keyof typeof NET_PROC_FIELDS>;
  hostKey: Offsets<keyof typeof NET_HOST_KEY_FIELDS>;
  host: Offsets<keyof typeof NET_HOST_FIELDS>;
  filter: Offsets<keyof typeof NET_FILTER_FIELDS>;
}

/**
 * Read the net object's structs from its BTF.
 * @throws {@link @bpfscope/core!LoadFailed} when a struct or member is missing or has another size
 * @internal
 */
export function netLayouts(layouts: Map<string, StructLayout>): NetLayouts {
  return {
    conn: offsets(layouts, 'net_conn', NET_CONN_FIELDS),
    event: offsets(layouts, 'net_ev', NET_EV_FIELDS),
    proc: offsets(layouts, 'net_proc', NET_PROC_FIELDS),
    hostKey: offsets(layouts, 'net_host_key', NET_HOST_KEY_FIELDS),
    host: offsets(layouts, 'net_host', NET_HOST_FIELDS),
    filter: offsets(layouts, 'net_filter', NET_FILTER_FIELDS),
  };
}

/** A u64 as a number (exact below 2^53: counters, ns and ids stay far below). @internal */
export function u64(view: DataView, at: number): number {
  return view.getUint32(at, true) + view.getUint32(at + 4, true) * 4294967296;
}
