import type { FamilyResult } from '@bpfscope/core';
import type { CpuMetrics } from '@bpfscope/plugin-cpu';
import type { MemMetrics } from '@bpfscope/plugin-mem';
import type { ProcMetrics } from '@bpfscope/plugin-proc';
import type { SyscallMetrics } from '@bpfscope/plugin-syscall';
import type { NetMetrics } from '@bpfscope/plugin-net';
import type { FsMetrics } from '@bpfscope/plugin-fs';
import { layoutFrame, type FrameSize, type Pane } from './frame.js';
import { cpuPane, memPane } from './panes-cpu-mem.js';
import { procPane, type TopProcess, type TopSort } from './panes-proc.js';
import { fsPane, netPane, syscallPane } from './panes-io.js';
import type { TopReading } from './top-reading.js';

/** What the keys change in the view. @internal */
export interface TopViewState {
  sort: TopSort;
  intervalMs: number;
  /** Show the key help (on a terminal). */
  keys: boolean;
}

/** The panes of one reading, one per family present, in a fixed order. @internal */
export function topPanes(reading: TopReading, sort: TopSort): Pane[] {
  const s = reading.snap;
  const panes: Pane[] = [];
  const cpu = s.get('cpu') as FamilyResult<CpuMetrics> | undefined;
  if (cpu) panes.push(cpuPane(cpu, reading.runQueue));
  const mem = s.get('mem') as FamilyResult<MemMetrics> | undefined;
  if (mem) panes.push(memPane(mem));
  const proc = s.get('proc') as FamilyResult<ProcMetrics> | undefined;
  const sc = s.get('syscall') as FamilyResult<SyscallMetrics> | undefined;
  if (proc) {
    const list: TopProcess[] = proc.data.processes.map((record) => ({
      record,
      ioPerSecond: reading.procIo.get(record.pid) ?? null,
      callsPerSecond: reading.procCalls.get(record.pid) ?? null,
    }));
    panes.push(procPane(proc, list, sort, sc !== undefined && sc.data.mode !== 'procfs'));
  }
  if (sc) panes.push(syscallPane(sc, reading));
  const net = s.get('net') as FamilyResult<NetMetrics> | undefined;
  if (net) panes.push(netPane(net));
  const fs = s.get('fs') as FamilyResult<FsMetrics> | undefined;
  if (fs) panes.push(fsPane(fs, reading));
  return panes;
}

/** The whole frame of one reading as lines, laid out in `size`. @internal */
export function topFrame(reading: TopReading, state: TopViewState, size: FrameSize): string[] {
  const header = [`bpfscope top  ${new Date(reading.snap.timestamp).toISOString()}  every ${state.intervalMs} ms  sort: ${state.sort}`];
  if (state.keys) header.push('keys: q quit  c cpu  m mem  p pid  i io  s syscalls');
  for (const e of reading.snap.errors) header.push(`error: ${e.family}: ${e.error.code}: ${e.error.message}`);
  return layoutFrame(header, topPanes(reading, state.sort), size);
}
