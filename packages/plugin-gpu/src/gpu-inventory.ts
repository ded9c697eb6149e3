import { createProcfsReader, isBpfscopeError } from '@bpfscope/core';
import { takeDrmInventory, type DrmCard } from './drm/drm-cards.js';
import { GPU_OBJECT_PATH } from './object-path.js';
import { resolveGpuOptions } from './options.js';
import { GPU_PARTS, type GpuPartFactories } from './part-factories.js';

/** A DRM card found by {@link gpuInventory}. */
export interface InventoryCard {
  /** N of `cardN`. */
  card: number;
  /** The kernel driver, or null when unreadable. */
  driver: string | null;
  /** PCI vendor id (`0x1002`), or null. */
  vendorId: string | null;
  /** PCI device id (`0x73bf`), or null. */
  deviceId: string | null;
  /** PCI address, or null. */
  busId: string | null;
  /** Why the gpu family does not read this card (a display-only or unknown driver), or null when it does. */
  skipped: string | null;
}

/** What GPU sources a machine offers, as the gpu family would find them. */
export interface GpuInventory {
  /** The sysfs root looked at. */
  sysRoot: string;
  /** NVML: what it found, or why not. */
  nvml: {
    /** The library tried (`nvmlLibrary`). */
    library: string;
    /** What it found, e.g. its version and device count; null when it did not open. */
    summary: string | null;
    /** Why it did not open, or null. */
    unavailable: string | null;
  };
  /** DRM cards. */
  drm: {
    /** Every `cardN`: those the family reads (`skipped` null) and those it skips, by N. */
    cards: InventoryCard[];
    /** Why the DRM class is missing, or null. */
    unavailable: string | null;
  };
  /** CUDA runtime libraries. */
  cuda: {
    /** The `libcudart.so` files the uprobes would go on. */
    runtimes: string[];
    /** Why there are none, or null. */
    unavailable: string | null;
  };
  /** Why the family has nothing to read here (no NVML, no DRM card it reads, no CUDA runtime), or null. */
  unavailable: string | null;
  /**
   * Why there is no GPU device here (NVML did not open and no DRM card is read), or null: a
   * machine with a CUDA runtime but no device still has the eBPF part's per-process work.
   */
  noDevice: string | null;
}

const card = (c: DrmCard, skipped: string | null): InventoryCard => ({ card: c.index, driver: c.driver, vendorId: c.vendorId, deviceId: c.deviceId, busId: c.busId, skipped });

/**
 * List the GPU sources of this machine without reading any figure, for a support report
 * (`bpfscope doctor`): whether NVML opens (and its version), the DRM cards, the CUDA
 * runtime libraries. The eBPF programs are not loaded.
 * @param options - where sysfs is (`sysRoot`, default `/sys`), the NVML library to try and the CUDA runtimes to use instead of a search
 * @returns what was found, or why not, per source
 * @throws {@link @bpfscope/core!ConfigError} for an invalid library name or CUDA runtime path
 * @example
 * ```ts
 * const inv = gpuInventory();
 * if (inv.unavailable) console.log('no gpu family:', inv.unavailable);
 * ```
 */
export function gpuInventory(options: { sysRoot?: string; nvmlLibrary?: string; cudaRuntimes?: string[] } = {}): GpuInventory {
  return takeGpuInventory(options, GPU_PARTS);
}

/** {@link gpuInventory} with the parts made by `parts` (tests hand stand-ins). @internal */
export function takeGpuInventory(options: { sysRoot?: string; nvmlLibrary?: string; cudaRuntimes?: string[] }, parts: GpuPartFactories): GpuInventory {
  const sysRoot = options.sysRoot ?? '/sys';
  const resolved = resolveGpuOptions({ nvmlLibrary: options.nvmlLibrary, cudaRuntimes: options.cudaRuntimes }, GPU_OBJECT_PATH);
  const why = (e: unknown): string => {
    if (!isBpfscopeError(e)) throw e;
    return e.message;
  };
  const nvml: GpuInventory['nvml'] = { library: resolved.nvmlLibrary, summary: null, unavailable: null };
  try {
    const reader = parts.nvml(resolved);
    try {
      reader.open();
      nvml.summary = reader.info().summary;
    } finally {
      reader.close();
    }
  } catch (e) {
    nvml.unavailable = why(e);
  }
  const inv = takeDrmInventory(createProcfsReader('/proc', sysRoot));
  const drm: GpuInventory['drm'] = { cards: [...inv.cards.map((c) => card(c, null)), ...inv.skipped.map((s) => card(s.card, s.reason))].sort((a, b) => a.card - b.card), unavailable: inv.missing };
  const cuda: GpuInventory['cuda'] = { runtimes: [], unavailable: null };
  try {
    cuda.runtimes = [...parts.cudaRuntimes(resolved)];
  } catch (e) {
    cuda.unavailable = why(e);
  }
  const found = nvml.summary !== null || inv.cards.length > 0 || cuda.runtimes.length > 0;
  const drmWhy = inv.missing ?? (inv.cards.length === 0 ? `no card of amdgpu, i915 or xe below ${sysRoot}/class/drm` : '');
  const device = nvml.summary !== null || inv.cards.length > 0;
  return {
    sysRoot,
    nvml,
    drm,
    cuda,
    unavailable: found ? null : `no GPU found here: NVML: ${nvml.unavailable}; DRM sysfs: ${drmWhy}; CUDA runtime: ${cuda.unavailable}`,
    noDevice: device ? null : `no GPU device here: NVML: ${nvml.unavailable}; DRM sysfs: ${drmWhy}`,
  };
}
