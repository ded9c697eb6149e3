import type { FileOperation, FilterRecord } from '@bpfscope/core';
import type { FsDevice, FsFile, FsMount, FsProcess } from './records.js';

/** The kinds of operation a record counts, for the `fileOperations` filter. */
function operations(c: { opens: number | null; closes?: number | null; reads: number | null; writes: number | null; fsyncs: number | null }): FileOperation[] {
  const out: FileOperation[] = [];
  if ((c.opens ?? 0) > 0) out.push('open');
  if ((c.closes ?? 0) > 0) out.push('close');
  if ((c.reads ?? 0) > 0) out.push('read');
  if ((c.writes ?? 0) > 0) out.push('write');
  if ((c.fsyncs ?? 0) > 0) out.push('fsync');
  return out;
}

/** What the engine's filter sees of one file: its device, path and the kinds of operation counted on it. @internal */
export function fileFilterRecord(f: FsFile): FilterRecord {
  const path = f.pathStatus === 'resolved' || f.pathStatus === 'deleted' ? f.path : null;
  // Without counts (the fallback's open files) the kinds are unknown: the fileOperations part does not judge it.
  return f.reads === null ? { device: f.dev, path } : { device: f.dev, path, fileOperations: operations(f) };
}

/**
 * What the engine's filter sees of one process: pid, comm and the kinds of operation it
 * made (the fallback does not count opens and fsyncs, so they never match there).
 * @internal
 */
export function processFilterRecord(p: FsProcess): FilterRecord {
  return { pid: p.pid, comm: p.comm, fileOperations: operations(p) };
}

/** What the engine's filter sees of one block device: its `major:minor`. @internal */
export function deviceFilterRecord(d: FsDevice): FilterRecord {
  return { device: `${d.major}:${d.minor}` };
}

/** What the engine's filter sees of one mount: the device of its filesystem (`major:minor`, as files on it have). @internal */
export function mountFilterRecord(m: FsMount): FilterRecord {
  return { device: m.dev };
}
