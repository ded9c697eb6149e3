// The NVML reader against the stand-in libnvidia-ml.so.1 that the test compiles: every
// figure it reports must be exactly the stand-in's, and each broken library (missing,
// lacking a function, failing init or a call) gives its taxonomy error. No real driver.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataUnavailable, LoadFailed } from '@bpfscope/core';
import type { GpuDevice } from '../records.js';
import { nvmlStandIn } from '../../test/nvml-standin.js';
import { createNvmlReader } from '../part-factories.js';
import { NvmlReader } from './nvml-reader.js';

const NO_SMS = 'NVML reports no count of active compute units (SMs) per device';
const FAN_NOT_SUPPORTED = 'not supported by this device or driver: nvmlDeviceGetFanSpeed returned 3 NVML_ERROR_NOT_SUPPORTED (Not Supported)';

/** The figures nvml-standin.c holds, as the reader must report them. */
function expected(): GpuDevice[] {
  return [
    {
      id: 'nvml:0', index: 0, name: 'Stand-in GPU Alpha', vendor: 'nvidia', busId: '00000000:3B:00.0', driver: 'nvidia',
      utilizationPercent: 37, memoryUsedBytes: 5368709120, memoryTotalBytes: 42949672960, powerMilliwatts: 123456, temperatureCelsius: 61,
      clocks: { graphicsMhz: 1410, smMhz: 1395, memoryMhz: 1215 }, fanPercent: 44, computeUnitsActive: null,
      processes: [{ pid: 4242, usedMemoryBytes: 5368709120 }, { pid: 4343, usedMemoryBytes: null }],
      source: 'nvml', unavailable: { computeUnitsActive: NO_SMS }, error: null,
    },
    {
      id: 'nvml:1', index: 1, name: 'Stand-in GPU Beta', vendor: 'nvidia', busId: '00000001:AF:00.0', driver: 'nvidia',
      utilizationPercent: 5, memoryUsedBytes: 987654321, memoryTotalBytes: 16106127360, powerMilliwatts: 27500, temperatureCelsius: 44,
      clocks: { graphicsMhz: 585, smMhz: 590, memoryMhz: 5001 }, fanPercent: null, computeUnitsActive: null,
      processes: [{ pid: 100, usedMemoryBytes: 1048576 }, { pid: 200, usedMemoryBytes: 2097152 }, { pid: 300, usedMemoryBytes: 0 }],
      source: 'nvml', unavailable: { computeUnitsActive: NO_SMS, fanPercent: FAN_NOT_SUPPORTED }, error: null,
    },
  ];
}

const open: NvmlReader[] = [];
function reader(library: string): NvmlReader {
  const r = new NvmlReader(library);
  open.push(r);
  return r;
}
afterEach(() => {
  for (const r of open.splice(0)) r.close();
  delete process.env.NVML_STANDIN_LOG;
});

function openError(library: string): unknown {
  try {
    reader(library).open();
  } catch (e) {
    return e;
  }
  throw new Error(`open(${library}) did not throw`);
}

describe('NvmlReader with the stand-in libnvidia-ml.so.1', () => {
  it('reports exactly the stand-in figures of both devices and their processes', () => {
    const lib = nvmlStandIn();
    const r = createNvmlReader({ nvmlLibrary: lib, cudaRuntimes: null, objectPath: '/unused' });
    open.push(r);
    r.open();
    expect(r.read()).toEqual(expected());
    expect(r.info()).toEqual({ kind: 'nvml', summary: `NVML 12.999.88.77 (driver 999.88.77) from ${lib}, 2 devices` });
    // A second reading calls NVML again and gets the same answers.
    expect(r.read()).toEqual(expected());
  });

  it('gives a figure the device does not support (fan: NVML_ERROR_NOT_SUPPORTED) as null with the reason, not an error', () => {
    const r = reader(nvmlStandIn());
    r.open();
    const [alpha, beta] = r.read();
    expect(alpha?.fanPercent).toBe(44);
    expect(beta?.fanPercent).toBeNull();
    expect(beta?.unavailable.fanPercent).toBe(FAN_NOT_SUPPORTED);
    expect(beta?.error).toBeNull();
  });

  it('opens and shuts NVML down once: nvmlInit_v2 at open, nvmlShutdown at close', () => {
    const log = join(mkdtempSync(join(tmpdir(), 'nvml-log-')), 'calls');
    process.env.NVML_STANDIN_LOG = log;
    const r = reader(nvmlStandIn());
    r.open();
    expect(readFileSync(log, 'utf8')).toBe('init\n');
    r.close();
    r.close();
    expect(readFileSync(log, 'utf8')).toBe('init\nshutdown\n');
    expect(() => r.read()).toThrow(DataUnavailable);
  });

  it('a library that is not there: DataUnavailable naming it, with the dynamic linker message and the remedy', () => {
    const missing = join(mkdtempSync(join(tmpdir(), 'nvml-none-')), 'libnvidia-ml.so.1');
    const e = openError(missing);
    expect(e).toBeInstanceOf(DataUnavailable);
    const err = e as DataUnavailable;
    expect(err.message).toBe(`NVML (${missing}) is unavailable: dlopen cannot open it: ${missing}: cannot open shared object file: No such file or directory`);
    expect(err.op).toBe('dlopen');
    expect(err.details.lookedFor).toEqual([missing]);
    expect(err.remedy).toContain('install the NVIDIA driver');
    expect(err.remedy).toContain('nvmlLibrary');
  });

  it('a library without nvmlDeviceGetMemoryInfo: LoadFailed naming the symbol and the library', () => {
    const lib = nvmlStandIn('STANDIN_OMIT_MEMORY_INFO');
    const e = openError(lib);
    expect(e).toBeInstanceOf(LoadFailed);
    const err = e as LoadFailed;
    expect(err.message).toBe(`loading ${lib} failed: it does not export nvmlDeviceGetMemoryInfo, which bpfscope calls (${lib}: undefined symbol: nvmlDeviceGetMemoryInfo)`);
    expect(err.op).toBe('dlsym');
    expect(err.details.symbol).toBe('nvmlDeviceGetMemoryInfo');
    expect(err.remedy).toContain('nvmlLibrary');
  });

  it('nvmlInit_v2 returning NVML_ERROR_DRIVER_NOT_LOADED (9): DataUnavailable with the code, the name and NVML message', () => {
    const log = join(mkdtempSync(join(tmpdir(), 'nvml-log-')), 'calls');
    process.env.NVML_STANDIN_LOG = log;
    const lib = nvmlStandIn('STANDIN_INIT_RETURN=9');
    const e = openError(lib);
    expect(e).toBeInstanceOf(DataUnavailable);
    const err = e as DataUnavailable;
    expect(err.message).toBe(`NVML (${lib}) is unavailable: nvmlInit_v2 returned 9 NVML_ERROR_DRIVER_NOT_LOADED (Driver Not Loaded)`);
    expect(err.op).toBe('nvmlInit_v2');
    expect(err.details).toMatchObject({ nvmlReturn: 9, nvmlReturnName: 'NVML_ERROR_DRIVER_NOT_LOADED', nvmlMessage: 'Driver Not Loaded' });
    expect(err.remedy).toContain('modprobe nvidia');
    // nvmlShutdown is not called for a library that did not initialise.
    expect(() => readFileSync(log, 'utf8')).toThrow(/ENOENT/);
  });

  it('no device: DataUnavailable saying what it looked for, and NVML is shut down again', () => {
    const log = join(mkdtempSync(join(tmpdir(), 'nvml-log-')), 'calls');
    process.env.NVML_STANDIN_LOG = log;
    const lib = nvmlStandIn('STANDIN_DEVICE_COUNT=0');
    const e = openError(lib);
    expect(e).toBeInstanceOf(DataUnavailable);
    expect((e as DataUnavailable).message).toBe(`NVIDIA GPUs is unavailable: NVML (${lib}) sees no device`);
    expect((e as DataUnavailable).details.lookedFor).toEqual([`NVML devices (${lib})`]);
    expect(readFileSync(log, 'utf8')).toBe('init\nshutdown\n');
  });

  it('a device call failing (temperature: NVML_ERROR_UNKNOWN): that figure null, the error names the call, the rest is read', () => {
    const r = reader(nvmlStandIn('STANDIN_FAIL_TEMPERATURE'));
    r.open();
    const [alpha, beta] = r.read();
    expect(alpha).toEqual(expected()[0]);
    const reason = 'NVML failed: nvmlDeviceGetTemperature returned 999 NVML_ERROR_UNKNOWN (Unknown Error)';
    const want = expected()[1]!;
    expect(beta).toEqual({ ...want, temperatureCelsius: null, unavailable: { ...want.unavailable, temperatureCelsius: reason }, error: expect.any(DataUnavailable) });
    const error = beta?.error;
    expect(error?.message).toBe('NVML device 1 (nvml:1) is unavailable: nvmlDeviceGetTemperature returned 999 NVML_ERROR_UNKNOWN (Unknown Error)');
    expect(error?.op).toBe('nvmlDeviceGetTemperature');
    expect(error?.details.failedCalls).toEqual(['nvmlDeviceGetTemperature: 999 NVML_ERROR_UNKNOWN']);
  });

  it('a device whose handle NVML cannot give (GPU is lost): every figure null with the reason, the error, the other device intact', () => {
    const r = reader(nvmlStandIn('STANDIN_FAIL_HANDLE'));
    r.open();
    const [alpha, beta] = r.read();
    expect(alpha).toEqual(expected()[0]);
    expect(beta?.error).toBeInstanceOf(DataUnavailable);
    expect(beta?.error?.message).toBe('NVML device 1 is unavailable: nvmlDeviceGetHandleByIndex_v2 returned 15 NVML_ERROR_GPU_IS_LOST (GPU is lost)');
    expect(beta?.error?.remedy).toContain('nvidia-smi -r');
    expect([beta?.name, beta?.busId, beta?.utilizationPercent, beta?.memoryUsedBytes, beta?.memoryTotalBytes, beta?.powerMilliwatts, beta?.temperatureCelsius, beta?.fanPercent, beta?.processes]).toEqual(Array(9).fill(null));
    expect(beta?.clocks).toEqual({ graphicsMhz: null, smMhz: null, memoryMhz: null });
    expect(beta?.unavailable.powerMilliwatts).toBe(`the device could not be read: ${beta?.error?.message}`);
  });

  it('an NVML without nvmlDeviceGetComputeRunningProcesses_v3: processes null with the reason, not an error', () => {
    const lib = nvmlStandIn('STANDIN_OMIT_PROCESSES_V3');
    const r = reader(lib);
    r.open();
    const devices = r.read();
    const reason = `not in this NVML library: nvmlDeviceGetComputeRunningProcesses_v3 returned 13 NVML_ERROR_FUNCTION_NOT_FOUND (nvmlDeviceGetComputeRunningProcesses_v3 is not exported by ${lib})`;
    expect(devices).toEqual(expected().map((d) => ({ ...d, processes: null, unavailable: { ...d.unavailable, processes: reason } })));
  });
});
