import { readFileSync } from 'node:fs';
import { isBpfscopeError, type Logger } from '@bpfscope/core';
import type { LoadedBpfObject, StructLayout } from '@bpfscope/native';
import type { CgroupChangeCounter } from '../read/mem-reader.js';
import { u64 } from './mem-layouts.js';

/** The programs that count the changes to the cgroup hierarchies (map mem_cgroup_changes). */
const CGROUP_PROGRAMS = ['mem_cg_mkdir', 'mem_cg_rmdir', 'mem_cg_rename', 'mem_cg_setup_root', 'mem_cg_destroy_root', 'mem_cg_remount'];

/**
 * How far this process's CLOCK_MONOTONIC (process.hrtime) is ahead of the kernel's, which
 * bpf_ktime_get_ns reads: a time namespace's offset (`/proc/self/timens_offsets`; none
 * without the file, a kernel without time namespaces). @internal
 */
export function monotonicOffsetNs(text: string | null): bigint {
  const m = text === null ? null : /^monotonic\s+(-?\d+)\s+(\d+)\s*$/m.exec(text);
  return m === null ? 0n : BigInt(m[1]!) * 1_000_000_000n + BigInt(m[2]!);
}

function readOffsets(): string | null {
  try {
    return readFileSync('/proc/self/timens_offsets', 'utf8');
  } catch {
    return null;
  }
}

/**
 * Attach the programs that count the changes to the cgroup hierarchies (bpf/mem/mem.bpf.c);
 * the reader of their count, or null (each reading walks the hierarchy) when one of them
 * cannot be attached. The links live as long as the handle, which outlives the reader.
 * Its `nowNs` is the kernel's CLOCK_MONOTONIC, the clock of the count's time.
 * @param handle - the mem object's handle
 * @param layout - `struct mem_cgroup_changes` from the object's BTF
 * @param logger - where a failed attach is said
 * @internal
 */
export function countCgroupChanges(handle: LoadedBpfObject, layout: StructLayout, logger: Logger | null): CgroupChangeCounter | null {
  const attached: string[] = [];
  try {
    for (const p of CGROUP_PROGRAMS) {
      handle.attach(p);
      attached.push(p);
    }
  } catch (e) {
    for (const p of attached) handle.detach(p);
    logger?.warn('mem: the cgroup change counters could not be attached; every reading walks the cgroup hierarchy', {
      code: isBpfscopeError(e) ? e.code : undefined, message: e instanceof Error ? e.message : String(e),
    });
    return null;
  }
  const map = handle.object.map('mem_cgroup_changes');
  const key = new Uint8Array(4);
  const count = layout.fields.count!.offset;
  const lastNs = layout.fields.last_ns!.offset;
  const offset = monotonicOffsetNs(readOffsets());
  return {
    // A count that cannot be read gives null: that reading walks.
    read: () => {
      let v: Uint8Array | undefined;
      try {
        v = map.lookup(key);
      } catch (e) {
        if (!isBpfscopeError(e)) throw e;
        return null;
      }
      if (v === undefined) return null;
      const view = new DataView(v.buffer, v.byteOffset, v.byteLength);
      return { count: u64(view, count), lastNs: view.getBigUint64(lastNs, true) };
    },
    nowNs: () => process.hrtime.bigint() - offset,
  };
}
