import { parseFailure } from '@bpfscope/core';

/**
 * /proc/&lt;pid&gt;/fdinfo/&lt;fd&gt;: what the kernel says of one open descriptor. It names
 * the file (mount and inode) and the offset, but counts no bytes or operations on it: the
 * reason the fallback cannot fill the fs family's `files`.
 * @internal
 */
export interface FdInfo {
  /** File offset now (`pos`). */
  pos: number;
  /** Open flags (`flags`, printed in octal: `O_WRONLY`, `O_APPEND`, `O_DIRECT`, `O_CLOEXEC`, ...). */
  flags: number;
  /** ID of the mount the file was opened through (`mnt_id`, as in /proc/&lt;pid&gt;/mountinfo). */
  mntId: number;
  /** Inode number (`ino`), or null on kernels before 5.14, which do not print it. */
  ino: number | null;
}

/**
 * Parse /proc/&lt;pid&gt;/fdinfo/&lt;fd&gt;: `pos`, `flags`, `mnt_id` and (Linux 5.14 on)
 * `ino` lines, then lines of the file's kind (eventfd, epoll, inotify, ...), passed over.
 * @param path - the file's path, for errors
 * @param text - its content
 * @returns the four fields
 * @throws {@link @bpfscope/core!EventProcessingFailed} for a malformed value of one of them,
 *   or one of `pos`, `flags`, `mnt_id` missing (then the line number is one past the end)
 * @internal
 */
export function parseFdinfo(path: string, text: string): FdInfo {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const got: Record<string, number> = {};
  for (let i = 0; i < lines.length; i++) {
    const m = /^(pos|flags|mnt_id|ino):\s*(\S*)$/.exec(lines[i]!);
    if (m === null) continue;
    const octal = m[1] === 'flags';
    if (!(octal ? /^[0-7]+$/ : /^\d+$/).test(m[2]!)) throw parseFailure(path, i + 1, lines[i]!, `${m[1]} is not ${octal ? 'an octal' : 'a decimal'} integer`);
    got[m[1]!] = octal ? Number.parseInt(m[2]!, 8) : Number(m[2]);
  }
  for (const key of ['pos', 'flags', 'mnt_id']) {
    if (got[key] === undefined) throw parseFailure(path, lines.length + 1, '', `no ${key} line (truncated file?)`);
  }
  return { pos: got.pos!, flags: got.flags!, mntId: got.mnt_id!, ino: got.ino ?? null };
}
