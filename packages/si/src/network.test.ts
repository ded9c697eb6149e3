import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { NetConnection, NetInterface, NetMetrics } from '@bpfscope/plugin-net';
import { defaultInterface, selectInterfaces, toNetworkConnections, toNetworkStats, type NetworkStatsState } from './network.js';

const dir = mkdtempSync(join(tmpdir(), 'si-net-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const proc = join(dir, 'proc');
const sys = join(dir, 'sys');
mkdirSync(join(proc, 'net'), { recursive: true });
mkdirSync(join(sys, 'class/net/eth1'), { recursive: true });
writeFileSync(join(sys, 'class/net/eth1/operstate'), 'up\n');
writeFileSync(
  join(proc, 'net/route'),
  'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n' +
    'eth1\t0000A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n' +
    'eth1\t00000000\t0100A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n',
);

const iface = (name: string, rx: number, tx: number): NetInterface => ({
  name, netNamespace: null, rxBytes: rx, txBytes: tx, rxPackets: 0, txPackets: 0, rxDropped: 1, txDropped: 2, rxErrors: 3, txErrors: 4, rxBytesPerSec: null, txBytesPerSec: null, source: 'sysfs',
});
const conn = (o: Partial<NetConnection>): NetConnection => ({
  protocol: 'tcp', family: 4, localAddress: '127.0.0.1', localPort: 80, remoteAddress: '0.0.0.0', remotePort: 0, state: 'LISTEN', stateCode: 10,
  pid: 7, comm: 'srv', pids: [7], inode: 1, uid: 0, cgroupId: null, netNamespace: null, bytesSent: null, bytesReceived: null, packetsSent: null,
  packetsReceived: null, retransmits: null, rttUs: null, startTime: null, lastActivity: null, sendQueueBytes: 0, receiveQueueBytes: 0, ...o,
});
const metrics = (interfaces: NetInterface[], connections: NetConnection[] = []) => ({ interfaces, connections } as unknown as NetMetrics);

describe('networkStats', () => {
  it('the default route interface from /proc/net/route; names as listed; rates since the previous call per interface', () => {
    expect(defaultInterface(proc)).toBe('eth1');
    expect(defaultInterface(join(dir, 'none'))).toBeNull();
    const m1 = metrics([iface('lo', 10, 10), iface('eth1', 1000, 500)]);
    expect(selectInterfaces(m1, undefined, proc)).toEqual(['eth1']);
    expect(selectInterfaces(m1, 'eth1|lo, x', proc)).toEqual(['eth1', 'lo', 'x']);
    const state: NetworkStatsState = new Map();
    const [a] = toNetworkStats(m1, ['eth1'], 1000, state, sys);
    expect(a).toEqual({ iface: 'eth1', operstate: 'up', rx_bytes: 1000, rx_dropped: 1, rx_errors: 3, tx_bytes: 500, tx_dropped: 2, tx_errors: 4, rx_sec: null, tx_sec: null, ms: 0 });
    const [b, c] = toNetworkStats(metrics([iface('eth1', 3000, 400)]), ['eth1', 'nope'], 1500, state, sys);
    // tx went backwards (a reset): 0, as systeminformation reports it.
    expect(b).toMatchObject({ rx_sec: 4000, tx_sec: 0, ms: 500, operstate: 'up' });
    // The same reading again (calls sharing it): the same rates.
    expect(toNetworkStats(metrics([iface('eth1', 3000, 400)]), ['eth1'], 1500, state, sys)[0]).toEqual(b);
    expect(c).toEqual({ iface: 'nope', operstate: 'unknown', rx_bytes: null, rx_dropped: null, rx_errors: null, tx_bytes: null, tx_dropped: null, tx_errors: null, rx_sec: null, tx_sec: null, ms: 0 });
  });
});

describe('networkConnections', () => {
  it("netstat's view: tcp6/udp6, * for an unconnected peer port, unconnected UDP left out, the command name's first word", () => {
    const out = toNetworkConnections(metrics([], [
      conn({}),
      conn({ family: 6, localAddress: '::1', remoteAddress: '::1', remotePort: 5000, localPort: 6000, state: 'ESTABLISHED', comm: 'node (vitest 1)' }),
      conn({ protocol: 'udp', state: 'CLOSE', localPort: 53 }),
      conn({ protocol: 'udp', state: 'ESTABLISHED', localPort: 54, remoteAddress: '10.0.0.1', remotePort: 53 }),
      conn({ state: 'TIME_WAIT', pid: null, comm: null }),
      conn({ state: 'NEW_SYN_RECV' }),
    ]));
    expect(out).toEqual([
      { protocol: 'tcp', localAddress: '127.0.0.1', localPort: '80', peerAddress: '0.0.0.0', peerPort: '*', state: 'LISTEN', pid: 7, process: 'srv' },
      { protocol: 'tcp6', localAddress: '::1', localPort: '6000', peerAddress: '::1', peerPort: '5000', state: 'ESTABLISHED', pid: 7, process: 'node' },
      { protocol: 'udp', localAddress: '127.0.0.1', localPort: '54', peerAddress: '10.0.0.1', peerPort: '53', state: 'ESTABLISHED', pid: 7, process: 'srv' },
      { protocol: 'tcp', localAddress: '127.0.0.1', localPort: '80', peerAddress: '0.0.0.0', peerPort: '*', state: 'TIME_WAIT', pid: null, process: '' },
    ]);
  });
});
