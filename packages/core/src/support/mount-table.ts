import { readFileSync } from 'node:fs';
import { DataUnavailable } from '../errors/taxonomy.js';

/** One line of the mount table. */
export interface MountEntry {
  /** What is mounted (device or pseudo name). */
  source: string;
  /** Where it is mounted, with the kernel's octal escapes (`\040` for a space) decoded. */
  target: string;
  /** File system type, e.g. `bpf`, `tracefs`. */
  type: string;
}

/**
 * The mount table of this process.
 *
 * @param path - the mount table to read; `/proc/mounts` when left out
 * @returns every mount, in the kernel's order
 * @throws {@link DataUnavailable} when the table cannot be read: then nothing is known about
 *   what is mounted, which is not the same as "not mounted"
 */
export function readMountTable(path = '/proc/mounts'): MountEntry[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new DataUnavailable(`the mount table ${path}`, e instanceof Error ? e.message : String(e), {
      remedy: `Run where ${path} is readable (a mounted /proc); without it bpfscope cannot tell whether bpffs or tracefs is mounted.`,
      cause: e,
      details: { path },
    });
  }
  return parseMountTable(text);
}

/**
 * Parse mount-table text (`/proc/mounts` format). Lines with fewer than three fields are left out.
 * @param text - the table
 * @returns the mounts
 */
export function parseMountTable(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const [source, target, type] = line.split(' ');
    if (source === undefined || target === undefined || type === undefined || type === '') continue;
    out.push({ source: unescapeMountField(source), target: unescapeMountField(target), type });
  }
  return out;
}

/** A mount-table field with the kernel's octal escapes (`\040` for a space) decoded. @internal */
export function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(Number.parseInt(oct, 8)));
}
