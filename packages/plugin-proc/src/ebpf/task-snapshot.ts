import { awaitOrAbort, EventProcessingFailed } from '@bpfscope/core';
import { decodeCString, type NativeObjectLoader } from '@bpfscope/native';
import { readBootTime } from '../procfs/scan-processes.js';
import type { SnapshotEntry } from '../tree/feed.js';
import { procLayouts, u64, type ProcLayouts } from './layouts.js';
import { missedSnapshot } from './missed-processes.js';

/** The processes alive now, as the `initial` option of proc events gives them. @internal */
export interface InitialState {
  entries: SnapshotEntry[];
  /** Why start times are null, or null when the boot time is known. */
  startTimeUnavailable: string | null;
}

/**
 * The first state of an eBPF proc stream: one run of the kernel's task iterator (the
 * iterator-only object, as the proc source loads it: one object for both), its
 * thread-group leaders, plus the processes /proc lists that the iterator did not reach
 * (PID 1 on some VMs), read from procfs and marked so.
 * @internal
 */
export async function readTaskSnapshot(loader: NativeObjectLoader, objectPath: string, procRoot: string, signal: AbortSignal): Promise<InitialState> {
  const loading = loader.load({ path: objectPath, autoloadOff: ['proc_fork', 'proc_exec', 'proc_exit'] });
  const handle = await awaitOrAbort(loading, signal, () => void loading.then((h) => h.close(), () => undefined));
  try {
    const layouts = procLayouts(handle.structLayouts());
    const boot = readBootTime(procRoot);
    const table = await awaitOrAbort(handle.object.readIterator('proc_iter'), signal);
    const entries = snapshotOf(table, layouts, boot.bootTime);
    const missed = missedSnapshot(procRoot, new Set(entries.map((e) => e.pid)), boot.bootTime);
    return { entries: missed.length === 0 ? entries : [...entries, ...missed], startTimeUnavailable: boot.reason };
  } finally {
    handle.close();
  }
}

/** The thread-group leaders of one iterator run. */
function snapshotOf(bytes: Uint8Array, layouts: ProcLayouts, bootTime: number | null): SnapshotEntry[] {
  const o = layouts.task;
  if (bytes.length % o.size !== 0) throw new EventProcessingFailed(`the proc_iter output (${bytes.length} bytes) is not a whole number of ${o.size}-byte records`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: SnapshotEntry[] = [];
  for (let b = 0; b < bytes.length; b += o.size) {
    if (view.getUint32(b + o.is_leader, true) === 0) continue;
    const startNs = u64(view, b + o.start_boottime_ns);
    out.push({
      pid: view.getUint32(b + o.tgid, true),
      ppid: view.getUint32(b + o.ppid, true),
      comm: decodeCString(bytes, b + o.comm, 16),
      startTime: bootTime === null ? null : bootTime * 1000 + startNs / 1e6,
      zombie: view.getUint32(b + o.exit_state, true) !== 0,
      cgroupId: u64(view, b + o.cgroup_id),
      source: 'ebpf',
    });
  }
  return out;
}
