import { ConfigError, type FamilyOptions, type OptionSchema } from '@bpfscope/core';
import type { gpu } from './plugin.js';

/**
 * Options of the {@link gpu} plugin; every field optional. `config.families.gpu` may
 * override each of them but `objectPath` (see {@link GPU_OPTION_SCHEMA}).
 */
export interface GpuPluginOptions {
  /**
   * The NVML library dlopen opens at start (a name the dynamic linker searches for, or a
   * path). It is never linked: without it the family goes on to DRM sysfs.
   * @default 'libnvidia-ml.so.1'
   */
  nvmlLibrary?: string;
  /**
   * CUDA runtime libraries (`libcudart.so*`) to put the uprobes on. Default: those found in
   * the dynamic linker's cache and the usual CUDA install directories at start.
   */
  cudaRuntimes?: readonly string[];
  /** Path of the compiled eBPF object. @default the `bpf/gpu.bpf.o` shipped in this package */
  objectPath?: string;
}

/** Options checked, defaults filled in. @internal */
export interface ResolvedGpuOptions {
  nvmlLibrary: string;
  /** null: search at start. */
  cudaRuntimes: readonly string[] | null;
  objectPath: string;
}

/**
 * Check the options.
 * @throws {@link @bpfscope/core!ConfigError} for an invalid option
 * @internal
 */
export function resolveGpuOptions(o: GpuPluginOptions, defaultObjectPath: string): ResolvedGpuOptions {
  const known = new Set(['nvmlLibrary', 'cudaRuntimes', 'objectPath']);
  for (const key of Object.keys(o)) if (!known.has(key)) throw new ConfigError(`gpu.${key}`, (o as Record<string, unknown>)[key], 'no such option of the gpu plugin');
  if (o.nvmlLibrary !== undefined && (typeof o.nvmlLibrary !== 'string' || o.nvmlLibrary === '')) throw new ConfigError('gpu.nvmlLibrary', o.nvmlLibrary, 'a library name or path');
  if (o.objectPath !== undefined && (typeof o.objectPath !== 'string' || o.objectPath === '')) throw new ConfigError('gpu.objectPath', o.objectPath, 'a file path');
  if (o.cudaRuntimes !== undefined && (!Array.isArray(o.cudaRuntimes) || o.cudaRuntimes.some((p) => typeof p !== 'string' || !p.startsWith('/')))) {
    throw new ConfigError('gpu.cudaRuntimes', o.cudaRuntimes, 'a list of absolute paths of libcudart.so files');
  }
  return { nvmlLibrary: o.nvmlLibrary ?? 'libnvidia-ml.so.1', cudaRuntimes: o.cudaRuntimes ? [...o.cudaRuntimes] : null, objectPath: o.objectPath ?? defaultObjectPath };
}

/**
 * The options `config.families.gpu` may hold (besides the engine's `mode`, `enabled`,
 * `initTimeoutMs`, `readTimeoutMs`); each overrides the factory's option of the same name.
 */
export const GPU_OPTION_SCHEMA: OptionSchema = Object.freeze({
  nvmlLibrary: { type: 'string' },
  cudaRuntimes: { type: 'string[]', maxItems: 64 },
});

/**
 * The factory's options overridden by the family's validated config.
 * @throws {@link @bpfscope/core!ConfigError} for a CUDA runtime path that is not absolute, or an empty library name
 * @internal
 */
export function withFamilyOptions(o: ResolvedGpuOptions, config: FamilyOptions): ResolvedGpuOptions {
  const merged = resolveGpuOptions(
    {
      nvmlLibrary: (config.nvmlLibrary as string | undefined) ?? o.nvmlLibrary,
      ...(config.cudaRuntimes !== undefined ? { cudaRuntimes: config.cudaRuntimes as string[] } : o.cudaRuntimes !== null ? { cudaRuntimes: o.cudaRuntimes } : {}),
      objectPath: o.objectPath,
    },
    o.objectPath,
  );
  return merged;
}
