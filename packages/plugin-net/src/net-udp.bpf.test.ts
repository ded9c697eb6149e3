// UDP over loopback in a network namespace of the test's own, through the eBPF source with
// the namespace pushed into the kernel filter: a connected sender sends exactly N datagrams
// of S bytes. The hosts entry of the loopback address rises by N·S payload bytes (what
// sock_send_length reports: the datagram's payload, no headers) and N datagrams; the sender
// and the receiver each show exactly that in processes[]. With a port range pushed down,
// traffic on another port is not counted.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createConsoleLogger, validateConfig, type SourceContext } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { netEbpfSource } from '../test/ebpf-source.js';
import { createNetns, type TestNetns } from '../test/netns.js';
import { udpEnd, type Workload } from '../test/workloads.js';
import type { NetEbpfSource } from './ebpf/net-ebpf-source.js';
import type { NetMetrics } from './records.js';

const context: SourceContext = { config: validateConfig({}), options: {}, logger: createConsoleLogger('silent'), signal: new AbortController().signal };
const read = { signal: new AbortController().signal };

/** Runs a receiver and a connected sender of `n` datagrams of `size` bytes to completion. */
async function exchange(ns: TestNetns, family: 4 | 6, n: number, size: number, tag: string): Promise<{ receiver: Workload; sender: Workload; port: number }> {
  const receiver = udpEnd('receiver', family, 0, n, 0, `netb-urx${tag}`, ns.exec);
  const port = Number(await receiver.line());
  const sender = udpEnd('sender', family, port, n, size, `netb-utx${tag}`, ns.exec);
  await sender.line();
  expect([await sender.line(), await receiver.line()]).toEqual(['done', 'done']);
  return { receiver, sender, port };
}

const hostOf = (m: NetMetrics, address: string) => m.hosts.find((h) => h.address === address) ?? { bytesSent: 0, packetsSent: 0, bytesReceived: 0, packetsReceived: 0 };

for (const family of [4, 6] as const) {
  describeKernel(`net eBPF source: UDP over IPv${family} loopback in a namespace of its own, exact`, () => {
    const loopback = family === 4 ? '127.0.0.1' : '::1';
    const N = 200 + family;
    const S = 1000 + family;
    let ns: TestNetns;
    let source: NetEbpfSource;
    const workloads: Workload[] = [];

    beforeAll(async () => {
      ns = createNetns();
      source = netEbpfSource();
      await source.init(context);
      expect(await source.pushdown({ netNamespaces: [ns.inode] })).toEqual({ pushedDown: ['netNamespaces'], notPushed: [] });
    });
    afterAll(async () => {
      await Promise.all(workloads.map((w) => w.stop()));
      await source?.close();
      ns?.remove();
    });

    it('counts N·S payload bytes and N datagrams for the host and for each process', async () => {
      const before = hostOf(await source.read(read), loopback);
      const { receiver, sender } = await exchange(ns, family, N, S, 'a');
      workloads.push(receiver, sender);
      const m = await source.read(read);
      const after = hostOf(m, loopback);
      // The receiver's socket is not connected: what it received has no remote address there.
      expect({ sent: after.bytesSent! - before.bytesSent!, packets: after.packetsSent! - before.packetsSent!, received: after.bytesReceived! - before.bytesReceived! })
        .toEqual({ sent: N * S, packets: N, received: 0 });
      const procs = Object.fromEntries(m.processes.filter((p) => p.pid === sender.pid || p.pid === receiver.pid)
        .map((p) => [p.comm, [p.bytesSent, p.packetsSent, p.bytesReceived, p.packetsReceived]]));
      expect(procs).toEqual({ 'netb-utxa': [N * S, N, 0, 0], 'netb-urxa': [0, 0, N * S, N] });
    });

    it('leaves out traffic on ports outside a pushed-down port range', async () => {
      const counted = udpEnd('receiver', family, 0, N, 0, 'netb-urxb', ns.exec);
      const port = Number(await counted.line());
      workloads.push(counted);
      expect(await source.pushdown({ netNamespaces: [ns.inode], portRanges: [{ from: port, to: port }] })).toEqual({ pushedDown: ['netNamespaces', 'portRanges'], notPushed: [] });
      const inRange = udpEnd('sender', family, port, N, S, 'netb-utxb', ns.exec);
      workloads.push(inRange);
      await inRange.line();
      expect([await inRange.line(), await counted.line()]).toEqual(['done', 'done']);
      const other = await exchange(ns, family, N, S, 'c');
      workloads.push(other.receiver, other.sender);
      const m = await source.read(read);
      const procs = Object.fromEntries(m.processes.filter((p) => [counted, inRange, other.receiver, other.sender].some((w) => w.pid === p.pid))
        .map((p) => [p.comm, [p.bytesSent, p.bytesReceived]]));
      expect(procs).toEqual({ 'netb-utxb': [N * S, 0], 'netb-urxb': [0, N * S] });
    });
  });
}
