import { parseFailure } from './parse-failure.js';

/**
 * /proc/meminfo, sizes in bytes (the file's kB are KiB: × 1024). A field the kernel does not
 * print (older kernels, other configurations) is null.
 */
export interface Meminfo {
  /** `MemTotal`: usable RAM. */
  memTotal: number;
  /** `MemFree`: RAM not used at all. */
  memFree: number;
  /** `MemAvailable`: the kernel's estimate of memory available for new work without swapping (since 3.14). */
  memAvailable: number | null;
  /** `Buffers`: block-device buffers. */
  buffers: number | null;
  /** `Cached`: page cache (without swap cache). */
  cached: number | null;
  /** `SwapCached`: swapped-out memory that is also in RAM. */
  swapCached: number | null;
  /** `Active`: recently used memory. */
  active: number | null;
  /** `Inactive`: less recently used memory, first to be reclaimed. */
  inactive: number | null;
  /** `SwapTotal`: swap space. */
  swapTotal: number | null;
  /** `SwapFree`: unused swap space. */
  swapFree: number | null;
  /** `Dirty`: memory waiting to be written back to disk. */
  dirty: number | null;
  /** `Writeback`: memory being written back now. */
  writeback: number | null;
  /** `AnonPages`: anonymous memory mapped into user page tables. */
  anonPages: number | null;
  /** `Mapped`: files mapped into memory. */
  mapped: number | null;
  /** `Shmem`: shared memory and tmpfs. */
  shmem: number | null;
  /** `Slab`: kernel slab caches. */
  slab: number | null;
  /** `SReclaimable`: reclaimable part of the slab. */
  sReclaimable: number | null;
  /** `SUnreclaim`: unreclaimable part of the slab. */
  sUnreclaim: number | null;
  /** `KernelStack`: kernel stacks of all tasks. */
  kernelStack: number | null;
  /** `PageTables`: page tables. */
  pageTables: number | null;
  /** `CommitLimit`: memory that can be committed under overcommit mode 2. */
  commitLimit: number | null;
  /** `Committed_AS`: memory committed by all processes. */
  committedAs: number | null;
  /** `HugePages_Total`: huge pages in the pool (a count, not bytes). */
  hugePagesTotal: number | null;
  /** `HugePages_Free`: huge pages not allocated (a count). */
  hugePagesFree: number | null;
  /** `Hugepagesize`: size of one default huge page. */
  hugePageSize: number | null;
  /** Every other field, keyed as in the file: bytes for `kB` fields, plain counts for unit-less ones. */
  other: Readonly<Record<string, number>>;
}

const KNOWN: Readonly<Record<string, keyof Omit<Meminfo, 'other'>>> = {
  MemTotal: 'memTotal', MemFree: 'memFree', MemAvailable: 'memAvailable', Buffers: 'buffers', Cached: 'cached',
  SwapCached: 'swapCached', Active: 'active', Inactive: 'inactive', SwapTotal: 'swapTotal', SwapFree: 'swapFree',
  Dirty: 'dirty', Writeback: 'writeback', AnonPages: 'anonPages', Mapped: 'mapped', Shmem: 'shmem', Slab: 'slab',
  SReclaimable: 'sReclaimable', SUnreclaim: 'sUnreclaim', KernelStack: 'kernelStack', PageTables: 'pageTables',
  CommitLimit: 'commitLimit', Committed_AS: 'committedAs', HugePages_Total: 'hugePagesTotal',
  HugePages_Free: 'hugePagesFree', Hugepagesize: 'hugePageSize',
};

/**
 * Parse /proc/meminfo (`Key:   <n> kB` or `Key:   <n>` lines).
 * @param text - the file's content
 * @param path - the file's path, for errors
 * @returns every field; sizes in bytes
 * @throws {@link @bpfscope/core!EventProcessingFailed} naming the path and line for a line that is not
 *   `Key: <integer>[ kB]`, or a missing `MemTotal`/`MemFree` (line number: one past the end)
 */
export function parseMeminfo(text: string, path: string): Meminfo {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const known: Partial<Record<keyof Omit<Meminfo, 'other'>, number>> = {};
  const other: Record<string, number> = {};
  lines.forEach((line, i) => {
    const m = /^([A-Za-z0-9_()]+):\s+(\S+)( kB)?$/.exec(line);
    if (!m) throw parseFailure(path, i + 1, line, 'not a "Key: <integer>[ kB]" line');
    const [, key, raw, kb] = m as unknown as [string, string, string, string | undefined];
    if (!/^\d+$/.test(raw)) throw parseFailure(path, i + 1, line, `${key} "${raw.slice(0, 30)}" is not a non-negative integer`);
    const value = kb === undefined ? Number(raw) : Number(raw) * 1024;
    if (Object.hasOwn(KNOWN, key)) known[KNOWN[key] as keyof typeof known] = value;
    else other[key] = value;
  });
  for (const key of ['MemTotal', 'MemFree']) {
    if (known[KNOWN[key] as keyof typeof known] === undefined) throw parseFailure(path, lines.length + 1, '', `no ${key} line (truncated file?)`);
  }
  const out = { other } as Meminfo;
  for (const field of Object.values(KNOWN)) (out as unknown as Record<string, number | null>)[field] = known[field] ?? null;
  return out;
}
