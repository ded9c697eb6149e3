import { decodeCString, type BpfMap, type BpfObject } from '@bpfscope/native';
import { formatAddress } from '../procfs/kernel-address.js';
import { u64, type NetLayouts } from './net-layouts.js';

/** A process's counts in the kernel's net_proc map, summed over CPUs. @internal */
export interface KernelProcess {
  pid: number;
  comm: string;
  cgroupId: number | null;
  udpBytesSent: number;
  udpBytesRecv: number;
  udpSent: number;
  udpRecv: number;
  tcpBytesSent: number;
  tcpBytesRecv: number;
  tcpSegsOut: number;
  tcpSegsIn: number;
  retrans: number;
}

/** A remote host's counts in net_host, summed over CPUs. @internal */
export interface KernelHost {
  address: string;
  family: 4 | 6;
  bytesSent: number;
  bytesReceived: number;
  packetsSent: number;
  packetsReceived: number;
}

/** enum net_total (bpf/net/net.h). @internal */
export const NET_TOT = { retrans: 0, rstSent: 1, rstRecv: 2, udpUnconnected: 3, mapFull: 4, closes: 5 } as const;

const round8 = (n: number): number => Math.ceil(n / 8) * 8;

/** Sums the u64 at `field` of every CPU's copy of a per-CPU value. */
function sumCpus(view: DataView, at: number, stride: number, cpus: number, field: number): number {
  let s = 0;
  for (let c = 0; c < cpus; c++) s += u64(view, at + c * stride + field);
  return s;
}

async function readAll(map: BpfMap): Promise<{ keys: DataView; values: DataView; keyBytes: Uint8Array; valueBytes: Uint8Array; count: number }> {
  const b = await map.lookupBatch();
  return {
    keys: new DataView(b.keys.buffer, b.keys.byteOffset, b.keys.byteLength),
    values: new DataView(b.values.buffer, b.values.byteOffset, b.values.byteLength),
    keyBytes: b.keys,
    valueBytes: b.values,
    count: b.count,
  };
}

/** Every process in net_proc. @internal */
export async function readKernelProcesses(obj: BpfObject, layouts: NetLayouts): Promise<KernelProcess[]> {
  const map = obj.map('net_proc');
  const o = layouts.proc;
  const stride = round8(map.valueSize);
  const cpus = map.entrySize / stride;
  const b = await readAll(map);
  const out: KernelProcess[] = [];
  for (let i = 0; i < b.count; i++) {
    const at = i * map.entrySize;
    const sum = (f: number): number => sumCpus(b.values, at, stride, cpus, f);
    // comm and cgroup were written on the CPU that made the entry: the first non-empty copy.
    let comm = '';
    let cgroupId: number | null = null;
    for (let c = 0; c < cpus && comm === ''; c++) {
      comm = decodeCString(b.valueBytes, at + c * stride + o.comm, 16);
      if (comm !== '') cgroupId = u64(b.values, at + c * stride + o.cgroup_id);
    }
    out.push({
      pid: b.keys.getUint32(i * map.keySize, true),
      comm,
      cgroupId,
      udpBytesSent: sum(o.udp_bytes_sent),
      udpBytesRecv: sum(o.udp_bytes_recv),
      udpSent: sum(o.udp_sent),
      udpRecv: sum(o.udp_recv),
      tcpBytesSent: sum(o.tcp_bytes_sent),
      tcpBytesRecv: sum(o.tcp_bytes_recv),
      tcpSegsOut: sum(o.tcp_segs_out),
      tcpSegsIn: sum(o.tcp_segs_in),
      retrans: sum(o.retrans),
    });
  }
  return out;
}

/** Every remote host in net_host. @internal */
export async function readKernelHosts(obj: BpfObject, layouts: NetLayouts): Promise<KernelHost[]> {
  const map = obj.map('net_host');
  const o = layouts.host;
  const k = layouts.hostKey;
  const stride = round8(map.valueSize);
  const cpus = map.entrySize / stride;
  const b = await readAll(map);
  const out: KernelHost[] = [];
  for (let i = 0; i < b.count; i++) {
    const at = i * map.entrySize;
    const kat = i * map.keySize;
    const v6 = b.keys.getUint32(kat + k.family, true) === 10;
    const sum = (f: number): number => sumCpus(b.values, at, stride, cpus, f);
    out.push({
      address: formatAddress(b.keyBytes.subarray(kat + k.addr, kat + k.addr + (v6 ? 16 : 4))),
      family: v6 ? 6 : 4,
      bytesSent: sum(o.bytes_sent),
      bytesReceived: sum(o.bytes_recv),
      packetsSent: sum(o.packets_sent),
      packetsReceived: sum(o.packets_recv),
    });
  }
  return out;
}

/** Each slot of a per-CPU array of u64 (net_tot, net_drops), summed over CPUs. @internal */
export function readPerCpuCounts(obj: BpfObject, name: string): number[] {
  const map = obj.map(name);
  const all = map.readArray();
  const view = new DataView(all.buffer, all.byteOffset, all.byteLength);
  const cpus = map.entrySize / 8;
  const out: number[] = [];
  for (let slot = 0; slot < map.maxEntries; slot++) out.push(sumCpus(view, slot * map.entrySize, 8, cpus, 0));
  return out;
}

/** Removes processes that are gone from net_proc (after a reading listed them once). @internal */
export function forgetProcesses(obj: BpfObject, pids: readonly number[]): void {
  const map = obj.map('net_proc');
  const key = new Uint8Array(4);
  const view = new DataView(key.buffer);
  for (const pid of pids) {
    view.setUint32(0, pid, true);
    map.delete(key);
  }
}

/** The kernel's side of one reading. @internal */
export interface KernelState {
  processes: KernelProcess[];
  hosts: KernelHost[];
  /** net_tot by slot ({@link NET_TOT}). */
  totals: number[];
  /** net_drops by reason. */
  drops: number[];
}

/** Reads the per-process and per-host maps and the totals. @internal */
export async function readKernelState(obj: BpfObject, layouts: NetLayouts): Promise<KernelState> {
  const [processes, hosts] = await Promise.all([readKernelProcesses(obj, layouts), readKernelHosts(obj, layouts)]);
  return { processes, hosts, totals: readPerCpuCounts(obj, 'net_tot'), drops: readPerCpuCounts(obj, 'net_drops') };
}
