// Rows of processes that exited, deleted from the per-process table (sc_proc) so that its
// size follows the live processes, not every process since the start. A process's rows
// are deleted after the reading that reports them last, with their sums kept by the reader
// ({@link SyscallMapReader.retired}), so every later reading still adds up.
//
// When are a process's rows final? The kernel adds to them only while it makes calls, and
// when a CPU moves one of its runs (sc_cpu) into them. A process gone from /proc when
// reading N had read the maps made its last call before; reading N + 1 copies sc_cpu later,
// so it sees every run of it still on a CPU. When it sees none, nothing changes the rows
// any more (runs only ever move into sc_proc, and a run moved between N + 1's two reads is
// in sc_proc by then): the rows reading N + 2 reads are final. Reading N + 2 reports them,
// then they are deleted. /proc is listed after a reading's map reads, never between them
// (a longer gap between the reads of sc_proc and sc_cpu would miss more runs moved in it).
import { existsSync, readdirSync } from 'node:fs';
import type { BpfObject } from '@bpfscope/native';
import { SC_SLOTS, type SyscallLayouts } from './syscall-maps.js';
import { CALLS, ERRORS, TIME, type ProcessTable, type SyscallMapReader } from './syscall-read.js';

/** The processes alive now: the numeric names in the proc root. @internal */
export function liveProcesses(procRoot: string): Set<number> {
  const out = new Set<number>();
  for (const name of readdirSync(procRoot)) {
    const pid = Number(name);
    if (Number.isInteger(pid) && pid > 0) out.add(pid);
  }
  return out;
}

/** Deletes the rows of exited processes of one slot, one reading after their rows are final. @internal */
export class ExitedProcesses {
  /** Processes gone from /proc after the last reading (their calls all made before its next one). */
  #gone = new Set<number>();
  /** Processes whose rows were final at the last reading: deleted after the next. */
  #final = new Set<number>();
  readonly #key: Uint8Array;
  readonly #kv: DataView;

  constructor(private readonly obj: BpfObject, private readonly l: SyscallLayouts, private readonly slot: number, private readonly procRoot: string, private readonly reader: SyscallMapReader) {
    this.#key = new Uint8Array(l.procKey.size);
    this.#kv = new DataView(this.#key.buffer);
  }

  /**
   * After a reading: delete the rows of the processes whose rows were final before it
   * (this reading holds their last values), note the processes whose rows are final now,
   * and list /proc for the processes gone now.
   * @param t - the reading's table
   * @returns the rows deleted
   */
  settle(t: ProcessTable): number {
    const map = this.obj.map('sc_proc');
    const f = this.l.procKey.fields;
    this.#kv.setUint32(f.slot!.offset, this.slot, true);
    const retired = this.reader.retired;
    let deleted = 0;
    // A pid used again by a new process since is alive (or has a run): its rows are its own now.
    const reused = new Map<number, boolean>();
    const back = (pid: number): boolean => {
      let b = reused.get(pid);
      if (b === undefined) reused.set(pid, (b = t.pending.has(pid) || existsSync(`${this.procRoot}/${pid}`)));
      return b;
    };
    for (let r = 0; r < t.rows && this.#final.size > 0; r++) {
      const tgid = t.tgid[r]!;
      if (!this.#final.has(tgid) || back(tgid)) continue;
      this.#kv.setUint32(f.tgid!.offset, tgid, true);
      this.#kv.setUint32(f.id!.offset, t.id[r]!, true);
      if (!map.delete(this.#key)) continue;
      retired.addNumber(CALLS, t.count[r]!);
      retired.addNumber(ERRORS, t.errors[r]!);
      retired.addNumber(TIME, t.totalNs[r]!);
      deleted++;
    }
    retired.carry();
    this.#final.clear();
    for (const tgid of this.#gone) if (!t.pending.has(tgid)) this.#final.add(tgid);
    this.#gone.clear();
    if (t.rows === 0) return deleted;
    const live = liveProcesses(this.procRoot);
    for (let r = 0; r < t.rows; r++) {
      const tgid = t.tgid[r]!;
      if (!live.has(tgid)) this.#gone.add(tgid);
    }
    return deleted;
  }
}

/** A slot's `sc_proc` rows and pending `sc_cpu` runs, as process ids (for tests). @internal */
export async function kernelRows(obj: BpfObject, l: SyscallLayouts, slot: number): Promise<{ rows: number[]; runs: number[] }> {
  const proc = obj.map('sc_proc');
  const batch = await proc.lookupBatch();
  const keys = new DataView(batch.keys.buffer, batch.keys.byteOffset, batch.keys.byteLength);
  const f = l.procKey.fields;
  const rows: number[] = [];
  for (let i = 0; i < batch.count; i++) {
    const at = i * proc.keySize;
    if (keys.getUint32(at + f.slot!.offset, true) === slot) rows.push(keys.getUint32(at + f.tgid!.offset, true));
  }
  const cpu = obj.map('sc_cpu');
  const bytes = cpu.readArray();
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stride = Math.ceil(l.cpu.size / 8) * 8;
  const per = cpu.maxEntries / SC_SLOTS;
  const cpus = bytes.byteLength / (cpu.maxEntries * stride);
  const runs: number[] = [];
  for (let i = slot * per * cpus; i < (slot + 1) * per * cpus; i++) {
    const at = i * stride;
    if (v.getBigUint64(at + l.cpu.fields.pending!.offset, true) > 0n) runs.push(v.getUint32(at + l.cpu.fields.tgid!.offset, true));
  }
  return { rows, runs };
}
