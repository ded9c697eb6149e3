import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

/** Where {@link findCudaRuntimes} looks. @internal */
export interface CudaRuntimeSearch {
  /** The dynamic linker's cache. @default '/etc/ld.so.cache' */
  ldCache?: string;
  /** The directory holding the CUDA toolkits (`cuda`, `cuda-12.4`, ...). @default '/usr/local' */
  installRoot?: string;
}

/** What {@link findCudaRuntimes} found. @internal */
export interface CudaRuntimesFound {
  /** Distinct runtime files (one path per file: two paths to one inode would count every call twice). */
  runtimes: string[];
  /** What was searched, for the `unavailable.cuda` text. */
  lookedFor: string[];
}

const RUNTIME = /^libcudart\.so(\.\d+)*$/;
/** Toolkits installed side by side are few; more entries than this under installRoot are not scanned. */
const MAX_TOOLKITS = 32;
/** A cache bigger than this is not the dynamic linker's (glibc's is well under 1 MiB on large systems). */
const MAX_CACHE_BYTES = 16 << 20;

/**
 * The paths of `libcudart.so*` that the dynamic linker's cache lists: its strings are the
 * library names and full paths (both cache formats), so the paths are found without running
 * `ldconfig -p`.
 * @internal
 */
export function cachedRuntimePaths(cache: Uint8Array): string[] {
  const out = new Set<string>();
  const text = Buffer.from(cache.buffer, cache.byteOffset, cache.byteLength).toString('latin1');
  for (const s of text.split('\0')) if (s.startsWith('/') && RUNTIME.test(basename(s))) out.add(s);
  return [...out];
}

function toolkitDirs(installRoot: string): string[] {
  let names: string[];
  try {
    names = readdirSync(installRoot).filter((n) => n === 'cuda' || n.startsWith('cuda-')).sort().slice(0, MAX_TOOLKITS);
  } catch {
    return [];
  }
  return names.flatMap((n) => [join(installRoot, n, 'lib64'), join(installRoot, n, 'targets/x86_64-linux/lib')]);
}

/**
 * Find the CUDA runtimes on this machine: the `libcudart.so*` files in the dynamic linker's
 * cache and in the toolkit directories (`<installRoot>/cuda*` `lib64` and
 * `targets/x86_64-linux/lib`). Cheap and bounded: one read of the cache, a few directory
 * listings, no process started.
 * @internal
 */
export function findCudaRuntimes(search: CudaRuntimeSearch = {}): CudaRuntimesFound {
  const ldCache = search.ldCache ?? '/etc/ld.so.cache';
  const installRoot = search.installRoot ?? '/usr/local';
  const candidates: string[] = [];
  try {
    if (statSync(ldCache).size <= MAX_CACHE_BYTES) candidates.push(...cachedRuntimePaths(readFileSync(ldCache)));
  } catch {
    // No cache: the toolkit directories alone.
  }
  const dirs = toolkitDirs(installRoot);
  for (const dir of dirs) {
    try {
      for (const n of readdirSync(dir).sort()) if (RUNTIME.test(n)) candidates.push(join(dir, n));
    } catch {
      // Not there.
    }
  }
  return {
    runtimes: distinctFiles(candidates),
    lookedFor: [`libcudart.so* in the dynamic linker cache ${ldCache}`, `${join(installRoot, 'cuda*')}/{lib64,targets/x86_64-linux/lib}/libcudart.so*`],
  };
}

/**
 * The paths that are distinct regular files, first path of each kept, in order; paths that do
 * not exist are left out.
 * @internal
 */
export function distinctFiles(paths: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const p of paths) {
    let id: string;
    try {
      const st = statSync(realpathSync(p));
      if (!st.isFile()) continue;
      id = `${st.dev}:${st.ino}`;
    } catch {
      continue;
    }
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(p);
  }
  return out;
}
