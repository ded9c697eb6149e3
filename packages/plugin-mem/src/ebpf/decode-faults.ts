import { EventProcessingFailed } from '@bpfscope/core';
import type { StructLayout } from '@bpfscope/native';
import type { FaultTotals } from '../read/fault-ranking.js';
import { cString, u64 } from './mem-layouts.js';

/**
 * Sum the task iterator's per-thread records (struct mem_faults) per process: every
 * thread's own faults, plus, on the thread-group leader, those of the threads that
 * exited — the same total as /proc/&lt;pid&gt;/stat.
 * @param bytes - what mem_iter wrote
 * @param layout - struct mem_faults from BTF
 * @returns one entry per process; the command name is the leader's, decoded on demand
 * @throws {@link @bpfscope/core!EventProcessingFailed} when the bytes are not a whole number of records
 * @internal
 */
export function decodeFaults(bytes: Uint8Array, layout: StructLayout): FaultTotals[] {
  const size = layout.size;
  if (bytes.length % size !== 0) {
    throw new EventProcessingFailed(`mem_iter wrote ${bytes.length} bytes, not a whole number of ${size}-byte struct mem_faults records`, {
      details: { bytes: bytes.length, size, source: layout.source },
    });
  }
  const f = layout.fields;
  const [tgidAt, tidAt, minAt, majAt, deadMinAt, deadMajAt, commAt] = [f.tgid, f.tid, f.min_flt, f.maj_flt, f.dead_min_flt, f.dead_maj_flt, f.comm].map((x) => x!.offset) as [
    number, number, number, number, number, number, number,
  ];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const byPid = new Map<number, { minor: number; major: number; threads: number; commAt: number; leader: boolean }>();
  for (let at = 0; at < bytes.length; at += size) {
    const tgid = view.getUint32(at + tgidAt, true);
    const leader = view.getUint32(at + tidAt, true) === tgid;
    let minor = u64(view, at + minAt);
    let major = u64(view, at + majAt);
    if (leader) {
      minor += u64(view, at + deadMinAt);
      major += u64(view, at + deadMajAt);
    }
    const p = byPid.get(tgid);
    if (p === undefined) byPid.set(tgid, { minor, major, threads: 1, commAt: at + commAt, leader });
    else {
      p.minor += minor;
      p.major += major;
      p.threads++;
      if (leader && !p.leader) {
        p.commAt = at + commAt;
        p.leader = true;
      }
    }
  }
  const out: FaultTotals[] = [];
  for (const [pid, p] of byPid) out.push({ pid, minor: p.minor, major: p.major, threads: p.threads, comm: () => cString(bytes, p.commAt, 16) });
  return out;
}
