import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';

/** The kernel page size, or why it is unknown. @internal */
export type PageSizeResult = { bytes: number; reason: null } | { bytes: null; reason: string };

/**
 * The kernel's page size, from the first `KernelPageSize:` line of
 * `<procRoot>/self/smaps` (read partially: only the first mapping is needed). Node has no
 * API for it.
 * @param procRoot - procfs root
 * @internal
 */
export function kernelPageSize(procRoot: string): PageSizeResult {
  const path = join(procRoot, 'self/smaps');
  let text: string;
  try {
    const fd = openSync(path, 'r');
    try {
      const buf = Buffer.alloc(4096);
      text = buf.subarray(0, readSync(fd, buf, 0, buf.length, null)).toString('latin1');
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    return { bytes: null, reason: `${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)}), so the page size is unknown` };
  }
  const m = /^KernelPageSize:\s+(\d+) kB$/m.exec(text);
  if (!m) return { bytes: null, reason: `${path} has no KernelPageSize line in its first mapping, so the page size is unknown` };
  return { bytes: Number(m[1]) * 1024, reason: null };
}
