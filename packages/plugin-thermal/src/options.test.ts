import { ConfigError } from '@bpfscope/core';
import { describe, expect, it } from 'vitest';
import { resolveThermalOptions, withFamilyOptions } from './options.js';

const resolve = (o: Parameters<typeof resolveThermalOptions>[0]) => resolveThermalOptions(o, '/x.bpf.o');

describe('thermal options', () => {
  it('default to the seed thresholds: 75 / 90, GPU 85 / 95, 3 °C hysteresis', () => {
    expect(resolve({})).toEqual({ thresholds: { warningCelsius: 75, criticalCelsius: 90 }, gpuThresholds: { warningCelsius: 85, criticalCelsius: 95 }, hysteresisCelsius: 3, objectPath: '/x.bpf.o' });
  });

  it('refuse a warning threshold at or above the critical one, and bad values, naming the path', () => {
    expect(() => resolve({ warningCelsius: 90 })).toThrow(ConfigError);
    expect(() => resolve({ gpuCriticalCelsius: 80 })).toThrow(/thermal.gpuCriticalCelsius/);
    expect(() => resolve({ criticalCelsius: Number.NaN })).toThrow(/thermal.criticalCelsius/);
    expect(() => resolve({ hysteresisCelsius: -1 })).toThrow(/thermal.hysteresisCelsius/);
    expect(() => resolve({ objectPath: '' })).toThrow(/thermal.objectPath/);
  });

  it('take the family config over the factory options, checked again together', () => {
    const o = resolve({ warningCelsius: 70 });
    expect(withFamilyOptions(o, { criticalCelsius: 80, hysteresisCelsius: 1 })).toMatchObject({ thresholds: { warningCelsius: 70, criticalCelsius: 80 }, hysteresisCelsius: 1 });
    expect(() => withFamilyOptions(o, { criticalCelsius: 60 })).toThrow(ConfigError);
  });
});
