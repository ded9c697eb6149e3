import { DataUnavailable, isBpfscopeError, type BpfscopeError } from '@bpfscope/core';
import { NvmlReturn, nvmlCallError, openNvml, type NvmlCallFailure, type NvmlDeviceReading, type NvmlResult, type NvmlSession } from '@bpfscope/native';
import type { ResolvedGpuOptions } from '../options.js';
import type { GpuDeviceReader, GpuReaderInfo } from '../parts.js';
import type { GpuDevice, GpuDeviceField } from '../records.js';

/** What a device of this source never has, whatever the driver. */
const NO_COMPUTE_UNITS = 'NVML reports no count of active compute units (SMs) per device';

/**
 * GPUs from NVIDIA's management library, opened at run time (`dlopen`, never linked).
 * Every figure comes from one NVML call in NVML's own unit (mW, bytes, °C, MHz, %), so
 * none is converted. A call the device does not support (`NVML_ERROR_NOT_SUPPORTED`), or
 * one this NVML does not have, leaves its figure null with the reason; any other failing
 * code does the same and also sets the device's `error` (the first such call; the figures
 * that were read stay).
 * @internal
 */
export class NvmlReader implements GpuDeviceReader {
  readonly kind = 'nvml' as const;
  private session: NvmlSession | null = null;
  private count = 0;
  private summary = '';

  /** @param library - what dlopen opens: a name the dynamic linker searches for, or a path */
  constructor(private readonly library: string) {}

  open(): void {
    this.close();
    const session = openNvml(this.library);
    try {
      const count = session.deviceCount();
      if (count === 0) {
        throw new DataUnavailable('NVIDIA GPUs', `NVML (${session.libraryPath}) sees no device`, {
          remedy: 'The NVIDIA driver is loaded but has no GPU: check nvidia-smi and the kernel log. Without an NVML device the gpu family reads DRM sysfs.',
          details: { library: session.libraryPath, lookedFor: [`NVML devices (${this.library})`] },
        });
      }
      const driver = session.driverVersion();
      this.summary = `NVML ${session.nvmlVersion()} (driver ${driver}) from ${session.libraryPath}, ${count} device${count === 1 ? '' : 's'}`;
      this.count = count;
      this.session = session;
    } catch (e) {
      session.close();
      throw e;
    }
  }

  read(): GpuDevice[] {
    const session = this.session;
    if (session === null) throw new DataUnavailable('NVIDIA GPUs', 'the NVML reader is not open');
    const devices: GpuDevice[] = [];
    for (let index = 0; index < this.count; index++) {
      let reading: NvmlDeviceReading;
      try {
        reading = session.device(index);
      } catch (e) {
        if (!isBpfscopeError(e)) throw e;
        devices.push(lostDevice(index, e));
        continue;
      }
      devices.push(toDevice(reading, session.libraryPath));
    }
    return devices;
  }

  info(): GpuReaderInfo {
    return { kind: 'nvml', summary: this.session === null ? `NVML (${this.library}) not open` : this.summary };
  }

  close(): void {
    this.session?.close();
    this.session = null;
    this.count = 0;
  }
}

/** One reading of a device as a {@link GpuDevice}. @internal */
export function toDevice(r: NvmlDeviceReading, library: string): GpuDevice {
  const unavailable: Partial<Record<GpuDeviceField, string>> = { computeUnitsActive: NO_COMPUTE_UNITS };
  const failures: NvmlCallFailure[] = [];
  const take = <T>(field: GpuDeviceField, result: NvmlResult<T>): T | null => {
    if (result.ok) return result.value;
    const reason = describe(result);
    unavailable[field] = unavailable[field] === undefined ? reason : `${unavailable[field]}; ${reason}`;
    if (!isAbsent(result)) failures.push(result);
    return null;
  };
  const name = take('name', r.name);
  const pci = take('busId', r.pci);
  const utilization = take('utilizationPercent', r.utilization);
  const memory = take('memoryUsedBytes', r.memory);
  if (memory === null) unavailable.memoryTotalBytes = unavailable.memoryUsedBytes;
  const device: GpuDevice = {
    id: `nvml:${r.index}`,
    index: r.index,
    name,
    vendor: 'nvidia',
    busId: pci === null ? null : pci.busId,
    // NVML reaches GPUs only through NVIDIA's kernel module.
    driver: 'nvidia',
    utilizationPercent: utilization === null ? null : utilization.gpuPercent,
    memoryUsedBytes: memory === null ? null : memory.usedBytes,
    memoryTotalBytes: memory === null ? null : memory.totalBytes,
    powerMilliwatts: take('powerMilliwatts', r.powerMilliwatts),
    temperatureCelsius: take('temperatureCelsius', r.temperatureCelsius),
    clocks: {
      graphicsMhz: take('clocks', tag('graphics', r.graphicsClockMhz)),
      smMhz: take('clocks', tag('sm', r.smClockMhz)),
      memoryMhz: take('clocks', tag('memory', r.memoryClockMhz)),
    },
    fanPercent: take('fanPercent', r.fanPercent),
    computeUnitsActive: null,
    processes: null,
    source: 'nvml',
    unavailable,
    error: null,
  };
  const processes = take('processes', r.computeProcesses);
  device.processes = processes === null ? null : processes.map((p) => ({ pid: p.pid, usedMemoryBytes: p.usedGpuMemoryBytes }));
  const first = failures[0];
  if (first !== undefined) {
    device.error = nvmlCallError(first, `NVML device ${r.index} (${device.id})`, {
      library,
      failedCalls: failures.map((f) => `${f.function}: ${f.code} ${f.codeName}`),
    });
  }
  return device;
}

// The three clocks come from one function; the reason says which clock.
function tag<T>(which: string, r: NvmlResult<T>): NvmlResult<T> {
  return r.ok ? r : { ...r, function: `${r.function}(${which})` };
}

// The device does not have the figure, or this NVML predates its function: unavailable
// here, not a failure.
function isAbsent(f: NvmlCallFailure): boolean {
  return f.code === NvmlReturn.ERROR_NOT_SUPPORTED || f.code === NvmlReturn.ERROR_FUNCTION_NOT_FOUND;
}

function describe(f: NvmlCallFailure): string {
  const call = `${f.function} returned ${f.code} ${f.codeName} (${f.message})`;
  if (f.code === NvmlReturn.ERROR_NOT_SUPPORTED) return `not supported by this device or driver: ${call}`;
  if (f.code === NvmlReturn.ERROR_FUNCTION_NOT_FOUND) return `not in this NVML library: ${call}`;
  return `NVML failed: ${call}`;
}

/** A device whose handle NVML could not give: every figure null, the error kept. */
function lostDevice(index: number, error: BpfscopeError): GpuDevice {
  const reason = `the device could not be read: ${error.message}`;
  const fields: readonly GpuDeviceField[] = ['name', 'busId', 'utilizationPercent', 'memoryUsedBytes', 'memoryTotalBytes', 'powerMilliwatts', 'temperatureCelsius', 'clocks', 'fanPercent', 'computeUnitsActive', 'processes'];
  return {
    id: `nvml:${index}`,
    index,
    name: null,
    vendor: 'nvidia',
    busId: null,
    driver: 'nvidia',
    utilizationPercent: null,
    memoryUsedBytes: null,
    memoryTotalBytes: null,
    powerMilliwatts: null,
    temperatureCelsius: null,
    clocks: { graphicsMhz: null, smMhz: null, memoryMhz: null },
    fanPercent: null,
    computeUnitsActive: null,
    processes: null,
    source: 'nvml',
    unavailable: Object.fromEntries(fields.map((f) => [f, reason])),
    error,
  };
}
