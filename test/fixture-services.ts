// The engine's procfs reader and clock as a test hands them to a plugin through the
// container: a reader over fixture trees that the test can switch between readings (two
// captures of the same machine give exact deltas) and that records every path read, and a
// clock that moves only when the test says. They stand in for the machine's files and
// time, never for a kernel measurement: eBPF tests give a recording reader over real trees
// and the system clock.
import { CLOCK, PROCFS_READER, createProcfsReader, type Clock, type MachineConstants, type Plugin, type ProcfsEntry, type ProcfsReader, type ProcfsStat } from '@bpfscope/core';

/** A {@link ProcfsReader} over fixture trees, switched with {@link FixtureReader.use}; every call is logged in {@link FixtureReader.calls}. */
export class FixtureReader implements ProcfsReader {
  #inner: ProcfsReader;
  /** `proc <rel>`, `sys <rel>`, `list-proc <rel>`, `list-sys <rel>`, `stat-sys <rel>`, `constants`, in call order. */
  readonly calls: string[] = [];

  constructor(procRoot: string, sysRoot: string) {
    this.#inner = createProcfsReader(procRoot, sysRoot);
  }

  /** Read other trees from now on. */
  use(procRoot: string, sysRoot: string = this.sysRoot): void {
    this.#inner = createProcfsReader(procRoot, sysRoot);
  }

  get procRoot(): string {
    return this.#inner.procRoot;
  }

  get sysRoot(): string {
    return this.#inner.sysRoot;
  }

  readProc(relPath: string, reasons?: Readonly<Record<string, string>>): string {
    this.calls.push(`proc ${relPath}`);
    return this.#inner.readProc(relPath, reasons);
  }

  readSys(relPath: string, reasons?: Readonly<Record<string, string>>): string {
    this.calls.push(`sys ${relPath}`);
    return this.#inner.readSys(relPath, reasons);
  }

  listProc(relPath: string): readonly ProcfsEntry[] {
    this.calls.push(`list-proc ${relPath}`);
    return this.#inner.listProc(relPath);
  }

  listSys(relPath: string): readonly ProcfsEntry[] {
    this.calls.push(`list-sys ${relPath}`);
    return this.#inner.listSys(relPath);
  }

  statSys(relPath: string): ProcfsStat {
    this.calls.push(`stat-sys ${relPath}`);
    return this.#inner.statSys(relPath);
  }

  machineConstants(): MachineConstants {
    this.calls.push('constants');
    return this.#inner.machineConstants();
  }
}

/** A {@link Clock} that stands still until {@link ManualClock.advance}; `calls` counts its readings. */
export class ManualClock implements Clock {
  calls = 0;
  constructor(
    /** Monotonic time now, ns. */
    public ns: bigint,
    /** Wall-clock time now, ms since the epoch. */
    public wall: number,
  ) {}

  /** Move both clocks forward. */
  advance(ms: number): void {
    this.ns += BigInt(ms) * 1_000_000n;
    this.wall += ms;
  }

  monotonicNs(): bigint {
    this.calls++;
    return this.ns;
  }

  wallMs(): number {
    this.calls++;
    return this.wall;
  }
}

/**
 * The plugin with its own procfs reader and/or clock: they are registered in the plugin's
 * container before its own `register` runs, so its collectors resolve them in place of the
 * engine's (a child container's registration wins over its parent's).
 */
export function withServices(plugin: Plugin, services: { procfs?: ProcfsReader; clock?: Clock }): Plugin {
  return {
    ...plugin,
    register(container) {
      if (services.procfs) container.register(PROCFS_READER, { useValue: services.procfs });
      if (services.clock) container.register(CLOCK, { useValue: services.clock });
      plugin.register(container);
    },
  };
}
