// Pin paths must lie on a mounted BPF file system. bpfscope never mounts one:
// it reads /proc/mounts and says what is missing.
import { readFileSync, unlinkSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DataUnavailable, parseMountTable, readMountTable, type BpfscopeError } from '@bpfscope/core';

/**
 * Mount points of every `bpf` file system, longest first.
 * @param mounts - mount-table text; /proc/mounts is read when left out
 * @throws {@link @bpfscope/core!DataUnavailable} when /proc/mounts cannot be read (unknown is not "not mounted")
 * @internal
 */
export function bpffsMounts(mounts?: string): string[] {
  const table = mounts === undefined ? readMountTable() : parseMountTable(mounts);
  return table.filter((m) => m.type === 'bpf').map((m) => m.target).sort((a, b) => b.length - a.length);
}

/**
 * Why `path` cannot hold a pin, or undefined when it can: it must be absolute
 * and lie below a bpffs mount.
 * @internal
 * @throws {@link @bpfscope/core!DataUnavailable} when no bpffs is mounted at all, or /proc/mounts cannot be read
 */
export function pinPathProblem(path: string, mounts?: string): string | undefined {
  if (typeof path !== 'string' || path === '') return 'the pin path must be a non-empty string';
  if (!path.startsWith('/')) return `the pin path ${JSON.stringify(path)} must be absolute`;
  const found = bpffsMounts(mounts);
  if (found.length === 0) {
    throw new DataUnavailable('bpffs (the BPF file system)', '/proc/mounts lists no file system of type bpf, so nothing can be pinned', {
      remedy: 'Mount it (as root: mount -t bpf bpf /sys/fs/bpf), or have the system do so at boot; bpfscope does not mount file systems itself.',
      details: { path },
    });
  }
  const dir = dirname(resolve(path));
  if (!found.some((m) => dir === m || dir.startsWith(m.endsWith('/') ? m : `${m}/`))) {
    return `${path} is not on a bpf file system (bpffs is mounted at ${found.join(', ')})`;
  }
  return undefined;
}

/**
 * Removes a pin file; a failure becomes the caller's error class.
 * @internal
 */
export function removePin(path: string, fail: (why: string, options: { errno?: number; op: string; cause: unknown }) => BpfscopeError): void {
  try {
    unlinkSync(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw fail(`${path}: ${err.message}`, { errno: typeof err.errno === 'number' ? Math.abs(err.errno) : undefined, op: 'unlink', cause: e });
  }
}
