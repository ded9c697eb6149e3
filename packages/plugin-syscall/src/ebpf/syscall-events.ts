import { ConfigError, createEventStream, type EventStream, type SourceEventOptions } from '@bpfscope/core';
import { requireStruct, type LoadedBpfObject, type StructLayout } from '@bpfscope/native';
import type { SyscallCategory } from '../syscall-category.js';
import { CommCache } from './comm-cache.js';
import { syscallCategory, syscallName } from '../syscall-table.js';

/**
 * One sampled system call, from `engine.events('syscall', ...)`. In latency mode the event is
 * sent when the call returns and carries its result and duration; in counts mode it is sent
 * at entry and these are null (counts mode attaches no sys_exit program).
 */
export interface SyscallEvent {
  /** Process id (tgid). */
  readonly pid: number;
  /** Thread id. */
  readonly tid: number;
  /** The calling thread's name (comm) at the call. */
  readonly comm: string;
  /** x86_64 system call number. */
  readonly id: number;
  /** Its name, or null for a number the table does not have. */
  readonly name: string | null;
  /** Its kind (`unknown` for a number the table does not have). */
  readonly category: SyscallCategory;
  /** The return value (negative: -errno), or null in counts mode and for calls that never return (exit). */
  readonly ret: number | null;
  /** Entry to return, ns (latency mode), or null. */
  readonly durationNs: number | null;
  /** Entry time, ms since the epoch (the kernel's monotonic clock mapped once per stream). */
  readonly time: number;
  /** Entry time on the kernel's monotonic clock (`bpf_ktime_get_ns`), ns. */
  readonly monotonicNs: bigint;
  /** Calls this event stands for: the stream's `sampleEvery` (1: every call). */
  readonly weight: number;
}

/** Options of `engine.events('syscall', ...)` beyond the signal and queue. */
export interface SyscallEventOptions {
  /**
   * Send one call in this many, sampled in the kernel (a counter per engine over the calls
   * its filter lets through): each event's `weight` is this number. The calls sampled away
   * are counted (`engine.stats()`: `eventsSampledAway`), and the family's readings count
   * every call whatever the sampling. Streams of one engine open at the same time share one
   * rate. @default 1
   */
  sampleEvery?: number;
}

declare module '@bpfscope/core' {
  interface FamilyEvents {
    syscall: SyscallEvent;
  }
  interface FamilyEventOptions {
    syscall: SyscallEventOptions;
  }
}

/** Layout of struct sc_event, checked against the object's BTF. @internal */
export function eventLayout(layouts: Map<string, StructLayout>): StructLayout {
  return requireStruct(layouts, 'sc_event', { ts: 8, duration_ns: 8, ret: 8, weight: 8, pid: 4, tid: 4, id: 4, slot: 4, has_ret: 4, comm: 16 });
}

/** What the event stream needs of the eBPF source. @internal */
export interface SyscallEventDeps {
  readonly handle: LoadedBpfObject;
  readonly slot: number;
  readonly layout: StructLayout;
  /** Records per crossing from the ring to JavaScript (the config's `batchSize`). */
  readonly batchSize: number;
  /** Turn the slot's events on at this rate (the first stream) or take one more stream at the rate in force. */
  subscribe(sampleEvery: number): void;
  /** One stream fewer; the last one turns the slot's events off. */
  unsubscribe(): void;
  /** Events of this slot the kernel found no room for in the ring. */
  dropped(): number;
  /** The user-space part of the filter (what the kernel did not apply). */
  keep(e: SyscallEvent): boolean;
}

/**
 * Check the family's event options.
 * @returns the sampling rate
 * @throws {@link ConfigError} naming `events.<key>` for an unknown key or a bad value
 * @internal
 */
export function checkEventOptions(rest: Readonly<Record<string, unknown>>): number {
  for (const key of Object.keys(rest)) if (key !== 'sampleEvery') throw new ConfigError(`events.${key}`, rest[key], 'no such option of syscall events (sampleEvery)');
  const every = rest.sampleEvery ?? 1;
  if (!Number.isSafeInteger(every) || (every as number) < 1) throw new ConfigError('events.sampleEvery', every, 'an integer ≥ 1 (1: every call)');
  return every as number;
}

/** The offsets of struct sc_event's fields, from its layout (read once per stream, not per record). */
interface EventOffsets {
  readonly ts: number;
  readonly durationNs: number;
  readonly ret: number;
  readonly weight: number;
  readonly pid: number;
  readonly tid: number;
  readonly id: number;
  readonly slot: number;
  readonly hasRet: number;
  readonly comm: number;
}

function offsetsOf(l: StructLayout): EventOffsets {
  const f = l.fields;
  return {
    ts: f.ts!.offset,
    durationNs: f.duration_ns!.offset,
    ret: f.ret!.offset,
    weight: f.weight!.offset,
    pid: f.pid!.offset,
    tid: f.tid!.offset,
    id: f.id!.offset,
    slot: f.slot!.offset,
    hasRet: f.has_ret!.offset,
    comm: f.comm!.offset,
  };
}

/** Decode the `struct sc_event` at byte `at` of a batch (no view or copy per record). */
/** A u64 (`signed`: an s64) at byte `at` as a number, rounded as `Number(bigint)` rounds it, without a BigInt. */
function u64(view: DataView, at: number, signed = false): number {
  const hi = signed ? view.getInt32(at + 4, true) : view.getUint32(at + 4, true);
  return hi * 4294967296 + view.getUint32(at, true);
}

function decodeAt(view: DataView, bytes: Uint8Array, at: number, o: EventOffsets, comms: CommCache, toEpochMs: (ns: number) => number): SyscallEvent {
  const id = view.getUint32(at + o.id, true);
  const hasRet = view.getUint32(at + o.hasRet, true) === 1;
  const ts = view.getBigUint64(at + o.ts, true);
  return {
    pid: view.getUint32(at + o.pid, true),
    tid: view.getUint32(at + o.tid, true),
    comm: comms.get(view, bytes, at + o.comm),
    id,
    name: syscallName(id),
    category: syscallCategory(id) ?? 'unknown',
    ret: hasRet ? u64(view, at + o.ret, true) : null,
    durationNs: hasRet ? u64(view, at + o.durationNs) : null,
    time: toEpochMs(u64(view, at + o.ts)),
    monotonicNs: ts,
    weight: u64(view, at + o.weight),
  };
}

/** Decode one `struct sc_event`. @internal */
export function decodeSyscallEvent(data: Uint8Array, l: StructLayout, toEpochMs: (ns: number) => number): SyscallEvent & { slot: number } {
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const o = offsetsOf(l);
  return { ...decodeAt(v, data, 0, o, new CommCache(), toEpochMs), slot: v.getUint32(o.slot, true) };
}

/**
 * The syscall family's events: the engine's slot of the shared object sends sampled calls
 * into the `sc_events` ring buffer (one consumer per process, each stream keeping its slot's
 * records) only while a stream is subscribed.
 * @throws {@link ConfigError} for an unknown or bad option
 * @internal
 */
export function syscallEventStream(deps: SyscallEventDeps, options: SourceEventOptions): EventStream<SyscallEvent> {
  const { signal, queue, ...rest } = options;
  const every = checkEventOptions(rest);
  return createEventStream<SyscallEvent>({
    family: 'syscall',
    queue,
    signal,
    start: async (push, fail) => {
      const ring = deps.handle.subscribeRing('sc_events', { statsMap: 'sc_stats', batchSize: deps.batchSize });
      try {
        const offset = Date.now() - Number(process.hrtime.bigint()) / 1e6;
        const toEpochMs = (ns: number): number => offset + ns / 1e6;
        ring.onError(fail);
        const o = offsetsOf(deps.layout);
        const comms = new CommCache();
        ring.onBatch((batch) => {
          // Fields straight from the batch's buffer; another engine's records are skipped undecoded.
          const view = batch.view;
          const bytes = new Uint8Array(batch.buffer);
          for (let i = 0; i < batch.length; i++) {
            const at = batch.offset(i);
            if (view.getUint32(at + o.slot, true) !== deps.slot) continue;
            const e = decodeAt(view, bytes, at, o, comms, toEpochMs);
            if (deps.keep(e)) push(e);
          }
        });
        // Subscribed first, then the kernel told to send: no event is sent unread.
        deps.subscribe(every);
      } catch (e) {
        ring.close();
        throw e;
      }
      let stopped = false;
      return {
        stop: () => {
          if (stopped) return;
          stopped = true;
          deps.unsubscribe();
          ring.close();
        },
        kernelDropped: () => deps.dropped(),
      };
    },
  });
}
