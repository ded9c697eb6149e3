import type { FilterRecord } from '@bpfscope/core';
import type { NetConnection, NetProcess } from './records.js';

/** What the engine's filter sees of one connection. @internal */
export function connectionFilterRecord(c: NetConnection): FilterRecord {
  return {
    ...(c.pid !== null ? { pid: c.pid } : {}),
    ...(c.comm !== null ? { comm: c.comm } : {}),
    cgroupId: c.cgroupId === null ? null : BigInt(c.cgroupId),
    netNamespace: c.netNamespace,
    protocol: c.protocol,
    ports: [c.localPort, c.remotePort],
    ...(c.bytesSent !== null && c.bytesReceived !== null ? { networkBytes: c.bytesSent + c.bytesReceived } : {}),
  };
}

/** What the engine's filter sees of one process. @internal */
export function processFilterRecord(p: NetProcess): FilterRecord {
  return {
    pid: p.pid,
    comm: p.comm,
    cgroupId: p.cgroupId === null ? null : BigInt(p.cgroupId),
    ...(p.bytesSent !== null && p.bytesReceived !== null ? { networkBytes: p.bytesSent + p.bytesReceived } : {}),
  };
}
