import { LoadFailed } from '@bpfscope/core';
import { requireStruct, type StructLayout } from '@bpfscope/native';

/** Members of `struct fs_counts` (bpf/fs/fs_file.h), each a u64. @internal */
export const FS_COUNTS_FIELDS = { opens: 8, closes: 8, reads: 8, writes: 8, bytes_read: 8, bytes_written: 8, fsyncs: 8 } as const;
/** Members of `struct fs_key`. @internal */
export const FS_KEY_FIELDS = { ino: 8, dev: 4, igen: 4, tgid: 4 } as const;
/** Members of `struct fs_file` (values of fs_recs). @internal */
export const FS_FILE_FIELDS = { ino: 8, dev: 4, igen: 4, c: 56, flags: 4, gen: 4 } as const;
/** Members of `struct fs_file_proc` (records of fs_fp_recs). @internal */
export const FS_FILE_PROC_FIELDS = { c: 56, comm: 16, file: 4, tgid: 4 } as const;
/** Members of `struct fs_proc` (per-CPU values of fs_procs). @internal */
export const FS_PROC_FIELDS = { reads: 8, writes: 8, bytes_read: 8, bytes_written: 8, opens: 8, fsyncs: 8, comm: 16 } as const;
/** Members of `struct fs_run` (per-CPU value of fs_run). @internal */
export const FS_RUN_FIELDS = { tgid: 4, seq: 4, reads: 8, writes: 8, bytes_read: 8, bytes_written: 8, opens: 8, fsyncs: 8 } as const;
/** Members of `struct fs_name` (values of fs_paths); `buf`'s size is the object's. @internal */
export const FS_NAME_FIELDS = { len: 4, status: 4 } as const;
/** Members of `struct fs_filter` (fs_filter[0]). @internal */
export const FS_FILTER_FIELDS = { parts: 4, ops: 4, gen: 4, watch: 4 } as const;
/** Members of `struct fs_open_ev` (fs_events records); `path`'s size is the object's. @internal */
export const FS_OPEN_EV_FIELDS = { ts_ns: 8, ino: 8, dev: 4, pid: 4, flags: 4, path_len: 4, comm: 16 } as const;

/** Byte offsets of a struct's members, plus its size. @internal */
export type Offsets<K extends string> = Readonly<Record<K, number>> & { readonly size: number };

function offsets<K extends string>(layouts: Map<string, StructLayout>, name: string, fields: Readonly<Record<K, number>>): Offsets<K> {
  const layout = requireStruct(layouts, name, fields);
  const out: Record<string, number> = { size: layout.size };
  for (const f of Object.keys(fields)) out[f] = layout.fields[f]!.offset;
  return out as Offsets<K>;
}

/** Offset and size of an array member whose length the object decides (a path buffer). */
function arrayField(layouts: Map<string, StructLayout>, struct: string, field: string): { offset: number; size: number } {
  const f = requireStruct(layouts, struct, {}).fields[field];
  if (f === undefined) requireStruct(layouts, struct, { [field]: 1 });
  return { offset: f!.offset, size: f!.size };
}

/** How many records of `size` bytes a block struct holds (its array `f`, from offset 0). */
function recordsPerBlock(layouts: Map<string, StructLayout>, block: string, record: string, size: number): number {
  const f = arrayField(layouts, block, 'f');
  if (f.offset !== 0 || f.size === 0 || f.size % size !== 0) {
    throw new LoadFailed('fs_file.bpf.o', `struct ${block} holds ${f.size} bytes of records at offset ${f.offset}, not a whole number of ${size}-byte struct ${record} from 0`, '', { op: 'read BTF', details: { struct: block } });
  }
  return f.size / size;
}

/** The file object's record layouts, checked against what the decoders read. @internal */
export interface FileLayouts {
  counts: Offsets<keyof typeof FS_COUNTS_FIELDS>;
  key: Offsets<keyof typeof FS_KEY_FIELDS>;
  file: Offsets<keyof typeof FS_FILE_FIELDS>;
  /** Records in one value of fs_recs (`struct fs_file_block`), each `file.size` bytes after the last. */
  fileBlock: number;
  fileProc: Offsets<keyof typeof FS_FILE_PROC_FIELDS>;
  /** Records in one value of fs_fp_recs (`struct fs_fp_block`), each `fileProc.size` bytes after the last. */
  fileProcBlock: number;
  proc: Offsets<keyof typeof FS_PROC_FIELDS>;
  run: Offsets<keyof typeof FS_RUN_FIELDS>;
  name: Offsets<keyof typeof FS_NAME_FIELDS> & { readonly buf: number; readonly bufSize: number };
  filter: Offsets<keyof typeof FS_FILTER_FIELDS>;
  openEv: Offsets<keyof typeof FS_OPEN_EV_FIELDS> & { readonly path: number; readonly pathSize: number };
}

/**
 * Read the file object's structs from its BTF.
 * @throws {@link @bpfscope/core!LoadFailed} when a struct or member is missing or has another size
 * @internal
 */
export function fileLayouts(layouts: Map<string, StructLayout>): FileLayouts {
  const buf = arrayField(layouts, 'fs_name', 'buf');
  const path = arrayField(layouts, 'fs_open_ev', 'path');
  const file = offsets(layouts, 'fs_file', FS_FILE_FIELDS);
  const fileProc = offsets(layouts, 'fs_file_proc', FS_FILE_PROC_FIELDS);
  return {
    counts: offsets(layouts, 'fs_counts', FS_COUNTS_FIELDS),
    key: offsets(layouts, 'fs_key', FS_KEY_FIELDS),
    file,
    fileBlock: recordsPerBlock(layouts, 'fs_file_block', 'fs_file', file.size),
    fileProc,
    fileProcBlock: recordsPerBlock(layouts, 'fs_fp_block', 'fs_file_proc', fileProc.size),
    proc: offsets(layouts, 'fs_proc', FS_PROC_FIELDS),
    run: offsets(layouts, 'fs_run', FS_RUN_FIELDS),
    name: { ...offsets(layouts, 'fs_name', FS_NAME_FIELDS), buf: buf.offset, bufSize: buf.size },
    filter: offsets(layouts, 'fs_filter', FS_FILTER_FIELDS),
    openEv: { ...offsets(layouts, 'fs_open_ev', FS_OPEN_EV_FIELDS), path: path.offset, pathSize: path.size },
  };
}

/** A u64 as a number (exact below 2^53: counters and inode numbers stay far below). @internal */
export function u64(view: DataView, at: number): number {
  return view.getUint32(at, true) + view.getUint32(at + 4, true) * 4294967296;
}
