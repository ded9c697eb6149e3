#!/usr/bin/env node
// npm run bench: costs measured in one run, side by side, as ratios (machines are
// noisy: only ratios within one run are compared). Needs root for the eBPF parts.
import { benchCpuSnapshot, reportCpuSnapshot } from './bench/cpu-snapshot.mjs';
import { benchOomPredict, reportOomPredict } from './bench/oom-predict.mjs';
import { benchRingbuf, reportRingbuf } from './bench/ringbuf.mjs';
import { benchMapBatch, reportMapBatch } from './bench/map-batch.mjs';
import { benchTaskIter, reportTaskIter } from './bench/task-iter.mjs';
import { benchMemRead, reportMemRead } from './bench/mem-read.mjs';

const started = Date.now();
console.log(`bpfscope bench  ${new Date().toISOString()}  node ${process.version}  ${(await import('node:os')).cpus().length} CPUs\n`);
console.log('[1/1] cpu snapshot ...');
console.log(reportCpuSnapshot(await benchCpuSnapshot()));
console.log('\n[+] oom prediction ...');
console.log(reportOomPredict(await benchOomPredict()));
console.log('\nring buffer ...\n' + reportRingbuf(await benchRingbuf()));
console.log('\nmap batch read ...');
console.log(reportMapBatch(await benchMapBatch()));
console.log('\ntask iterator ...');
console.log(reportTaskIter(await benchTaskIter()));
console.log('\nmem family read ...\n' + reportMemRead(await benchMemRead()));
console.log(`\nbench finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
