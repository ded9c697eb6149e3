// Fault: a hook's link destroyed from outside while the net family runs (net_send: the
// per-process and per-host UDP bytes). Readings say so (DataUnavailable naming the program),
// and engine.attemptRecovery() attaches it again: a new exchange of N datagrams of S bytes
// in a namespace of the test's own is counted exactly for each process.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createEngine } from '@bpfscope/core';
import { clearCache } from '@bpfscope/native';
import { captureLinks } from '../../../test/link-hook.js';
import { describeKernel } from '../../../test/real-kernel.js';
import { createNetns, type TestNetns } from '../test/netns.js';
import { udpEnd, type Workload } from '../test/workloads.js';
import { net } from './plugin.js';
import type { NetMetrics } from './records.js';

const silent = { error() {}, warn() {}, info() {}, debug() {} };
const N = 150;
const S = 700;

describeKernel('net family: a link destroyed from outside', () => {
  let ns: TestNetns;
  const workloads: Workload[] = [];
  beforeAll(() => void (ns = createNetns()));
  afterAll(async () => {
    await Promise.all(workloads.map((w) => w.stop()));
    ns?.remove();
  });

  async function exchange(tag: string): Promise<{ receiver: Workload; sender: Workload }> {
    const receiver = udpEnd('receiver', 4, 0, N, 0, `netf-urx${tag}`, ns.exec);
    workloads.push(receiver);
    const sender = udpEnd('sender', 4, Number(await receiver.line()), N, S, `netf-utx${tag}`, ns.exec);
    workloads.push(sender);
    await sender.line();
    expect([await sender.line(), await receiver.line()]).toEqual(['done', 'done']);
    return { receiver, sender };
  }
  const bytes = (m: NetMetrics, w: { receiver: Workload; sender: Workload }): Record<string, unknown> =>
    Object.fromEntries(m.processes.filter((p) => p.pid === w.sender.pid || p.pid === w.receiver.pid).map((p) => [p.comm, [p.bytesSent, p.packetsSent, p.bytesReceived, p.packetsReceived]]));

  it('net_send destroyed: readings are DataUnavailable naming it; attemptRecovery() attaches it again and a new exchange is counted exactly', async () => {
    clearCache(); // a fresh object: its links are this engine's
    const hook = captureLinks();
    const engine = createEngine({ plugins: [net({ netNamespaces: [ns.inode] })], config: { mode: 'ebpf', cache: { enabled: false }, recovery: { attempts: 2, baseDelayMs: 1 } }, logger: silent });
    try {
      await engine.start();
      const a = await exchange('a');
      const first = (await engine.collect()).get('net');
      expect(first?.source).toBe('ebpf');
      expect(bytes(first!.data, a)).toEqual({ 'netf-utxa': [N * S, N, 0, 0], 'netf-urxa': [0, 0, N * S, N] });

      hook.destroy('net_send');
      const during = await engine.collect();
      expect(during.get('net')).toBeUndefined();
      expect(during.errors.map((e) => [e.family, e.error.code, e.error.message])).toEqual([
        ['net', 'DATA_UNAVAILABLE', 'net-ebpf is unavailable: program net_send of net-ebpf is no longer attached'],
      ]);

      expect(await engine.attemptRecovery()).toEqual({ recovered: ['net'], failing: [] });
      const b = await exchange('b');
      const after = (await engine.collect()).get('net');
      expect(after?.recoveredFrom?.code).toBe('DATA_UNAVAILABLE');
      expect(bytes(after!.data, b)).toEqual({ 'netf-utxb': [N * S, N, 0, 0], 'netf-urxb': [0, 0, N * S, N] });
    } finally {
      hook.restore();
      await engine.close();
    }
  });
});
