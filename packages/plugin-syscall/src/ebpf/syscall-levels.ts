import type { SyscallMode } from '../records.js';

/** How much the "sampled events" level thins the events: the kernel sends one call in this many times the stream's `sampleEvery`. */
export const GOVERNOR_EVENT_THINNING = 10;

const COUNTS_ONLY = 'counts only: the sys_exit program detached (programs reloaded in counts-only mode), errors and latency unavailable';
const SAMPLED = `sampled events: while an event stream is open, one call in ${GOVERNOR_EVENT_THINNING} × its sampleEvery is sent (each event's weight says how many it stands for)`;

/**
 * The syscall family's levels of detail under the overhead governor (docs/governor.md): in
 * latency mode with `governor.allowReload`, 1 is counts only (a reload) and 2 adds sampled
 * events; otherwise 1 is sampled events. Holds what is in force: the mode, the events' thinning and why latency is off. @internal
 */
export class SyscallLevels {
  /** The mode in force: the configured one, or `counts` while latency is shed. */
  mode: SyscallMode;
  /** Factor on the streams' `sampleEvery` written to the kernel (1: none). */
  thinning = 1;
  /** Why latency is off ('' while the governor did not turn it off). */
  latencyOff = '';
  /** Whether the governor may reload the programs (config `governor.allowReload`): without it latency mode sheds only by sampling events. */
  allowReload = false;

  constructor(readonly configured: SyscallMode) {
    this.mode = configured;
  }

  /** The names of levels 1, 2, ... */
  names(): readonly string[] {
    return this.configured === 'latency' && this.allowReload ? [COUNTS_ONLY, SAMPLED] : [SAMPLED];
  }

  /**
   * Put a level in force (the caller reloads when `mode` changed).
   * @param level - the level
   * @param reason - the governor's reason for it
   * @returns whether the mode changed
   */
  set(level: number, reason: string): boolean {
    const reload = this.configured === 'latency' && this.allowReload;
    const mode: SyscallMode = reload && level >= 1 ? 'counts' : this.configured;
    if (mode === this.configured) this.latencyOff = '';
    else if (this.mode === 'latency') this.latencyOff = reason;
    this.thinning = level >= (reload ? 2 : 1) ? GOVERNOR_EVENT_THINNING : 1;
    const changed = mode !== this.mode;
    this.mode = mode;
    return changed;
  }

  /** What the kernel gets for a stream's `sampleEvery`. */
  kernelEvery(sampleEvery: number): number {
    return sampleEvery * this.thinning;
  }
}
