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
  const collect = options.collectErrors === true;
  const v2 = (): boolean => readIfThere(sys, 'fs/cgroup/cgroup.controllers')?.split(/\s+/).includes('memory') === true;
  const v1 = (): boolean => readIfThere(sys, 'fs/cgroup/memory/memory.limit_in_bytes') !== null;
  const [first, second] = options.lookFirst === 'v1' ? [v1, v2] : [v2, v1];
  const found = first() ? first : second() ? second : null;
  const kept = options.kept ?? null;
  if (found === v2) return walk(sys, { hierarchy: 'v2', rootRel: 'fs/cgroup', limitFile: 'memory.max', parse: parseMemoryMax, collect, kept });
  if (found === v1) return walk(sys, { hierarchy: 'v1', rootRel: 'fs/cgroup/memory', limitFile: 'memory.limit_in_bytes', parse: parseV1Limit, collect, kept });
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

/** What one walk reads. */
interface Walk {
  hierarchy: 'v2' | 'v1';
  rootRel: string;
  limitFile: string;
  parse: (text: string, path: string) => number | null;
  collect: boolean;
  kept: KeptFiles | null;
}

/** A directory's stat, or null when it fails (then the directory is listed: any doubt lists). */
function statOrNull(sys: ProcfsReader, relPath: string): ProcfsStat | null {
  try {
    return sys.statSys(relPath);
  } catch {
    return null;
  }
}

function walk(sys: ProcfsReader, w: Walk): MemoryCgroupList {
  const { hierarchy, rootRel, limitFile, parse, collect, kept } = w;
  const root = join(sys.sysRoot, rootRel);
  const out: MemoryCgroupList = { hierarchy, root, cgroups: [], vanished: 0 };
  const malformed: MalformedCgroup[] = [];
  if (collect) out.malformed = malformed;
  /** The limit file's text; null without one (v2 without the memory controller); 'vanished' with its cgroup gone. */
  const readLimit = (sysPath: string, childRel: string, childDir: string, identity: number | null): string | null | 'vanished' => {
    const limitRel = `${sysPath}/${limitFile}`;
    try {
      return kept === null ? sys.readSys(limitRel) : kept.read(limitRel, undefined, identity);
    } catch (e) {
      if (procReadErrorCode(e) === 'ENOENT') {
        // No limit file: v2 without the memory controller enabled, or the cgroup was just removed.
        if (!sysExists(sys, sysPath)) return 'vanished';
      } else if (collect && isBpfscopeError(e)) malformed.push({ path: childRel, dir: childDir, sysPath, error: e });
      else throw e;
      return null;
    }
  };
  const visit = (rel: string): void => {
    let entries;
    try {
      entries = sys.listSys(`${rootRel}${rel}`);
    } catch (e) {
      if (procReadErrorCode(e) === 'ENOENT') {
        out.vanished++;
        return;
      }
      throw e;
    }
    const names: string[] = [];
    for (const d of entries) if (d.directory) names.push(d.name);
    // Names from a listing hold no '/' and are never '.' or '..': joined by hand, as join() would.
    for (const name of names.sort()) {
      const childRel = `${rel}/${name}`;
      const sysPath = `${rootRel}${childRel}`;
      const childDir = `${root}${childRel}`;
      // With kept files, the directory's stat comes first: its inode is the identity the
      // limit file is kept under (a renamed cgroup's file is never read for its old name).
      let stat: ProcfsStat | null = null;
      if (kept !== null) stat = statOrNull(sys, sysPath);
      const text = readLimit(sysPath, childRel, childDir, stat?.inode ?? null);
      if (text === 'vanished') {
        out.vanished++;
        continue;
      }
      if (kept === null) stat = statOrNull(sys, sysPath);
      if (text !== null) {
        try {
          const limit = parse(text, `${childDir}/${limitFile}`);
          if (limit !== null) out.cgroups.push({ path: childRel, dir: childDir, sysPath, limitBytes: limit });
        } catch (e) {
          if (!collect || !isBpfscopeError(e)) throw e;
          malformed.push({ path: childRel, dir: childDir, sysPath, error: e });
        }
      }
      // The link count is 2 + subdirectories on cgroupfs (counted by the kernel at the stat):
      // most cgroups are leaves, and a stat costs far less than listing their ~30 control
      // files. Any doubt (a reader that does not give the count, a file system that reports
      // 1, an error) lists the directory.
      if (stat?.links !== 2) visit(childRel);
    }
  };
  visit('');
  return out;
}
