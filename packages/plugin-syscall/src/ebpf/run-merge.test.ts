import { describe, expect, it } from 'vitest';
import type { BpfObject, StructField, StructLayout } from '@bpfscope/native';
import { SC_SLOTS, type SyscallLayouts } from './syscall-maps.js';
import { CALLS, SyscallMapReader } from './syscall-read.js';

// The reader over a scripted fake kernel: 2 CPUs, slot 1, RUNS runs per slot and CPU. The
// fake moves runs into sc_proc as sc_run_new does (seq odd meanwhile, +2 per replacement),
// at chosen points of the reading: before its n-th copy of sc_cpu, before its batch read
// of sc_proc, or before its n-th lookup of a sc_proc row.
const CPUS = 2;
const SLOT = 1;
const RUNS = 8;
const field = (offset: number, size: number): StructField => ({ offset, size, kind: 'uint' });
const struct = (name: string, size: number, fields: Record<string, StructField>): StructLayout => ({ name, size, fields, source: 'test' });
const layouts: SyscallLayouts = {
  stat: struct('sc_stat', 24, { count: field(0, 8), errors: field(8, 8), total_ns: field(16, 8) }),
  procKey: struct('sc_proc_key', 12, { tgid: field(0, 4), id: field(4, 4), slot: field(8, 4) }),
  config: struct('sc_config', 24, {}),
  cpu: struct('sc_cpu', 24, { pending: field(0, 8), tgid: field(8, 4), id: field(12, 4), seq: field(16, 4) }),
};

interface Run {
  pending: number;
  tgid: number;
  id: number;
  seq: number;
}

class FakeKernel {
  /** runs[cpu][entry] of the slot. */
  readonly runs: Run[][] = Array.from({ length: CPUS }, () => Array.from({ length: RUNS }, () => ({ pending: 0, tgid: 0, id: 0, seq: 0 })));
  /** sc_proc of the slot: `tgid/id` → per-CPU counts. */
  readonly proc = new Map<string, number[]>();
  readonly before = { copy: new Map<number, () => void>(), lookup: new Map<number, () => void>(), batch: (): void => {} };
  copies = 0;
  lookups = 0;

  /** CPU `cpu` starts the run of entry `e` for (tgid, id): the old run's calls go to sc_proc. `half`: stops with seq odd, before the add. */
  replace(cpu: number, e: number, tgid: number, id: number, half = false): void {
    const r = this.runs[cpu]![e]!;
    if (r.seq % 2 === 0) r.seq++;
    if (half) return;
    if (r.pending > 0) this.add(cpu, r.tgid, r.id, r.pending);
    Object.assign(r, { tgid, id, pending: 1, seq: r.seq + 1 });
  }

  add(cpu: number, tgid: number, id: number, n: number): void {
    const k = `${tgid}/${id}`;
    const v = this.proc.get(k) ?? new Array<number>(CPUS).fill(0);
    v[cpu]! += n;
    this.proc.set(k, v);
  }

  #value(k: string): Uint8Array {
    const b = new Uint8Array(24 * CPUS);
    this.proc.get(k)!.forEach((n, c) => new DataView(b.buffer).setBigUint64(c * 24, BigInt(n), true));
    return b;
  }

  object(): BpfObject {
    const sc_cpu = {
      maxEntries: SC_SLOTS * RUNS,
      readArray: (): Uint8Array => {
        this.before.copy.get(this.copies++)?.();
        const b = new Uint8Array(SC_SLOTS * RUNS * CPUS * 24);
        const v = new DataView(b.buffer);
        this.runs.forEach((rs, cpu) =>
          rs.forEach((r, e) => {
            const at = ((SLOT * RUNS + e) * CPUS + cpu) * 24;
            v.setBigUint64(at, BigInt(r.pending), true);
            v.setUint32(at + 8, r.tgid, true);
            v.setUint32(at + 12, r.id, true);
            v.setUint32(at + 16, r.seq, true);
          }),
        );
        return b;
      },
    };
    const sc_proc = {
      keySize: 12,
      entrySize: 24 * CPUS,
      maxEntries: 64,
      batchBytes: () => 64 * (12 + 24 * CPUS),
      lookup: (key: Uint8Array): Uint8Array | undefined => {
        this.before.lookup.get(this.lookups++)?.();
        const v = new DataView(key.buffer, key.byteOffset);
        const k = `${v.getUint32(0, true)}/${v.getUint32(4, true)}`;
        return v.getUint32(8, true) === SLOT && this.proc.has(k) ? this.#value(k) : undefined;
      },
      lookupBatch: async () => {
        this.before.batch();
        const ks = [...this.proc.keys()];
        const keys = new Uint8Array(12 * ks.length);
        const values = new Uint8Array(24 * CPUS * ks.length);
        ks.forEach((k, i) => {
          const [tgid, id] = k.split('/').map(Number) as [number, number];
          keys.set(new Uint8Array(Uint32Array.from([tgid, id, SLOT]).buffer), i * 12);
          values.set(this.#value(k), i * 24 * CPUS);
        });
        return { count: ks.length, keys, values, method: 'batch', spilled: false };
      },
    };
    return { map: (name: string) => ({ sc_cpu, sc_proc })[name] } as unknown as BpfObject;
  }

  async read(): Promise<{ calls: Map<string, number>; total: bigint }> {
    const t = await new SyscallMapReader(this.object(), layouts, CPUS, SLOT).processTable();
    const calls = new Map<string, number>();
    for (let r = 0; r < t.rows; r++) calls.set(`${t.tgid[r]}/${t.id[r]}`, t.count[r]!);
    return { calls, total: t.exact.bigint(CALLS) };
  }
}

/** A kernel where CPU 0 holds a run of 5 getppid (110) calls by 300, sc_proc 7 earlier ones, and CPU 1 a run of 3. */
function busy(): FakeKernel {
  const k = new FakeKernel();
  Object.assign(k.runs[0]![2]!, { tgid: 300, id: 110, pending: 5, seq: 4 });
  Object.assign(k.runs[1]![0]!, { tgid: 300, id: 110, pending: 3, seq: 2 });
  k.add(0, 300, 110, 7);
  return k;
}

describe('SyscallMapReader: the runs of sc_cpu and the rows of sc_proc, each call once', () => {
  it('counts steady runs from sc_cpu and sc_proc from its batch, with no lookup', async () => {
    const k = busy();
    const r = await k.read();
    expect(r.calls.get('300/110')).toBe(15);
    expect(r.total).toBe(15n);
    expect(k.lookups).toBe(0);
  });

  it('counts once a run moved into sc_proc after the batch read of sc_proc and before the copies after it', async () => {
    for (const at of ['batch', 'copy']) {
      const k = busy();
      const move = (): void => k.replace(0, 2, 301, 39);
      if (at === 'batch') k.before.batch = move;
      // The A phase makes 2 copies when every run is whole: copy 2 is the first after the batch.
      else k.before.copy.set(2, move);
      const r = await k.read();
      // The 5 calls moved are counted once (the new run of 301 began during the reading: left out).
      expect(r.calls.get('300/110')).toBe(15);
      expect(r.calls.has('301/39')).toBe(false);
      expect(r.total).toBe(15n);
    }
  });

  it('waits for a run in the middle of its move (seq odd) before looking its row up', async () => {
    const k = busy();
    k.before.copy.set(2, () => k.replace(0, 2, 301, 39, true));
    k.before.copy.set(4, () => k.replace(0, 2, 301, 39));
    expect((await k.read()).calls.get('300/110')).toBe(15);
    expect(k.copies).toBeGreaterThan(5);
  });

  it('does not count twice a run of the same key on another CPU that moves between the copies and the lookup', async () => {
    const k = busy();
    k.before.copy.set(2, () => k.replace(0, 2, 301, 39));
    // CPU 1's run (3 calls), steady in the copies, moves into sc_proc just before the lookup of 300/110.
    k.before.lookup.set(0, () => k.replace(1, 0, 302, 39));
    const r = await k.read();
    expect(r.calls.get('300/110')).toBe(15);
    expect(r.total).toBe(15n);
    expect(k.lookups).toBe(2);
  });

  it('waits for a run odd through the first copies, and counts the sc_proc rows of other slots and keys once', async () => {
    const k = busy();
    k.replace(1, 0, 303, 1, true);
    k.before.copy.set(1, () => k.replace(1, 0, 303, 1));
    k.add(1, 400, 2, 11);
    const r = await k.read();
    // CPU 1's 3 calls moved before the batch: sc_proc holds them. 303's run, first whole in
    // the second copy and steady since, holds one call made during the reading: counted once.
    expect(r.calls.get('300/110')).toBe(15);
    expect(r.calls.get('400/2')).toBe(11);
    expect(r.calls.get('303/1')).toBe(1);
    expect(r.total).toBe(27n);
  });
});
