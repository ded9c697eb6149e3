import { SharedShedFlag, type BpfObject } from '@bpfscope/native';
import type { NetMetrics } from '../records.js';

/** A span the accounting was off, wall ms (`to` null while off now). */
interface Span {
  from: number;
  to: number | null;
  reason: string;
}

/**
 * The per-process and per-host accounting of the net programs, turned off and on at run time
 * through the object's `.bss` global `net_detail_off` (a map update, no reload: the socket
 * storage, the connection table and the totals go on). The object is shared by the engines of
 * the process, so the accounting is off only while every source holding it asks it off. @internal
 */
export class DetailSwitch {
  readonly #flag: SharedShedFlag<Span[]>;
  readonly #fromMs: number;

  /**
   * @param object - the loaded net object
   * @param wallMs - the wall clock, ms
   */
  constructor(object: BpfObject, wallMs: () => number) {
    this.#flag = new SharedShedFlag<Span[]>(object, {
      program: 'net_send',
      global: 'net_detail_off',
      init: () => [],
      onFlip: (off, spans, reasons) => {
        const now = wallMs();
        if (off) spans.push({ from: now, to: null, reason: reasons[0] ?? '' });
        else {
          const last = spans[spans.length - 1];
          if (last) last.to = now;
        }
      },
    });
    this.#fromMs = wallMs();
  }

  /** Why the accounting is off now (this source's governor's reason, or another's), or null. */
  offReason(): string | null {
    return this.#flag.offReason();
  }

  /** The spans since this source started in which the accounting was off, ended ones only. */
  pastSpans(): ReadonlyArray<{ from: number; to: number; reason: string }> {
    return this.#flag.extra.filter((s): s is { from: number; to: number; reason: string } => s.to !== null && s.to > this.#fromMs);
  }

  /**
   * Ask the accounting off (with the reason) or on again.
   * @param off - whether to shed it
   * @param reason - the governor's reason
   */
  set(off: boolean, reason: string): void {
    this.#flag.set(off, reason);
  }

  /**
   * Mark a reading: processes and hosts empty and unavailable while the accounting is off,
   * and said incomplete after a span in which it was.
   * @param m - the reading, changed in place
   */
  mark(m: NetMetrics): void {
    const off = this.offReason();
    if (off !== null) {
      m.processes = [];
      m.hosts = [];
      m.unavailable.processes = off;
      m.unavailable.hosts = off;
      return;
    }
    const spans = this.pastSpans();
    if (spans.length === 0) return;
    const iso = (ms: number): string => new Date(ms).toISOString();
    const gap = `the overhead governor shed per-process and per-host accounting ${spans.map((s) => `from ${iso(s.from)} to ${iso(s.to)}`).join(', ')}: UDP sends and receives, TCP closes and retransmits in that time are missing from processes and hosts (open TCP connections come from the table, whole)`;
    m.unavailable.processes ??= gap;
    m.unavailable.hosts ??= gap;
  }

  /** Let go of the object: the others decide without this source. */
  release(): void {
    this.#flag.release();
  }
}
