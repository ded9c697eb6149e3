import { ConfigError, type FamilyOptions, type OptionSchema } from '@bpfscope/core';
import { DEFAULT_GPU_THRESHOLDS, DEFAULT_HYSTERESIS_CELSIUS, DEFAULT_THRESHOLDS, type AlertThresholds } from './alerts/alert-tracker.js';
import type { thermal } from './plugin.js';

/**
 * Options of the {@link thermal} plugin; every field optional. `config.families.thermal`
 * may override each of them but `objectPath` (see {@link THERMAL_OPTION_SCHEMA}).
 */
export interface ThermalPluginOptions {
  /** A sensor or zone at or above this is `warning`, °C. @default 75 */
  warningCelsius?: number;
  /** A sensor or zone at or above this is `critical`, °C. @default 90 */
  criticalCelsius?: number;
  /** `warning` threshold of GPU sensors (amdgpu, nouveau, radeon, i915, xe), °C. @default 85 */
  gpuWarningCelsius?: number;
  /** `critical` threshold of GPU sensors, °C. @default 95 */
  gpuCriticalCelsius?: number;
  /** A level is left only when the reading falls this far below its threshold, °C. @default 3 */
  hysteresisCelsius?: number;
  /** Path of the compiled eBPF object. @default the `bpf/thermal.bpf.o` shipped in this package */
  objectPath?: string;
}

/** Options checked, defaults filled in. @internal */
export interface ResolvedThermalOptions {
  thresholds: AlertThresholds;
  gpuThresholds: AlertThresholds;
  hysteresisCelsius: number;
  objectPath: string;
}

const RANGE = { min: -273, max: 1000 };

const celsius = (path: string, v: unknown, fallback: number): number => {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < RANGE.min || v > RANGE.max) throw new ConfigError(path, v, `a temperature in °C from ${RANGE.min} to ${RANGE.max}`);
  return v;
};

function pair(prefix: string, warning: number, critical: number): AlertThresholds {
  if (warning >= critical) throw new ConfigError(`thermal.${prefix === '' ? 'criticalCelsius' : 'gpuCriticalCelsius'}`, critical, `a temperature above the warning threshold (${warning} °C)`);
  return { warningCelsius: warning, criticalCelsius: critical };
}

function resolve(o: Readonly<Record<string, unknown>>, base: ResolvedThermalOptions): ResolvedThermalOptions {
  const hysteresisCelsius = celsius('thermal.hysteresisCelsius', o.hysteresisCelsius, base.hysteresisCelsius);
  if (hysteresisCelsius < 0 || hysteresisCelsius > 50) throw new ConfigError('thermal.hysteresisCelsius', hysteresisCelsius, 'from 0 to 50 °C');
  return {
    thresholds: pair('', celsius('thermal.warningCelsius', o.warningCelsius, base.thresholds.warningCelsius), celsius('thermal.criticalCelsius', o.criticalCelsius, base.thresholds.criticalCelsius)),
    gpuThresholds: pair('gpu', celsius('thermal.gpuWarningCelsius', o.gpuWarningCelsius, base.gpuThresholds.warningCelsius), celsius('thermal.gpuCriticalCelsius', o.gpuCriticalCelsius, base.gpuThresholds.criticalCelsius)),
    hysteresisCelsius,
    objectPath: base.objectPath,
  };
}

/** Check the options. @internal */
export function resolveThermalOptions(o: ThermalPluginOptions, defaultObjectPath: string): ResolvedThermalOptions {
  if (o.objectPath !== undefined && (typeof o.objectPath !== 'string' || o.objectPath === '')) throw new ConfigError('thermal.objectPath', o.objectPath, 'a file path');
  const base = { thresholds: { ...DEFAULT_THRESHOLDS }, gpuThresholds: { ...DEFAULT_GPU_THRESHOLDS }, hysteresisCelsius: DEFAULT_HYSTERESIS_CELSIUS, objectPath: o.objectPath ?? defaultObjectPath };
  return resolve(o as Readonly<Record<string, unknown>>, base);
}

const temperature = { type: 'number', min: RANGE.min, max: RANGE.max } as const;

/**
 * The options `config.families.thermal` may hold (besides the engine's `mode`, `enabled`,
 * `initTimeoutMs`, `readTimeoutMs`); each overrides the factory's option of the same name.
 */
export const THERMAL_OPTION_SCHEMA: OptionSchema = Object.freeze({
  warningCelsius: temperature,
  criticalCelsius: temperature,
  gpuWarningCelsius: temperature,
  gpuCriticalCelsius: temperature,
  hysteresisCelsius: { type: 'number', min: 0, max: 50 },
});

/**
 * The factory's options overridden by the family's validated config.
 * @throws {@link @bpfscope/core!ConfigError} when the merged warning threshold is not below the critical one
 * @internal
 */
export function withFamilyOptions(o: ResolvedThermalOptions, config: FamilyOptions): ResolvedThermalOptions {
  return resolve(config, o);
}
