import { decodeCString, type LoadedBpfObject, type RingBatch, type RingSubscription } from '@bpfscope/native';
import type { EventFeed } from '@bpfscope/core';
import type { FsOpenEvent } from '../../records-events.js';
import { u64, type FileLayouts } from './file-layouts.js';
import { kernelDevText } from './kernel-dev.js';

/** Kernel monotonic ns to ms since the epoch. @internal */
export type ToEpochMs = (ns: number) => number;

const decoder = new TextDecoder('utf-8', { fatal: false });

/** Decode one `struct fs_open_ev` at `at`. @internal */
export function decodeOpenEvent(view: DataView, bytes: Uint8Array, at: number, layouts: FileLayouts, toEpochMs: ToEpochMs): FsOpenEvent {
  const o = layouts.openEv;
  const len = Math.min(view.getUint32(at + o.path_len, true), o.pathSize);
  return {
    type: 'open',
    time: toEpochMs(u64(view, at + o.ts_ns)),
    pid: view.getUint32(at + o.pid, true),
    comm: decodeCString(bytes, at + o.comm, 16),
    weight: 1,
    dev: kernelDevText(view.getUint32(at + o.dev, true)),
    inode: u64(view, at + o.ino),
    path: decoder.decode(bytes.subarray(at + o.path, at + o.path + len)),
    flags: view.getUint32(at + o.flags, true),
  };
}

/** What {@link OpenEventFeeds} needs. @internal */
export interface OpenEventDeps {
  readonly handle: LoadedBpfObject;
  readonly layouts: FileLayouts;
  readonly toEpochMs: ToEpochMs;
  readonly batchSize: number;
  /** Counts the events handed to JavaScript. */
  readonly delivered: (n: number) => void;
}

interface Listener {
  push: (e: FsOpenEvent) => void;
  fail: (error: unknown) => void;
}

/**
 * The open events of watched paths from the object's `fs_events` ring buffer, for every
 * stream open on them: one consumer of the ring (two would split its records), subscribed
 * while a stream is open, each event decoded once and handed to every stream. The kernel
 * sends them whether a stream is open or not (they are rare: opens under a watched path); a
 * full ring is counted in the object's stats map.
 * @internal
 */
export class OpenEventFeeds {
  readonly #listeners = new Set<Listener>();
  #ring: RingSubscription | null = null;

  constructor(private readonly deps: OpenEventDeps) {}

  /** Start delivering to `push` until the feed stops. */
  add(push: (e: FsOpenEvent) => void, fail: (error: unknown) => void): EventFeed {
    const listener: Listener = { push, fail };
    const ring = this.#ring ?? this.#subscribe();
    this.#listeners.add(listener);
    return {
      stop: () => {
        if (!this.#listeners.delete(listener) || this.#listeners.size > 0) return;
        this.#ring?.close();
        this.#ring = null;
      },
      kernelDropped: () => ring.stats().kernelDropped ?? null,
    };
  }

  /** Stop every feed (the part closes). */
  close(): void {
    this.#listeners.clear();
    this.#ring?.close();
    this.#ring = null;
  }

  #subscribe(): RingSubscription {
    const d = this.deps;
    const ring = d.handle.subscribeRing('fs_events', { statsMap: 'fs_file_stats', batchSize: d.batchSize });
    ring.onError((e) => {
      for (const l of this.#listeners) l.fail(e);
    });
    ring.onBatch((batch: RingBatch) => {
      const bytes = new Uint8Array(batch.buffer);
      for (let i = 0; i < batch.length; i++) {
        const e = decodeOpenEvent(batch.view, bytes, batch.offset(i), d.layouts, d.toEpochMs);
        for (const l of this.#listeners) l.push(e);
      }
      d.delivered(batch.length);
    });
    this.#ring = ring;
    return ring;
  }
}
