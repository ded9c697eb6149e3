// The net family's "counts only" level (docs/governor.md): per-process and per-host
// accounting goes off in the kernel at run time, with no reload. While shed, a UDP exchange
// of N datagrams of S bytes and a TCP exchange of B1 and B2 bytes are exact in the connection
// table, and processes and hosts say why they are unavailable; nothing of the shed exchange
// reaches the per-process counts after the return, and an exchange after the return is
// counted exactly again.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createConsoleLogger, validateConfig, type SourceContext } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { netEbpfSource } from '../test/ebpf-source.js';
import { tcpEnd, udpEnd, type Workload } from '../test/workloads.js';
import type { NetMetrics } from './records.js';

const context: SourceContext = { config: validateConfig({}), options: {}, logger: createConsoleLogger('silent'), signal: new AbortController().signal };
const read = { signal: new AbortController().signal };
const REASON = 'kernel cost over the budget (test)';
const N = 150;
const S = 1201;
const B1 = 200_003;
const B2 = 50_001;

/** A receiver and a connected sender of N datagrams of S bytes, run to completion (their sockets stay open). */
async function udpExchange(tag: string, workloads: Workload[]): Promise<{ receiver: Workload; sender: Workload }> {
  const receiver = udpEnd('receiver', 4, 0, N, 0, `netl-urx${tag}`);
  workloads.push(receiver);
  const port = Number(await receiver.line());
  const sender = udpEnd('sender', 4, port, N, S, `netl-utx${tag}`);
  workloads.push(sender);
  await sender.line();
  expect([await sender.line(), await receiver.line()]).toEqual(['done', 'done']);
  return { receiver, sender };
}

const procsOf = (m: NetMetrics, ws: Workload[]): Record<string, Array<number | null>> =>
  Object.fromEntries(m.processes.filter((p) => ws.some((w) => w.pid === p.pid)).map((p) => [p.comm, [p.bytesSent, p.packetsSent, p.bytesReceived, p.packetsReceived]]));

describeKernel('net family: the governor’s counts-only level', () => {
  const source = netEbpfSource();
  const workloads: Workload[] = [];

  beforeAll(async () => {
    await source.init(context);
  });
  afterAll(async () => {
    await Promise.all(workloads.map((w) => w.stop()));
    await source.close();
  });

  it('offers one level, counts only', () => {
    expect(source.degradationLevels()).toEqual([expect.stringMatching(/^counts only: per-process and per-host accounting off/)]);
  });

  it('while shed the table stays exact and processes and hosts are unavailable; after the return only what came after counts', async () => {
    await source.setDegradation(1, REASON);
    const a = await udpExchange('a', workloads);
    const server = tcpEnd('server', 4, 0, B2, B1, 'netl-server');
    workloads.push(server);
    const serverPort = Number(await server.line());
    const client = tcpEnd('client', 4, serverPort, B1, B2, 'netl-client');
    workloads.push(client);
    const clientPort = Number(await client.line());
    expect([await server.line(), await client.line()]).toEqual(['done', 'done']);

    const shed = await source.read(read);
    expect(shed.unavailable.processes).toBe(REASON);
    expect(shed.unavailable.hosts).toBe(REASON);
    expect(shed.processes).toEqual([]);
    expect(shed.hosts).toEqual([]);
    // The table: the UDP sender's socket with its N·S bytes (its owner taken at the first send),
    // and both TCP ends with their exact payload bytes.
    const udp = shed.connections.filter((c) => c.protocol === 'udp' && c.pid === a.sender.pid).map((c) => [c.comm, c.bytesSent, c.bytesReceived]);
    expect(udp).toEqual([['netl-utxa', N * S, 0]]);
    const tcp = shed.connections
      .filter((c) => c.protocol === 'tcp' && ((c.localPort === clientPort && c.remotePort === serverPort) || (c.localPort === serverPort && c.remotePort === clientPort)))
      .map((c) => [c.comm, c.pid, c.bytesSent, c.bytesReceived])
      .sort();
    expect(tcp).toEqual([['netl-client', client.pid, B1, B2], ['netl-server', server.pid, B2, B1]]);

    await source.setDegradation(0, '');
    const b = await udpExchange('b', workloads);
    const back = await source.read(read);
    // The exchange made while shed left nothing in the kernel's per-process counts (its
    // processes are listed for their open sockets, with nothing counted); the one after the
    // return is exact; the open TCP connections come whole from the table.
    expect(procsOf(back, [a.sender, a.receiver, b.sender, b.receiver, client, server])).toEqual({
      'netl-utxa': [0, 0, 0, 0],
      'netl-urxa': [0, 0, 0, 0],
      'netl-utxb': [N * S, N, 0, 0],
      'netl-urxb': [0, 0, N * S, N],
      'netl-client': [B1, expect.any(Number), B2, expect.any(Number)],
      'netl-server': [B2, expect.any(Number), B1, expect.any(Number)],
    });
    expect(back.unavailable.processes).toMatch(/^the overhead governor shed per-process and per-host accounting from \S+ to \S+: /);
    expect(back.unavailable.hosts).toBe(back.unavailable.processes);
  });
});
