import { isBpfscopeError, parseMountInfo, type BpfscopeError, type MountInfoEntry, type ProcfsReader } from '@bpfscope/core';
import type { ResolvedFsOptions } from '../options.js';
import type { FsMount } from '../records.js';
import type { FsSideReads, MountsReading } from '../side-reads.js';
import { readBlockDevices } from './read-devices.js';
import { PSEUDO_FS_TYPES, StatfsFailure, statfsMount } from './statfs-mount.js';

/**
 * What both fs sources read the same way: filesystem usage (statfs on each mount point of
 * /proc/self/mountinfo) and block-device names (/proc/diskstats, or sysfs without it).
 * @internal
 */
export class FsSideReader implements FsSideReads {
  /**
   * @param procfs - the engine's procfs reader
   * @param options - the plugin's options (`allMounts`)
   */
  constructor(private readonly procfs: ProcfsReader, private readonly options: Pick<ResolvedFsOptions, 'allMounts'>) {}

  async mounts(): Promise<MountsReading> {
    const out: MountsReading = { mounts: [], skippedLines: 0, skippedMounts: {}, error: null };
    const path = `${this.procfs.procRoot}/self/mountinfo`;
    let text: string;
    try {
      text = this.procfs.readProc('self/mountinfo');
    } catch (e) {
      if (!isBpfscopeError(e)) throw e;
      out.error = e as BpfscopeError;
      return out;
    }
    const table = parseMountInfo(text, path);
    out.skippedLines = table.skipped;
    const listed = this.#listed(table.mounts);
    const usages = await Promise.all(listed.map((m) => statfsMount(m.target, m.type)));
    listed.forEach((m, i) => {
      const u = usages[i]!;
      if (u instanceof StatfsFailure) {
        out.skippedMounts[u.reason] = (out.skippedMounts[u.reason] ?? 0) + 1;
        return;
      }
      if (!this.options.allMounts && u.size === 0) return;
      const counted = u.inodes > 0;
      out.mounts.push({
        mountPoint: m.target, fsType: m.type, device: m.source, dev: `${m.major}:${m.minor}`,
        size: u.size, used: u.used, available: u.available,
        inodesUsed: counted ? u.inodes - u.inodesFree : null, inodesFree: counted ? u.inodesFree : null,
        readOnly: m.options.includes('ro'),
      } satisfies FsMount);
    });
    out.mounts.sort((a, b) => (a.mountPoint < b.mountPoint ? -1 : a.mountPoint > b.mountPoint ? 1 : 0));
    return out;
  }

  async deviceNames(): Promise<ReadonlyMap<string, string>> {
    const read = readBlockDevices(this.procfs);
    return new Map(read.devices.map((d) => [`${d.major}:${d.minor}`, d.name]));
  }

  /** The mounts to statfs: the last one on each mount point (the one path lookups reach), pseudo filesystems left out unless asked for. */
  #listed(all: readonly MountInfoEntry[]): MountInfoEntry[] {
    const top = new Map<string, MountInfoEntry>();
    for (const m of all) {
      top.delete(m.target);
      top.set(m.target, m);
    }
    return [...top.values()].filter((m) => this.options.allMounts || !PSEUDO_FS_TYPES.has(m.type));
  }
}
