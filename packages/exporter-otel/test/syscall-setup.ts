// A real syscall engine (eBPF, latency mode, per-process detail) filtered to a workload
// that makes exactly N getppid calls once told to, and a view of the engine that keeps
// every snapshot the exporters read, so a test compares what was exported with the
// kernel's data of the same collection.
import { createConsoleLogger, createEngine, type Engine, type Log2Histogram, type Snapshot } from '@bpfscope/core';
import { syscall } from '@bpfscope/plugin-syscall';
import { startWorkload, type Workload } from '../../plugin-syscall/test/syscall-workload.js';
import type { MetricsEngine } from '../src/options.js';

export interface SyscallSetup {
  engine: Engine;
  /** The engine as the exporters see it, recording each snapshot read. */
  recorded: MetricsEngine;
  snapshots: Snapshot[];
  workload: Workload;
}

export async function syscallSetup(n: number): Promise<SyscallSetup> {
  const sc = syscall({ processes: true, pids: [], mode: 'latency' });
  // No snapshot cache: each collection reads the kernel, so the test sees one read per collection.
  const engine = createEngine({ plugins: [sc], config: { mode: 'ebpf', cache: { enabled: false } }, logger: createConsoleLogger('silent') });
  await engine.start();
  const workload = await startWorkload(n, 0);
  // The workload sits blocked in read(0) from before the filter: none of its getppid counted yet.
  await sc.setFilter({ pids: [workload.pid] });
  const snapshots: Snapshot[] = [];
  const recorded: MetricsEngine = {
    collect: async () => {
      const s = await engine.collect();
      snapshots.push(s);
      return s;
    },
    metricMappers: () => engine.metricMappers(),
    metricPoints: (s, o) => engine.metricPoints(s, o),
  };
  return { engine, recorded, snapshots, workload };
}

/** getppid's latency histogram in a snapshot's syscall data. */
export function kernelGetppid(snapshot: Snapshot): { count: number; latency: Log2Histogram; totalNs: number | null } {
  const stat = snapshot.get('syscall')?.data.syscalls.find((s) => s.name === 'getppid');
  if (!stat?.latency) throw new Error('no getppid latency histogram in the snapshot');
  return { count: stat.count, latency: stat.latency, totalNs: stat.totalNs };
}

/**
 * Buckets as {zero, index → count} from the kernel's log2 slots, written here from the
 * slot definition (slot k ≥ 1 holds [2^(k-1), 2^k), so its OpenTelemetry scale-0 index is
 * k - 1; slot 0 holds 0), not with the package's conversion.
 */
export function kernelBuckets(h: Log2Histogram): { zero: number; positive: Record<number, number> } {
  const positive: Record<number, number> = {};
  let zero = 0;
  for (const b of h.buckets) {
    if (b.index === 0) zero += b.count;
    else {
      expectBounds(b.lowerBound, 2 ** (b.index - 1));
      positive[b.index - 1] = b.count;
    }
  }
  return { zero, positive };
}

function expectBounds(got: number, want: number): void {
  if (got !== want) throw new Error(`a kernel bucket starts at ${got}, not ${want}`);
}

/** Exported exponential buckets as {zero, index → count}, empty buckets left out. */
export function exportedBuckets(e: { scale: number; zeroCount: number; offset: number; bucketCounts: readonly number[] }): { zero: number; positive: Record<number, number> } {
  if (e.scale !== 0) throw new Error(`scale ${e.scale}, not 0`);
  const positive: Record<number, number> = {};
  e.bucketCounts.forEach((c, i) => {
    if (c !== 0) positive[e.offset + i] = c;
  });
  return { zero: e.zeroCount, positive };
}
