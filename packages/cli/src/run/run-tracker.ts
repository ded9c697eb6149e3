import type { Snapshot } from '@bpfscope/core';
import { readReapedChildren, reapedSince, type ProcessRecord, type ProcessTree, type ReapedChildren } from '@bpfscope/plugin-proc';
import type { TreeFinal, TreeSample } from './tree-tracker.js';

type Io = NonNullable<ProcessRecord['io']>;

/**
 * The figures of a command's process tree for `bpfscope run`, from the engine only: the
 * tree (fed by `engine.events('proc')`) says which processes belong to the command, and
 * the proc family's reading at each sample gives the live processes' counters. Where the
 * exited ones' figures come from depends on the source the engine selected for proc:
 *
 * - `ebpf`: every exit event carries the process's totals (CPU, faults, I/O, peak RSS);
 * - `procfs`: exits carry none, so the command's reaped descendants are measured through
 *   this process, their reaper ({@link readReapedChildren}: cutime + cstime and the
 *   process-wide I/O counters). Processes that start and end between two scans are not
 *   counted as spawned, and page faults of exited processes are lost.
 * @internal
 */
export class RunTracker {
  #peakRss = 0;
  #sampledAlive = false;
  readonly #reapedAtStart: ReapedChildren | null;

  /** @param tree - the command's tree (rootParent: this process), open before the command starts */
  constructor(private readonly tree: ProcessTree) {
    this.#reapedAtStart = tree.source === 'procfs' ? readReapedChildren() : null;
  }

  /** Totals now, with the live processes' counters from `snap` (a reading of the proc family). */
  sample(snap: Snapshot): TreeSample {
    const s = this.tree.summary();
    const live = liveRecords(this.tree, snap);
    const rss = live === null ? null : live.reduce((sum, p) => sum + p.rssBytes, 0);
    if (rss !== null) this.#peakRss = Math.max(this.#peakRss, rss);
    if (live !== null && live.length > 0) this.#sampledAlive = true;
    const liveCpu = live === null ? null : live.reduce((sum, p) => sum + p.userSeconds + p.systemSeconds, 0);
    // Live processes' I/O includes what their reaped children did: top-level ones only.
    // One whose counters cannot be read makes the sum unknown, not smaller.
    const top = live?.filter((p) => !live.some((q) => q.pid === p.ppid)) ?? null;
    const io = (f: (p: Io) => number, exited: number | null): number | null =>
      top === null || exited === null || top.some((p) => p.io === null) ? null : exited + top.reduce((sum, p) => sum + f(p.io!), 0);
    const faults = (f: (p: ProcessRecord) => number, exited: number): number | null => (live === null ? null : exited + live.reduce((sum, p) => sum + f(p), 0));
    if (this.tree.source === 'ebpf') {
      const t = s.totals;
      return {
        alive: live?.length ?? s.live.length,
        spawned: s.spawned,
        cpuSeconds: liveCpu === null ? null : round(t.runtimeSeconds + liveCpu),
        rssBytes: rss,
        readBytes: io((p) => p.rchar, t.io.rchar),
        writeBytes: io((p) => p.wchar, t.io.wchar),
        readCalls: null,
        writeCalls: null,
        minorFaults: faults((p) => p.minorFaults, t.minorFaults),
        majorFaults: faults((p) => p.majorFaults, t.majorFaults),
      };
    }
    const reaped = this.#reaped();
    return {
      alive: live?.length ?? s.live.length,
      spawned: s.spawned,
      cpuSeconds: liveCpu === null || reaped.cpuSeconds === null ? null : round(reaped.cpuSeconds + liveCpu),
      rssBytes: rss,
      readBytes: io((p) => p.rchar, reaped.io.rchar),
      writeBytes: io((p) => p.wchar, reaped.io.wchar),
      readCalls: io((p) => p.syscr, reaped.io.syscr),
      writeCalls: io((p) => p.syscw, reaped.io.syscw),
      // Of the live processes only: procfs loses a process's faults when it exits.
      minorFaults: faults((p) => p.minorFaults, 0),
      majorFaults: faults((p) => p.majorFaults, 0),
    };
  }

  /**
   * Totals once the command has ended and been reaped. `snap` is a reading of the proc
   * family taken after that: with eBPF, every process of the tree that it shows ended (gone, or a zombie
   * with no thread left) has passed the kernel's exit hook, so its exit event is in the ring
   * buffer and is waited for, with no timer (unless events were dropped). What is still
   * running is an orphan that outlived the command.
   */
  async finish(snap: Snapshot): Promise<TreeFinal> {
    const table = procTable(snap);
    if (this.tree.source === 'ebpf' && table !== null && !this.tree.summary().lost.kernelDropped) {
      const ended = this.tree.live().filter((n) => {
        const r = table.get(n.pid);
        return r === undefined || (r.state === 'Z' && r.threads <= 1);
      });
      await Promise.all(ended.map((n) => this.tree.waitForExit(n.pid)));
    }
    return this.tree.source === 'ebpf' ? this.#ebpfFinal(snap) : this.#procfsFinal(snap);
  }

  #ebpfFinal(snap: Snapshot): TreeFinal {
    const s = this.tree.summary();
    const t = s.totals;
    const unavailable: Record<string, string> = {
      readWriteCalls: 'the eBPF tree does not count read-class and write-class calls; the syscall family counts every call by name',
    };
    const why = procUnavailable(snap);
    if (why !== null) unavailable.liveFigures = `live processes' figures at samples are not given: ${why}`;
    if (s.live.length > 0) unavailable.alive = `${s.live.length} process(es) of the tree outlived the command (orphans: ${s.live.slice(0, 5).map((n) => `${n.comm}[${n.pid}]`).join(', ')}); their figures are not in the totals`;
    if (t.withoutTotals > 0) unavailable.withoutTotals = `${t.withoutTotals} exited process(es) without exit totals`;
    if (s.lost.kernelDropped) unavailable.kernelDropped = `${s.lost.kernelDropped} process event(s) dropped by the kernel (ring buffer full)`;
    return {
      alive: s.live.length,
      spawned: s.spawned,
      cpuSeconds: round(t.runtimeSeconds),
      rssBytes: null,
      readBytes: t.io.rchar,
      writeBytes: t.io.wchar,
      readCalls: null,
      writeCalls: null,
      minorFaults: t.minorFaults,
      majorFaults: t.majorFaults,
      peakRssBytes: Math.max(t.peakRssBytes, this.#peakRss),
      source: 'ebpf',
      unavailable,
    };
  }

  #procfsFinal(snap: Snapshot): TreeFinal {
    const live = liveRecords(this.tree, snap) ?? this.tree.live();
    const reaped = this.#reaped();
    const unavailable: Record<string, string> = {
      spawned: 'the procfs source sees only processes alive at one of its scans of /proc: the count is a lower bound (the eBPF source sees every fork)',
      pageFaults: 'procfs loses the fault counters of a process when it exits (the parent gets only those of the children it waited for, in cminflt/cmajflt, mixed with its own other children); totals need the eBPF source',
      peakRss: this.#sampledAlive
        ? 'peak of the tree at the samples taken, not between them'
        : 'not measured: the command ended before a sample saw it alive (the eBPF source measures it at exit)',
      ioFromFork: "the kernel counts a process's I/O from its fork: the figures include what the launcher did in the command's process before exec (Node's spawn: one 1-byte write) and the kernel's reads of each executable at exec",
    };
    if (reaped.cpuSeconds === null) unavailable.cpuSeconds = reaped.cpuUnavailable ?? 'clock ticks per second unknown';
    if (live.length > 0) unavailable.alive = `${live.length} process(es) of the tree outlived the command (orphans): their CPU time and I/O are not in the totals`;
    return {
      alive: live.length,
      // At least the command itself, even when no scan saw it alive.
      spawned: Math.max(this.tree.summary().spawned, 1),
      cpuSeconds: reaped.cpuSeconds === null ? null : round(reaped.cpuSeconds),
      rssBytes: null,
      readBytes: reaped.io.rchar,
      writeBytes: reaped.io.wchar,
      readCalls: reaped.io.syscr,
      writeCalls: reaped.io.syscw,
      minorFaults: null,
      majorFaults: null,
      peakRssBytes: this.#sampledAlive ? this.#peakRss : null,
      source: 'procfs',
      unavailable,
    };
  }

  /** The reaped children's figures since the tracker started. */
  #reaped(): ReapedChildren {
    return reapedSince(this.#reapedAtStart!, readReapedChildren());
  }
}

/** The proc family's process records by PID, or null when the reading has none (the family failed). */
function procTable(snap: Snapshot): Map<number, ProcessRecord> | null {
  const data = snap.get('proc')?.data;
  return data === undefined ? null : new Map(data.processes.map((p) => [p.pid, p]));
}

/** The records of the tree's live processes that the reading shows alive (zombies left out); null without a reading. */
function liveRecords(tree: ProcessTree, snap: Snapshot): ProcessRecord[] | null {
  const table = procTable(snap);
  if (table === null) return null;
  return tree.live().flatMap((n) => {
    const r = table.get(n.pid);
    return r === undefined || r.state === 'Z' ? [] : [r];
  });
}

function procUnavailable(snap: Snapshot): string | null {
  if (snap.get('proc') !== undefined) return null;
  const e = snap.errors.find((x) => x.family === 'proc');
  return e === undefined ? 'the proc family gave no reading' : `${e.error.code}: ${e.error.message}`;
}

function round(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}
