import { parseFailure, type ProcfsReader } from '@bpfscope/core';
import type { GpuClocks } from '../records.js';
import type { DeviceFigures } from './device-figures.js';
import { readOptionalAttr, readOptionalInteger } from './drm-files.js';

/** The figures a driver's own files give (hwmon aside). @internal */
export interface DriverFigures {
  name: string | null;
  utilizationPercent: number | null;
  memoryUsedBytes: number | null;
  memoryTotalBytes: number | null;
  clocks: GpuClocks;
  /** Why the card has no hwmon chip, in this driver's terms. */
  noHwmon: string;
}

const SM_CLOCK = 'smMhz: the streaming-multiprocessor clock is NVIDIA\'s (NVML)';
const NO_CU = 'the driver exposes no count of active compute units in sysfs';
const DPM_LINE = /^(\S+):\s*(\d+)\s*mhz\s*(\*)?$/i;

/**
 * The current level of an amdgpu `pp_dpm_sclk`/`pp_dpm_mclk` file: the line marked `*`
 * (Documentation/gpu/amdgpu/thermal.rst: `N: <MHz>Mhz [*]`, one line per level; SMU 13
 * boards add an `S:` deep-sleep line); null for an empty file, which is what amdgpu gives
 * for a GPU whose power code prints no levels (a captured Radeon R7 240, Southern Islands).
 * @internal
 */
export function parseDpmLevels(path: string, text: string): number | null {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) return null;
  let current: number | null = null;
  lines.forEach((line, i) => {
    const m = DPM_LINE.exec(line.trim());
    if (!m) throw parseFailure(path, i + 1, line, 'not a DPM level (`N: <MHz>Mhz`, `*` on the current one)');
    if (m[3] !== undefined) current = Number(m[2]);
  });
  if (current === null) throw parseFailure(path, 1, lines[0]!, 'no level is marked * (the current one)');
  return current;
}

/** The current level of a DPM file, or null with why (`state.why`): no file, or no level in it. */
function dpm(sys: ProcfsReader, rel: string, state: { why: string }): number | null {
  const file = rel.slice(rel.lastIndexOf('/') + 1);
  const text = readOptionalAttr(sys, rel);
  state.why = text === null ? `amdgpu has no ${file} for this GPU` : `amdgpu lists no levels in ${file} for this GPU (the file is empty)`;
  return text === null ? null : parseDpmLevels(`${sys.sysRoot}/${rel}`, text);
}

/**
 * amdgpu (Documentation/gpu/amdgpu: driver-misc.rst and thermal.rst, the kernel-doc of amdgpu_pm.c and the VRAM manager):
 * `gpu_busy_percent`, `mem_info_vram_used`/`_total`, `pp_dpm_sclk`/`pp_dpm_mclk`,
 * `product_name` (from the board's FRU EEPROM, where it has one).
 * @internal
 */
export function readAmdgpu(sys: ProcfsReader, cardDir: string, f: DeviceFigures): DriverFigures {
  const dev = `${cardDir}/device`;
  const name = f.take('name', () => readOptionalAttr(sys, `${dev}/product_name`) || null, 'amdgpu has no product_name for this board (it is read from the FRU EEPROM of server and workstation boards)');
  const utilizationPercent = f.take('utilizationPercent', () => readOptionalInteger(sys, `${dev}/gpu_busy_percent`), 'amdgpu has no gpu_busy_percent for this GPU');
  const memoryUsedBytes = f.take('memoryUsedBytes', () => readOptionalInteger(sys, `${dev}/mem_info_vram_used`), 'amdgpu has no mem_info_vram_used for this GPU');
  const memoryTotalBytes = f.take('memoryTotalBytes', () => readOptionalInteger(sys, `${dev}/mem_info_vram_total`), 'amdgpu has no mem_info_vram_total for this GPU');
  const sclk = { why: '' };
  const mclk = { why: '' };
  const clocks: GpuClocks = {
    graphicsMhz: f.take('clocks', () => dpm(sys, `${dev}/pp_dpm_sclk`, sclk), () => `graphicsMhz: ${sclk.why}`),
    smMhz: f.none('clocks', SM_CLOCK),
    memoryMhz: f.take('clocks', () => dpm(sys, `${dev}/pp_dpm_mclk`, mclk), () => `memoryMhz: ${mclk.why}`),
  };
  f.none('computeUnitsActive', NO_CU);
  return { name, utilizationPercent, memoryUsedBytes, memoryTotalBytes, clocks, noHwmon: 'amdgpu registered no hwmon chip for this GPU (device/hwmon is missing)' };
}

/**
 * i915 and xe: the actual GPU frequency (i915: `gt_act_freq_mhz` of the card, or
 * `gt/gt0/rps_act_freq_mhz`; xe: `device/tile0/gt0/freq0/act_freq`). Neither driver has
 * a busy percentage or device-memory files in sysfs.
 * @internal
 */
export function readIntel(sys: ProcfsReader, cardDir: string, driver: 'i915' | 'xe', f: DeviceFigures): DriverFigures {
  const name = f.none('name', `${driver} has no product name in sysfs`);
  const utilizationPercent = f.none('utilizationPercent', `${driver} has no busy-percentage file in sysfs: engine busyness is counted by its perf PMU (e.g. ${driver === 'i915' ? 'i915/rcs0-busy' : 'xe engine activity'}), which this source does not read`);
  const memory = `${driver} has no device-memory usage files in sysfs (integrated GPUs use system memory; per-client memory is in /proc/<pid>/fdinfo, which this source does not read)`;
  const memoryUsedBytes = f.none('memoryUsedBytes', memory);
  const memoryTotalBytes = f.none('memoryTotalBytes', memory);
  const graphicsMhz =
    driver === 'i915'
      ? f.take('clocks', () => readOptionalInteger(sys, `${cardDir}/gt_act_freq_mhz`) ?? readOptionalInteger(sys, `${cardDir}/gt/gt0/rps_act_freq_mhz`), 'graphicsMhz: i915 has neither gt_act_freq_mhz nor gt/gt0/rps_act_freq_mhz here')
      : f.take('clocks', () => readOptionalInteger(sys, `${cardDir}/device/tile0/gt0/freq0/act_freq`), 'graphicsMhz: xe has no device/tile0/gt0/freq0/act_freq here');
  const clocks: GpuClocks = { graphicsMhz, smMhz: f.none('clocks', SM_CLOCK), memoryMhz: f.none('clocks', `memoryMhz: ${driver} has no memory clock in sysfs`) };
  f.none('computeUnitsActive', NO_CU);
  const noHwmon = driver === 'i915' ? 'i915 registers an hwmon chip only for discrete GPUs (DG1, DG2); this one has none' : 'xe registered no hwmon chip for this GPU (device/hwmon is missing)';
  return { name, utilizationPercent, memoryUsedBytes, memoryTotalBytes, clocks, noHwmon };
}
