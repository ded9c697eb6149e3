// The system-wide procfs files that every reading reads again (/proc/stat, loadavg,
// meminfo, vmstat, pressure/*) stay open while an engine is open and are read with
// pread at offset 0. Opening one costs a path walk, an fstat and a close besides the read
// (readFileSync: 12 µs of CPU for /proc/loadavg, against 3 µs for the pread alone). Nothing
// is cached but the file's name: at offset 0 the kernel generates the content anew
// (seq_file starts again from its first record), and procfs never replaces such a file, so
// the descriptor always names the same one. Only a live procfs is read this way; a fixture
// tree (whose files a test may replace) is read by path at every call. Each engine holds
// the descriptors from its creation to its close() ({@link holdKept}); when the last one
// closes, they are closed too, so a closed engine leaves no descriptor behind (the soak
// checks it). Reads outside an open engine go by path.
import { closeSync, openSync, statSync } from 'node:fs';
import { procfsCall } from './read-proc-file.js';
import { readWhole } from './read-whole.js';

/** The files kept open: system-wide ones, never per process (a PID's files go with it). */
const KEPT = /^(?:stat|loadavg|meminfo|vmstat|uptime|diskstats|pressure\/(?:cpu|memory|io|irq))$/;

/** Absolute path → descriptor, shared by every engine of the process (a handful at most). */
const open = new Map<string, number>();
/** Open engines (each holds the kept descriptors until its close()). */
let holders = 0;
/** Whether a root is the live procfs, per root as given. */
const live = new Map<string, boolean>();
/** Whether `root` is a mount of this process's procfs (its device is that of /proc/self). */
function isLiveProcfs(root: string): boolean {
  let v = live.get(root);
  if (v === undefined) {
    try {
      v = statSync(root).dev === statSync('/proc/self').dev;
    } catch {
      v = false;
    }
    live.set(root, v);
  }
  return v;
}

/**
 * Whether `relPath` below `root` is read through a kept descriptor ({@link readKept}).
 * @internal
 */
export function isKept(root: string, relPath: string): boolean {
  return holders > 0 && KEPT.test(relPath) && isLiveProcfs(root);
}

/**
 * Hold the kept descriptors open (an engine, from its creation to its close()).
 * @returns the release, safe to call twice; the last release closes every kept descriptor
 * @internal
 */
export function holdKept(): () => void {
  holders++;
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    if (--holders === 0) closeKept();
  };
}

/**
 * Read a file through a descriptor kept open for it: the whole content, from offset 0, read
 * until a read returns nothing (a seq_file of many records, such as vmstat, gives at most
 * a page per read). A failure closes the descriptor, so the next read opens the file again.
 * @param path - absolute path
 * @param reasons - as for {@link readProcFile}
 * @returns the content as UTF-8 text
 * @throws {@link DataUnavailable} as {@link readProcFile} does
 * @internal
 */
export function readKept(path: string, reasons?: Readonly<Record<string, string>>): string {
  let fd = open.get(path);
  if (fd === undefined) {
    fd = procfsCall(path, () => openSync(path, 'r'), reasons);
    open.set(path, fd);
  }
  const at = fd;
  try {
    return procfsCall(path, () => readWhole(at), reasons);
  } catch (e) {
    open.delete(path);
    closeSync(at);
    throw e;
  }
}

/** Descriptors kept open now (a test hook). @internal */
export function keptCount(): number {
  return open.size;
}

/** Close every kept descriptor (a test hook; the next read opens its file again). @internal */
export function closeKept(): void {
  for (const fd of open.values()) closeSync(fd);
  open.clear();
}
