#!/usr/bin/env node
// npm run bench [-- section...]: costs measured in one run, side by side, as ratios
// (machines are noisy: only ratios within one run are compared). Needs root for the
// eBPF parts, gcc and libbpf-dev for the C references some sections build, clang for the
// reference eBPF programs (scripts/install-toolchain.sh installs them; `prebench` runs it).
import { cpus } from 'node:os';
import { benchCpuSnapshot, reportCpuSnapshot } from './bench/cpu-snapshot.mjs';
import { benchOomPredict, reportOomPredict } from './bench/oom-predict.mjs';
import { benchRingbuf, reportRingbuf } from './bench/ringbuf.mjs';
import { benchMapBatch, reportMapBatch } from './bench/map-batch.mjs';
import { benchTaskIter, reportTaskIter } from './bench/task-iter.mjs';
import { benchSyscallOverhead, reportSyscallOverhead } from './bench/syscall-overhead.mjs';
import { benchProcTable, reportProcTable } from './bench/proc-table.mjs';
import { benchMemRead, reportMemRead } from './bench/mem-read.mjs';
import { benchWarmInit, reportWarmInit } from './bench/warm-init.mjs';
import { benchOverhead, reportOverhead } from './bench/overhead.mjs';
import { benchSampling, reportSampling } from './bench/sampling.mjs';
import { benchEvents, reportEvents } from './bench/events.mjs';
import { benchCache, reportCache } from './bench/cache.mjs';
import { benchAlloc, reportAlloc } from './bench/alloc.mjs';
import { benchNetKernel, reportNetKernel } from './bench/net-kernel.mjs';
import { benchNetRead, reportNetRead } from './bench/net-read.mjs';
import { benchFsFamilyRead, benchFsMounts, reportFsMounts } from './bench/fs-mounts.mjs';
import { benchFsKernel, reportFsKernel } from './bench/fs-kernel.mjs';
import { benchSiFacade, reportSiFacade } from './bench/si-facade.mjs';
import { benchPrometheusScrape, reportPrometheusScrape } from './bench/prometheus-scrape.mjs';
import { benchGpuKernel, reportGpuKernel } from './bench/gpu-kernel.mjs';

const SECTIONS = [
  ['cpu', 'cpu snapshot', async () => reportCpuSnapshot(await benchCpuSnapshot())],
  ['syscall', 'syscall overhead', async () => reportSyscallOverhead(await benchSyscallOverhead())],
  ['map-batch', 'map batch read', async () => reportMapBatch(await benchMapBatch())],
  ['ringbuf', 'ring buffer', async () => reportRingbuf(await benchRingbuf())],
  ['task-iter', 'task iterator', async () => reportTaskIter(await benchTaskIter())],
  ['proc', 'process table', async () => reportProcTable(await benchProcTable())],
  ['mem', 'mem family read', async () => reportMemRead(await benchMemRead())],
  ['oom', 'oom prediction', async () => reportOomPredict(await benchOomPredict())],
  ['init', 'engine init, cold vs warm', async () => reportWarmInit(await benchWarmInit())],
  ['overhead', 'whole-library overhead', async () => reportOverhead(await benchOverhead())],
  ['sampling', 'user-space sampling decisions', async () => reportSampling(await benchSampling())],
  ['events', 'events into JS: engine.events() and eventBatches() vs C', async () => reportEvents(await benchEvents())],
  ['cache', 'aggressive caching: cached vs decoded syscall reading', async () => reportCache(await benchCache())],
  ['alloc', 'memory per read and RSS at 1 Hz', async () => reportAlloc(await benchAlloc())],
  ['net', 'net family read with 10,000 TCP sockets vs systeminformation and /proc', async () => reportNetRead(await benchNetRead())],
  ['net-kernel', 'net family: loopback TCP/UDP slowdown and kernel ns per run', async () => reportNetKernel(await benchNetKernel())],
  [
    'fs',
    'fs family: mounts vs systeminformation fsSize() and df, the family read, and (with an eBPF source) the 4 KiB read-loop slowdown, kernel ns per run and a read with 10,000 tracked files',
    async () => `${reportFsMounts(await benchFsMounts(), await benchFsFamilyRead())}\n${reportFsKernel(await benchFsKernel())}`,
  ],
  ['si', '@bpfscope/si currentLoad()+mem()+processes() vs systeminformation, CPU with children', async () => reportSiFacade(await benchSiFacade())],
  ['gpu-kernel', 'gpu family: CUDA runtime call slowdown with the uprobes (stand-in runtime) and kernel ns per run', async () => reportGpuKernel(await benchGpuKernel())],
  ['prometheus', 'Prometheus scrape of every family at ~100 processes vs engine.collect() alone', async () => reportPrometheusScrape(await benchPrometheusScrape())],
];

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !SECTIONS.some(([key]) => key === w));
if (unknown.length > 0) {
  console.error(`bench: unknown section(s) ${unknown.join(', ')}; known: ${SECTIONS.map(([k]) => k).join(', ')}`);
  process.exit(2);
}
const run = SECTIONS.filter(([key]) => wanted.length === 0 || wanted.includes(key));
const started = Date.now();
console.log(`bpfscope bench  ${new Date().toISOString()}  node ${process.version}  ${cpus().length} CPUs`);
for (const [i, [, title, section]] of run.entries()) {
  const t0 = Date.now();
  console.log(`\n[${i + 1}/${run.length}] ${title} ...`);
  console.log(await section());
  console.log(`(${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}
console.log(`\nbench finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
