import { log2HistogramDelta, ratePerSecond, type Log2Histogram, type Snapshot } from '@bpfscope/core';

/** Per-second rates of counters between two readings, by key. @internal */
export class CounterRates {
  private before = new Map<string, number>();
  private now = new Map<string, number>();

  /**
   * The counter's rate since the previous reading, or null: no previous value for the key
   * (first reading, a new process), no interval, or a counter that went backwards.
   */
  rate(key: string, value: number | null, intervalMs: number | null): number | null {
    if (value === null) return null;
    this.now.set(key, value);
    const was = this.before.get(key);
    return was === undefined || intervalMs === null ? null : ratePerSecond(was, value, intervalMs);
  }

  /** Ends a reading: its values become the previous ones. */
  next(): void {
    this.before = this.now;
    this.now = new Map();
  }
}

/** Run-queue latency as shown: over the last interval when two readings of the same counters exist, else since they started. @internal */
export interface LatencyWindow {
  histogram: Log2Histogram;
  /** `over 1000 ms` or `since 2026-…`. */
  window: string;
}

/** A snapshot with the rates `top` derives from it and the previous one. @internal */
export interface TopReading {
  snap: Snapshot;
  /** The stream's first reading: no rates of top's own yet. */
  first: boolean;
  /** proc: bytes read + written per second, by pid (from /proc/<pid>/io read_bytes + write_bytes). */
  procIo: Map<number, number | null>;
  /** syscall: calls per second, by pid. */
  procCalls: Map<number, number | null>;
  /** syscall: calls per second, by syscall id. */
  callRates: Map<number, number | null>;
  /** fs: bytes read and written per second, by device name. */
  deviceRates: Map<string, { read: number | null; written: number | null }>;
  /** cpu: run-queue latency, or null when the family has none. */
  runQueue: LatencyWindow | null;
}

/** Turns each snapshot of a stream into a {@link TopReading}. @internal */
export class TopReadings {
  private readonly io = new CounterRates();
  private readonly procCalls = new CounterRates();
  private readonly calls = new CounterRates();
  private readonly devices = new CounterRates();
  private runQueue: { since: string; at: number; histogram: Log2Histogram } | null = null;
  private count = 0;

  /** The reading for the next snapshot of the stream. */
  update(snap: Snapshot): TopReading {
    const r: TopReading = { snap, first: this.count++ === 0, procIo: new Map(), procCalls: new Map(), callRates: new Map(), deviceRates: new Map(), runQueue: null };
    const proc = snap.get('proc')?.data;
    for (const p of proc?.processes ?? []) {
      const bytes = p.ioReadBytes === null || p.ioWriteBytes === null ? null : p.ioReadBytes + p.ioWriteBytes;
      // A pid reused by a new process: its start time differs, so it is a new key.
      r.procIo.set(p.pid, this.io.rate(`${p.pid}/${p.startSecondsSinceBoot}`, bytes, proc!.intervalMs));
    }
    const sc = snap.get('syscall')?.data;
    for (const p of sc?.processes ?? []) r.procCalls.set(p.pid, this.procCalls.rate(String(p.pid), p.count, sc!.intervalMs));
    for (const s of sc?.syscalls ?? []) r.callRates.set(s.id, this.calls.rate(String(s.id), s.count, sc!.intervalMs));
    const fs = snap.get('fs')?.data;
    for (const d of fs?.devices ?? []) {
      r.deviceRates.set(d.name, { read: this.devices.rate(`${d.name}/r`, d.bytesRead, fs!.intervalMs), written: this.devices.rate(`${d.name}/w`, d.bytesWritten, fs!.intervalMs) });
    }
    r.runQueue = this.latency(snap);
    for (const c of [this.io, this.procCalls, this.calls, this.devices]) c.next();
    return r;
  }

  private latency(snap: Snapshot): LatencyWindow | null {
    const cpu = snap.get('cpu')?.data;
    const h = cpu?.runQueueLatency ?? null;
    const since = cpu?.runQueueLatencySince ?? null;
    if (h === null || since === null) return (this.runQueue = null);
    const prev = this.runQueue;
    this.runQueue = { since, at: snap.timestamp, histogram: h };
    // The same counters as last time (the governor did not restart them): the difference is the interval's.
    if (prev !== null && prev.since === since) return { histogram: log2HistogramDelta(prev.histogram, h), window: `over ${Math.round(snap.timestamp - prev.at)} ms` };
    return { histogram: h, window: `since ${since}` };
  }
}
