import { EventProcessingFailed, type Clock } from '@bpfscope/core';
import { requireStruct, type MapBatch, type StructLayout } from '@bpfscope/native';
import type { ThermalTripEvent } from '../records-events.js';
import type { ZoneKernelReadings } from '../records.js';

/** Layouts of bpf/thermal/thermal.h, checked against the object's BTF. @internal */
export interface ThermalLayouts {
  zone: StructLayout;
  trip: StructLayout;
  cdev: StructLayout;
}

/** Take the layouts from the object's BTF; a drift between the object and the decoders is a LoadFailed. @internal */
export function thermalLayouts(layouts: ReadonlyMap<string, StructLayout>): ThermalLayouts {
  return {
    zone: requireStruct(layouts, 'thermal_zone_agg', { min_mc: 4, max_mc: 4, last_mc: 4, readings: 8, trips: 8, last_ns: 8 }),
    trip: requireStruct(layouts, 'thermal_trip_ev', { ts_ns: 8, zone_id: 4, trip: 4, trip_type: 4, temp_mc: 4 }),
    cdev: requireStruct(layouts, 'thermal_cdev_agg', { updates: 8, last_target: 8, last_ns: 8 }),
  };
}

/** The kernel's enum thermal_trip_type, in its order (include/uapi/linux/thermal.h). */
const TRIP_TYPES = ['active', 'passive', 'hot', 'critical'];

/** A trip type number as the sysfs `trip_point_N_type` file names it. @internal */
export function tripTypeName(n: number): string {
  return TRIP_TYPES[n] ?? `type ${n}`;
}

const u64 = (v: DataView, at: number): number => v.getUint32(at + 4, true) * 4294967296 + v.getUint32(at, true);

function checkBatch(batch: MapBatch, layout: StructLayout, map: string): DataView {
  if (batch.values.length !== batch.count * layout.size || batch.keys.length !== batch.count * 4) {
    throw new EventProcessingFailed(`${map}: ${batch.count} entries but ${batch.keys.length} key bytes and ${batch.values.length} value bytes (struct ${layout.name} is ${layout.size} bytes)`, {
      details: { map, count: batch.count, size: layout.size },
    });
  }
  return new DataView(batch.values.buffer, batch.values.byteOffset, batch.values.byteLength);
}

/** The zones' aggregates drained from `thermal_zones`, by zone id. @internal */
export function decodeZones(batch: MapBatch, layout: StructLayout): Map<number, ZoneKernelReadings> {
  const v = checkBatch(batch, layout, 'thermal_zones');
  const keys = new DataView(batch.keys.buffer, batch.keys.byteOffset, batch.keys.byteLength);
  const f = layout.fields;
  const out = new Map<number, ZoneKernelReadings>();
  for (let i = 0; i < batch.count; i++) {
    const at = i * layout.size;
    const readings = u64(v, at + f.readings!.offset);
    out.set(keys.getUint32(i * 4, true), {
      readings,
      tripCrossings: u64(v, at + f.trips!.offset),
      minCelsius: readings > 0 ? v.getInt32(at + f.min_mc!.offset, true) / 1000 : null,
      maxCelsius: readings > 0 ? v.getInt32(at + f.max_mc!.offset, true) / 1000 : null,
    });
  }
  return out;
}

/** The cooling devices' update counts drained from `thermal_cdevs`, by device id. @internal */
export function decodeCoolingUpdates(batch: MapBatch, layout: StructLayout): Map<number, number> {
  const v = checkBatch(batch, layout, 'thermal_cdevs');
  const keys = new DataView(batch.keys.buffer, batch.keys.byteOffset, batch.keys.byteLength);
  const out = new Map<number, number>();
  for (let i = 0; i < batch.count; i++) out.set(keys.getUint32(i * 4, true), u64(v, i * layout.size + layout.fields.updates!.offset));
  return out;
}

/**
 * One trip crossing from the `thermal_trips` ring.
 * @param clock - the engine's clock: the kernel's timestamp is on its monotonic clock
 * @throws {@link @bpfscope/core!EventProcessingFailed} for a record of the wrong size
 * @internal
 */
export function decodeTrip(bytes: Uint8Array, layout: StructLayout, clock: Clock): ThermalTripEvent {
  if (bytes.length < layout.size) throw new EventProcessingFailed(`a thermal trip record of ${bytes.length} bytes, struct thermal_trip_ev is ${layout.size}`, { details: { bytes: bytes.length, size: layout.size } });
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const f = layout.fields;
  const tsNs = v.getBigUint64(f.ts_ns!.offset, true);
  return {
    type: 'trip',
    zoneId: v.getInt32(f.zone_id!.offset, true),
    trip: v.getInt32(f.trip!.offset, true),
    tripType: tripTypeName(v.getInt32(f.trip_type!.offset, true)),
    temperatureCelsius: v.getInt32(f.temp_mc!.offset, true) / 1000,
    timeMs: clock.wallMs() - Number(clock.monotonicNs() - tsNs) / 1e6,
    monotonicMs: Number(tsNs) / 1e6,
    source: 'ebpf',
  };
}
