import type { FamilyResult } from '@bpfscope/core';
import type { SyscallMetrics } from '@bpfscope/plugin-syscall';
import type { NetMetrics } from '@bpfscope/plugin-net';
import type { FsMetrics } from '@bpfscope/plugin-fs';
import { num, table } from '../commands/table.js';
import { formatBytes } from '../units.js';
import type { Pane } from './frame.js';
import type { TopReading } from './top-reading.js';

const perSecond = (v: number | null): string => (v === null ? '-' : String(Math.round(v)));
const bytesPerSecond = (v: number | null | undefined): string => (v === null || v === undefined ? '-' : `${formatBytes(Math.round(v))}/s`);
const window = (ms: number | null): string => (ms === null ? 'rates from the second reading' : `rates over ${Math.round(ms)} ms`);

function split(t: string): { head: string[]; rows: string[] } {
  const [head, ...rows] = t.split('\n');
  return { head: [head!], rows };
}

/** The syscall pane: the calls made most over the last interval (before it: since attach). @internal */
export function syscallPane(r: FamilyResult<SyscallMetrics>, reading: TopReading): Pane {
  const d = r.data;
  // The first reading's interval runs from attaching: the per-call rates need a previous reading.
  const subtitle = `${r.source}, ${d.mode}, ${window(reading.first ? null : d.intervalMs)}`;
  if (d.mode === 'procfs') {
    const why = d.unavailable.syscalls ?? 'procfs has no per-call counts';
    return { title: 'syscalls', subtitle: r.source, head: [`per-call counts unavailable: ${why}`], rows: [], tail: [] };
  }
  const list = d.syscalls.map((s) => ({ s, rate: reading.callRates.get(s.id) ?? null }));
  // Over the interval when there is one, else by the counts since attach (the family's order).
  if (list.some((x) => x.rate !== null)) list.sort((a, b) => (b.rate ?? -1) - (a.rate ?? -1) || b.s.count - a.s.count);
  const t = table(
    ['syscall', 'category', 'calls/s', 'calls', 'errors', 'avg us'],
    list.map(({ s, rate }) => [s.name ?? `#${s.id}`, s.category, perSecond(rate), String(s.count), s.errors === null ? '-' : String(s.errors), s.avgNs === null ? '-' : num(s.avgNs / 1000, 2)]),
    new Set([0, 1]),
  );
  const { head, rows } = split(t);
  const total = `${d.total.count ?? '-'} calls since ${d.countersSince}${d.total.perSecond !== null ? `, ${Math.round(d.total.perSecond)}/s` : ''}; bpfscope's own left out`;
  return { title: 'syscalls', subtitle, head: [total, ...head], rows, tail: [] };
}

/** The net pane: interfaces with their rates, sockets by state. @internal */
export function netPane(r: FamilyResult<NetMetrics>): Pane {
  const d = r.data;
  const t = table(
    ['iface', 'rx/s', 'tx/s', 'rx', 'tx', 'drops', 'errors'],
    d.interfaces.map((i) => [i.name, bytesPerSecond(i.rxBytesPerSec), bytesPerSecond(i.txBytesPerSec), formatBytes(i.rxBytes), formatBytes(i.txBytes), String(i.rxDropped + i.txDropped), String(i.rxErrors + i.txErrors)]),
  );
  const { head, rows } = split(t);
  const tail: string[] = [];
  if (d.totals) {
    const states = Object.entries(d.totals.tcpByState).map(([s, n]) => `${s} ${n}`).join(', ');
    tail.push(`tcp ${states || 'none'}; udp ${d.totals.udpSockets}; ${d.connectionCount} connections matched`);
  }
  for (const [k, e] of Object.entries(d.errors)) tail.push(`error: ${k}: ${e.code}: ${e.message}`);
  return { title: 'net', subtitle: `${r.source}, ${window(d.intervalMs)}`, head, rows, tail };
}

/** The fs pane: block devices with I/O, by bytes per second, and the top processes by bytes. @internal */
export function fsPane(r: FamilyResult<FsMetrics>, reading: TopReading): Pane {
  const d = r.data;
  const devices = d.devices
    .filter((x) => x.reads + x.writes > 0)
    .map((x) => ({ x, rate: reading.deviceRates.get(x.name) ?? { read: null, written: null } }))
    .sort((a, b) => (b.rate.read ?? 0) + (b.rate.written ?? 0) - ((a.rate.read ?? 0) + (a.rate.written ?? 0)) || a.x.name.localeCompare(b.x.name));
  const t = table(
    ['device', 'read/s', 'written/s', 'reads', 'writes', 'in flight'],
    devices.map(({ x, rate }) => [x.name, bytesPerSecond(rate.read), bytesPerSecond(rate.written), String(x.reads), String(x.writes), String(x.inFlight)]),
  );
  const { head, rows } = split(t);
  const since = r.source === 'ebpf' ? `since ${d.countersSince}` : 'since boot';
  // Per process: counted in the kernel since attach, or /proc/<pid>/io over each process's life.
  const inKernel = r.source === 'ebpf' && d.fieldSources.processes === undefined;
  const over = inKernel ? `since ${d.countersSince}` : 'over its life';
  const tail = d.processes.slice(0, 3).map((p) => `${p.comm}[${p.pid}] read ${formatBytes(p.bytesRead)}, wrote ${formatBytes(p.bytesWritten)} (${over})`);
  for (const [k, e] of Object.entries(d.errors)) tail.push(`error: ${k}: ${e.code}: ${e.message}`);
  return { title: 'fs', subtitle: `${r.source}, counts ${since}, ${window(d.intervalMs)}`, head, rows, tail };
}
