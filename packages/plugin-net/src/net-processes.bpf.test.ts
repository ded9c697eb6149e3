// Per-process network bytes through the eBPF source: two child processes each send a known
// number of bytes over loopback TCP to a server of their own. Each one's processes[] entry
// shows exactly its bytes while its connection is open (from the table) and after it closed
// and the child exited (from the kernel's per-process map, added at close), never twice.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createConsoleLogger, validateConfig, type SourceContext } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { netEbpfSource } from '../test/ebpf-source.js';
import { tcpEnd, type Workload } from '../test/workloads.js';
import type { NetMetrics } from './records.js';
import type { NetEvent } from './records-events.js';

const context: SourceContext = { config: validateConfig({}), options: {}, logger: createConsoleLogger('silent'), signal: new AbortController().signal };
const read = { signal: new AbortController().signal };

describeKernel('net eBPF source: bytes per process, exact', () => {
  const sizes = [123_457, 65_539];
  const source = netEbpfSource();
  const stop = new AbortController();
  const events: NetEvent[] = [];
  let collecting: Promise<void> = Promise.resolve();
  const servers: Workload[] = [];
  const clients: Workload[] = [];

  beforeAll(async () => {
    await source.init(context);
    const stream = source.events({ signal: stop.signal, queue: 100_000, types: ['close'] });
    collecting = (async () => {
      for await (const e of stream) events.push(e);
    })();
    await stream.ready;
    for (const [i, n] of sizes.entries()) {
      const server = tcpEnd('server', 4, 0, 0, n, `netb-sink${i}`);
      servers.push(server);
      clients.push(tcpEnd('client', 4, Number(await server.line()), n, 0, `netb-send${i}`));
    }
    for (const c of clients) await c.line(); // its port
    for (const w of [...servers, ...clients]) expect(await w.line()).toBe('done');
  });
  afterAll(async () => {
    stop.abort();
    await collecting;
    await Promise.all([...servers, ...clients].map((w) => w.stop()));
    await source.close();
  });

  const mine = (m: NetMetrics): Record<string, { sent: number | null; received: number | null }> =>
    Object.fromEntries(m.processes.filter((p) => [...servers, ...clients].some((w) => w.pid === p.pid)).map((p) => [p.comm, { sent: p.bytesSent, received: p.bytesReceived }]));
  const expected = {
    'netb-send0': { sent: sizes[0], received: 0 }, 'netb-sink0': { sent: 0, received: sizes[0] },
    'netb-send1': { sent: sizes[1], received: 0 }, 'netb-sink1': { sent: 0, received: sizes[1] },
  };

  it('gives each process its bytes while the connections are open', async () => {
    expect(mine(await source.read(read))).toEqual(expected);
  });

  it('gives the same after the connections closed and the senders exited', async () => {
    for (const c of clients) c.next();
    for (const c of clients) expect(await c.line()).toBe('closed');
    for (const s of servers) s.next();
    for (const s of servers) expect(await s.line()).toBe('closed');
    const pids = new Set([...servers, ...clients].map((w) => w.pid));
    // Every end's connection reached CLOSE (its totals went to the kernel's map), however long that takes.
    while (events.filter((e) => pids.has(e.pid)).length < 4) await new Promise((r) => setTimeout(r, 20));
    await Promise.all(clients.map((c) => c.stop()));
    expect(mine(await source.read(read))).toEqual(expected);
  });
});
