import { ConfigError, createEventStream, type EventFeed, type EventStream, type SourceEventOptions } from '@bpfscope/core';
import type { FsEvent, FsEventType } from '../records-events.js';

const KINDS: readonly FsEventType[] = ['slow-io', 'open'];

/** The kinds a stream wants (option `types`), checked; null for all. @internal */
export function eventTypes(options: Readonly<Record<string, unknown>>): ReadonlySet<FsEventType> | null {
  const t = options.types;
  if (t === undefined) return null;
  if (!Array.isArray(t) || t.length === 0 || t.some((k) => !KINDS.includes(k as FsEventType))) {
    throw new ConfigError('events.types', t, `a non-empty array of ${KINDS.map((k) => `'${k}'`).join(', ')}`);
  }
  return new Set(t as FsEventType[]);
}

/** One kernel part's events: the kinds it gives and how to start them (as `FsKernelPart.startEvents`). @internal */
export interface PartFeed {
  readonly kinds: readonly FsEventType[];
  start(push: (event: FsEvent) => void, fail: (error: unknown) => void): Promise<EventFeed> | null;
}

/**
 * One stream over the feeds of several kernel parts: each part pushes into the same queue,
 * in the order its ring buffer gives them (no order across parts). A part none of whose kinds
 * the stream wants is not started (its events take no ring space). A part that fails to start
 * stops those started and fails the stream. Kernel drops are summed over the parts that count them.
 * @internal
 */
export function mergedEventStream(parts: readonly PartFeed[], options: SourceEventOptions): EventStream<FsEvent> {
  const { signal, queue, ...rest } = options;
  const types = eventTypes(rest);
  return createEventStream<FsEvent>({
    family: 'fs',
    queue,
    signal,
    start: async (push, fail) => {
      const keep = types === null ? push : (e: FsEvent): void => void (types.has(e.type) && push(e));
      const feeds: EventFeed[] = [];
      try {
        for (const part of parts) {
          if (types !== null && !part.kinds.some((k) => types.has(k))) continue;
          const feed = part.start(keep, fail);
          if (feed !== null) feeds.push(await feed);
        }
      } catch (e) {
        for (const f of feeds) f.stop();
        throw e;
      }
      return {
        stop: () => {
          for (const f of feeds) f.stop();
        },
        kernelDropped: () => {
          const counts = feeds.map((f) => f.kernelDropped()).filter((n): n is number => n !== null);
          return counts.length === 0 ? null : counts.reduce((a, b) => a + b, 0);
        },
      };
    },
  });
}
