import { EventProcessingFailed, isBpfscopeError, procReadErrorCode, type Clock, type MachineValue, type ProcfsReader } from '@bpfscope/core';
import type { StructLayout } from '@bpfscope/native';
import { join } from 'node:path';
import { CgroupIdPaths } from '../cgroup/cgroup-id-paths.js';
import { cgroupLayout, type CgroupLayout } from '../cgroup/memory-hierarchy.js';
import { memoryCgroupOf } from '../cgroup/pid-memory-cgroup.js';
import type { OomVictim, VictimMemoryCgroup } from '../records-oom.js';
import { cString, u64 } from './mem-layouts.js';

/**
 * Turns struct mem_oom_ev records into {@link OomVictim}s, resolving the victim's cgroups
 * at once: the v2 path from the event's v2 cgroup ID, the memory cgroup from the event's
 * memory cgroup ID (walking the memory hierarchy, v1 or v2), and when that cgroup is gone,
 * from /proc/&lt;pid&gt;/cgroup if the victim still exists (it is being killed: the event
 * arrives within milliseconds, often before it has been reaped).
 * @internal
 */
export class OomVictimDecoder {
  readonly #layout: StructLayout;
  readonly #procfs: ProcfsReader;
  readonly #clock: Clock;
  readonly #cgroups: CgroupLayout;
  readonly #v2: CgroupIdPaths;
  readonly #memory: CgroupIdPaths;
  readonly #pageSize: MachineValue;

  /**
   * @param layout - struct mem_oom_ev from the object's BTF
   * @param procfs - where procfs and sysfs are read (the engine's `PROCFS_READER`)
   * @param clock - the engine's `CLOCK`: the kernel's timestamps are on its monotonic clock
   */
  constructor(layout: StructLayout, procfs: ProcfsReader, clock: Clock) {
    this.#layout = layout;
    this.#procfs = procfs;
    this.#clock = clock;
    this.#cgroups = cgroupLayout(procfs);
    this.#v2 = new CgroupIdPaths(procfs, this.#cgroups.v2Root, 'the cgroup v2 hierarchy');
    this.#memory = this.#cgroups.memory === 'v2' ? this.#v2 : new CgroupIdPaths(procfs, this.#cgroups.memoryRoot, 'the v1 memory hierarchy');
    this.#pageSize = procfs.machineConstants().pageSize;
  }

  /**
   * @param data - one ring buffer record
   * @throws {@link @bpfscope/core!EventProcessingFailed} when the record is shorter than struct mem_oom_ev
   */
  decode(data: Uint8Array): OomVictim {
    const l = this.#layout;
    if (data.length < l.size) {
      throw new EventProcessingFailed(`an OOM event of ${data.length} bytes is shorter than struct mem_oom_ev (${l.size} bytes)`, { details: { bytes: data.length, size: l.size } });
    }
    const f = l.fields;
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const at = (name: string): number => f[name]!.offset;
    const tsNs = view.getBigUint64(at('ts_ns'), true);
    const pid = view.getUint32(at('pid'), true);
    const comm = cString(data, at('comm'), 16);
    const cgroupId = u64(view, at('cgroup_id'));
    const unavailable: OomVictim['unavailable'] = {};
    const v2 = this.#v2.resolve(cgroupId);
    if (v2.reason !== null) unavailable.cgroupV2Path = v2.reason;
    const memcgId = u64(view, at('memcg_id'));
    const memoryCgroup = this.#memoryCgroup(pid, comm, memcgId, unavailable);
    const page = this.#pageSize.value;
    if (page === null) unavailable.sizes = this.#pageSize.reason ?? 'the page size is unknown';
    const bytes = (field: string): number | null => (page === null ? null : u64(view, at(field)) * page);
    const ageMs = Number(this.#clock.monotonicNs() - tsNs) / 1e6;
    return {
      pid,
      comm,
      uid: view.getUint32(at('uid'), true),
      oomScoreAdj: view.getInt32(at('oom_score_adj'), true),
      timestamp: this.#clock.wallMs() - ageMs,
      monotonicMs: Number(tsNs) / 1e6,
      cgroupId,
      cgroupV2Path: v2.path,
      memoryCgroupId: memcgId,
      memoryCgroup,
      totalVmBytes: bytes('total_vm_pages'),
      anonRssBytes: bytes('anon_rss_pages'),
      fileRssBytes: bytes('file_rss_pages'),
      shmemRssBytes: bytes('shmem_rss_pages'),
      weight: u64(view, at('weight')),
      unavailable,
    };
  }

  #memoryCgroup(pid: number, comm: string, memcgId: number, unavailable: OomVictim['unavailable']): VictimMemoryCgroup | null {
    const hierarchy = this.#cgroups.memory;
    if (hierarchy === null) {
      unavailable.memoryCgroup = 'no cgroup hierarchy has the memory controller';
      return null;
    }
    const byId = this.#memory.resolve(memcgId);
    if (byId.path !== null) return { hierarchy, path: byId.path, from: 'cgroup-id' };
    // The cgroup is gone: the victim's own view, if it is still there.
    const fail = (why: string): null => {
      unavailable.memoryCgroup = `${byId.reason}; ${why}`;
      return null;
    };
    let text: string;
    try {
      // The PID must still name the victim: compare the command name (a reused PID has another).
      const now = this.#procfs.readProc(`${pid}/comm`).replace(/\n$/, '');
      if (now !== comm) return fail(`PID ${pid} now runs "${now}", not the victim "${comm}"`);
      text = this.#procfs.readProc(`${pid}/cgroup`);
    } catch (e) {
      if (!isBpfscopeError(e)) throw e;
      const code = procReadErrorCode(e);
      return fail(code === 'ENOENT' || code === 'ESRCH' ? `the victim (PID ${pid}) had been reaped before its /proc/${pid}/cgroup could be read` : e.message);
    }
    try {
      const path = memoryCgroupOf(text, join(this.#procfs.procRoot, `${pid}/cgroup`), hierarchy);
      if (path !== null) return { hierarchy, path, from: 'proc' };
      return fail(`/proc/${pid}/cgroup has no ${hierarchy === 'v1' ? 'memory controller' : 'v2'} line`);
    } catch (e) {
      if (!isBpfscopeError(e)) throw e;
      return fail(e.message);
    }
  }
}
