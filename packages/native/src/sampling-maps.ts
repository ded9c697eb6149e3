import { ConfigError, type KernelSamplingCounts, type KernelSamplingSetting, type PriorityMatch } from '@bpfscope/core';
import type { BpfMap } from './bpf-map.js';
import type { BpfObject } from './bpf-object.js';
import type { StructLayout } from './btf-layout.js';
import { u32Key as u32 } from './map-keys.js';

/** Flags of `struct bpfscope_smp_cfg` (bpf/include/bpfscope_sampling.h). */
const SMP = { UNIFORM: 1, RANDOM: 2, TAIL: 4, BUCKET: 8, PRIO_PID: 16, PRIO_CGROUP: 32, PRIO_CLASS: 64 } as const;
/** Kinds of `struct bpfscope_smp_prio_key`. */
const PRIO = { PID: 0, CGROUP: 1, CLASS: 2 } as const;
/** Capacity of the prio hash (BPFSCOPE_SMP_MAX_PRIO), shared by every source of the object. */
const MAX_PRIO = 4096;
const COUNT_FIELDS = ['passed', 'high', 'uniform_away', 'tail_away', 'refused', 'contended'] as const;

/**
 * The maps one `BPFSCOPE_SAMPLING_MAPS(prefix, n)` declares in an object (bpf/include/bpfscope_sampling.h):
 * writes a source's kernel sampling setting at run time (map updates, no reload) and reads
 * its counts. Layouts come from the object's BTF.
 */
export class KernelSamplingMaps {
  readonly #cfg: BpfMap;
  readonly #tat: BpfMap;
  readonly #cnt: BpfMap;
  readonly #prio: BpfMap;
  readonly #L: { cfg: StructLayout; bucket: StructLayout; counts: StructLayout; key: StructLayout };

  /**
   * @param obj - the loaded object
   * @param prefix - the macro's prefix (maps `<prefix>_cfg`, `_tat`, `_cnt`, `_prio`)
   * @throws {@link @bpfscope/core!LoadFailed} when the object's BTF lacks the structs
   */
  constructor(obj: BpfObject, prefix: string) {
    this.#cfg = obj.map(`${prefix}_cfg`);
    this.#tat = obj.map(`${prefix}_tat`);
    this.#cnt = obj.map(`${prefix}_cnt`);
    this.#prio = obj.map(`${prefix}_prio`);
    this.#L = {
      cfg: obj.structLayout('bpfscope_smp_cfg'),
      bucket: obj.structLayout('bpfscope_bucket_cfg'),
      counts: obj.structLayout('bpfscope_smp_counts'),
      key: obj.structLayout('bpfscope_smp_prio_key'),
    };
  }

  /**
   * Puts a setting in force for one source (null: every event passes, nothing counted).
   * The high entries are written before the setting that reads them, the bucket is full again.
   * @param source - the source's slot
   * @param setting - what to apply
   * @param classOf - the family's class number of an event kind (throws a {@link @bpfscope/core!ConfigError} for one it has not)
   * @param path - the setting's path, for errors
   * @throws {@link @bpfscope/core!ConfigError} for more high entries than the map holds, a kind the family has not,
   *   or a value a u64 field cannot hold (a tail threshold ≥ 2^64, say); nothing is written then
   */
  apply(source: number, setting: KernelSamplingSetting | null, classOf: (kind: string | number, path: string) => number, path: string): void {
    const entries = setting?.priority === undefined ? [] : this.#prioKeys(source, setting.priority, classOf, path);
    // Encoded before anything is written: a value the kernel's u64 cannot hold is refused, never wrapped.
    const encoded = setting === null ? null : this.#encode(setting, path);
    const mine = [...this.#prio.keys()].filter((k) => this.#keySource(k) === source);
    if (entries.length + this.#prioCount() - mine.length > MAX_PRIO) {
      throw new ConfigError(`${path}.match`, entries.length, `at most ${MAX_PRIO} high pids, cgroups and kinds in all (the kernel's table)`);
    }
    // Off first, so the programs never judge by a half-written set of high entries.
    this.#cfg.update(u32(source), new Uint8Array(this.#L.cfg.size));
    for (const k of mine) this.#prio.delete(k);
    if (setting === null) return;
    const one = Uint8Array.of(1);
    for (const k of entries) this.#prio.update(k, one);
    this.#tat.update(u32(source), new Uint8Array(8));
    this.#cfg.update(u32(source), encoded!);
  }

  /** A source's counts, summed over CPUs. @param source - its slot @returns the counts */
  counts(source: number): KernelSamplingCounts {
    const sum: Record<(typeof COUNT_FIELDS)[number], bigint> = { passed: 0n, high: 0n, uniform_away: 0n, tail_away: 0n, refused: 0n, contended: 0n };
    for (const cpu of this.#cnt.lookupPerCpu(u32(source)) ?? []) {
      const dv = new DataView(cpu.buffer, cpu.byteOffset, cpu.byteLength);
      for (const k of COUNT_FIELDS) sum[k] += dv.getBigUint64(this.#L.counts.fields[k]!.offset, true);
    }
    const n = (k: (typeof COUNT_FIELDS)[number]): number => Number(sum[k]);
    const passed = n('passed') + n('high');
    const sampledAway = n('uniform_away') + n('tail_away');
    return { offered: passed + sampledAway + n('refused'), passed, highPassed: n('high'), sampledAway, uniformAway: n('uniform_away'), tailAway: n('tail_away'), refused: n('refused'), contended: n('contended') };
  }

  #encode(s: KernelSamplingSetting, path: string): Uint8Array {
    const f = this.#L.cfg.fields;
    const v = new Uint8Array(this.#L.cfg.size);
    const dv = new DataView(v.buffer);
    const setU64 = (at: number, value: number, field: string): void => dv.setBigUint64(at, u64(value, `${path}.${field}`), true);
    let flags = 0;
    if (s.uniform !== undefined) {
      flags |= SMP.UNIFORM | (s.uniform.mode === 'random' ? SMP.RANDOM : 0);
      setU64(f['every']!.offset, s.uniform.every, 'every');
    }
    if (s.tailThreshold !== undefined) {
      flags |= SMP.TAIL;
      setU64(f['threshold']!.offset, s.tailThreshold, 'threshold');
    }
    if (s.bucket !== undefined) {
      flags |= SMP.BUCKET;
      const at = f['bucket']!.offset;
      setU64(at + this.#L.bucket.fields['rate']!.offset, s.bucket.ratePerSecond, 'ratePerSecond');
      setU64(at + this.#L.bucket.fields['burst']!.offset, s.bucket.burst, 'burst');
    }
    const p = s.priority;
    if (p !== undefined) {
      if ((p.pids?.length ?? 0) > 0) flags |= SMP.PRIO_PID;
      if ((p.cgroups?.length ?? 0) > 0) flags |= SMP.PRIO_CGROUP;
      if ((p.kinds?.length ?? 0) > 0) flags |= SMP.PRIO_CLASS;
    }
    dv.setUint32(f['flags']!.offset, flags, true);
    return v;
  }

  #prioKeys(source: number, m: PriorityMatch, classOf: (kind: string | number, path: string) => number, path: string): Uint8Array[] {
    const key = (kind: number, id: bigint): Uint8Array => {
      const k = new Uint8Array(this.#L.key.size);
      const dv = new DataView(k.buffer);
      dv.setBigUint64(this.#L.key.fields['id']!.offset, id, true);
      dv.setUint32(this.#L.key.fields['source']!.offset, source, true);
      dv.setUint32(this.#L.key.fields['kind']!.offset, kind, true);
      return k;
    };
    return [
      ...(m.pids ?? []).map((pid) => key(PRIO.PID, BigInt(pid))),
      ...(m.cgroups ?? []).map((cg) => key(PRIO.CGROUP, BigInt(cg))),
      ...(m.kinds ?? []).map((kind, i) => key(PRIO.CLASS, BigInt(classOf(kind, `${path}.match.kinds[${i}]`)))),
    ];
  }

  #keySource(k: Uint8Array): number {
    return new DataView(k.buffer, k.byteOffset, k.byteLength).getUint32(this.#L.key.fields['source']!.offset, true);
  }

  #prioCount(): number {
    let n = 0;
    for (const _ of this.#prio.keys()) n++;
    return n;
  }
}

/** `value` as a u64 field: a non-negative integer below 2^64 (setBigUint64 would wrap a larger one silently). */
function u64(value: number, path: string): bigint {
  if (!Number.isInteger(value) || value < 0 || value >= 2 ** 64) throw new ConfigError(path, value, 'an integer from 0 to 2^64 − 1 (a u64 field of the kernel setting)');
  return BigInt(value);
}

