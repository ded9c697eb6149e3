import type { FamilyResult } from '@bpfscope/core';
import type { FsDevice, FsFile, FsLatencyHistogram, FsMetrics, FsMount } from '@bpfscope/plugin-fs';
import { num, table } from './table.js';
import { formatBytes } from '../units.js';

const indent = (s: string): string => s.split('\n').map((l) => `  ${l}`).join('\n');
const count = (v: number | null): string => (v === null ? '-' : String(v));
const bytes = (v: number | null): string => (v === null ? '-' : formatBytes(v));
const TOP = 10;

/** `p50 ≤ 256 us, p99 ≤ 4096 us`-style bounds of a latency histogram (the bucket's upper bound), or `-`. */
function latency(h: FsLatencyHistogram | null): string {
  if (h === null || h.count === 0) return '-';
  return `${h.p50Us ?? '-'}/${h.p99Us ?? '-'}`;
}

const deviceRow = (d: FsDevice): string[] => [
  d.name, `${d.major}:${d.minor}`, String(d.reads), String(d.writes), formatBytes(d.bytesRead), formatBytes(d.bytesWritten), String(d.inFlight), latency(d.readLatency), latency(d.writeLatency),
];

// use% as df shows it: used over what unprivileged users could have (used + available), rounded up.
const mountRow = (m: FsMount): string[] => [
  m.mountPoint, m.fsType, m.device, formatBytes(m.size), formatBytes(m.used), formatBytes(m.available),
  num(m.used + m.available === 0 ? null : Math.ceil((m.used / (m.used + m.available)) * 100), 0), m.inodesUsed === null ? '-' : String(m.inodesUsed), m.readOnly ? 'ro' : 'rw',
];

const fileRow = (f: FsFile): string[] => [
  f.path === null ? `${f.dev} ino ${f.inode}` : `${f.path}${f.pathStatus === 'deleted' ? ' (deleted)' : ''}`,
  count(f.opens), count(f.reads), count(f.writes), bytes(f.bytesRead), bytes(f.bytesWritten), count(f.fsyncs),
  f.topProcesses.slice(0, 2).map((p) => `${p.comm}[${p.pid}]`).join(' '),
];

/** Human form of the fs family: devices, mounts, top processes and files. @internal */
export function formatFs(r: FamilyResult<FsMetrics>): string {
  const d = r.data;
  const lines: string[] = [];
  const busy = d.devices.filter((x) => x.reads + x.writes > 0);
  const since = r.source === 'ebpf' ? `since ${d.countersSince}` : 'since boot';
  if (d.devices.length === 0) lines.push(`  devices: none read${d.errors.devices !== undefined ? ' (error)' : ''}`);
  else {
    lines.push(`  block devices (${d.fieldSources.devices ?? r.source}), counters ${since}; ${d.devices.length - busy.length} without I/O not shown; latency p50/p99 upper bounds in us`);
    if (busy.length > 0) lines.push(indent(table(['device', 'maj:min', 'reads', 'writes', 'read', 'written', 'in flight', 'read lat', 'write lat'], busy.map(deviceRow), new Set([0, 1]))));
  }
  if (d.mounts.length === 0) lines.push(`  mounts: none read${d.errors.mounts !== undefined ? ' (error)' : ''}`);
  else lines.push('  mounts (statfs)', indent(table(['mount', 'type', 'source', 'size', 'used', 'avail', 'use%', 'inodes used', 'mode'], d.mounts.map(mountRow), new Set([0, 1, 2, 8]))));
  const procs = d.processes.slice(0, TOP);
  if (procs.length > 0) {
    const inKernel = r.source === 'ebpf' && d.fieldSources.processes === undefined;
    lines.push(`  processes by bytes read + written (${inKernel ? `since ${d.countersSince}` : 'over each process\'s life, /proc/<pid>/io'}), top ${procs.length}`);
    lines.push(indent(table(['pid', 'comm', 'reads', 'writes', 'read', 'written', 'opens', 'fsyncs'], procs.map((p) => [
      String(p.pid), p.comm, String(p.reads), String(p.writes), formatBytes(p.bytesRead), formatBytes(p.bytesWritten), count(p.opens), count(p.fsyncs),
    ]), new Set([0, 1]))));
  }
  if (d.files.length > 0) {
    lines.push(`  files: ${d.fileCount} ${d.files[0]!.reads === null ? 'open now (no counts: procfs)' : 'tracked'}${d.filesLeftOut > 0 ? `, ${d.filesLeftOut} left out (table full)` : ''}, top ${Math.min(TOP, d.files.length)}`);
    lines.push(indent(table(['file', 'opens', 'reads', 'writes', 'read', 'written', 'fsyncs', 'processes'], d.files.slice(0, TOP).map(fileRow), new Set([0, 7]))));
  }
  for (const [file, n] of Object.entries(d.skippedLines)) lines.push(`  skipped ${n} malformed line(s) of ${file}`);
  for (const [why, n] of Object.entries(d.skippedMounts)) lines.push(`  left out ${n} mount(s): ${why}`);
  for (const [k, e] of Object.entries(d.errors)) lines.push(`  error: ${k}: ${e.code}: ${e.message}`);
  const missing = Object.keys(d.unavailable);
  if (missing.length > 0) lines.push(`  unavailable from ${r.source}: ${missing.join(', ')} (the reasons are in --json, data.unavailable)`);
  return lines.join('\n');
}
