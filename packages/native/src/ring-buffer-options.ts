// Options, counters and argument checks of RingBufferConsumer.
import { ConfigError, MapOperationFailed } from '@bpfscope/core';
import type { BpfMap } from './bpf-map.js';
import type { BpfObject } from './bpf-object.js';
import type { RawBpfObject } from './raw-binding.js';
import type { RingBufferConsumer } from './ring-buffer.js';

/** Options of {@link BpfObject.ringBuffer}. */
export interface RingBufferOptions {
  /** Records per batch (one crossing to JavaScript); a batch is also cut when a drain of the rings ends. @default 100 (the config's `batchSize`) */
  batchSize?: number;
  /** Aborting it closes the consumer; an async iterator then ends (without an error) after the batches it already holds. */
  signal?: AbortSignal;
  /** Name of the object's `BPFSCOPE_STATS_MAP`, whose drops slot the BPF side increments when `bpf_ringbuf_reserve` fails (bpf/include/bpfscope_ringbuf.h). Without it {@link RingBufferStats.kernelDropped} is unavailable. */
  statsMap?: string;
  /** Batches an async iterator may hold unread before the consumer stops polling (the kernel ring then fills and counts drops); polling resumes when the reader is down to half. @default 16 */
  maxQueuedBatches?: number;
  /**
   * Busy polling period, ms (an integer from 0 to 1000). The kernel wakes a consumer that
   * has caught up for nearly every record, so under a steady flood each wake-up brings a few
   * records and costs a crossing into JavaScript. Once wake-ups come less than this apart,
   * the consumer stops watching the rings and drains them on a timer of this period instead
   * (about one crossing per period, up to `batchSize` records each), for as long as each poll
   * finds records and they fill less than a quarter of the smallest ring; the first poll that
   * finds the rings empty goes back to waiting for the kernel, so an idle consumer runs
   * nothing. It adds up to about one period (plus the event loop's lag) to a record's delivery
   * latency while busy. 0 turns it off: every wake-up is served.
   * @default 1
   */
  busyPollMs?: number;
}

/** Counters of a {@link RingBufferConsumer}: received + dropped + lost accounts for every record the BPF side tried to send. */
export interface RingBufferStats {
  /** Records handed to JavaScript (to the listeners and iterators). */
  delivered: number;
  /** Crossings: one ArrayBuffer and one call each. */
  batches: number;
  /** Records the kernel could not put in a full ring, from the stats map's drops slot, summed over CPUs, since the object was loaded (every ring buffer of the object). Undefined when unavailable: see `kernelDroppedUnavailable`. */
  kernelDropped: number | undefined;
  /** Why `kernelDropped` is undefined. */
  kernelDroppedUnavailable?: string;
  /** Records taken from a ring that could not be delivered: only when memory ran out (each is also reported to {@link RingBufferConsumer.onError}). */
  lost: number;
  /** Times the kernel woke the consumer (the rings' epoll fd became readable). */
  wakeups: number;
  /** Polls of the rings by the busy-polling timer (see {@link RingBufferOptions.busyPollMs}). */
  timedPolls: number;
  /** True while the consumer polls on its busy timer rather than waiting for the kernel; false once idle. */
  busyPolling: boolean;
  /** True while the consumer is not polling (paused, no listener, or an iterator behind). */
  paused: boolean;
  /** True after {@link RingBufferConsumer.close}; the counters are then final. */
  closed: boolean;
}

/** What a consumer needs from its {@link BpfObject}. @internal */
export interface RingBufferHost {
  readonly name: string;
  readonly raw: RawBpfObject;
  readonly loaded: boolean;
  map(name: string): BpfMap;
  release(consumer: RingBufferConsumer): void;
}

/** @internal */
export function integerOption(value: number | undefined, path: string, fallback: number, max: number, min = 1): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) throw new ConfigError(path, value, `an integer from ${min} to ${max}`);
  return value;
}

/** The map names, checked against the object before anything reaches the kernel. @internal */
export function ringMaps(host: RingBufferHost, maps: string | readonly string[]): string[] {
  const names = typeof maps === 'string' ? [maps] : Array.isArray(maps) ? [...(maps as readonly unknown[])] : [];
  if (names.length === 0 || names.some((n) => typeof n !== 'string') || new Set(names).size !== names.length) {
    throw new ConfigError('maps', maps, 'a ring buffer map name or a non-empty array of distinct names');
  }
  const infos = host.raw.maps();
  const rings = infos.filter((m) => m.type === 'ringbuf').map((m) => m.name);
  const known = `ring buffers of object ${host.name}: ${rings.join(', ') || 'none'}`;
  for (const name of names as string[]) {
    const info = infos.find((m) => m.name === name);
    if (info === undefined) {
      throw new MapOperationFailed(name, 'ring_buffer', `object ${host.name} has no map named ${JSON.stringify(name)}; ${known}`, { details: { object: host.name, ringBuffers: rings } });
    }
    if (info.type !== 'ringbuf') {
      throw new MapOperationFailed(name, 'ring_buffer', `map ${name} is a ${info.type} map, not a ring buffer (ringbuf); ${known}`, { details: { object: host.name, type: info.type, ringBuffers: rings } });
    }
  }
  if (!host.loaded) {
    throw new MapOperationFailed(names[0] as string, 'ring_buffer', `object ${host.name} is not loaded: await load() before reading its ring buffers`, { details: { object: host.name } });
  }
  return names as string[];
}
