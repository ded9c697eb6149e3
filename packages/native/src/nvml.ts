import { Closed, ConfigError } from '@bpfscope/core';
import { loadNative } from './loader.js';
import { failure, nvmlCallError, nvmlOpenError, NvmlReturn, type NvmlResult } from './nvml-errors.js';
import { isRawNvmlOpenFailure, type RawNvmlCall, type RawNvmlDevice, type RawNvmlSession } from './raw-nvml.js';

/** A device's PCI location (`nvmlDeviceGetPciInfo_v3`). */
export interface NvmlPciInfo {
  /** `domain:bus:device.function` as NVML writes it, e.g. `00000000:3B:00.0` (8-digit domain, upper-case hex). */
  busId: string;
  /** PCI domain. */
  domain: number;
  /** PCI bus. */
  bus: number;
  /** PCI device (slot). */
  device: number;
  /** PCI device id in the upper 16 bits, vendor id (0x10de) in the lower. */
  pciDeviceId: number;
  /** PCI subsystem id. */
  pciSubSystemId: number;
}

/** One process on a device (`nvmlDeviceGetComputeRunningProcesses_v3`). */
export interface NvmlProcess {
  /** Process id, as the driver sees it. */
  pid: number;
  /** Device memory the process holds, bytes; null when NVML says `NVML_VALUE_NOT_AVAILABLE`. */
  usedGpuMemoryBytes: number | null;
  /** MIG GPU instance (0xFFFFFFFF outside MIG). */
  gpuInstanceId: number;
  /** MIG compute instance (0xFFFFFFFF outside MIG). */
  computeInstanceId: number;
}

/** `nvmlUtilization_t`: percent of the driver's last sample period (1/6 s to 1 s, by device). */
export interface NvmlUtilization {
  /** Time one or more kernels ran on the GPU. */
  gpuPercent: number;
  /** Time device memory was being read or written. */
  memoryPercent: number;
}

/** `nvmlMemory_t`: device memory, bytes. */
export interface NvmlMemoryInfo {
  /** Installed memory. */
  totalBytes: number;
  /** Memory not allocated. */
  freeBytes: number;
  /** Memory allocated, including the driver's own reservations. */
  usedBytes: number;
}

/** Every figure NVML gave for one device, each with its call's outcome, in NVML's own units. */
export interface NvmlDeviceReading {
  /** NVML device index. */
  index: number;
  /** `nvmlDeviceGetName`. */
  name: NvmlResult<string>;
  /** `nvmlDeviceGetPciInfo_v3`. */
  pci: NvmlResult<NvmlPciInfo>;
  /** `nvmlDeviceGetUtilizationRates`. */
  utilization: NvmlResult<NvmlUtilization>;
  /** `nvmlDeviceGetMemoryInfo`. */
  memory: NvmlResult<NvmlMemoryInfo>;
  /** `nvmlDeviceGetPowerUsage`, mW. */
  powerMilliwatts: NvmlResult<number>;
  /** `nvmlDeviceGetTemperature(NVML_TEMPERATURE_GPU)`, °C. */
  temperatureCelsius: NvmlResult<number>;
  /** `nvmlDeviceGetClockInfo(NVML_CLOCK_GRAPHICS)`, MHz. */
  graphicsClockMhz: NvmlResult<number>;
  /** `nvmlDeviceGetClockInfo(NVML_CLOCK_SM)`, MHz. */
  smClockMhz: NvmlResult<number>;
  /** `nvmlDeviceGetClockInfo(NVML_CLOCK_MEM)`, MHz. */
  memoryClockMhz: NvmlResult<number>;
  /** `nvmlDeviceGetFanSpeed`, percent of the fan's maximum. */
  fanPercent: NvmlResult<number>;
  /** `nvmlDeviceGetComputeRunningProcesses_v3`. */
  computeProcesses: NvmlResult<NvmlProcess[]>;
}

const DEFAULT_LIBRARY = 'libnvidia-ml.so.1';

/**
 * An open NVML library (dlopen'ed and `nvmlInit_v2`ed by {@link openNvml}). Calls are
 * synchronous: NVML answers from the driver in microseconds to milliseconds.
 */
export class NvmlSession {
  /** @internal */
  constructor(private readonly raw: RawNvmlSession, private readonly library: string) {}

  /** Where the dynamic linker found the library. */
  get libraryPath(): string {
    return this.raw.libraryPath;
  }

  /** True once {@link NvmlSession.close} ran. */
  get closed(): boolean {
    return this.raw.closed;
  }

  /**
   * `nvmlSystemGetDriverVersion`, e.g. `535.104.05`.
   * @throws {@link @bpfscope/core!DataUnavailable} naming the function, code and message when NVML fails
   * @throws {@link @bpfscope/core!Closed} after close
   */
  driverVersion(): string {
    return this.must('nvmlSystemGetDriverVersion', this.open().driverVersion(), 'the NVIDIA driver version');
  }

  /**
   * `nvmlSystemGetNVMLVersion`, e.g. `12.535.104.05`.
   * @throws {@link @bpfscope/core!DataUnavailable} when NVML fails
   * @throws {@link @bpfscope/core!Closed} after close
   */
  nvmlVersion(): string {
    return this.must('nvmlSystemGetNVMLVersion', this.open().nvmlVersion(), 'the NVML version');
  }

  /**
   * `nvmlDeviceGetCount_v2`: the devices NVML can see (indices 0 to count - 1).
   * @throws {@link @bpfscope/core!DataUnavailable} when NVML fails
   * @throws {@link @bpfscope/core!Closed} after close
   */
  deviceCount(): number {
    return this.must('nvmlDeviceGetCount_v2', this.open().deviceCount(), 'the NVIDIA device count');
  }

  /**
   * Every figure of one device; a call that fails leaves its failure in place of the figure.
   * @param index - NVML device index
   * @returns the figures, each with its call's outcome
   * @throws {@link @bpfscope/core!DataUnavailable} (or `InsufficientPermissions`) when `nvmlDeviceGetHandleByIndex_v2` fails
   * @throws {@link @bpfscope/core!ConfigError} for an index that is not an integer from 0 to 2^32 - 1
   * @throws {@link @bpfscope/core!Closed} after close
   */
  device(index: number): NvmlDeviceReading {
    if (!Number.isInteger(index) || index < 0 || index > 0xffffffff) throw new ConfigError('index', index, 'an NVML device index: an integer from 0 to deviceCount() - 1');
    const raw = this.open().device(index);
    if (raw.handle.ret !== NvmlReturn.SUCCESS) {
      const handle = failure('nvmlDeviceGetHandleByIndex_v2', raw.handle.ret, raw.handle.message ?? '');
      throw nvmlCallError(handle, `NVML device ${index}`, { library: this.raw.libraryPath, index });
    }
    return {
      index,
      name: result('nvmlDeviceGetName', raw.name),
      pci: result('nvmlDeviceGetPciInfo_v3', raw.pci),
      utilization: map(result('nvmlDeviceGetUtilizationRates', raw.utilization), (u) => ({ gpuPercent: u.gpu, memoryPercent: u.memory })),
      memory: map(result('nvmlDeviceGetMemoryInfo', raw.memory), (m) => ({ totalBytes: m.total, freeBytes: m.free, usedBytes: m.used })),
      powerMilliwatts: result('nvmlDeviceGetPowerUsage', raw.power),
      temperatureCelsius: result('nvmlDeviceGetTemperature', raw.temperature),
      graphicsClockMhz: result('nvmlDeviceGetClockInfo', raw.clockGraphics),
      smClockMhz: result('nvmlDeviceGetClockInfo', raw.clockSm),
      memoryClockMhz: result('nvmlDeviceGetClockInfo', raw.clockMemory),
      fanPercent: result('nvmlDeviceGetFanSpeed', raw.fan),
      computeProcesses: map(result('nvmlDeviceGetComputeRunningProcesses_v3', raw.processes), (list) =>
        list.map((p) => ({ pid: p.pid, usedGpuMemoryBytes: p.usedGpuMemory, gpuInstanceId: p.gpuInstanceId, computeInstanceId: p.computeInstanceId })),
      ),
    };
  }

  /** `nvmlShutdown` and `dlclose`. Safe to call more than once. */
  close(): void {
    this.raw.close();
  }

  private open(): RawNvmlSession {
    if (this.raw.closed) throw new Closed(`the NVML session of ${this.library}`);
    return this.raw;
  }

  private must<T>(fn: string, call: RawNvmlCall<T>, what: string): T {
    const r = result(fn, call);
    if (!r.ok) throw nvmlCallError(r, what, { library: this.raw.libraryPath });
    return r.value;
  }
}

function result<T>(fn: string, call: RawNvmlCall<T> | undefined): NvmlResult<T> {
  if (call === undefined) return failure(fn, NvmlReturn.ERROR_UNKNOWN, 'the addon returned no result for this call');
  if (call.ret === NvmlReturn.SUCCESS && call.value !== undefined) return { ok: true, value: call.value };
  return failure(fn, call.ret, call.message ?? '');
}

function map<T, U>(r: NvmlResult<T>, f: (v: T) => U): NvmlResult<U> {
  return r.ok ? { ok: true, value: f(r.value) } : r;
}

/**
 * Opens NVIDIA's management library at run time (`dlopen`, never linked), resolves the
 * functions bpfscope calls and runs `nvmlInit_v2`.
 * @param library - a name the dynamic linker searches for, or a path. @default 'libnvidia-ml.so.1'
 * @returns the session; {@link NvmlSession.close} it when done
 * @throws {@link @bpfscope/core!DataUnavailable} when the library cannot be opened (with the dynamic linker's message) or `nvmlInit_v2` returns an error code (with the code and NVML's message)
 * @throws {@link @bpfscope/core!LoadFailed} when the library lacks a function bpfscope calls (naming it)
 * @throws {@link @bpfscope/core!InsufficientPermissions} when NVML answers `NVML_ERROR_NO_PERMISSION`
 * @throws {@link @bpfscope/core!ConfigError} for an empty name
 * @throws {@link @bpfscope/core!NativeUnavailable} when the addon cannot be loaded
 * @example
 * ```ts
 * const nvml = openNvml();
 * try {
 *   for (let i = 0; i < nvml.deviceCount(); i++) console.log(nvml.device(i).powerMilliwatts);
 * } finally {
 *   nvml.close();
 * }
 * ```
 */
export function openNvml(library: string = DEFAULT_LIBRARY): NvmlSession {
  if (typeof library !== 'string' || library === '' || library.includes('\0')) throw new ConfigError('library', library, 'a library name or path');
  const binding = loadNative();
  let raw: RawNvmlSession;
  try {
    raw = new binding.NvmlSession(library);
  } catch (e) {
    if (isRawNvmlOpenFailure(e)) throw nvmlOpenError(e);
    throw e;
  }
  return new NvmlSession(raw, library);
}
