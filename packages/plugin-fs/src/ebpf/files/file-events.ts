import { decodeCString, type LoadedBpfObject, type RingBatch } from '@bpfscope/native';
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

/** What {@link subscribeOpenEvents} needs. @internal */
export interface OpenEventDeps {
  readonly handle: LoadedBpfObject;
  readonly layouts: FileLayouts;
  readonly toEpochMs: ToEpochMs;
  readonly batchSize: number;
  /** Counts the events handed to JavaScript. */
  readonly delivered: (n: number) => void;
}

/**
 * Deliver the open events of watched paths from the object's `fs_events` ring buffer. The
 * kernel sends them whether a stream is open or not (they are rare: opens under a watched
 * path); a full ring is counted in the object's stats map.
 * @internal
 */
export function subscribeOpenEvents(deps: OpenEventDeps, push: (e: FsOpenEvent) => void, fail: (error: unknown) => void): EventFeed {
  const ring = deps.handle.subscribeRing('fs_events', { statsMap: 'fs_file_stats', batchSize: deps.batchSize });
  ring.onError(fail);
  ring.onBatch((batch: RingBatch) => {
    const bytes = new Uint8Array(batch.buffer);
    for (let i = 0; i < batch.length; i++) push(decodeOpenEvent(batch.view, bytes, batch.offset(i), deps.layouts, deps.toEpochMs));
    deps.delivered(batch.length);
  });
  return { stop: () => ring.close(), kernelDropped: () => ring.stats().kernelDropped ?? null };
}
