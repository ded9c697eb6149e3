import { awaitOrAbort, ConfigError, createEventStream, EventProcessingFailed, type EventStream, type SourceEventOptions } from '@bpfscope/core';
import { decodeCString, loadNative, type BpfObject, type NativeObjectLoader } from '@bpfscope/native';
import { formatAddress } from '../procfs/kernel-address.js';
import { stateName } from '../procfs/tcp-states.js';
import type { NetEvent, NetEventBase, NetEventType } from '../records-events.js';
import { u64, netLayouts, type NetLayouts } from './net-layouts.js';
import type { ToEpochMs } from './decode-connections.js';

/** enum net_ev_type (bpf/net/net.h). */
const EV = { state: 1, connect: 2, accept: 3, close: 4, retrans: 5, rstSent: 6, rstRecv: 7 } as const;

/** Sampling classes of the event kinds (the kernel's event type; both resets are one class). @internal */
export const NET_EVENT_CLASSES: Readonly<Record<NetEventType, number>> = { state: 1, connect: 2, accept: 3, close: 4, retransmit: 5, reset: 6 };

const KINDS = Object.keys(NET_EVENT_CLASSES) as NetEventType[];

/** Events handed to JavaScript by the streams of each object file, in this process. */
const delivered = new Map<string, number>();

/** Events the streams of `objectPath` handed to JavaScript in this process. @internal */
export function deliveredEvents(objectPath: string): number {
  return delivered.get(objectPath) ?? 0;
}

/** Decode one `struct net_ev` at `at` into its events (a connect, accept or close record also gives its state change first). @internal */
export function decodeNetEventAt(v: DataView, bytes: Uint8Array, at: number, layouts: NetLayouts, toEpochMs: ToEpochMs, into: NetEvent[]): boolean {
  const o = layouts.event;
  const type = v.getUint32(at + o.type, true);
  const v6 = v.getUint32(at + o.family, true) === 10;
  const len = v6 ? 16 : 4;
  const pid = v.getUint32(at + o.pid, true);
  const tsNs = u64(v, at + o.ts_ns);
  const base: NetEventBase = {
    time: toEpochMs(tsNs),
    pid,
    comm: pid === 0 ? '' : decodeCString(bytes, at + o.comm, 16),
    cgroupId: pid === 0 ? null : u64(v, at + o.cgroup_id),
    protocol: 'tcp',
    family: v6 ? 6 : 4,
    localAddress: formatAddress(bytes.subarray(at + o.saddr, at + o.saddr + len)),
    localPort: v.getUint32(at + o.sport, true),
    remoteAddress: formatAddress(bytes.subarray(at + o.daddr, at + o.daddr + len)),
    remotePort: v.getUint32(at + o.dport, true),
    weight: u64(v, at + o.weight),
  };
  const oldState = stateName(v.getUint32(at + o.old_state, true));
  const newState = stateName(v.getUint32(at + o.new_state, true));
  switch (type) {
    case EV.state: case EV.connect: case EV.accept: case EV.close:
      into.push({ ...base, type: 'state', oldState, newState });
      break;
    case EV.retrans:
      into.push({ ...base, type: 'retransmit', state: newState });
      return true;
    case EV.rstSent: case EV.rstRecv:
      into.push({ ...base, type: 'reset', direction: type === EV.rstSent ? 'sent' : 'received', state: newState });
      return true;
    default:
      return false;
  }
  if (type === EV.connect) into.push({ ...base, type: 'connect' });
  else if (type === EV.accept) into.push({ ...base, type: 'accept' });
  else if (type === EV.close) {
    const startNs = u64(v, at + o.start_ns);
    const rtt = u64(v, at + o.srtt_us);
    into.push({
      ...base,
      type: 'close',
      bytesSent: u64(v, at + o.bytes_sent),
      bytesReceived: u64(v, at + o.bytes_received),
      packetsSent: u64(v, at + o.segs_out),
      packetsReceived: u64(v, at + o.segs_in),
      retransmits: u64(v, at + o.retrans),
      rttUs: rtt,
      durationMs: startNs === 0 ? null : (tsNs - startNs) / 1e6,
    });
  }
  return true;
}

/** Which kinds a stream wants (`types`), checked. */
function eventTypes(options: Readonly<Record<string, unknown>>): ReadonlySet<NetEventType> | null {
  const t = options.types;
  if (t === undefined) return null;
  if (!Array.isArray(t) || t.some((k) => !KINDS.includes(k as NetEventType))) throw new ConfigError('events.types', t, `an array of ${KINDS.map((k) => `'${k}'`).join(', ')}`);
  return new Set(t as NetEventType[]);
}

/** Where the net events come from. @internal */
export interface NetEventDeps {
  readonly loader: NativeObjectLoader;
  readonly objectPath: string;
  readonly toEpochMs: ToEpochMs;
  readonly batchSize?: number;
}

/**
 * The net family's events from the object's `net_events` ring buffer: TCP state changes
 * (connect, accept and close also as their own events, close with the connection's totals),
 * retransmits and resets. The hooks are attached by the source; a stream turns the events
 * on in the kernel (net_evon counts open streams) so that no event takes ring space while
 * nobody reads them. Option `types`: the kinds to keep (default all).
 * @throws {@link ConfigError} for a bad `types`
 * @internal
 */
export function netEventStream(deps: NetEventDeps, options: SourceEventOptions): EventStream<NetEvent> {
  const { signal, queue, ...rest } = options;
  const types = eventTypes(rest);
  return createEventStream<NetEvent>({
    family: 'net',
    queue,
    signal,
    start: async (push, fail) => {
      loadNative();
      const loading = deps.loader.load({ path: deps.objectPath });
      const handle = await awaitOrAbort(loading, signal, () => void loading.then((h) => h.close(), () => undefined));
      let counted = false;
      try {
        const layouts = netLayouts(handle.structLayouts());
        const ring = handle.subscribeRing('net_events', { statsMap: 'net_stats', ...(deps.batchSize === undefined ? {} : { batchSize: deps.batchSize }) });
        let unknown = 0;
        const out: NetEvent[] = [];
        ring.onError(fail);
        ring.onBatch((batch) => {
          const bytes = new Uint8Array(batch.buffer);
          for (let i = 0; i < batch.length; i++) {
            out.length = 0;
            if (!decodeNetEventAt(batch.view, bytes, batch.offset(i), layouts, deps.toEpochMs, out)) {
              if (unknown++ === 0) fail(new EventProcessingFailed('a net_events record of an unknown type (an object newer than this package?)'));
              continue;
            }
            delivered.set(deps.objectPath, (delivered.get(deps.objectPath) ?? 0) + out.length);
            for (const e of out) if (types === null || types.has(e.type)) push(e);
          }
        });
        streams(handle.object, +1);
        counted = true;
        return {
          stop: () => {
            streams(handle.object, -1);
            handle.close();
          },
          kernelDropped: () => ring.stats().kernelDropped ?? null,
        };
      } catch (e) {
        if (counted) streams(handle.object, -1);
        handle.close();
        throw e;
      }
    },
  });
}

/** Adds `d` to the object's count of open streams (net_evon[0]). */
function streams(obj: BpfObject, d: number): void {
  const map = obj.map('net_evon');
  const key = new Uint8Array(4);
  const now = map.lookup(key);
  const n = now === undefined ? 0 : new DataView(now.buffer, now.byteOffset).getUint32(0, true);
  const value = new Uint8Array(4);
  new DataView(value.buffer).setUint32(0, Math.max(0, n + d), true);
  map.update(key, value);
}
