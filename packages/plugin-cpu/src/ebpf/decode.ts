import { requireStruct, type StructLayout } from '@bpfscope/native';

/** Fields of `struct cpu_times` (bpf/cpu/cpu.h) the decoder reads, with their sizes. @internal */
export const CPU_TIMES_FIELDS = {
  busy_ns: 8, idle_ns: 8, irq_ns: 8, softirq_ns: 8, idle_irq_ns: 8, switches: 8, last_switch_ns: 8, curr_idle: 4, runq_off: 4,
} as const;

/** One CPU's kernel-side counters, ns. @internal */
export interface RawCpuTimes {
  cpu: number;
  busyNs: bigint;
  idleNs: bigint;
  irqNs: bigint;
  softirqNs: bigint;
  idleIrqNs: bigint;
  switches: bigint;
  /** When the CPU last went from idle to a task or back (CLOCK_MONOTONIC ns); 0n before its first switch. */
  lastSwitchNs: bigint;
  currIdle: boolean;
  /** The kernel keeps no run-queue stamp (sched_info.last_queued) the program can read. */
  runqOff: boolean;
}

/** Check the object's `struct cpu_times` against what the decoder reads. @internal */
export function cpuTimesLayout(layouts: Map<string, StructLayout>): StructLayout {
  return requireStruct(layouts, 'cpu_times', CPU_TIMES_FIELDS);
}

/**
 * Decode the per-CPU values of the one-entry `cpu_times` array.
 * @param bytes - one value per possible CPU, each padded to 8 bytes
 * @internal
 */
export function decodeCpuTimes(bytes: Uint8Array, layout: StructLayout, cpus: number): RawCpuTimes[] {
  const stride = Math.ceil(layout.size / 8) * 8;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const f = layout.fields as Record<keyof typeof CPU_TIMES_FIELDS, { offset: number }>;
  const out: RawCpuTimes[] = [];
  for (let cpu = 0; cpu < cpus; cpu++) {
    const base = cpu * stride;
    const u64 = (field: keyof typeof CPU_TIMES_FIELDS): bigint => view.getBigUint64(base + f[field].offset, true);
    out.push({
      cpu,
      busyNs: u64('busy_ns'),
      idleNs: u64('idle_ns'),
      irqNs: u64('irq_ns'),
      softirqNs: u64('softirq_ns'),
      idleIrqNs: u64('idle_irq_ns'),
      switches: u64('switches'),
      lastSwitchNs: u64('last_switch_ns'),
      currIdle: view.getUint32(base + f.curr_idle.offset, true) !== 0,
      runqOff: view.getUint32(base + f.runq_off.offset, true) !== 0,
    });
  }
  return out;
}

/**
 * Sum a per-CPU array of u64 counters (`keys` entries × `cpus` values) per key.
 * @internal
 */
export function sumPerCpuU64(bytes: Uint8Array, keys: number, cpus: number): bigint[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: bigint[] = [];
  for (let k = 0; k < keys; k++) {
    let s = 0n;
    for (let c = 0; c < cpus; c++) s += view.getBigUint64((k * cpus + c) * 8, true);
    out.push(s);
  }
  return out;
}

/**
 * Split CPUs whose slot the programs wrote from those never written (no context switch
 * seen on them since attach, or offline since): the latter have no counters to report,
 * and are listed rather than dropped.
 * @internal
 */
export function splitWritten(raw: RawCpuTimes[]): { written: RawCpuTimes[]; unwritten: number[] } {
  const written: RawCpuTimes[] = [];
  const unwritten: number[] = [];
  for (const r of raw) {
    if (r.lastSwitchNs !== 0n) written.push(r);
    else unwritten.push(r.cpu);
  }
  return { written, unwritten };
}
