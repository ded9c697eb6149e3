export { thermal, ThermalCollector } from './plugin.js';
export { THERMAL_OPTION_SCHEMA, type ThermalPluginOptions } from './options.js';
export { thermalMetricMapper } from './metrics.js';
export { DEFAULT_THRESHOLDS, DEFAULT_GPU_THRESHOLDS, DEFAULT_HYSTERESIS_CELSIUS, type AlertThresholds } from './alerts/alert-tracker.js';
export { ThermalEbpfSource } from './ebpf/thermal-ebpf-source.js';
export { ThermalSysfsSource } from './sysfs/thermal-sysfs-source.js';
export { thermalSensorInventory, type ThermalSensorInventory, type InventoryZone, type InventoryChip } from './read/sensor-inventory.js';
export type {
  ThermalMetrics,
  ThermalField,
  ThermalZone,
  TripPoint,
  ZoneKernelReadings,
  CoolingDevice,
  TemperatureSensor,
  SensorKind,
  AlertLevel,
  CpuTemperatureStat,
  PackageTemperature,
  ThermalKernelStats,
} from './records.js';
export type { ThermalEvent, ThermalAlertEvent, ThermalTripEvent } from './records-events.js';
