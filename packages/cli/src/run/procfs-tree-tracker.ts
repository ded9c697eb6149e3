import { readdirSync, readFileSync } from 'node:fs';
import { machineConstants, type MachineValue } from '@bpfscope/core';
import { readProcess, type ProcessRecord } from '@bpfscope/plugin-proc';
import { ioSince, reapedChildrenIo, type IoFigures } from './reaped-io.js';
import { processUnits } from './process-units.js';
import type { TreeFinal, TreeSample, TreeTracker } from './tree-tracker.js';

/**
 * Tree tracking from procfs: every sample scans /proc for the descendants of the
 * parent (this process). Processes that start and end between two samples are never
 * seen, so the count of spawned processes is a lower bound. Reaped descendants are
 * measured through the parent: its cutime + cstime hold the CPU time of every
 * descendant that was waited for, and its process-wide I/O counters their I/O
 * ({@link reapedChildrenIo}). Descendants orphaned before they exited are reaped by
 * another process and are not in those figures.
 */
export class ProcfsTreeTracker implements TreeTracker {
  readonly #seen = new Set<number>();
  #peakRss = 0;
  #sampledAlive = false;
  readonly #ticks: MachineValue;
  readonly #units: ReturnType<typeof processUnits>;
  readonly #cpuAtStart: number | null;
  readonly #ioAtStart: IoFigures;

  constructor(private readonly parent: number, private readonly procRoot = '/proc') {
    this.#ticks = machineConstants(procRoot).clockTicks;
    this.#units = processUnits(procRoot);
    this.#cpuAtStart = this.#childrenCpuSeconds();
    this.#ioAtStart = reapedChildrenIo(procRoot);
  }

  async sample(): Promise<TreeSample> {
    const live = this.#descendants();
    for (const p of live) this.#seen.add(p.pid);
    const reaped = ioSince(this.#ioAtStart, reapedChildrenIo(this.procRoot));
    // Top-level live processes: their counters include their own reaped descendants.
    const top = live.filter((p) => !live.some((q) => q.pid === p.ppid));
    const io = (f: (p: PidIoOf) => number): number | null => (top.some((p) => p.io === null) ? null : top.reduce((s, p) => s + f(p.io!), 0));
    const known = this.#units.options !== null;
    const rss = known ? live.reduce((s, p) => s + p.rssBytes, 0) : null;
    if (rss !== null) this.#peakRss = Math.max(this.#peakRss, rss);
    if (live.length > 0) this.#sampledAlive = true;
    const reapedCpu = known ? this.#reapedCpu() : null;
    const liveIo = (f: (p: PidIoOf) => number, r: number): number | null => {
      const v = io(f);
      return v === null ? null : v + r;
    };
    return {
      alive: live.length,
      spawned: this.#seen.size,
      cpuSeconds: reapedCpu === null ? null : round(reapedCpu + live.reduce((s, p) => s + p.userSeconds + p.systemSeconds, 0)),
      rssBytes: rss,
      readBytes: liveIo((p) => p.rchar, reaped.rchar),
      writeBytes: liveIo((p) => p.wchar, reaped.wchar),
      readCalls: liveIo((p) => p.syscr, reaped.syscr),
      writeCalls: liveIo((p) => p.syscw, reaped.syscw),
      // Of the live processes only: procfs loses a process's faults when it exits.
      minorFaults: live.reduce((s, p) => s + p.minorFaults, 0),
      majorFaults: live.reduce((s, p) => s + p.majorFaults, 0),
    };
  }

  async finish(): Promise<TreeFinal> {
    const live = this.#descendants();
    const reaped = ioSince(this.#ioAtStart, reapedChildrenIo(this.procRoot));
    const cpu = this.#reapedCpu();
    const unavailable: Record<string, string> = {
      spawned: 'procfs sees only processes alive at a sample: the count is a lower bound (the eBPF source sees every fork)',
      pageFaults: 'procfs loses the fault counters of a process when it exits (the parent gets only those of the children it waited for, in cminflt/cmajflt, mixed with its own other children); totals need the eBPF source',
      peakRss: this.#units.reason !== null
        ? `not measured: ${this.#units.reason}`
        : this.#sampledAlive
          ? 'peak of the tree at the samples taken, not between them'
          : 'not measured: the command ended before a sample saw it alive (the eBPF source measures it at exit)',
      ioFromFork: "the kernel counts a process's I/O from its fork: the figures include what the launcher did in the command's process before exec (Node's spawn: one 1-byte write) and the kernel's reads of each executable at exec",
    };
    if (cpu === null) unavailable.cpuSeconds = this.#ticks.reason ?? 'clock ticks per second unknown';
    if (live.length > 0) unavailable.alive = `${live.length} process(es) of the tree outlived the command (orphans): their CPU time and I/O are not in the totals`;
    return {
      alive: live.length,
      // At least the command itself, even when no sample saw it alive.
      spawned: Math.max(this.#seen.size, 1),
      cpuSeconds: cpu === null ? null : round(cpu),
      rssBytes: null,
      readBytes: reaped.rchar,
      writeBytes: reaped.wchar,
      readCalls: reaped.syscr,
      writeCalls: reaped.syscw,
      minorFaults: null,
      majorFaults: null,
      peakRssBytes: this.#units.reason === null && this.#sampledAlive ? this.#peakRss : null,
      source: 'procfs',
      unavailable,
    };
  }

  async close(): Promise<void> {}

  #reapedCpu(): number | null {
    const now = this.#childrenCpuSeconds();
    return now === null || this.#cpuAtStart === null ? null : now - this.#cpuAtStart;
  }

  /** cutime + cstime of the parent: CPU time of its reaped descendants, seconds; null when USER_HZ is unknown. */
  #childrenCpuSeconds(): number | null {
    const hz = this.#ticks.value;
    if (hz === null) return null;
    const s = readFileSync(`${this.procRoot}/${this.parent}/stat`, 'latin1');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return (Number(f[13]) + Number(f[14])) / hz;
  }

  #descendants(): ProcessRecord[] {
    const children = new Map<number, number[]>();
    for (const name of readdirSync(this.procRoot)) {
      if (!/^\d+$/.test(name)) continue;
      const ppid = readPpid(this.procRoot, Number(name));
      if (ppid === null) continue;
      const list = children.get(ppid) ?? [];
      list.push(Number(name));
      children.set(ppid, list);
    }
    const out: ProcessRecord[] = [];
    const stack = [...(children.get(this.parent) ?? [])];
    while (stack.length > 0) {
      const pid = stack.pop()!;
      const r = readProcess(this.procRoot, pid, this.#units.options ?? {});
      if (r.status === 'ok') out.push(r.record);
      stack.push(...(children.get(pid) ?? []));
    }
    return out;
  }
}

type PidIoOf = NonNullable<ProcessRecord['io']>;

function readPpid(root: string, pid: number): number | null {
  try {
    const s = readFileSync(`${root}/${pid}/stat`, 'latin1');
    return Number(s.slice(s.lastIndexOf(')') + 2).split(' ', 3)[1]);
  } catch {
    return null; // exited meanwhile
  }
}

function round(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}
