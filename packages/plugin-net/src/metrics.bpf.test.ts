// The metric points of a real eBPF reading: a server and a client exchange exactly B1 and B2
// bytes over IPv4 loopback; the mapped connection and process detail of their ends (picked
// by port and pid, so no other traffic counts) carry exactly those bytes per direction.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createConsoleLogger, Snapshot, toMetricPoints, validateConfig, type FamilyResult, type MetricPoints, type SourceContext } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { netEbpfSource } from '../test/ebpf-source.js';
import { tcpEnd, type Workload } from '../test/workloads.js';
import { netMetricMapper } from './metrics.js';

const context: SourceContext = { config: validateConfig({}), options: {}, logger: createConsoleLogger('silent'), signal: new AbortController().signal };

describeKernel('net metric points against a TCP exchange with known bytes', () => {
  const B1 = 123_457;
  const B2 = 45_679;
  const source = netEbpfSource();
  let server: Workload;
  let client: Workload;
  let serverPort = 0;
  let clientPort = 0;

  beforeAll(async () => {
    await source.init(context);
    server = tcpEnd('server', 4, 0, B2, B1, 'netm-server');
    serverPort = Number(await server.line());
    client = tcpEnd('client', 4, serverPort, B1, B2, 'netm-client');
    clientPort = Number(await client.line());
    expect([await server.line(), await client.line()]).toEqual(['done', 'done']);
  });
  afterAll(async () => {
    await Promise.all([server?.stop(), client?.stop()]);
    await source.close();
  });

  it('bpfscope.net.connection.io and process.network.io: exactly the bytes each end sent and received', async () => {
    const data = await source.read({ signal: new AbortController().signal });
    const result: FamilyResult = { family: 'net', source: 'ebpf', sourceName: source.name, fallback: null, data, timestamp: Date.now(), durationMs: 0 };
    const v: MetricPoints = toMetricPoints(new Snapshot(result.timestamp, new Map([['net', result]]), []), [netMetricMapper], { detail: ['process', 'connection'], maxDetailEntities: 1_000_000 });
    expect(v.mapErrors).toEqual([]);
    const value = (name: string, match: Record<string, string | number>): number[] =>
      (v.series.find((s) => s.descriptor.name === name)?.points ?? []).filter((p) => Object.entries(match).every(([k, x]) => p.attributes[k] === x)).map((p) => ('value' in p ? p.value : NaN));
    const clientEnd = { 'network.transport': 'tcp', 'network.local.port': clientPort, 'network.peer.port': serverPort, 'process.pid': client.pid, 'bpfscope.source': 'ebpf' };
    const serverEnd = { 'network.transport': 'tcp', 'network.local.port': serverPort, 'network.peer.port': clientPort, 'process.pid': server.pid, 'bpfscope.source': 'ebpf' };
    expect({
      clientSent: value('bpfscope.net.connection.io', { ...clientEnd, 'network.io.direction': 'transmit' }),
      clientReceived: value('bpfscope.net.connection.io', { ...clientEnd, 'network.io.direction': 'receive' }),
      serverSent: value('bpfscope.net.connection.io', { ...serverEnd, 'network.io.direction': 'transmit' }),
      serverReceived: value('bpfscope.net.connection.io', { ...serverEnd, 'network.io.direction': 'receive' }),
      clientProcess: value('process.network.io', { 'process.pid': client.pid, 'process.executable.name': 'netm-client' }),
      serverProcess: value('process.network.io', { 'process.pid': server.pid, 'process.executable.name': 'netm-server' }),
    }).toEqual({ clientSent: [B1], clientReceived: [B2], serverSent: [B2], serverReceived: [B1], clientProcess: [B2, B1], serverProcess: [B1, B2] });
  });
});
