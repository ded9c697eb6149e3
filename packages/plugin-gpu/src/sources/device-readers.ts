import { DataUnavailable, isBpfscopeError, type BpfscopeError, type Logger } from '@bpfscope/core';
import type { GpuDeviceReader } from '../parts.js';
import type { GpuMetrics } from '../records.js';

/** A part of the family that could not be opened, with its error. @internal */
export interface PartFailure {
  /** `NVML`, `DRM sysfs`, `eBPF`. */
  what: string;
  error: BpfscopeError;
}

/** A device reader to try: what it is, and how to make it. @internal */
export interface ReaderCandidate {
  what: string;
  make: () => GpuDeviceReader;
}

/**
 * Open the first reader that opens, in order. A reader that is not there (DataUnavailable)
 * is logged at info; one that is there but broken (a symbol missing, an NVML error code)
 * at warn. Both are returned, and the next reader is tried.
 * @internal
 */
export function openFirstReader(candidates: readonly ReaderCandidate[], logger: Logger | null): { reader: GpuDeviceReader | null; failures: PartFailure[] } {
  const failures: PartFailure[] = [];
  for (const c of candidates) {
    let reader: GpuDeviceReader | null = null;
    try {
      reader = c.make();
      reader.open();
      return { reader, failures };
    } catch (e) {
      if (!isBpfscopeError(e)) throw e;
      reader?.close();
      failures.push({ what: c.what, error: e });
      const absent = e instanceof DataUnavailable;
      logger?.[absent ? 'info' : 'warn'](`gpu: ${c.what} ${absent ? 'not found' : 'failed'}; trying the next device reader`, { code: e.code, message: e.message });
    }
  }
  return { reader: null, failures };
}

/** The failures as one line: `NVML: …; DRM sysfs: …`. @internal */
export function describeFailures(failures: readonly PartFailure[]): string {
  return failures.map((f) => `${f.what}: ${f.error.message}`).join('; ');
}

/**
 * The family's error when no part found anything: every part's reason, and what each
 * looked for (`details.lookedFor`). The cause is the first failure that was not mere
 * absence (a broken library), when there is one.
 * @internal
 */
export function nothingFound(failures: readonly PartFailure[]): DataUnavailable {
  const lookedFor = failures.flatMap((f) => {
    const l = f.error.details.lookedFor;
    return Array.isArray(l) ? (l as unknown[]).map(String) : [f.what];
  });
  const broken = failures.find((f) => !(f.error instanceof DataUnavailable));
  return new DataUnavailable('gpu', `no GPU found here: ${describeFailures(failures)}`, {
    cause: broken?.error,
    details: { lookedFor, failures: failures.map((f) => ({ what: f.what, code: f.error.code })) },
    remedy:
      'Nothing to fix on a machine without a GPU. Otherwise: for NVIDIA install the driver (it ships libnvidia-ml.so.1) or set families.gpu.nvmlLibrary; for AMD and Intel load amdgpu, i915 or xe; ' +
      'for CUDA work set families.gpu.cudaRuntimes to the libcudart.so your programs load. With config.sysRoot set, check that it points at sysfs.' +
      (broken ? ` And for ${broken.what}: ${broken.error.remedy}` : ''),
  });
}

/** A reading with nothing in it yet. @internal */
export function emptyGpuMetrics(): GpuMetrics {
  return { devices: [], cuda: [], fences: [], kernel: null, fieldSources: {}, unavailable: {}, errors: {} };
}

/**
 * Read the devices into `m`: from the reader (marked in `fieldSources.devices` when it is
 * not the family's source), or why there are none. A reader that was broken before the one
 * used (NVML present but failing) stays in `errors.devices`.
 * @internal
 */
export function readDevicesInto(m: GpuMetrics, reader: GpuDeviceReader | null, failures: readonly PartFailure[], familySource: string): void {
  const broken = failures.find((f) => !(f.error instanceof DataUnavailable));
  if (broken) m.errors.devices = broken.error;
  if (reader === null) {
    m.unavailable.devices = `no device reader found a GPU: ${describeFailures(failures)}`;
    return;
  }
  if (reader.kind !== familySource) m.fieldSources.devices = reader.kind;
  try {
    m.devices = reader.read();
  } catch (e) {
    if (!isBpfscopeError(e)) throw e;
    m.errors.devices = e;
  }
}
