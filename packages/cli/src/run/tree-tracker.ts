/** Totals of a profiled process tree at one moment. null: not measured by this tracker (reason in `unavailable`). */
export interface TreeSample {
  /** Processes of the tree alive now. */
  alive: number;
  /** Processes the tree has started so far (the command included). */
  spawned: number;
  /** CPU time of the tree so far, seconds (live processes and, where known, exited ones). */
  cpuSeconds: number | null;
  /** Resident memory of the live processes together, bytes. */
  rssBytes: number | null;
  /** Bytes read through read-like calls (rchar), live and exited. */
  readBytes: number | null;
  /** Bytes written through write-like calls (wchar), live and exited. */
  writeBytes: number | null;
  /** Read-class system calls (syscr), live and exited; null where the tracker does not measure them (eBPF: the syscall family counts every call). */
  readCalls: number | null;
  /** Write-class system calls (syscw), as {@link TreeSample.readCalls}. */
  writeCalls: number | null;
  /** Minor page faults, live and exited. */
  minorFaults: number | null;
  /** Major page faults, live and exited. */
  majorFaults: number | null;
}

/** What a tree tracker knows when the command has ended. */
export interface TreeFinal extends TreeSample {
  /** Largest resident memory seen: of one process (eBPF: its peak) or of the tree together (procfs: at a sample). */
  peakRssBytes: number | null;
  /** Why fields are null, or what they leave out. */
  unavailable: Record<string, string>;
  /** Where the figures came from. */
  source: 'ebpf' | 'procfs';
}
