import { parseFailure } from '@bpfscope/core';

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

// The keys of the last file parsed, by line: /proc/meminfo prints the same keys in the same
// order every time, so a line's key is compared with the one before instead of sliced anew.
const lastKeys: string[] = [];

const isKeyChar = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 40 || c === 41;

/** One line the plain way (any whitespace, any error): the key and value, or the error. */
function slowLine(line: string, lineNo: number, path: string): [string, number] {
  const m = /^([A-Za-z0-9_()]+):\s+(\S+)( kB)?$/.exec(line);
  if (!m) throw parseFailure(path, lineNo, line, 'not a "Key: <integer>[ kB]" line');
  const [, key, raw, kb] = m as unknown as [string, string, string, string | undefined];
  if (!/^\d+$/.test(raw)) throw parseFailure(path, lineNo, line, `${key} "${raw.slice(0, 30)}" is not a non-negative integer`);
  return [key, kb === undefined ? Number(raw) : Number(raw) * 1024];
}

/**
 * Parse /proc/meminfo (`Key:   <n> kB` or `Key:   <n>` lines).
 * @param text - the file's content
 * @param path - the file's path, for errors
 * @returns every field; sizes in bytes
 * @throws {@link @bpfscope/core!EventProcessingFailed} naming the path and line for a line that is not
 *   `Key: <integer>[ kB]`, or a missing `MemTotal`/`MemFree` (line number: one past the end)
 */
export function parseMeminfo(text: string, path: string): Meminfo {
  const out = {
    memTotal: null, memFree: null, memAvailable: null, buffers: null, cached: null, swapCached: null, active: null, inactive: null, swapTotal: null,
    swapFree: null, dirty: null, writeback: null, anonPages: null, mapped: null, shmem: null, slab: null, sReclaimable: null, sUnreclaim: null,
    kernelStack: null, pageTables: null, commitLimit: null, committedAs: null, hugePagesTotal: null, hugePagesFree: null, hugePageSize: null,
    other: {} as Record<string, number>,
  } as Record<keyof Omit<Meminfo, 'other'>, number | null> & { other: Record<string, number> };
  let lineNo = 0;
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    // The usual line: key, ':', spaces, digits, optionally ' kB'; anything else goes the plain way.
    let i = start;
    while (i < end && isKeyChar(text.charCodeAt(i))) i++;
    const keyEnd = i;
    let key: string;
    let value = 0;
    if (i > start && text.charCodeAt(i) === 58 && text.charCodeAt(i + 1) === 32) {
      i += 2;
      while (text.charCodeAt(i) === 32) i++;
      const digits = i;
      while (i < end && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) value = value * 10 + (text.charCodeAt(i++) - 48);
      const kb = end - i === 3 && text.startsWith(' kB', i);
      if (i > digits && (i === end || kb) && i - digits < 16) {
        if (kb) value *= 1024;
        const last = lastKeys[lineNo];
        key = last !== undefined && last.length === keyEnd - start && text.startsWith(last, start) ? last : (lastKeys[lineNo] = text.slice(start, keyEnd));
      } else [key, value] = slowLine(text.slice(start, end), lineNo + 1, path);
    } else [key, value] = slowLine(text.slice(start, end), lineNo + 1, path);
    lineNo++;
    if (Object.hasOwn(KNOWN, key)) out[KNOWN[key]!] = value;
    else out.other[key] = value;
    start = end + 1;
  }
  for (const key of ['MemTotal', 'MemFree']) {
    if (out[KNOWN[key]!] === null) throw parseFailure(path, lineNo + 1, '', `no ${key} line (truncated file?)`);
  }
  return out as Meminfo;
}
