// Retransmits and drops through the eBPF source, in a network namespace of the test's own
// (pushed into the kernel filter): an nftables rule drops the client's data segments until
// it has dropped a few, then goes away and the exchange completes. The connection's
// retransmit events, its close event's total, its process's count and the total all agree,
// and the drops counted under NETFILTER_DROP are exactly what the rule's counter dropped.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createConsoleLogger, validateConfig, type SourceContext } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { netEbpfSource } from '../test/ebpf-source.js';
import { createNetns, type TestNetns } from '../test/netns.js';
import { tcpEnd, type Workload } from '../test/workloads.js';
import type { NetEbpfSource } from './ebpf/net-ebpf-source.js';
import type { NetEvent } from './records-events.js';

const context: SourceContext = { config: validateConfig({}), options: {}, logger: createConsoleLogger('silent'), signal: new AbortController().signal };
const read = { signal: new AbortController().signal };

describeKernel('net eBPF source: retransmits and drops under an nftables drop rule, exact', () => {
  const B1 = 200_003;
  const B2 = 5_001;
  let ns: TestNetns;
  let source: NetEbpfSource;
  const stop = new AbortController();
  const events: NetEvent[] = [];
  let collecting: Promise<void> = Promise.resolve();
  const workloads: Workload[] = [];

  beforeAll(async () => {
    ns = createNetns();
    source = netEbpfSource();
    await source.init(context);
    await source.pushdown({ netNamespaces: [ns.inode] });
    const stream = source.events({ signal: stop.signal, queue: 100_000 });
    collecting = (async () => {
      for await (const e of stream) events.push(e);
    })();
    await stream.ready;
  });
  afterAll(async () => {
    stop.abort();
    await collecting;
    await Promise.all(workloads.map((w) => w.stop()));
    await source?.close();
    ns?.remove();
  });

  it('counts each retransmit of the connection once everywhere, and the rule\'s drops by reason', async () => {
    const before = await source.read(read);
    const server = tcpEnd('server', 4, 0, B2, B1, 'netb-rtsrv', ns.exec);
    workloads.push(server);
    const port = Number(await server.line());
    // Data segments to the server (longer than any handshake or ACK) are dropped on the way in
    // (after the client sent them: a drop on the way out fails the send, which TCP does not count
    // as a retransmit) and counted.
    ns.run('nft', 'add table inet netb');
    ns.run('nft', 'add chain inet netb in { type filter hook input priority 0 ; }');
    // A named counter outlives the rule, so it holds every drop the rule made.
    ns.run('nft', 'add counter inet netb drops');
    ns.run('nft', `add rule inet netb in tcp dport ${port} meta length > 200 counter name drops drop`);
    const client = tcpEnd('client', 4, port, B1, B2, 'netb-rtcli', ns.exec);
    workloads.push(client);
    const clientPort = Number(await client.line());
    const dropped = (): number => Number(/packets (\d+)/.exec(ns.run('nft', 'list counter inet netb drops'))?.[1] ?? 0);
    // Let the rule drop the first transmission and at least one retransmission, then lift it.
    while (dropped() < 2) await new Promise((r) => setTimeout(r, 20));
    ns.run('nft', 'flush chain inet netb in');
    const ruleDrops = dropped();
    expect([await server.line(), await client.line()]).toEqual(['done', 'done']);
    client.next();
    server.next();
    expect([await client.line(), await server.line()]).toEqual(['closed', 'closed']);
    const ofClient = (e: NetEvent): boolean => e.pid === client.pid && e.remotePort === port;
    while (!events.some((e) => e.type === 'close' && ofClient(e))) await new Promise((r) => setTimeout(r, 20));
    const after = await source.read(read);

    const retransmits = events.filter((e) => e.type === 'retransmit' && ofClient(e) && e.localPort === clientPort).length;
    expect(retransmits).toBeGreaterThanOrEqual(1);
    const close = events.find((e) => e.type === 'close' && ofClient(e));
    expect(close?.type === 'close' ? [close.retransmits, close.bytesSent, close.bytesReceived] : null).toEqual([retransmits, B1, B2]);
    expect(after.processes.find((p) => p.pid === client.pid)?.retransmits).toBe(retransmits);
    expect(after.totals!.retransmits! - before.totals!.retransmits!).toBe(retransmits);
    const reason = (m: typeof after): number => m.totals!.dropsByReason!.NETFILTER_DROP ?? 0;
    expect(reason(after) - reason(before)).toBe(ruleDrops);
  });
});
