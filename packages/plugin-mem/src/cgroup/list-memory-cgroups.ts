import { join } from 'node:path';
import { DataUnavailable, isBpfscopeError, procReadErrorCode, type BpfscopeError, type KeptFiles, type ProcfsReader, type ProcfsStat } from '@bpfscope/core';
import { parseMemoryMax, parseV1Limit } from './parse-cgroup-value.js';

/** A cgroup with a memory limit. */
export interface LimitedCgroup {
  /** Path relative to the hierarchy's root, starting with `/` (as in /proc/&lt;pid&gt;/cgroup). */
  path: string;
  /** The cgroup's directory. */
  dir: string;
  /** The cgroup's directory relative to the sysfs root (what the reader reads below), e.g. `fs/cgroup/memory/app`. */
  sysPath: string;
  /** The limit, bytes (v2 memory.max, v1 memory.limit_in_bytes). */
  limitBytes: number;
  /** The directory's inode when the walk saw it, or null when its stat failed. */
  inode: number | null;
}

/** A cgroup whose limit file is malformed or unreadable (see {@link ListMemoryCgroupsOptions.collectErrors}). */
export interface MalformedCgroup {
  /** Path relative to the hierarchy's root, starting with `/`. */
  path: string;
  /** The cgroup's directory. */
  dir: string;
  /** The cgroup's directory relative to the sysfs root. */
  sysPath: string;
  /** The taxonomy error of its limit file. */
  error: BpfscopeError;
}

/** Options of {@link listMemoryCgroups}. */
export interface ListMemoryCgroupsOptions {
  /**
   * Instead of throwing at the first malformed or unreadable limit file, list those cgroups
   * in {@link MemoryCgroupList.malformed} and go on.
   * @default false
   */
  collectErrors?: boolean;
  /**
   * The hierarchy to look for first, e.g. the one the last call found: the two cannot
   * both hold the memory controller (a v2 root has no memory.limit_in_bytes), so the
   * order changes only what is read, never the result. Looking for v2 first on a v1
   * machine costs a failed read of cgroup.controllers.
   * @default 'v2'
   */
  lookFirst?: 'v2' | 'v1';
  /**
   * Read the limit files through descriptors kept open from call to call (from
   * {@link @bpfscope/core!ProcfsReader.keepSysFiles}; the caller sweeps and closes it). Each
   * cgroup directory's inode, from the stat the walk makes anyway (then before the read),
   * is checked against the one its kept file was opened under: a directory renamed and
   * another made under its name is read anew. The result is the same as without it.
   * @default null (every file read with `readSys`)
   */
  kept?: KeptFiles | null;
  /**
   * The directories a previous call found ({@link MemoryCgroupList.listing}), when the
   * caller knows no cgroup was made, removed or renamed since (the mem eBPF source counts
   * those changes in the kernel): the hierarchy is not looked for and not walked again,
   * and only the limit files are read, after one stat of the hierarchy's root (a root with
   * another inode than the listing's, or none, is walked: a hierarchy unmounted since).
   * The result is the same as a new walk's; its `listing` is the one given when it was used.
   * @default null (the hierarchy found and walked)
   */
  listing?: CgroupListing | null;
}

/** One cgroup directory below the hierarchy's root, as a walk found it. */
export interface CgroupDir {
  /** Path relative to the hierarchy's root, starting with `/`. */
  path: string;
  /** The directory relative to the sysfs root. */
  sysPath: string;
  /** The directory. */
  dir: string;
  /** Its inode when the walk saw it (the identity its kept limit file is read under), or null when its stat failed. */
  inode: number | null;
}

/** Every cgroup directory below a hierarchy's root, in depth-first path order (see {@link ListMemoryCgroupsOptions.listing}). */
export interface CgroupListing {
  /** Which hierarchy has the memory controller. */
  hierarchy: 'v2' | 'v1';
  /** The hierarchy's root directory. */
  root: string;
  /** The root's inode when the walk began, or null when its stat failed. */
  rootInode: number | null;
  /** The directories. */
  dirs: CgroupDir[];
  /** Directories removed while the walk listed them (skipped). */
  vanished: number;
}

/** The result of {@link listMemoryCgroups}. */
export interface MemoryCgroupList {
  /** Which hierarchy has the memory controller: `v2` (unified) or `v1`. */
  hierarchy: 'v2' | 'v1';
  /** The hierarchy's root directory. */
  root: string;
  /** Every cgroup below the root with a limit, in depth-first path order. */
  cgroups: LimitedCgroup[];
  /** Cgroups removed while the walk read them (skipped). */
  vanished: number;
  /** With `collectErrors`: the cgroups whose limit file failed, in path order. */
  malformed?: MalformedCgroup[];
  /** The directories this call read the limits of: pass them as {@link ListMemoryCgroupsOptions.listing} while nothing changed. */
  listing: CgroupListing;
}

/**
 * Find the cgroups that have a memory limit. The memory controller is on the v2 hierarchy
 * when `<sysRoot>/fs/cgroup/cgroup.controllers` lists `memory`; otherwise on v1 at
 * `<sysRoot>/fs/cgroup/memory` (the v1 and hybrid layouts). v2: a cgroup is limited when
 * its memory.max is not `max` (a cgroup without memory.max has no memory controller
 * enabled and is left out). v1: when memory.limit_in_bytes is below the kernel's "no
 * limit" value. The root cgroup never has a limit.
 * @param sys - the procfs/sysfs reader whose `sysRoot` is `/sys` or a fixture tree's `sys`
 * @param options - whether to collect malformed cgroups instead of throwing
 * @returns the hierarchy and its limited cgroups
 * @throws {@link @bpfscope/core!DataUnavailable} when neither hierarchy has the memory controller
 * @throws {@link @bpfscope/core!EventProcessingFailed} when a limit file is malformed (without `collectErrors`)
 */
export function listMemoryCgroups(sys: ProcfsReader, options: ListMemoryCgroupsOptions = {}): MemoryCgroupList {
  let given = options.listing ?? null;
  if (given !== null) {
    const root = statOrNull(sys, HIERARCHIES[given.hierarchy].rootRel);
    if (given.rootInode === null || root === null || root === 'vanished' || root.inode !== given.rootInode) given = null;
  }
  const listing = given ?? listCgroupDirs(sys, options.lookFirst ?? 'v2');
  const limits = readLimits(sys, listing, options.collectErrors === true, options.kept ?? null);
  // A listing given again had its vanished directories counted when it was made.
  if (given === null) limits.vanished += listing.vanished;
  return limits;
}

const HIERARCHIES = {
  v2: { rootRel: 'fs/cgroup', limitFile: 'memory.max', parse: parseMemoryMax },
  v1: { rootRel: 'fs/cgroup/memory', limitFile: 'memory.limit_in_bytes', parse: parseV1Limit },
} as const;

/** Find the hierarchy with the memory controller and list its directories. */
function listCgroupDirs(sys: ProcfsReader, lookFirst: 'v2' | 'v1'): CgroupListing {
  const v2 = (): boolean => readIfThere(sys, 'fs/cgroup/cgroup.controllers')?.split(/\s+/).includes('memory') === true;
  const v1 = (): boolean => readIfThere(sys, 'fs/cgroup/memory/memory.limit_in_bytes') !== null;
  const [first, second] = lookFirst === 'v1' ? [v1, v2] : [v2, v1];
  const found = first() ? first : second() ? second : null;
  if (found !== null) return walk(sys, found === v2 ? 'v2' : 'v1');
  const v2Root = join(sys.sysRoot, 'fs/cgroup');
  throw new DataUnavailable(`memory cgroups under ${v2Root}`, `no hierarchy has the memory controller (${join(v2Root, 'cgroup.controllers')} does not list it and ${join(v2Root, 'memory')} is not a memory hierarchy)`, {
    details: { path: v2Root },
  });
}

/** A file's text, or null when it does not exist (other failures throw). @internal */
export function readIfThere(sys: ProcfsReader, relPath: string): string | null {
  try {
    return sys.readSys(relPath);
  } catch (e) {
    const code = procReadErrorCode(e);
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw e;
  }
}

/** Whether a path below the sysfs root exists (a cgroup directory not removed meanwhile). @internal */
export function sysExists(sys: ProcfsReader, relPath: string): boolean {
  try {
    sys.statSys(relPath);
    return true;
  } catch (e) {
    const code = procReadErrorCode(e);
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    throw e;
  }
}

/** A directory's stat; 'vanished' when it is gone; null when it fails otherwise (then the directory is listed: any doubt lists). */
function statOrNull(sys: ProcfsReader, relPath: string): ProcfsStat | 'vanished' | null {
  try {
    return sys.statSys(relPath);
  } catch (e) {
    const code = procReadErrorCode(e);
    return code === 'ENOENT' || code === 'ENOTDIR' ? 'vanished' : null;
  }
}

/** Every directory below the hierarchy's root, depth first in path order. */
function walk(sys: ProcfsReader, hierarchy: 'v2' | 'v1'): CgroupListing {
  const { rootRel } = HIERARCHIES[hierarchy];
  const root = join(sys.sysRoot, rootRel);
  const rootStat = statOrNull(sys, rootRel);
  const rootInode = rootStat === null || rootStat === 'vanished' ? null : rootStat.inode;
  const out: CgroupListing = { hierarchy, root, rootInode, dirs: [], vanished: 0 };
  const visit = (rel: string): void => {
    let entries;
    try {
      entries = sys.listSys(`${rootRel}${rel}`);
    } catch (e) {
      if (procReadErrorCode(e) === 'ENOENT') {
        // Removed since its stat: it is not listed (nor its limit read) and counts once.
        if (rel !== '') out.dirs.pop();
        out.vanished++;
        return;
      }
      throw e;
    }
    const names: string[] = [];
    for (const d of entries) if (d.directory) names.push(d.name);
    // Names from a listing hold no '/' and are never '.' or '..': joined by hand, as join() would.
    for (const name of names.sort()) {
      const path = `${rel}/${name}`;
      const sysPath = `${rootRel}${path}`;
      // The inode is the identity its limit file is kept under (a renamed cgroup's file is
      // never read for its old name).
      const stat = statOrNull(sys, sysPath);
      if (stat === 'vanished') {
        out.vanished++;
        continue;
      }
      out.dirs.push({ path, sysPath, dir: `${root}${path}`, inode: stat?.inode ?? null });
      // The link count is 2 + subdirectories on cgroupfs (counted by the kernel at the stat):
      // most cgroups are leaves, and a stat costs far less than listing their ~30 control
      // files. Any doubt (a reader that does not give the count, a file system that reports
      // 1, an error) lists the directory.
      if (stat?.links !== 2) visit(path);
    }
  };
  visit('');
  return out;
}

/** Read the limit file of every listed directory. */
function readLimits(sys: ProcfsReader, listing: CgroupListing, collect: boolean, kept: KeptFiles | null): MemoryCgroupList {
  const { limitFile, parse } = HIERARCHIES[listing.hierarchy];
  const out: MemoryCgroupList = { hierarchy: listing.hierarchy, root: listing.root, cgroups: [], vanished: 0, listing };
  const malformed: MalformedCgroup[] = [];
  if (collect) out.malformed = malformed;
  for (const { path, sysPath, dir, inode } of listing.dirs) {
    const limitRel = `${sysPath}/${limitFile}`;
    let text: string;
    try {
      text = kept === null ? sys.readSys(limitRel) : kept.read(limitRel, undefined, inode);
    } catch (e) {
      if (procReadErrorCode(e) === 'ENOENT') {
        // No limit file: v2 without the memory controller enabled, or the cgroup was just removed.
        if (!sysExists(sys, sysPath)) out.vanished++;
      } else if (collect && isBpfscopeError(e)) malformed.push({ path, dir, sysPath, error: e });
      else throw e;
      continue;
    }
    try {
      const limit = parse(text, `${dir}/${limitFile}`);
      if (limit !== null) out.cgroups.push({ path, dir, sysPath, limitBytes: limit, inode });
    } catch (e) {
      if (!collect || !isBpfscopeError(e)) throw e;
      malformed.push({ path, dir, sysPath, error: e });
    }
  }
  return out;
}
