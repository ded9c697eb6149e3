import type { FilterRecord } from '@bpfscope/core';
import type { ProcessRecord } from './records.js';

/**
 * What the engine's filter sees of one process record: `pid`, `comm`, `memoryBytes`
 * (`rssBytes`), `processKind` (`category`), `nice`, `cgroupId`, `mountNamespace` and
 * `netNamespace` (null where they could not be read), and `cpuPercent` once measured.
 * @internal
 */
export function processFilterRecord(p: ProcessRecord): FilterRecord {
  return {
    pid: p.pid,
    comm: p.comm,
    memoryBytes: p.rssBytes,
    processKind: p.category,
    nice: p.nice,
    cgroupId: p.cgroupId === null ? null : BigInt(p.cgroupId),
    mountNamespace: p.mountNamespace,
    netNamespace: p.netNamespace,
    ...(p.cpuPercent !== null ? { cpuPercent: p.cpuPercent } : {}),
  };
}
