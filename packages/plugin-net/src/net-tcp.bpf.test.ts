// TCP over loopback through the eBPF source: a server and a client (two processes with
// names of their own) exchange exactly B1 and B2 bytes. The connection table shows both
// ends with their ports, ESTABLISHED, owner pid and comm, and the exact payload bytes; on
// close each end's close event carries the same totals, after its state changes in order.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createConsoleLogger, validateConfig, type SourceContext } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { netEbpfSource } from '../test/ebpf-source.js';
import { kernelRetransmits } from '../test/ss.js';
import { tcpEnd, type Workload } from '../test/workloads.js';
import type { NetEvent } from './records-events.js';

const context: SourceContext = { config: validateConfig({}), options: {}, logger: createConsoleLogger('silent'), signal: new AbortController().signal };
const read = { signal: new AbortController().signal };

for (const family of [4, 6] as const) {
  describeKernel(`net eBPF source: a TCP exchange over IPv${family} loopback, exact`, () => {
    const B1 = 300_001 + family;
    const B2 = 70_003 + family;
    const source = netEbpfSource();
    const stop = new AbortController();
    const events: NetEvent[] = [];
    let collecting: Promise<void> = Promise.resolve();
    let server: Workload;
    let client: Workload;
    let serverPort = 0;
    let clientPort = 0;
    // Retransmits the kernel counted on each end (ss), read after the exchange: 0 on a quiet
    // machine, but a loaded one can retransmit even over loopback.
    const kernel = { client: 0, server: 0 };

    beforeAll(async () => {
      await source.init(context);
      const stream = source.events({ signal: stop.signal, queue: 100_000 });
      collecting = (async () => {
        for await (const e of stream) events.push(e);
      })();
      await stream.ready;
      server = tcpEnd('server', family, 0, B2, B1, 'netb-server');
      serverPort = Number(await server.line());
      client = tcpEnd('client', family, serverPort, B1, B2, 'netb-client');
      clientPort = Number(await client.line());
      expect([await server.line(), await client.line()]).toEqual(['done', 'done']);
    });
    afterAll(async () => {
      stop.abort();
      await collecting;
      await Promise.all([server?.stop(), client?.stop()]);
      await source.close();
    });

    it('lists both ends with their ports, ESTABLISHED, owner, exact payload bytes and the kernel\'s retransmit count', async () => {
      const m = await source.read(read);
      // Both ends are idle now (nothing in flight), so ss reads the same counters as the read above.
      kernel.client = kernelRetransmits(clientPort, serverPort);
      kernel.server = kernelRetransmits(serverPort, clientPort);
      const ends = m.connections.filter((c) => c.protocol === 'tcp' && ((c.localPort === clientPort && c.remotePort === serverPort) || (c.localPort === serverPort && c.remotePort === clientPort)));
      const loopback = family === 4 ? '127.0.0.1' : '::1';
      const pick = (c: (typeof ends)[number]) => ({
        family: c.family, localAddress: c.localAddress, localPort: c.localPort, remoteAddress: c.remoteAddress, remotePort: c.remotePort,
        state: c.state, pid: c.pid, comm: c.comm, bytesSent: c.bytesSent, bytesReceived: c.bytesReceived, retransmits: c.retransmits,
      });
      expect(ends.map(pick).sort((a, b) => a.localPort - b.localPort)).toEqual([
        { family, localAddress: loopback, localPort: clientPort, remoteAddress: loopback, remotePort: serverPort, state: 'ESTABLISHED', pid: client.pid, comm: 'netb-client', bytesSent: B1, bytesReceived: B2, retransmits: kernel.client },
        { family, localAddress: loopback, localPort: serverPort, remoteAddress: loopback, remotePort: clientPort, state: 'ESTABLISHED', pid: server.pid, comm: 'netb-server', bytesSent: B2, bytesReceived: B1, retransmits: kernel.server },
      ].sort((a, b) => a.localPort - b.localPort));
      // Each end's process: the open connection's bytes (nothing else of these processes moved).
      const procs = Object.fromEntries(m.processes.filter((p) => p.pid === client.pid || p.pid === server.pid).map((p) => [p.comm, { sent: p.bytesSent, received: p.bytesReceived, open: p.openConnections }]));
      expect(procs).toEqual({ 'netb-client': { sent: B1, received: B2, open: 1 }, 'netb-server': { sent: B2, received: B1, open: 1 } });
    });

    it('gives each end a close event with the same totals, after its state changes in order', async () => {
      client.next();
      expect(await client.line()).toBe('closed');
      server.next();
      expect(await server.line()).toBe('closed');
      const isClient = (e: NetEvent): boolean => e.pid === client.pid && e.remotePort === serverPort;
      const isServer = (e: NetEvent): boolean => e.pid === server.pid && e.localPort === serverPort && e.remotePort === clientPort;
      // Wait for both close events however long the kernel and the ring take (the test's own timeout bounds it).
      while (!(events.some((e) => e.type === 'close' && isClient(e)) && events.some((e) => e.type === 'close' && isServer(e)))) await new Promise((r) => setTimeout(r, 20));
      const closeOf = (f: (e: NetEvent) => boolean) => {
        const e = events.find((x) => x.type === 'close' && f(x));
        return e?.type === 'close' ? { pid: e.pid, comm: e.comm, bytesSent: e.bytesSent, bytesReceived: e.bytesReceived, retransmits: e.retransmits } : null;
      };
      // The close's totals: what the kernel had counted before the close (the FIN exchange retransmitted nothing).
      expect(closeOf(isClient)).toEqual({ pid: client.pid, comm: 'netb-client', bytesSent: B1, bytesReceived: B2, retransmits: kernel.client });
      expect(closeOf(isServer)).toEqual({ pid: server.pid, comm: 'netb-server', bytesSent: B2, bytesReceived: B1, retransmits: kernel.server });
      const states = (f: (e: NetEvent) => boolean): string[] => events.filter((e) => e.type === 'state' && f(e)).map((e) => (e.type === 'state' ? `${e.oldState}>${e.newState}` : ''));
      expect(states(isClient)).toEqual(['CLOSE>SYN_SENT', 'SYN_SENT>ESTABLISHED', 'ESTABLISHED>FIN_WAIT1', 'FIN_WAIT1>FIN_WAIT2', 'FIN_WAIT2>CLOSE']);
      expect(states(isServer)).toEqual(['LISTEN>SYN_RECV', 'SYN_RECV>ESTABLISHED', 'ESTABLISHED>CLOSE_WAIT', 'CLOSE_WAIT>LAST_ACK', 'LAST_ACK>CLOSE']);
      // The connect and accept events of the two ends, once each.
      expect(events.filter((e) => e.type === 'connect' && isClient(e)).length).toBe(1);
      expect(events.filter((e) => e.type === 'accept' && e.pid === server.pid && e.localPort === serverPort).length).toBe(1);
    });
  });
}
