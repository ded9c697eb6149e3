// The shape of the addon's NvmlSession class (src/native/nvml.cc). Every NVML call's
// return code crosses as data; src/nvml.ts gives it meaning.

/** One NVML call as the addon reports it: `ret` is the nvmlReturn_t, `message` its nvmlErrorString when not 0. @internal */
export interface RawNvmlCall<T> {
  /** The nvmlReturn_t the function returned (0: success). */
  ret: number;
  /** nvmlErrorString(ret) when the call failed. */
  message?: string;
  /** What the call filled in, when it succeeded. */
  value?: T;
}

/** nvmlPciInfo_t as nvmlDeviceGetPciInfo_v3 fills it. @internal */
export interface RawNvmlPci {
  busId: string;
  domain: number;
  bus: number;
  device: number;
  pciDeviceId: number;
  pciSubSystemId: number;
}

/** One process of nvmlDeviceGetComputeRunningProcesses_v3; `usedGpuMemory` null for NVML_VALUE_NOT_AVAILABLE. @internal */
export interface RawNvmlProcess {
  pid: number;
  usedGpuMemory: number | null;
  gpuInstanceId: number;
  computeInstanceId: number;
}

/** Every call of one device reading; only `handle` when nvmlDeviceGetHandleByIndex_v2 failed. @internal */
export interface RawNvmlDevice {
  handle: RawNvmlCall<never>;
  name?: RawNvmlCall<string>;
  pci?: RawNvmlCall<RawNvmlPci>;
  utilization?: RawNvmlCall<{ gpu: number; memory: number }>;
  memory?: RawNvmlCall<{ total: number; free: number; used: number }>;
  power?: RawNvmlCall<number>;
  temperature?: RawNvmlCall<number>;
  clockGraphics?: RawNvmlCall<number>;
  clockSm?: RawNvmlCall<number>;
  clockMemory?: RawNvmlCall<number>;
  fan?: RawNvmlCall<number>;
  processes?: RawNvmlCall<RawNvmlProcess[]>;
}

/** The addon's NvmlSession: one dlopen'ed, initialised NVML library. Methods throw a `CLOSED` failure once closed. @internal */
export interface RawNvmlSession {
  /** Where the dynamic linker found the library. */
  readonly libraryPath: string;
  /** True once closed (nvmlShutdown and dlclose done). */
  readonly closed: boolean;
  /** nvmlSystemGetDriverVersion. */
  driverVersion(): RawNvmlCall<string>;
  /** nvmlSystemGetNVMLVersion. */
  nvmlVersion(): RawNvmlCall<string>;
  /** nvmlDeviceGetCount_v2. */
  deviceCount(): RawNvmlCall<number>;
  /** Every figure of device `index`. */
  device(index: number): RawNvmlDevice;
  /** nvmlErrorString(code). */
  errorString(code: number): string;
  /** nvmlShutdown and dlclose; safe to call twice. */
  close(): void;
}

/**
 * What `new NvmlSession(library)` throws: a plain Error with the failure as data.
 * `code` says which step failed. @internal
 */
export interface RawNvmlOpenFailure extends Error {
  code: 'NVML_LIBRARY_NOT_FOUND' | 'NVML_SYMBOL_MISSING' | 'NVML_CALL_FAILED';
  /** `dlopen`, `dlsym` or the NVML function (`nvmlInit_v2`). */
  op: string;
  /** The name or path that was passed. */
  library: string;
  /** Where the dynamic linker found it; empty when dlopen failed. */
  path: string;
  /** NVML_SYMBOL_MISSING: the function the library does not export. */
  symbol: string;
  /** dlopen / dlsym: the dynamic linker's message. */
  dlerror: string;
  /** NVML_CALL_FAILED: the nvmlReturn_t. */
  nvmlReturn: number;
  /** NVML_CALL_FAILED: nvmlErrorString of it. */
  nvmlMessage: string;
}

/** The NVML part of the raw binding. @internal */
export interface NvmlBinding {
  /** dlopen(library, RTLD_NOW | RTLD_LOCAL), dlsym of the functions, nvmlInit_v2; throws a {@link RawNvmlOpenFailure}. */
  NvmlSession: new (library: string) => RawNvmlSession;
}

/** @internal */
export function isRawNvmlOpenFailure(e: unknown): e is RawNvmlOpenFailure {
  const code = e instanceof Error ? (e as Partial<RawNvmlOpenFailure>).code : undefined;
  return typeof code === 'string' && code.startsWith('NVML_');
}
