import type { FamilyOptions, OptionSchema } from '@bpfscope/core';

/**
 * The options `config.families.cpu` may hold (besides `mode` and `enabled`); each overrides
 * the factory's option of the same name. `perCpu: false` leaves out the per-CPU records
 * (only `total`), `pressure: false` does not read /proc/pressure/cpu.
 */
export const CPU_OPTION_SCHEMA: OptionSchema = Object.freeze({
  perCpu: { type: 'boolean' },
  pressure: { type: 'boolean' },
});

/** The family's options as both cpu sources take them (the {@link CPU_OPTION_SCHEMA} keys, defaults filled in). */
export interface CpuReadOptions {
  /** Report one record per CPU. @default true */
  readonly perCpu: boolean;
  /** Read CPU pressure (PSI). @default true */
  readonly pressure: boolean;
}

/** Every part on. @internal */
export const CPU_READ_DEFAULTS: CpuReadOptions = Object.freeze({ perCpu: true, pressure: true });

/**
 * The factory's options overridden by the family's validated config.
 * @internal
 */
export function cpuReadOptions(factory: Partial<CpuReadOptions>, config: FamilyOptions): CpuReadOptions {
  const pick = (key: keyof CpuReadOptions): boolean => (config[key] as boolean | undefined) ?? factory[key] ?? CPU_READ_DEFAULTS[key];
  return Object.freeze({ perCpu: pick('perCpu'), pressure: pick('pressure') });
}
