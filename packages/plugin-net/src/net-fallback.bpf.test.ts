// The procfs/sysfs fallback against workloads of known size in a private network namespace
// (so no other process's traffic reaches its loopback), for IPv4 and IPv6. Root is needed
// to make the namespace, hence the bpf project.
import { createEngine, createProcfsReader, type Engine } from '@bpfscope/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeKernel } from '../../../test/real-kernel.js';
import { createNetns, type TestNetns, type Workload } from '../test/netns.js';
import { parseSs, ssKey } from '../test/ss.js';
import { net } from './plugin.js';
import { readSysfsInterfaces } from './procfs/read-interfaces.js';
import type { NetInterface, NetMetrics } from './records.js';

const COUNT = 40;

for (const [family, host] of [[4, '127.0.0.1'], [6, '::1']] as const) {
  describeKernel(`net fallback, IPv${family}, in its own network namespace`, () => {
    let ns: TestNetns;
    let engine: Engine;
    let server: Workload;
    let client: Workload;

    beforeAll(async () => {
      ns = createNetns();
      server = await ns.workload('nettest-srv');
      client = await ns.workload('nettest-cli');
      engine = createEngine({ plugins: [net({ netNamespaces: [ns.inode] })], config: { mode: 'fallback', cache: { enabled: false } } });
      await engine.start();
    });
    afterAll(async () => {
      await engine?.close();
      ns?.remove();
    });

    const read = async (): Promise<NetMetrics> => {
      const r = (await engine.collect()).get('net');
      expect(r?.source).toBe('procfs');
      return r!.data;
    };
    const lo = (m: NetMetrics): NetInterface => m.interfaces.find((i) => i.name === 'lo' && i.netNamespace === ns.inode)!;

    it('UDP: lo counts exactly N packets each way, and N·(S + h) bytes with the same per-packet h for two sizes', async () => {
      const overheads: number[] = [];
      for (const size of [100, 1000]) {
        const before = lo(await read());
        const sent = await client.request<{ received: number; bytes: number }>({ op: 'udp', host, count: COUNT, size });
        const after = await read();
        const l = lo(after);
        expect(sent).toMatchObject({ received: COUNT, bytes: COUNT * size });
        expect(l.source).toBe('procfs'); // another namespace: read through /proc/<pid>/net/dev
        const d = { txPackets: l.txPackets - before.txPackets, rxPackets: l.rxPackets - before.rxPackets, txBytes: l.txBytes - before.txBytes, rxBytes: l.rxBytes - before.rxBytes };
        expect([d.txPackets, d.rxPackets]).toEqual([COUNT, COUNT]);
        expect(d.rxBytes).toBe(d.txBytes);
        const perPacket = d.txBytes / COUNT;
        expect(Number.isInteger(perPacket)).toBe(true);
        overheads.push(perPacket - size);
        // The rate is the delta over the interval the reading reports.
        expect(l.txBytesPerSec! * (after.intervalMs! / 1000)).toBeCloseTo(d.txBytes, 6);
      }
      // What lo counts per datagram beyond the payload (the IP and UDP headers: 28 bytes over IPv4 and 48 over IPv6 on
      // the development VM), as the kernel reports it: the same for both sizes.
      expect(overheads[0]).toBe(overheads[1]);
      expect(overheads[0]).toBeGreaterThan(0);
    });

    it('UDP: the namespace\'s own sysfs gives the same counters as /proc/<pid>/net/dev, and the same exact deltas', async () => {
      const sys = createProcfsReader('/proc', ns.mountSysfs());
      const sysLo = () => readSysfsInterfaces(sys).interfaces.find((i) => i.name === 'lo')!;
      const before = sysLo();
      await client.request({ op: 'udp', host, count: COUNT, size: 200 });
      const after = sysLo();
      const procLo = lo(await read());
      expect([after.txPackets - before.txPackets, after.rxPackets - before.rxPackets]).toEqual([COUNT, COUNT]);
      expect({ rxBytes: procLo.rxBytes, txBytes: procLo.txBytes, rxPackets: procLo.rxPackets, txPackets: procLo.txPackets }).toEqual({ rxBytes: after.rxBytes, txBytes: after.txBytes, rxPackets: after.rxPackets, txPackets: after.txPackets });
    });

    it('TCP: both ends appear ESTABLISHED with both ports and the pid and comm of each end; bytes per connection are unavailable with the reason', async () => {
      const { port } = await server.request<{ port: number }>({ op: 'listen', host });
      const { localPort } = await client.request<{ localPort: number }>({ op: 'connect', host, port });
      // The server's end is in its descriptors only once it has accepted the connection.
      await server.request({ op: 'accepted', port, count: 1 });
      const m = await read();
      const mine = m.connections.filter((c) => c.protocol === 'tcp' && (c.localPort === port || c.remotePort === port));
      const brief = mine.map((c) => `${c.localAddress}:${c.localPort}>${c.remoteAddress}:${c.remotePort} ${c.state} ${c.pid} ${c.comm} ${c.family}`).sort();
      const any = family === 4 ? '0.0.0.0' : '::';
      expect(brief).toEqual([
        `${host}:${localPort}>${host}:${port} ESTABLISHED ${client.pid} nettest-cli ${family}`,
        `${host}:${port}>${any}:0 LISTEN ${server.pid} nettest-srv ${family}`,
        `${host}:${port}>${host}:${localPort} ESTABLISHED ${server.pid} nettest-srv ${family}`,
      ].sort());
      expect(mine.every((c) => c.netNamespace === ns.inode && c.bytesSent === null && c.bytesReceived === null)).toBe(true);
      expect(m.unavailable['connections.bytes']).toMatch(/no byte counts per socket.*eBPF/);
      expect(m.processes.filter((p) => p.pid === server.pid || p.pid === client.pid).map((p) => [p.comm, p.openConnections]).sort()).toEqual([['nettest-cli', 1], ['nettest-srv', 2]]);
    });

    it('a port filter keeps only the sockets with that port, a pid filter only that process\'s', async () => {
      const a = await server.request<{ port: number }>({ op: 'listen', host });
      const b = await server.request<{ port: number }>({ op: 'listen', host });
      const { localPort } = await client.request<{ localPort: number }>({ op: 'connect', host, port: a.port });
      await client.request({ op: 'connect', host, port: b.port });
      const filtered = createEngine({ plugins: [net({ netNamespaces: [ns.inode], ports: [{ from: a.port, to: a.port }] })], config: { mode: 'fallback', cache: { enabled: false } } });
      const byPid = createEngine({ plugins: [net({ netNamespaces: [ns.inode], pids: [client.pid], protocols: ['tcp'] })], config: { mode: 'fallback', cache: { enabled: false } } });
      try {
        await filtered.start();
        await byPid.start();
        const m = (await filtered.collect()).get('net')!.data;
        expect(m.connections.map((c) => `${c.localPort}>${c.remotePort} ${c.state}`).sort()).toEqual([`${a.port}>${localPort} ESTABLISHED`, `${a.port}>0 LISTEN`, `${localPort}>${a.port} ESTABLISHED`].sort());
        const p = (await byPid.collect()).get('net')!.data;
        expect(p.connections.length).toBe(3); // the client's one connection of the TCP test and its two here
        expect(p.connections.every((c) => c.pid === client.pid && c.comm === 'nettest-cli')).toBe(true);
        expect(p.processes.map((x) => x.pid)).toEqual([client.pid]);
      } finally {
        await filtered.close();
        await byPid.close();
      }
    });

    it('the connection table agrees with ss -tanp taken right before and after', async () => {
      // More connections, so the comparison covers several.
      const { port } = await server.request<{ port: number }>({ op: 'listen', host });
      for (let i = 0; i < 3; i++) await client.request({ op: 'connect', host, port });
      const ssBefore = parseSs(ns.run('ss', '-tanpH'), 'tcp');
      const m = await read();
      const ssAfter = parseSs(ns.run('ss', '-tanpH'), 'tcp');
      const ours = new Map(m.connections.filter((c) => c.protocol === 'tcp').map((c) => [ssKey(c), c]));
      const afterKeys = new Map(ssAfter.map((r) => [ssKey(r), r]));
      const inBoth = ssBefore.filter((r) => {
        const a = afterKeys.get(ssKey(r));
        return a !== undefined && a.state === r.state && a.pids.join() === r.pids.join();
      });
      // Every TCP socket of the namespace: the earlier tests' (a listener and both ends of a connection; two
      // listeners and both ends of two connections) and this test's listener and both ends of 3 connections.
      expect(inBoth.length).toBe(3 + 6 + 7);
      expect(ours.size).toBe(inBoth.length); // and nothing that ss did not list
      for (const r of inBoth) {
        const c = ours.get(ssKey(r));
        expect({ key: ssKey(r), state: c?.state, pids: c?.pids }).toEqual({ key: ssKey(r), state: r.state, pids: r.pids });
      }
    });
  });
}
