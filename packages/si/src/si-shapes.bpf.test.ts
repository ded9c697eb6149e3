// The facade against systeminformation itself, at one moment: every result has the fields
// systeminformation's own declarations list (read from its index.d.ts at run time) and the
// keys of systeminformation's own result, and values agree within what the time between the
// two readings explains. Counters and lists that move are bracketed: the facade reads before
// and after systeminformation (reuseMs 0: each call reads), so systeminformation's counter
// lies between the two, and what was there in both facade readings is in its list.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import si from 'systeminformation';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createConsoleLogger, machineConstants } from '@bpfscope/core';
import { gpuInventory } from '@bpfscope/plugin-gpu';
import { thermalSensorInventory } from '@bpfscope/plugin-thermal';
import { describeKernel } from '../../../test/real-kernel.js';
import { exited, spawned } from '../../plugin-proc/test/kernel-helpers.js';
import { expectedKeys } from '../test/si-dts.js';
import { SystemInformation } from './system-information.js';

const logger = createConsoleLogger('silent');
const keys = (o: object): string[] => Object.keys(o).sort();
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** f1 ≤ s ≤ f2 for a counter read by the facade, systeminformation, the facade again. */
function between(name: string, f1: number | null, s: number, f2: number | null): void {
  expect({ name, f1: f1 !== null && f1 <= s, f2: f2 !== null && s <= f2 }).toEqual({ name, f1: true, f2: true });
}

/** What both facade readings list is in systeminformation's, and what it lists is in one of them. */
function bracketed(f1: string[], s: string[], f2: string[]): void {
  const stable = f1.filter((k) => f2.includes(k));
  expect(stable.filter((k) => !s.includes(k))).toEqual([]);
  expect(s.filter((k) => !f1.includes(k) && !f2.includes(k))).toEqual([]);
}

describeKernel('@bpfscope/si against systeminformation', () => {
  const facade = new SystemInformation({ config: { mode: 'ebpf' }, logger, reuseMs: 0 });
  const sleepers: ChildProcess[] = [];
  let server: Server;
  let port = 0;

  beforeAll(async () => {
    for (let i = 0; i < 3; i++) sleepers.push(spawn('/usr/bin/sleep', ['600'], { stdio: 'ignore' }));
    await Promise.all(sleepers.map(spawned));
    server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const s of sleepers) s.kill('SIGKILL');
    await Promise.all(sleepers.map(exited));
    await new Promise((r) => server.close(r));
    await facade.close();
  });

  it('mem(): the MemData fields; total and swap total exactly, the rest bracketed within 1% of RAM', async () => {
    const f1 = await facade.mem();
    const s = await si.mem();
    const f2 = await facade.mem();
    expect(keys(f1)).toEqual(expectedKeys('MemData', s));
    expect(keys(f1)).toEqual(keys(s));
    expect([f1.total, f1.swaptotal]).toEqual([s.total, s.swaptotal]);
    // Other work on the machine allocates and frees between the three readings: 1% of RAM (at least 64 MiB) of slack around the bracket.
    const slack = Math.max(64 * 2 ** 20, f1.total / 100);
    for (const k of ['free', 'used', 'active', 'available', 'buffcache', 'cached'] as const) {
      const lo = Math.min(f1[k], f2[k]) - slack;
      const hi = Math.max(f1[k], f2[k]) + slack;
      expect({ k, in: s[k] >= lo && s[k] <= hi }).toEqual({ k, in: true });
    }
  });

  it('currentLoad(): the CurrentLoadData fields (and per CPU); over the same 2 s the busy share agrees within 5 points plus the iowait share', async () => {
    await facade.currentLoad();
    await si.currentLoad();
    const iowait0 = iowaitMs();
    await pause(2000);
    const f = await facade.currentLoad();
    const s = await si.currentLoad();
    const iowaitPct = ((iowaitMs() - iowait0) / (f.rawCurrentLoad + f.rawCurrentLoadIdle)) * 100;
    expect(keys(f)).toEqual(expectedKeys('CurrentLoadData', s));
    expect(keys(f)).toEqual(keys(s));
    expect(f.cpus.length).toBe(s.cpus.length);
    for (const c of f.cpus) expect(keys(c)).toEqual(expectedKeys('CurrentLoadCpuData', s.cpus[0]!));
    expect(Math.abs(f.currentLoad - s.currentLoad)).toBeLessThanOrEqual(5 + iowaitPct);
    expect(f.avgLoad).toBe(s.avgLoad);
    expect([f.currentLoadGuest, f.rawCurrentLoadGuest]).toEqual([null, null]);
  });

  it('processes(): the ProcessesData fields; the sleepers this test started, field by field', async () => {
    const f = await facade.processes();
    const s = await si.processes();
    expect(keys(f)).toEqual(expectedKeys('ProcessesData', s));
    expect(keys(f.list[0]!)).toEqual(expectedKeys('ProcessesProcessData', s.list[0]!));
    expect(keys(f.list[0]!)).toEqual(keys(s.list[0]!));
    const pick = (p: (typeof f.list)[number] | (typeof s.list)[number]) => ({
      pid: p.pid, parentPid: p.parentPid, name: p.name, command: p.command, params: p.params, path: p.path,
      user: p.user, nice: p.nice, priority: p.priority, memVsz: p.memVsz, state: p.state,
    });
    for (const child of sleepers) {
      const ours = f.list.find((p) => p.pid === child.pid);
      const theirs = s.list.find((p) => p.pid === child.pid);
      expect(ours && pick(ours)).toEqual(theirs && pick(theirs));
      expect(pick(ours!)).toMatchObject({ parentPid: process.pid, name: 'sleep', command: 'sleep', params: '600', path: '/usr/bin', state: 'sleeping' });
      // RSS of a sleeping process does not move; ps rounds the start to whole seconds of elapsed time.
      expect(Math.abs(ours!.memRss - theirs!.memRss)).toBeLessThanOrEqual(8);
      expect(Math.abs(Date.parse(ours!.started!) - Date.parse(theirs!.started))).toBeLessThanOrEqual(2000);
      expect(Math.abs(ours!.mem - theirs!.mem)).toBeLessThanOrEqual(0.1);
    }
  });

  it('networkStats(): the NetworkStatsData fields, the same default interface and state, its byte counters bracketed', async () => {
    const f1 = await facade.networkStats();
    const s = await si.networkStats();
    const f2 = await facade.networkStats();
    expect(f1.map((x) => x.iface)).toEqual(s.map((x) => x.iface));
    expect(keys(f1[0]!)).toEqual(expectedKeys('NetworkStatsData', s[0]!));
    expect(f1[0]!.operstate).toBe(s[0]!.operstate);
    for (const k of ['rx_bytes', 'tx_bytes', 'rx_dropped', 'tx_dropped', 'rx_errors', 'tx_errors'] as const) between(k, f1[0]![k], s[0]![k], f2[0]![k]);
    const all = await facade.networkStats('*');
    const sAll = await si.networkStats('*');
    expect(all.map((x) => x.iface).sort()).toEqual(sAll.map((x) => x.iface).sort());
  });

  it("networkConnections(): the NetworkConnectionsData fields, this test's listener with its pid, and the IPv4 sockets bracketed", async () => {
    const f1 = await facade.networkConnections();
    const s = await si.networkConnections();
    const f2 = await facade.networkConnections();
    const mine = (l: typeof s) => l.filter((c) => c.localPort === String(port) && c.state === 'LISTEN');
    expect(mine(f1)).toEqual(mine(s));
    expect(mine(f1)).toEqual([{ protocol: 'tcp', localAddress: '127.0.0.1', localPort: String(port), peerAddress: '0.0.0.0', peerPort: '*', state: 'LISTEN', pid: process.pid, process: expect.any(String) }]);
    expect(keys(f1[0]!)).toEqual(expectedKeys('NetworkConnectionsData', s[0]!));
    // netstat shortens long IPv6 addresses to fit its columns: compare the IPv4 sockets.
    const v4 = (l: typeof s) => l.filter((c) => c.protocol === 'tcp' || c.protocol === 'udp').map((c) => `${c.protocol} ${c.localAddress}:${c.localPort} ${c.peerAddress}:${c.peerPort} ${c.state}`);
    bracketed(v4(f1), v4(s), v4(f2));
  });

  it('fsSize(): the FsSizeData fields and the same filesystems (bracketed), sizes to the KiB df counts in', async () => {
    const f1 = await facade.fsSize();
    const s = await si.fsSize();
    const f2 = await facade.fsSize();
    expect(keys(f1[0]!)).toEqual(expectedKeys('FsSizeData', s[0]!));
    const id = (x: { fs: string; type: string; mount: string }) => `${x.fs} ${x.type} ${x.mount}`;
    bracketed(f1.map(id), s.map(id), f2.map(id));
    for (const x of s) {
      const ours = f1.find((y) => id(y) === id(x));
      if (!ours) continue;
      expect({ m: x.mount, d: Math.abs(ours.size - x.size) < 1024 }).toEqual({ m: x.mount, d: true });
      // systeminformation reads the flag only for sources that are paths (it says false for the others).
      if (x.fs.startsWith('/')) expect({ m: x.mount, rw: ours.rw }).toEqual({ m: x.mount, rw: x.rw });
    }
  });

  it('disksIO(): the DisksIoData fields; eBPF counts from the source start, so at most what the kernel counted since boot', async () => {
    await facade.disksIO();
    const s = await si.disksIO();
    const f = await facade.disksIO();
    expect(keys(f)).toEqual(expectedKeys('DisksIoData', s));
    expect(f.rIO).toBeLessThanOrEqual(s.rIO);
    expect(f.wIO).toBeLessThanOrEqual(s.wIO);
    expect(f.rWaitTime).not.toBeNull();
  });

  it('disksIO() from procfs (fs family in fallback): the kernel counters since boot, bracketed', async () => {
    const procfs = new SystemInformation({ config: { families: { fs: { mode: 'fallback' } } }, logger, reuseMs: 0 });
    try {
      const f1 = await procfs.disksIO();
      await pause(600); // systeminformation answers disksIO() from its last result for 500 ms
      const s = await si.disksIO();
      const f2 = await procfs.disksIO();
      between('rIO', f1.rIO, s.rIO, f2.rIO);
      between('wIO', f1.wIO, s.wIO, f2.wIO);
      expect([f2.rWaitTime, f2.wWaitTime, f2.tWaitTime, f2.rWaitPercent]).toEqual([null, null, null, null]);
    } finally {
      await procfs.close();
    }
  });

  it("cpuTemperature() and graphics(): systeminformation's shapes; on a machine without sensors or GPU device, nothing measured as systeminformation", async () => {
    const t = await facade.cpuTemperature();
    expect(keys(t)).toEqual(keys(await si.cpuTemperature()));
    expect(keys(t)).toEqual(expectedKeys('CpuTemperatureData', t));
    // Values from fixture trees: hardware.test.ts.
    if (thermalSensorInventory().unavailable !== null) expect(t).toEqual({ main: null, cores: [], max: null, socket: [], chipset: null });
    const g = await facade.graphics();
    expect(keys(g)).toEqual(expectedKeys('GraphicsData', await si.graphics()));
    if (gpuInventory().noDevice !== null) expect(g).toEqual({ controllers: [], displays: [] });
  });
});

/** iowait of all CPUs, ms, from /proc/stat (the share the eBPF cpu source counts as idle and systeminformation leaves out). */
function iowaitMs(): number {
  const hz = machineConstants().clockTicks.value;
  if (hz === null) throw new Error('clock ticks per second unknown');
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  return Number(line.trim().split(/\s+/)[5]) * (1000 / hz);
}
