import { requireStruct, type StructLayout } from '@bpfscope/native';

/** Members of `struct fs_blk_dev` (bpf/fs/fs_block.h) the decoder reads, with their sizes. @internal */
export const FS_BLK_DEV_FIELDS = { ios: 32, sectors: 32, lat_us: 16, hist: 1024 } as const;
/** Members of `struct fs_blk_ev`. @internal */
export const FS_BLK_EV_FIELDS = { ts_ns: 8, latency_ns: 8, sector: 8, dev: 4, bytes: 4, pid: 4, op: 4, error: 4, disk: 4, comm: 16 } as const;
/** Members of `struct fs_blk_cfg`. @internal */
export const FS_BLK_CFG_FIELDS = { slow_ns: 8, filter_on: 4, streams: 4 } as const;

/** Log2 µs slots per direction (FS_BLK_SLOTS). @internal */
export const LATENCY_SLOTS = 64;

/** Byte offsets of a struct's members, plus its size. @internal */
export type Offsets<K extends string> = Readonly<Record<K, number>> & { readonly size: number };

function offsets<K extends string>(layouts: ReadonlyMap<string, StructLayout>, name: string, fields: Readonly<Record<K, number>>): Offsets<K> {
  const layout = requireStruct(layouts, name, fields);
  const out: Record<string, number> = { size: layout.size };
  for (const f of Object.keys(fields)) out[f] = layout.fields[f]!.offset;
  return out as Offsets<K>;
}

/** The block object's layouts, checked against what the decoders read. @internal */
export interface BlockLayouts {
  dev: Offsets<keyof typeof FS_BLK_DEV_FIELDS>;
  event: Offsets<keyof typeof FS_BLK_EV_FIELDS>;
  cfg: Offsets<keyof typeof FS_BLK_CFG_FIELDS>;
}

/**
 * Read the block object's structs from its BTF.
 * @throws {@link @bpfscope/core!LoadFailed} when a struct or member is missing or has another size
 * @internal
 */
export function blockLayouts(layouts: ReadonlyMap<string, StructLayout>): BlockLayouts {
  return {
    dev: offsets(layouts, 'fs_blk_dev', FS_BLK_DEV_FIELDS),
    event: offsets(layouts, 'fs_blk_ev', FS_BLK_EV_FIELDS),
    cfg: offsets(layouts, 'fs_blk_cfg', FS_BLK_CFG_FIELDS),
  };
}

/** A u64 as a number (exact below 2^53: request and sector counts, ns, stay far below). @internal */
export function u64(view: DataView, at: number): number {
  return view.getUint32(at, true) + view.getUint32(at + 4, true) * 4294967296;
}
