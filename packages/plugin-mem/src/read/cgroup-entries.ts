import { isBpfscopeError, type BpfscopeError, type KeptFiles, type ProcfsReader } from '@bpfscope/core';
import type { KeptCgroupFiles } from '../cgroup/kept-cgroup-files.js';
import { listMemoryCgroups, sysExists, type CgroupListing } from '../cgroup/list-memory-cgroups.js';
import { readCgroupV1Memory } from '../cgroup/read-cgroup-v1.js';
import { readCgroupV2Memory } from '../cgroup/read-cgroup-v2.js';
import type { CgroupMemory, CgroupMemoryEntry } from '../records.js';

const failed = (path: string, hierarchy: 'v1' | 'v2', error: BpfscopeError): CgroupMemoryEntry => ({
  path, hierarchy, usageBytes: null, limitBytes: null, usageFraction: null, swapBytes: null, limitHits: null, oomKills: null, unavailable: {}, error,
});

const fraction = (usage: number, limit: number | null): number | null => (limit === null || limit <= 0 ? null : usage / limit);

function readV2(sys: ProcfsReader, path: string, sysPath: string, kept: KeptCgroupFiles | undefined): CgroupMemoryEntry {
  const m = readCgroupV2Memory(sys, sysPath, kept);
  const unavailable: CgroupMemoryEntry['unavailable'] = {};
  if (m.unavailable.swapCurrentBytes) unavailable.swapBytes = m.unavailable.swapCurrentBytes;
  if (m.unavailable.events) unavailable.limitHits = unavailable.oomKills = m.unavailable.events;
  else if (m.events?.oomKill === null) unavailable.oomKills = 'memory.events has no oom_kill line (Linux 4.13 or newer prints it)';
  return {
    path, hierarchy: 'v2', usageBytes: m.currentBytes, limitBytes: m.maxBytes, usageFraction: fraction(m.currentBytes, m.maxBytes),
    swapBytes: m.swapCurrentBytes, limitHits: m.events?.max ?? null, oomKills: m.events?.oomKill ?? null, unavailable, error: null,
  };
}

function readV1(sys: ProcfsReader, path: string, sysPath: string, kept: KeptCgroupFiles | undefined): CgroupMemoryEntry {
  const m = readCgroupV1Memory(sys, sysPath, kept);
  const unavailable: CgroupMemoryEntry['unavailable'] = {
    swapBytes: 'cgroup v1 has no separate swap counter (memory.memsw.usage_in_bytes counts memory and swap together)',
  };
  if (m.unavailable.oomControl) unavailable.oomKills = m.unavailable.oomControl;
  else if (m.oomControl?.oomKill === null) unavailable.oomKills = 'memory.oom_control has no oom_kill line (Linux 4.13 or newer prints it)';
  return {
    path, hierarchy: 'v1', usageBytes: m.usageBytes, limitBytes: m.limitBytes, usageFraction: fraction(m.usageBytes, m.limitBytes),
    swapBytes: null, limitHits: m.failcnt, oomKills: m.oomControl?.oomKill ?? null, unavailable, error: null,
  };
}

/**
 * Read every limited memory cgroup under `sysRoot`. A cgroup whose files are malformed or
 * unreadable gets an entry with its error; one removed during the read is counted in
 * `vanished`.
 * @param lookFirst - the hierarchy to look for first (the one found last time)
 * @param kept - the limit files' descriptors kept from reading to reading, or null
 * @param listing - the directories of an earlier reading, when no cgroup was made, removed or renamed since; null walks the hierarchy
 * @returns the entries, and the directories they were read from
 * @throws {@link @bpfscope/core!DataUnavailable} when no hierarchy has the memory controller
 * @internal
 */
export function readCgroupEntries(sys: ProcfsReader, lookFirst?: 'v1' | 'v2', kept: KeptFiles | null = null, listing: CgroupListing | null = null): CgroupMemory & { listing: CgroupListing } {
  const list = listMemoryCgroups(sys, { collectErrors: true, kept, listing, ...(lookFirst ? { lookFirst } : {}) });
  const entries: CgroupMemoryEntry[] = (list.malformed ?? []).map((m) => failed(m.path, list.hierarchy, m.error));
  let vanished = list.vanished;
  for (const c of list.cgroups) {
    // With kept files, the directory's identity: its inode when the walk saw it (a cgroup
    // removed and made again under its name since gives a new walk, or an ENOENT here).
    const files = kept === null ? undefined : { files: kept, identity: c.inode };
    try {
      entries.push(list.hierarchy === 'v2' ? readV2(sys, c.path, c.sysPath, files) : readV1(sys, c.path, c.sysPath, files));
    } catch (e) {
      if (!isBpfscopeError(e)) throw e;
      if (e.code === 'DATA_UNAVAILABLE' && !sysExists(sys, c.sysPath)) vanished++;
      else entries.push(failed(c.path, list.hierarchy, e));
    }
  }
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { hierarchy: list.hierarchy, root: list.root, entries, vanished, listing: list.listing };
}
