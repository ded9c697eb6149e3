// Reading a compiled eBPF object from disk, with a remedy that fits where it lives:
// inside an installed package, inside a clone of the bpfscope repository, or elsewhere.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { LoadFailed } from '@bpfscope/core';

interface PackageJson {
  name?: string;
  workspaces?: unknown;
}

function readPackageJson(dir: string): PackageJson | null {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
  } catch {
    return null;
  }
}

/** The nearest folder at or above `start` that holds a package.json (real path), or null. */
function owningPackageDir(start: string): string | null {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) {
      try {
        return realpathSync(dir);
      } catch {
        return dir;
      }
    }
    if (dirname(dir) === dir) return null;
  }
}

/** A workspaces entry (`packages/core`, `packages/*`, `libs/**`) as a regular expression over a relative path. */
function workspacePattern(entry: string): RegExp {
  const clean = entry.replace(/^\.\//, '').replace(/\/+$/, '');
  const body = clean
    .split('/')
    .map((seg) => (seg === '**' ? '.*' : seg.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')))
    .join('/');
  return new RegExp(`^${body}$`);
}

/**
 * True when `pkgDir` is a workspace of a monorepo above it (a package.json whose
 * `workspaces` lists it): code running from a clone of the repository, where the
 * objects are built with `npm run build:bpf`, not installed.
 */
function isWorkspaceOfRepo(pkgDir: string): boolean {
  for (let dir = dirname(pkgDir); dirname(dir) !== dir; dir = dirname(dir)) {
    const workspaces = readPackageJson(dir)?.workspaces;
    const list = Array.isArray(workspaces) ? workspaces : Array.isArray((workspaces as { packages?: unknown } | undefined)?.packages) ? (workspaces as { packages: unknown[] }).packages : null;
    if (list === null) continue;
    const rel = relative(dir, pkgDir).split(sep).join('/');
    return list.some((w) => typeof w === 'string' && workspacePattern(w).test(rel));
  }
  return false;
}

/**
 * What a user can do about a missing or unusable object at `path`: reinstall the
 * package that ships it; rebuild it when running from a clone of the repository; check
 * the path when no package holds it.
 * @internal
 */
export function objectFileRemedy(path: string): string {
  const pkgDir = owningPackageDir(dirname(path));
  const name = pkgDir === null ? undefined : readPackageJson(pkgDir)?.name;
  if (pkgDir === null || name === undefined) {
    return `Check the object path: ${path} should be a compiled eBPF object (.bpf.o). The plugins' own objects ship inside their packages; leave the objectPath option out to use them.`;
  }
  if (isWorkspaceOfRepo(pkgDir)) {
    return `Running from a clone of the bpfscope repository: rebuild the eBPF objects with "npm run build:bpf" at the repository root (they are committed: "git status" shows one missing or changed).`;
  }
  return `Reinstall ${name}, whose package ships this object (npm install ${name}); a missing or damaged file means the installed copy is incomplete. If you passed this path as the objectPath option, check it.`;
}

function readFailed(path: string, cause: unknown): LoadFailed {
  const err = cause as NodeJS.ErrnoException;
  const errno = typeof err.errno === 'number' ? Math.abs(err.errno) : undefined;
  const why = err.code !== undefined ? `${err.code}: ${err.message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '')}` : err.message;
  return new LoadFailed(path, `cannot read the object file (${why})`, '', {
    op: 'read',
    errno,
    cause,
    remedy: objectFileRemedy(path),
    details: { path },
  });
}

/**
 * Reads a compiled eBPF object (`.bpf.o`) from disk.
 *
 * @param path - the object's path
 * @returns the object's bytes
 * @throws {@link @bpfscope/core!LoadFailed} naming the path when the file cannot be read,
 * with a remedy for where it lives: reinstall the package that ships it, or, in a clone
 * of the repository, `npm run build:bpf`
 * @example
 * ```ts
 * const bytes = await readObjectFile(new URL('../bpf/cpu.bpf.o', import.meta.url).pathname);
 * const obj = BpfObject.open(bytes, { name: 'cpu' });
 * ```
 */
export async function readObjectFile(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (e) {
    throw readFailed(path, e);
  }
}

/**
 * {@link readObjectFile}, synchronously.
 *
 * @param path - the object's path
 * @returns the object's bytes
 * @throws {@link @bpfscope/core!LoadFailed} naming the path when the file cannot be read
 */
export function readObjectFileSync(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw readFailed(path, e);
  }
}
