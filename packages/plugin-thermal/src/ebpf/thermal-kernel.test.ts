// The decoders against the layouts in the shipped object's BTF (no kernel needed): records
// written at the offsets BTF gives decode to the values written.
import { readFileSync } from 'node:fs';
import { EventProcessingFailed } from '@bpfscope/core';
import { readStructLayouts, type MapBatch } from '@bpfscope/native';
import { describe, expect, it } from 'vitest';
import { THERMAL_OBJECT_PATH } from '../object-path.js';
import { decodeCoolingUpdates, decodeTrip, decodeZones, thermalLayouts, tripTypeName } from './thermal-kernel.js';

const layouts = thermalLayouts(readStructLayouts(readFileSync(THERMAL_OBJECT_PATH), 'thermal.bpf.o'));

function batch(keys: number[], size: number, fill: (v: DataView, at: number, i: number) => void): MapBatch {
  const k = new Uint8Array(keys.length * 4);
  const v = new Uint8Array(keys.length * size);
  const kv = new DataView(k.buffer);
  const vv = new DataView(v.buffer);
  keys.forEach((key, i) => {
    kv.setUint32(i * 4, key, true);
    fill(vv, i * size, i);
  });
  return { count: keys.length, keys: k, values: v, method: 'batch', spilled: false };
}

describe('thermal kernel records', () => {
  it('decode the zone aggregates by zone id, °C from millidegrees, null extremes without readings', () => {
    const f = layouts.zone.fields;
    const b = batch([3, 0], layouts.zone.size, (v, at, i) => {
      v.setInt32(at + f.min_mc!.offset, i === 0 ? -5500 : 0, true);
      v.setInt32(at + f.max_mc!.offset, i === 0 ? 71250 : 0, true);
      v.setBigUint64(at + f.readings!.offset, i === 0 ? 1234n : 0n, true);
      v.setBigUint64(at + f.trips!.offset, i === 0 ? 2n : 1n, true);
    });
    expect(decodeZones(b, layouts.zone)).toEqual(new Map([
      [3, { readings: 1234, tripCrossings: 2, minCelsius: -5.5, maxCelsius: 71.25 }],
      [0, { readings: 0, tripCrossings: 1, minCelsius: null, maxCelsius: null }],
    ]));
  });

  it('decode the cooling updates and a trip event', () => {
    const b = batch([7], layouts.cdev.size, (v, at) => v.setBigUint64(at + layouts.cdev.fields.updates!.offset, 9n, true));
    expect(decodeCoolingUpdates(b, layouts.cdev)).toEqual(new Map([[7, 9]]));
    const t = layouts.trip.fields;
    const bytes = new Uint8Array(layouts.trip.size);
    const v = new DataView(bytes.buffer);
    v.setBigUint64(t.ts_ns!.offset, 123456789n, true);
    v.setInt32(t.zone_id!.offset, 1, true);
    v.setInt32(t.trip!.offset, 0, true);
    v.setInt32(t.trip_type!.offset, 3, true);
    v.setInt32(t.temp_mc!.offset, 101000, true);
    // The clock says 1 s of monotonic time has passed since the crossing (at 123.456789 ms).
    const clock = { monotonicNs: () => 1_123_456_789n, wallMs: () => 1_700_000_000_000 };
    expect(decodeTrip(bytes, layouts.trip, clock)).toEqual({ type: 'trip', zoneId: 1, trip: 0, tripType: 'critical', temperatureCelsius: 101, timeMs: 1_699_999_999_000, monotonicMs: 123.456789, source: 'ebpf' });
    expect(tripTypeName(9)).toBe('type 9');
  });

  it('refuse a short trip record and a batch whose sizes disagree', () => {
    expect(() => decodeTrip(new Uint8Array(4), layouts.trip, { monotonicNs: () => 0n, wallMs: () => 0 })).toThrow(EventProcessingFailed);
    const b = batch([1], layouts.zone.size, () => undefined);
    expect(() => decodeZones({ ...b, count: 2 }, layouts.zone)).toThrow(/thermal_zones: 2 entries/);
  });
});
