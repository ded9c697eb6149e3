import { DataUnavailable, InsufficientPermissions, LoadFailed, type BpfscopeError } from '@bpfscope/core';
import type { RawNvmlOpenFailure } from './raw-nvml.js';

/**
 * The documented `nvmlReturn_t` values (NVML API reference, "Error reporting"), by name.
 * A figure whose call returns {@link NvmlReturn.ERROR_NOT_SUPPORTED} is one the device
 * does not have; any other code but `SUCCESS` is a failure.
 */
export const NvmlReturn = {
  /** The call succeeded. */
  SUCCESS: 0,
  /** NVML was not initialised (`nvmlInit_v2`). */
  ERROR_UNINITIALIZED: 1,
  /** An argument was invalid (e.g. a device index NVML has no device for). */
  ERROR_INVALID_ARGUMENT: 2,
  /** The device does not support the request (e.g. no fan). */
  ERROR_NOT_SUPPORTED: 3,
  /** The caller may not do this (device file permissions). */
  ERROR_NO_PERMISSION: 4,
  /** Deprecated: multiple initialisations are allowed. */
  ERROR_ALREADY_INITIALIZED: 5,
  /** A query to find an object was unsuccessful. */
  ERROR_NOT_FOUND: 6,
  /** A buffer argument was too small. */
  ERROR_INSUFFICIENT_SIZE: 7,
  /** A device's external power cables are not connected. */
  ERROR_INSUFFICIENT_POWER: 8,
  /** The NVIDIA kernel driver is not loaded. */
  ERROR_DRIVER_NOT_LOADED: 9,
  /** The request timed out. */
  ERROR_TIMEOUT: 10,
  /** The kernel detected an interrupt issue with a GPU. */
  ERROR_IRQ_ISSUE: 11,
  /** NVML's shared library could not be found or loaded. */
  ERROR_LIBRARY_NOT_FOUND: 12,
  /** The local NVML does not implement the function. */
  ERROR_FUNCTION_NOT_FOUND: 13,
  /** The infoROM is corrupted. */
  ERROR_CORRUPTED_INFOROM: 14,
  /** The GPU fell off the bus or became inaccessible. */
  ERROR_GPU_IS_LOST: 15,
  /** The GPU needs a reset before it can be used again. */
  ERROR_RESET_REQUIRED: 16,
  /** The GPU control device was blocked by the operating system or cgroups. */
  ERROR_OPERATING_SYSTEM: 17,
  /** The RM (kernel module) and NVML versions differ. */
  ERROR_LIB_RM_VERSION_MISMATCH: 18,
  /** The operation cannot run because the GPU is in use. */
  ERROR_IN_USE: 19,
  /** Insufficient memory. */
  ERROR_MEMORY: 20,
  /** No data. */
  ERROR_NO_DATA: 21,
  /** The operation is not available because ECC is enabled (vGPU). */
  ERROR_VGPU_ECC_NOT_SUPPORTED: 22,
  /** Not enough resources for the operation. */
  ERROR_INSUFFICIENT_RESOURCES: 23,
  /** The frequency is not supported. */
  ERROR_FREQ_NOT_SUPPORTED: 24,
  /** The version of a struct argument is not supported. */
  ERROR_ARGUMENT_VERSION_MISMATCH: 25,
  /** The requested functionality was deprecated. */
  ERROR_DEPRECATED: 26,
  /** The system is not ready for the request. */
  ERROR_NOT_READY: 27,
  /** No GPU matched the request. */
  ERROR_GPU_NOT_FOUND: 28,
  /** The resource is in an invalid state. */
  ERROR_INVALID_STATE: 29,
  /** An internal driver error occurred. */
  ERROR_UNKNOWN: 999,
} as const;

const NAMES = new Map<number, string>(Object.entries(NvmlReturn).map(([name, code]) => [code, `NVML_${name}`]));

/** `NVML_ERROR_NOT_SUPPORTED` for 3; `NVML_RETURN_<n>` for a code the documentation does not name. @internal */
export function nvmlReturnName(code: number): string {
  return NAMES.get(code) ?? `NVML_RETURN_${code}`;
}

/** One NVML call that returned something other than `NVML_SUCCESS`. */
export interface NvmlCallFailure {
  /** Discriminant of {@link NvmlResult}. */
  ok: false;
  /** The NVML function, e.g. `nvmlDeviceGetFanSpeed`. */
  function: string;
  /** The `nvmlReturn_t` it returned. */
  code: number;
  /** Its documented name, e.g. `NVML_ERROR_NOT_SUPPORTED`. */
  codeName: string;
  /** `nvmlErrorString(code)` (or, for a function the library does not export, which one). */
  message: string;
}

/** One NVML call's outcome: the figure, or the failure. */
export type NvmlResult<T> =
  | {
      /** Discriminant. */
      ok: true;
      /** What the call filled in, in NVML's own unit. */
      value: T;
    }
  | NvmlCallFailure;

const INSTALL_OR_OPTION = "install the NVIDIA driver (it ships libnvidia-ml.so.1), or give the library's path (the gpu plugin's nvmlLibrary option)";

/** The taxonomy error of a failed open (src/native/nvml.cc). @internal */
export function nvmlOpenError(e: RawNvmlOpenFailure): BpfscopeError {
  const base = { op: e.op, cause: e };
  switch (e.code) {
    case 'NVML_LIBRARY_NOT_FOUND':
      return new DataUnavailable(`NVML (${e.library})`, `dlopen cannot open it: ${e.dlerror}`, {
        ...base,
        remedy: `No NVIDIA management library here: ${INSTALL_OR_OPTION}. Without NVML the gpu family reads DRM sysfs.`,
        details: { library: e.library, dlerror: e.dlerror, lookedFor: [e.library] },
      });
    case 'NVML_SYMBOL_MISSING':
      return new LoadFailed(e.path || e.library, `it does not export ${e.symbol}, which bpfscope calls (${e.dlerror})`, '', {
        ...base,
        remedy: `This library is not NVIDIA's NVML, or is older than the functions bpfscope calls: ${INSTALL_OR_OPTION} of a current driver. Without NVML the gpu family reads DRM sysfs.`,
        details: { library: e.library, path: e.path, symbol: e.symbol, dlerror: e.dlerror },
      });
    case 'NVML_CALL_FAILED':
      return nvmlCallError(failure(e.op, e.nvmlReturn, e.nvmlMessage), `NVML (${e.path || e.library})`, { library: e.path || e.library });
  }
}

/** A {@link NvmlCallFailure} of `fn`. @internal */
export function failure(fn: string, code: number, message: string): NvmlCallFailure {
  return { ok: false, function: fn, code, codeName: nvmlReturnName(code), message };
}

/**
 * The taxonomy error of a failed NVML call: {@link @bpfscope/core!InsufficientPermissions}
 * for `NVML_ERROR_NO_PERMISSION`, else {@link @bpfscope/core!DataUnavailable}; both name
 * the function, the code and NVML's message, with a remedy for the code.
 * @param f - the failed call
 * @param what - what could not be read, e.g. `NVML device 1`
 * @param details - more context for `details`
 * @returns the error (not thrown)
 */
export function nvmlCallError(f: NvmlCallFailure, what: string, details: Record<string, unknown> = {}): BpfscopeError {
  const reason = `${f.function} returned ${f.code} ${f.codeName} (${f.message})`;
  const options = { op: f.function, details: { ...details, function: f.function, nvmlReturn: f.code, nvmlReturnName: f.codeName, nvmlMessage: f.message } };
  if (f.code === NvmlReturn.ERROR_NO_PERMISSION) {
    return new InsufficientPermissions(`${what}: ${reason}`, ['read and write access to /dev/nvidiactl and /dev/nvidia<N>'], {
      ...options,
      remedy: 'Run as a user who may open the NVIDIA device files (often the video group, or root); in a container, pass the devices in (e.g. the NVIDIA container toolkit).',
    });
  }
  return new DataUnavailable(what, reason, { ...options, remedy: remedyFor(f.code) });
}

function remedyFor(code: number): string {
  switch (code) {
    case NvmlReturn.ERROR_DRIVER_NOT_LOADED:
      return 'The NVIDIA kernel module is not loaded: load it (modprobe nvidia) or install the NVIDIA driver. Without NVML the gpu family reads DRM sysfs.';
    case NvmlReturn.ERROR_LIB_RM_VERSION_MISMATCH:
      return 'libnvidia-ml.so.1 and the loaded nvidia kernel module come from different driver versions (as after an upgrade without a reboot): reboot, or reload the module.';
    case NvmlReturn.ERROR_GPU_IS_LOST:
    case NvmlReturn.ERROR_RESET_REQUIRED:
      return 'The GPU stopped answering (the kernel log has the Xid error): it needs a reset (nvidia-smi -r) or a reboot.';
    case NvmlReturn.ERROR_FUNCTION_NOT_FOUND:
      return 'The NVML library predates this function: install a current NVIDIA driver. The figure is left out meanwhile.';
    default:
      return "See NVML's message; nvidia-smi on this machine reports the same failure. The figure is left out, never estimated.";
  }
}
