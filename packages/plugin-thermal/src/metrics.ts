import { SOURCE_ATTRIBUTE, type FamilyMetricMapper, type FamilyResult, type MetricAttributes, type MetricSink, metricDescriptorFor } from '@bpfscope/core';
import type { AlertLevel, ThermalMetrics } from './records.js';

const FAMILY = 'thermal';

const descriptor = metricDescriptorFor(FAMILY);

const TEMPERATURE = descriptor('hw.temperature', 'gauge', 'Cel', 'Temperature of a thermal zone or hwmon channel, as last read.');
const LIMIT = descriptor('hw.temperature.limit', 'gauge', 'Cel', 'A driver limit of an hwmon channel: tempK_max (high.degraded) or tempK_crit (high.critical).');
const LEVEL = descriptor('bpfscope.thermal.level', 'gauge', '1', 'Alert level of a zone or channel: 0 normal, 1 warning, 2 critical (the configured thresholds, with hysteresis).');
const ZONE_MIN = descriptor('bpfscope.thermal.zone.kernel.min', 'gauge', 'Cel', 'Lowest temperature the kernel read of a zone since the previous reading (eBPF).');
const ZONE_MAX = descriptor('bpfscope.thermal.zone.kernel.max', 'gauge', 'Cel', 'Highest temperature the kernel read of a zone since the previous reading (eBPF).');
const ZONE_READINGS = descriptor('bpfscope.thermal.zone.kernel.readings', 'gauge', '{reading}', 'Readings the kernel took of a zone since the previous reading (eBPF).');
const ZONE_TRIPS = descriptor('bpfscope.thermal.zone.kernel.trip_crossings', 'gauge', '{crossing}', 'Trip crossings of a zone since the previous reading (eBPF).');
const COOLING_STATE = descriptor('bpfscope.thermal.cooling.state', 'gauge', '{state}', 'Current state of a cooling device (cur_state; its max_state is the bpfscope.thermal.cooling.max_state point).');
const COOLING_MAX = descriptor('bpfscope.thermal.cooling.max_state', 'gauge', '{state}', 'Highest state of a cooling device (max_state).');
const KERNEL_INVOCATIONS = descriptor('bpfscope.thermal.kernel.invocations', 'counter', '{invocation}', 'Runs of the thermal programs since their object was loaded (eBPF).');
const KERNEL_EVENT_DROPS = descriptor('bpfscope.thermal.kernel.event_drops', 'counter', '{event}', 'Trip events and map entries lost since the object was loaded (eBPF).');

const LEVEL_VALUE: Readonly<Record<AlertLevel, number>> = { normal: 0, warning: 1, critical: 2 };

function mapThermal(data: ThermalMetrics, sink: MetricSink): void {
  const sysfs = { [SOURCE_ATTRIBUTE]: 'sysfs' };
  for (const z of data.zones) {
    const a: MetricAttributes = { ...sysfs, 'hw.id': `thermal_zone${z.id}`, 'hw.name': z.type, 'hw.type': 'temperature' };
    if (z.temperatureCelsius !== null) sink.number(TEMPERATURE, null, a, z.temperatureCelsius);
    sink.number(LEVEL, null, a, LEVEL_VALUE[z.level]);
    const k = z.kernel;
    if (k === null) continue;
    const ka = { ...a, [SOURCE_ATTRIBUTE]: 'ebpf' };
    sink.number(ZONE_READINGS, null, ka, k.readings);
    sink.number(ZONE_TRIPS, null, ka, k.tripCrossings);
    if (k.minCelsius !== null) sink.number(ZONE_MIN, null, ka, k.minCelsius);
    if (k.maxCelsius !== null) sink.number(ZONE_MAX, null, ka, k.maxCelsius);
  }
  for (const s of data.sensors) {
    const a: MetricAttributes = { ...sysfs, 'hw.id': s.id, 'hw.name': s.label ?? s.chip, 'hw.type': 'temperature', 'bpfscope.thermal.chip': s.chip, 'bpfscope.thermal.kind': s.kind };
    if (s.temperatureCelsius !== null) sink.number(TEMPERATURE, null, a, s.temperatureCelsius);
    if (s.maxCelsius !== null) sink.number(LIMIT, null, { ...a, 'hw.limit_type': 'high.degraded' }, s.maxCelsius);
    if (s.critCelsius !== null) sink.number(LIMIT, null, { ...a, 'hw.limit_type': 'high.critical' }, s.critCelsius);
    sink.number(LEVEL, null, a, LEVEL_VALUE[s.level]);
  }
  for (const c of data.cooling) {
    const a: MetricAttributes = { ...sysfs, 'hw.id': `cooling_device${c.id}`, 'hw.name': c.type };
    if (c.curState !== null) sink.number(COOLING_STATE, null, a, c.curState);
    if (c.maxState !== null) sink.number(COOLING_MAX, null, a, c.maxState);
  }
  if (data.kernel !== null) {
    // Counted since the object was loaded, a time the reading does not carry.
    sink.number(KERNEL_INVOCATIONS, null, { [SOURCE_ATTRIBUTE]: 'ebpf' }, data.kernel.invocations);
    sink.number(KERNEL_EVENT_DROPS, null, { [SOURCE_ATTRIBUTE]: 'ebpf' }, data.kernel.drops);
  }
}

/**
 * The thermal family's metric points (declared as the plugin's `metricMappers`): `hw.temperature`
 * per zone and hwmon channel (OpenTelemetry's hardware conventions: `hw.id`, `hw.name`,
 * `hw.type` = `temperature`), the channels' driver limits as `hw.temperature.limit`, each
 * one's alert level, cooling device states, and with eBPF the kernel's per-zone readings
 * since the previous reading and the programs' counters. Values the source could not read
 * give no point.
 */
export const thermalMetricMapper: FamilyMetricMapper<'thermal'> = Object.freeze({
  family: FAMILY,
  descriptors: Object.freeze([TEMPERATURE, LIMIT, LEVEL, ZONE_MIN, ZONE_MAX, ZONE_READINGS, ZONE_TRIPS, COOLING_STATE, COOLING_MAX, KERNEL_INVOCATIONS, KERNEL_EVENT_DROPS]),
  map: (result: FamilyResult<ThermalMetrics>, sink: MetricSink) => mapThermal(result.data, sink),
});
