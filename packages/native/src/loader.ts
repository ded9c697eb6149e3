import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import nodeGypBuild from 'node-gyp-build';
import { NativeUnavailable } from '@bpfscope/core';
import { isNativeBinding, type NativeBinding } from './raw-binding.js';

/** The package root: this file sits in `src/` (tests) or `dist/` (published). @internal */
export const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

type LoadResult = { ok: true; binding: NativeBinding; path: string } | { ok: false; error: NativeUnavailable };

let cached: LoadResult | undefined;

/** Where node-gyp-build looks, in its order; PREBUILDS_ONLY=1 skips the source builds. */
function pathsTried(): string[] {
  const paths = process.env.PREBUILDS_ONLY ? [] : [join(PACKAGE_DIR, 'build/Release'), join(PACKAGE_DIR, 'build/Debug')];
  paths.push(join(PACKAGE_DIR, 'prebuilds', `${process.platform}-${process.arch}`));
  return paths;
}

function attempt(): LoadResult {
  if (process.platform !== 'linux') {
    return { ok: false, error: new NativeUnavailable(pathsTried(), `eBPF needs Linux; this is ${process.platform}`) };
  }
  try {
    const path = nodeGypBuild.path(PACKAGE_DIR);
    // process.dlopen is what require() does for a .node file, without starting Node's
    // CommonJS loader (~3 MB of RSS in a process that otherwise has only ES modules).
    const holder: { exports: unknown } = { exports: {} };
    process.dlopen(holder, path);
    const mod = holder.exports;
    if (!isNativeBinding(mod)) {
      throw new Error(`${path} does not export the bpfscope binding (a stale or foreign build?)`);
    }
    return { ok: true, binding: mod, path };
  } catch (e) {
    const message = (e instanceof Error ? e.message : String(e)).trim();
    return { ok: false, error: new NativeUnavailable(pathsTried(), message, { cause: e }) };
  }
}

function load(): LoadResult {
  cached ??= attempt();
  return cached;
}

/**
 * Loads the native addon once per process (later calls return the same binding).
 * node-gyp-build picks `build/Release` (a source build) first, then the shipped
 * prebuild in `prebuilds/linux-x64`; with `PREBUILDS_ONLY=1` only the prebuild.
 *
 * @returns the raw binding; most code uses {@link BpfObject} instead
 * @throws {@link @bpfscope/core!NativeUnavailable} naming the paths tried and the loader's message
 */
export function loadNative(): NativeBinding {
  const result = load();
  if (!result.ok) throw result.error;
  return result.binding;
}

/**
 * Whether the addon loads, without throwing.
 *
 * @returns `ok` and the path of the loaded `.node` file, or the {@link @bpfscope/core!NativeUnavailable} error
 * @example
 * ```ts
 * const native = isNativeAvailable();
 * if (!native.ok) console.warn(native.error.message, native.error.remedy);
 * ```
 */
export function isNativeAvailable():
  | {
      /** The addon loaded. */
      ok: true;
      /** Absolute path of the `.node` file that was loaded. */
      path: string;
    }
  | {
      /** The addon did not load; `error` says why. */
      ok: false;
      /** Why it did not load, with the paths tried and the loader's message. */
      error: NativeUnavailable;
    } {
  const result = load();
  return result.ok ? { ok: true, path: result.path } : { ok: false, error: result.error };
}
