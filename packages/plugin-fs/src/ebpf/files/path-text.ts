import type { FsFile } from '../../records.js';

/** enum fs_path_status (bpf/fs/fs_file.h). */
const PATH_OK = 0;
const PATH_TRUNC = 1;

/** A file's path as {@link FsFile} gives it. @internal */
export interface PathText {
  path: string | null;
  status: FsFile['pathStatus'];
}

const decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * The path of a `struct fs_name`: its `len` bytes hold the components from the file up, each
 * NUL-terminated (the kernel walks the dentry chain upwards, once, when it first tracks the
 * file). Whether the file was unlinked since is the file table's flag (see listFiles).
 * @param buf - the buffer's bytes (at least `len`)
 * @param len - bytes used
 * @param status - the walk's status
 * @internal
 */
export function pathText(buf: Uint8Array, len: number, status: number): PathText {
  const parts: string[] = [];
  let start = 0;
  const end = Math.min(len, buf.length);
  for (let i = 0; i < end; i++) {
    if (buf[i] !== 0) continue;
    parts.push(decoder.decode(buf.subarray(start, i)));
    start = i + 1;
  }
  if (start < end) parts.push(decoder.decode(buf.subarray(start, end)));
  if (parts.length === 0) return { path: null, status: 'unresolved' };
  parts.reverse();
  if (status !== PATH_OK && status !== PATH_TRUNC) return { path: null, status: 'unresolved' };
  return { path: `${status === PATH_OK ? '/' : '…/'}${parts.join('/')}`, status: status === PATH_OK ? 'resolved' : 'truncated' };
}
