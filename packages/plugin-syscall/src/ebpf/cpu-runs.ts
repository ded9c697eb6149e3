// The runs of calls the CPUs hold in counts-only mode (`sc_cpu`), which a reading adds to
// the per-process rows it read from `sc_proc`.
import type { BpfObject, StructLayout } from '@bpfscope/native';
import { SC_MAX_SYSCALLS } from './syscall-maps.js';
import type { ProcessTable } from './syscall-read.js';
import type { U64Sums } from './u64-sums.js';

/** Field 0 of a reading's exact sums: calls. */
const CALLS = 0;

/**
 * One slot's CPU runs of a reading, in arrays that live as long as the reader: each run's
 * process, syscall and calls, its calls set to 0 once it joined a row. @internal
 */
export class CpuRuns {
  readonly #tgid: Uint32Array;
  readonly #id: Uint32Array;
  readonly #count: Float64Array;
  #n = 0;
  /** Bit `tgid & 31` of each run's process: most rows are told apart from every run by it. */
  #mask = 0;

  constructor(private readonly obj: BpfObject, private readonly layout: StructLayout, private readonly cpus: number, private readonly slot: number) {
    this.#tgid = new Uint32Array(cpus);
    this.#id = new Uint32Array(cpus);
    this.#count = new Float64Array(cpus);
  }

  /**
   * Read the run each CPU holds (`sc_cpu`), each added exactly to `exact` (calls). A CPU
   * may be replacing its run while the kernel copies the slot out, which would pair one
   * run's count with the next run's process and syscall. So the map is copied three
   * times and a CPU's run is taken from the middle copy only when its `seq` is the same
   * even number in the first and the last: no replacement overlapped the middle copy. A
   * CPU that fails this check is left out of this reading (an under-count, never a wrong key).
   * @returns how many runs were taken
   */
  read(exact: U64Sums): number {
    const map = this.obj.map('sc_cpu');
    const [before, copy, after] = [map.readArray(), map.readArray(), map.readArray()].map((b) => new DataView(b.buffer, b.byteOffset, b.byteLength)) as [DataView, DataView, DataView];
    const stride = Math.ceil(this.layout.size / 8) * 8;
    const f = this.layout.fields;
    let n = 0;
    this.#mask = 0;
    for (let c = 0; c < this.cpus; c++) {
      const at = (this.slot * this.cpus + c) * stride;
      const seq = before.getUint32(at + f.seq!.offset, true);
      if (seq % 2 === 1 || after.getUint32(at + f.seq!.offset, true) !== seq) continue;
      const id = copy.getUint32(at + f.id!.offset, true);
      const count = copy.getUint32(at + f.pending!.offset + 4, true) * 4294967296 + copy.getUint32(at + f.pending!.offset, true);
      // SC_NO_ID fails the bound: the kernel counts the calls of such a run as drops.
      if (count === 0 || id >= SC_MAX_SYSCALLS) continue;
      exact.add(CALLS, copy, at + f.pending!.offset);
      const tgid = copy.getUint32(at + f.tgid!.offset, true);
      this.#tgid[n] = tgid;
      this.#id[n] = id;
      this.#count[n] = count;
      this.#mask |= 1 << (tgid & 31);
      n++;
    }
    exact.carry();
    this.#n = n;
    return n;
  }

  /** Whether a run of this reading may be of process `tgid` (false: none is). */
  mayHold(tgid: number): boolean {
    return (this.#mask & (1 << (tgid & 31))) !== 0;
  }

  /** The calls of the runs of (tgid, id) not taken yet, which are then taken. */
  take(tgid: number, id: number): number {
    let calls = 0;
    for (let i = 0; i < this.#n; i++) {
      if (this.#count[i] === 0 || this.#tgid[i] !== tgid || this.#id[i] !== id) continue;
      calls += this.#count[i]!;
      this.#count[i] = 0;
    }
    return calls;
  }

  /** The runs no row took (their process and syscall have no `sc_proc` row yet): a row each, one per key. */
  addLeft(t: ProcessTable): void {
    for (let i = 0; i < this.#n; i++) {
      if (this.#count[i] === 0) continue;
      const row = t.rows++;
      t.tgid[row] = this.#tgid[i]!;
      t.id[row] = this.#id[i]!;
      t.count[row] = this.take(this.#tgid[i]!, this.#id[i]!);
      t.errors[row] = t.totalNs[row] = 0;
    }
  }
}
