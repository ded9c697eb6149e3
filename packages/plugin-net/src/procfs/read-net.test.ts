// The whole fallback reading over a capture of a real machine, checked against `ss -tuanp`
// taken by the same process at the same moment.
import { createProcfsReader, systemClock } from '@bpfscope/core';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { asSsRow, parseSs, ssKey, type SsRow } from '../../test/ss.js';
import { resolveNetOptions, type NetPluginOptions } from '../options.js';
import { NetProcfsReader } from './read-net.js';

const root = fileURLToPath(new URL('../../test/fixtures/debian12-vm/', import.meta.url));
const reading = (o: NetPluginOptions = {}) => {
  const r = new NetProcfsReader(createProcfsReader(`${root}proc`, `${root}sys`), systemClock, resolveNetOptions(o, ''));
  r.start();
  return r.read();
};
// ss writes a dual-stack wildcard as `*`.
const sameAddress = (ss: string, ours: string): boolean => ss === ours || (ss === '*' && (ours === '::' || ours === '0.0.0.0'));

describe('the fallback reading of a captured machine', () => {
  it('lists every socket ss listed, with the same ports, state, addresses and owning pids', () => {
    const m = reading();
    const ss = parseSs(readFileSync(`${root}ss-tuanp.txt`, 'utf8'));
    expect(ss.length).toBe(14);
    expect(m.connections.length).toBe(14);
    const ours = new Map(m.connections.map((c) => [ssKey(c), asSsRow(c)]));
    for (const s of ss) {
      const o = ours.get(ssKey(s)) as SsRow;
      expect({ key: ssKey(s), state: o?.state, pids: o?.pids, comms: o?.comms }).toEqual({ key: ssKey(s), state: s.state, pids: s.pids, comms: s.comms });
      expect({ key: ssKey(s), local: sameAddress(s.localAddress, o.localAddress), remote: sameAddress(s.remoteAddress, o.remoteAddress) }).toEqual({ key: ssKey(s), local: true, remote: true });
    }
  });

  it('names the owner, and says why bytes, packets, retransmits and times per connection are unavailable', () => {
    const m = reading();
    const c = m.connections.find((x) => x.localPort === 53914)!;
    expect(c).toMatchObject({ protocol: 'tcp', family: 4, state: 'ESTABLISHED', stateCode: 1, pid: 10990, comm: 'node', pids: [10990], inode: 34179, bytesSent: null, retransmits: null, rttUs: null, startTime: null });
    expect(m.unavailable['connections.bytes']).toMatch(/carry no byte counts per socket.*eBPF source/);
    expect(Object.keys(m.unavailable).sort()).toEqual([
      'connections.bytes', 'connections.cgroupId', 'connections.lastActivity', 'connections.packets', 'connections.retransmits', 'connections.rttUs', 'connections.startTime',
      'hosts.bytes', 'hosts.packets', 'interfaces.dropsByReason', 'kernel', 'processes.bytes', 'processes.packets', 'processes.retransmits', 'totals.drops', 'totals.resetsReceived',
    ]);
    expect(m.errors).toEqual({});
    expect(m.skippedLines).toEqual({});
  });

  it('counts open connections per host and per process, and totals by state from the tables and /proc/net/snmp', () => {
    const m = reading();
    expect(m.hosts.map((h) => [h.address, h.family, h.connections, h.bytesSent])).toEqual([['127.0.0.1', 4, 5, null], ['::1', 6, 2, null], ['::ffff:127.0.0.1', 6, 1, null]]);
    expect(m.processes).toEqual([{ pid: 10990, comm: 'node', cgroupId: null, bytesSent: null, bytesReceived: null, packetsSent: null, packetsReceived: null, openConnections: 12, retransmits: null }]);
    expect(m.totals).toMatchObject({ tcpByState: { LISTEN: 4, ESTABLISHED: 6, TIME_WAIT: 1 }, udpSockets: 3, retransmits: 0, resetsSent: 34, establishedResets: 0, resetsReceived: null, drops: null });
    expect(m.totals?.counters['TcpExt.TW']).toBe(13);
  });

  it('reads interfaces from sysfs', () => {
    const m = reading();
    expect(m.fieldSources).toEqual({ interfaces: 'sysfs' });
    expect(m.interfaces.find((i) => i.name === 'lo')).toMatchObject({ rxBytes: 6442, rxPackets: 75, txBytes: 6442, txPackets: 75, source: 'sysfs' });
  });

  it('applies the filters: protocol, ports, addresses, pids, and the connection threshold and cap', () => {
    const ports = (o: NetPluginOptions): number[] => reading(o).connections.map((c) => c.localPort).sort((a, b) => a - b);
    expect(ports({ protocols: ['udp'] })).toEqual([32918, 45605, 56508]);
    expect(ports({ ports: [{ from: 38067, to: 38067 }] })).toEqual([38067, 38067, 39178]);
    expect(ports({ protocols: ['tcp'], remoteAddresses: ['::1'] })).toEqual([38067, 39178]);
    expect(ports({ localAddresses: ['127.0.0.0/8'], protocols: ['tcp'] })).toEqual([35853, 35853, 37189, 53914, 58344, 59050]); // v4-mapped included
    expect(reading({ pids: [10990] }).connectionCount).toBe(12);
    expect(reading({ pids: [1] }).connectionCount).toBe(0);
    expect(reading({ minConnections: 2 }).hosts.map((h) => h.address)).toEqual(['127.0.0.1', '::1']);
    const capped = reading({ maxConnections: 3, topK: 1 });
    expect([capped.connections.length, capped.connectionCount, capped.hosts.length]).toEqual([3, 14, 1]);
  });
});
