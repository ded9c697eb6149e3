import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataUnavailable, isBpfscopeError, procReadErrorCode, readProcFile, type BpfscopeError } from '@bpfscope/core';
import { parseMemoryMax, parseV1Limit } from './parse-cgroup-value.js';

/** A cgroup with a memory limit. */
export interface LimitedCgroup {
  /** Path relative to the hierarchy's root, starting with `/` (as in /proc/&lt;pid&gt;/cgroup). */
  path: string;
  /** The cgroup's directory. */
  dir: string;
  /** The limit, bytes (v2 memory.max, v1 memory.limit_in_bytes). */
  limitBytes: number;
}

/** A cgroup whose limit file is malformed or unreadable (see {@link ListMemoryCgroupsOptions.collectErrors}). */
export interface MalformedCgroup {
  /** Path relative to the hierarchy's root, starting with `/`. */
  path: string;
  /** The cgroup's directory. */
  dir: string;
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
 * @param sysRoot - sysfs root, `/sys` or a fixture tree's `sys`
 * @param options - whether to collect malformed cgroups instead of throwing
 * @returns the hierarchy and its limited cgroups
 * @throws {@link @bpfscope/core!DataUnavailable} when neither hierarchy has the memory controller
 * @throws {@link @bpfscope/core!EventProcessingFailed} when a limit file is malformed (without `collectErrors`)
 */
export function listMemoryCgroups(sysRoot: string, options: ListMemoryCgroupsOptions = {}): MemoryCgroupList {
  const collect = options.collectErrors === true;
  const v2Root = join(sysRoot, 'fs/cgroup');
  const v1Root = join(sysRoot, 'fs/cgroup/memory');
  const controllers = join(v2Root, 'cgroup.controllers');
  if (existsSync(controllers) && readFileSync(controllers, 'utf8').split(/\s+/).includes('memory')) {
    return walk('v2', v2Root, 'memory.max', parseMemoryMax, collect);
  }
  if (existsSync(join(v1Root, 'memory.limit_in_bytes'))) return walk('v1', v1Root, 'memory.limit_in_bytes', parseV1Limit, collect);
  throw new DataUnavailable(`memory cgroups under ${v2Root}`, `no hierarchy has the memory controller (${controllers} does not list it and ${v1Root} is not a memory hierarchy)`, {
    details: { path: v2Root },
  });
}

function walk(hierarchy: 'v2' | 'v1', root: string, limitFile: string, parse: (text: string, path: string) => number | null, collect: boolean): MemoryCgroupList {
  const out: MemoryCgroupList = { hierarchy, root, cgroups: [], vanished: 0 };
  const malformed: MalformedCgroup[] = [];
  if (collect) out.malformed = malformed;
  const visit = (rel: string): void => {
    const dir = join(root, rel);
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        out.vanished++;
        return;
      }
      throw e;
    }
    for (const entry of entries.filter((d) => d.isDirectory()).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const childRel = `${rel}/${entry.name}`;
      const childDir = join(root, childRel);
      let text: string | null = null;
      try {
        text = readProcFile(root, `${childRel}/${limitFile}`);
      } catch (e) {
        if (procReadErrorCode(e) === 'ENOENT') {
          // No limit file: v2 without the memory controller enabled, or the cgroup was just removed.
          if (!existsSync(childDir)) {
            out.vanished++;
            continue;
          }
        } else if (collect && isBpfscopeError(e)) malformed.push({ path: childRel, dir: childDir, error: e });
        else throw e;
      }
      if (text !== null) {
        try {
          const limit = parse(text, join(childDir, limitFile));
          if (limit !== null) out.cgroups.push({ path: childRel, dir: childDir, limitBytes: limit });
        } catch (e) {
          if (!collect || !isBpfscopeError(e)) throw e;
          malformed.push({ path: childRel, dir: childDir, error: e });
        }
      }
      visit(childRel);
    }
  };
  visit('');
  return out;
}
