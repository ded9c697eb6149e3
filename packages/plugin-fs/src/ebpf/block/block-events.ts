import { EventProcessingFailed, type EventFeed } from '@bpfscope/core';
import { decodeCString, type LoadedBpfObject } from '@bpfscope/native';
import type { FsSlowIoEvent } from '../../records-events.js';
import { u64, type BlockLayouts } from './block-layouts.js';
import { devName } from './decode-devices.js';
import type { BlockSettings } from './block-settings.js';

/** enum fs_blk_op (bpf/fs/fs_block.h), by value. */
const OPERATIONS: ReadonlyArray<FsSlowIoEvent['operation']> = ['read', 'write', 'flush', 'discard', 'other'];

/** Kernel monotonic ns to ms since the epoch. @internal */
export type ToEpochMs = (monotonicNs: number) => number;

/**
 * Decode one `struct fs_blk_ev` at `at`.
 * @param names - kernel names by `major:minor`
 * @returns the event, or null for an op this package does not know (an object newer than it)
 * @internal
 */
export function decodeSlowIo(v: DataView, bytes: Uint8Array, at: number, layouts: BlockLayouts, toEpochMs: ToEpochMs, names: ReadonlyMap<string, string>): FsSlowIoEvent | null {
  const o = layouts.event;
  const operation = OPERATIONS[v.getUint32(at + o.op, true)];
  if (operation === undefined) return null;
  const dev = devName(v.getUint32(at + o.dev, true));
  const pid = v.getUint32(at + o.pid, true);
  return {
    type: 'slow-io',
    time: toEpochMs(u64(v, at + o.ts_ns)),
    pid,
    comm: decodeCString(bytes, at + o.comm, 16),
    weight: 1,
    dev,
    device: names.get(dev) ?? null,
    operation,
    sector: u64(v, at + o.sector),
    bytes: v.getUint32(at + o.bytes, true),
    latencyUs: u64(v, at + o.latency_ns) / 1000,
  };
}

/** What a block event feed needs from its part. @internal */
export interface BlockFeedDeps {
  readonly handle: LoadedBpfObject;
  readonly layouts: BlockLayouts;
  readonly settings: BlockSettings;
  readonly toEpochMs: ToEpochMs;
  readonly batchSize: number;
  /** This part's threshold, ns: the kernel's may be lower for another engine. */
  readonly thresholdNs: number;
  /** The devices this part's filter keeps (dev_t; a whole disk keeps its partitions), or null for all: the kernel's filter may be another engine's. */
  wanted(): ReadonlySet<number> | null;
  /** Kernel names by `major:minor`, as last read. */
  names(): ReadonlyMap<string, string>;
  /** Called with a `major:minor` no name is known for (the part reads the names again). */
  unknown(dev: string): void;
  /** Counts each event handed to JavaScript. */
  delivered(n: number): void;
}

/**
 * Start delivering slow-io events from fs_blk_events: subscribes to the ring and counts the
 * stream in the kernel settings (no event takes ring space while no stream is open).
 * @internal
 */
export function startBlockFeed(deps: BlockFeedDeps, push: (e: FsSlowIoEvent) => void, fail: (error: unknown) => void): EventFeed {
  const ring = deps.handle.subscribeRing('fs_blk_events', { statsMap: 'fs_blk_stats', batchSize: deps.batchSize });
  const o = deps.layouts.event;
  let failed = false;
  ring.onError(fail);
  ring.onBatch((batch) => {
    const bytes = new Uint8Array(batch.buffer);
    const v = batch.view;
    const wanted = deps.wanted();
    const names = deps.names();
    let n = 0;
    for (let i = 0; i < batch.length; i++) {
      const at = batch.offset(i);
      if (u64(v, at + o.latency_ns) < deps.thresholdNs) continue;
      // A whole disk in the filter keeps its partitions' requests.
      if (wanted !== null && !wanted.has(v.getUint32(at + o.dev, true)) && !wanted.has(v.getUint32(at + o.disk, true))) continue;
      const e = decodeSlowIo(v, bytes, at, deps.layouts, deps.toEpochMs, names);
      if (e === null) {
        if (!failed) fail(new EventProcessingFailed('a fs_blk_events record of an unknown op (an object newer than this package?)'));
        failed = true;
        continue;
      }
      if (e.device === null) deps.unknown(e.dev);
      n++;
      push(e);
    }
    deps.delivered(n);
  });
  deps.settings.streams(1);
  let stopped = false;
  return {
    stop: () => {
      if (stopped) return;
      stopped = true;
      deps.settings.streams(-1);
      ring.close();
    },
    kernelDropped: () => ring.stats().kernelDropped ?? null,
  };
}
