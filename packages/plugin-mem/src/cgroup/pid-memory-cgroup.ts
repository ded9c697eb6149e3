import { parseFailure } from '@bpfscope/core';

/**
 * The memory cgroup path of a process from its /proc/&lt;pid&gt;/cgroup: the v1 line whose
 * controllers include `memory` (`4:memory:/path`), or the v2 line (`0::/path`).
 * @param text - the file's content
 * @param path - the file's path, for errors
 * @param hierarchy - which hierarchy has the memory controller
 * @returns the path, or null when the file has no such line
 * @throws {@link @bpfscope/core!EventProcessingFailed} naming the path and line for a line that is not
 *   `id:controllers:/path`
 * @internal
 */
export function memoryCgroupOf(text: string, path: string, hierarchy: 'v1' | 'v2'): string | null {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const [i, line] of lines.entries()) {
    const m = /^(\d+):([^:]*):(\/.*)$/.exec(line);
    if (!m) throw parseFailure(path, i + 1, line, 'not an "id:controllers:/path" line');
    const [, id, controllers, cgPath] = m as unknown as [string, string, string, string];
    if (hierarchy === 'v2' ? id === '0' && controllers === '' : controllers.split(',').includes('memory')) return cgPath;
  }
  return null;
}
