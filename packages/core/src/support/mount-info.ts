import type { EventProcessingFailed } from '../errors/taxonomy.js';
import { parseFailure } from '../procfs/parse-failure.js';
import { unescapeMountField } from './mount-table.js';

/** One line of /proc/&lt;pid&gt;/mountinfo (proc(5)). */
export interface MountInfoEntry {
  /** The mount's ID (field 1). */
  mountId: number;
  /** Its parent mount's ID (field 2); its own ID for the root of the namespace's tree. */
  parentId: number;
  /** Major number of the device of the filesystem (`st_dev`), as stat(2) gives it for files on it. */
  major: number;
  /** Minor number of that device. */
  minor: number;
  /** The directory of the filesystem that forms this mount's root (`/` unless a bind mount of a subdirectory). */
  root: string;
  /** Mount point, with the kernel's octal escapes (`\040` for a space) decoded. */
  target: string;
  /** Per-mount options (`rw`, `ro`, `nosuid`, `relatime`, ...). */
  options: string[];
  /** Filesystem type (`ext4`, `tmpfs`, `fuse.sshfs`, ...). */
  type: string;
  /** Mount source (`/dev/sda1`, `tmpfs`, ...), decoded as `target`. */
  source: string;
  /** Per-superblock options. */
  superOptions: string[];
}

/** What {@link parseMountInfo} gives. */
export interface MountInfoTable {
  /** Mounts in the kernel's order (parents before children; a later mount on the same point hides the earlier). */
  mounts: MountInfoEntry[];
  /** Lines that could not be parsed and were left out. */
  skipped: number;
  /** Why the first left-out line was left out, or null. */
  firstSkip: EventProcessingFailed | null;
}

const DEV = /^(\d+):(\d+)$/;

/**
 * Parse /proc/&lt;pid&gt;/mountinfo: `id parent major:minor root target options [optional
 * fields...] - type source super-options` per line. A line without the ` - ` separator or
 * with a non-numeric ID or device is left out and counted; the others are read.
 * @param text - the file's content
 * @param path - the file's path, for the errors of left-out lines
 * @returns the mounts, and the lines left out
 */
export function parseMountInfo(text: string, path = '/proc/self/mountinfo'): MountInfoTable {
  const out: MountInfoTable = { mounts: [], skipped: 0, firstSkip: null };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const entry = mountInfoLine(line);
    if (entry === null) {
      out.skipped++;
      out.firstSkip ??= parseFailure(path, i + 1, line, 'expected "id parent major:minor root target options [optional...] - type source super-options"');
      continue;
    }
    out.mounts.push(entry);
  }
  return out;
}

function mountInfoLine(line: string): MountInfoEntry | null {
  const f = line.split(' ');
  const sep = f.indexOf('-', 6);
  if (f.length < 10 || sep < 0 || f.length !== sep + 4) return null;
  const [id, parent, dev, root, target, options] = f as [string, string, string, string, string, string];
  const d = DEV.exec(dev);
  if (!/^\d+$/.test(id) || !/^\d+$/.test(parent) || d === null || f[sep + 1] === '') return null;
  return {
    mountId: Number(id),
    parentId: Number(parent),
    major: Number(d[1]),
    minor: Number(d[2]),
    root: unescapeMountField(root),
    target: unescapeMountField(target),
    options: options.split(','),
    type: f[sep + 1]!,
    source: unescapeMountField(f[sep + 2]!),
    superOptions: f[sep + 3]!.split(','),
  };
}
