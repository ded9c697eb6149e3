#!/usr/bin/env node
// The device check behind scripts/check-gpu.sh (run that): on a machine with an NVIDIA GPU,
// the gpu family's devices against nvidia-smi, and its CUDA uprobe counts against a
// workload that tallies its own calls. Exits 0 when every comparison passes, 1 when one
// fails, 2 when there is no NVIDIA GPU to check.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEngine } from '@bpfscope/core';
import { gpu } from '@bpfscope/plugin-gpu';
import { compareCuda, compareDevices, formatRows, parseSmiCsv, SMI_FIELDS } from './compare.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
// LAUNCHES ALLOCS ALLOC_BYTES COPIES COPY_BYTES: each copy round is one HostToDevice and one DeviceToHost.
const WORKLOAD = ['1000', '64', String(1 << 20), '100', String(1 << 20)];

function smi() {
  return parseSmiCsv(execFileSync('nvidia-smi', [`--query-gpu=${SMI_FIELDS.join(',')}`, '--format=csv,noheader,nounits'], { encoding: 'utf8', timeout: 30_000 }));
}

function nvcc() {
  for (const p of [process.env.NVCC, '/usr/local/cuda/bin/nvcc']) if (p && existsSync(p)) return p;
  try {
    return execFileSync('sh', ['-c', 'command -v nvcc'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

/** Build the workload: nvcc with the shared runtime when there is an nvcc, else the dlopen C program. */
function buildWorkload(dir) {
  const out = join(dir, 'gpu-workload');
  const compiler = nvcc();
  if (compiler) {
    execFileSync(compiler, ['-cudart', 'shared', '-o', out, join(HERE, 'workload.cu')], { stdio: 'inherit', timeout: 180_000 });
    return { path: out, how: `${compiler} -cudart shared (real kernel launches)` };
  }
  execFileSync('gcc', ['-O1', '-o', out, join(HERE, 'workload-dlopen.c'), '-ldl'], { stdio: 'inherit' });
  return { path: out, how: 'gcc, runtime API through dlopen (launches of an unregistered function: counted calls, refused by the runtime)' };
}

/** Run the workload to its end; resolves with its tally. */
function runWorkload(path) {
  return new Promise((resolve, reject) => {
    const child = spawn(path, WORKLOAD, { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (/^ready \d+ .*\n/.test(out) && !child.stdin.writableEnded) child.stdin.end('go\n');
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const json = out.split('\n').find((l) => l.startsWith('{'));
      if (code !== 0 || !json) reject(new Error(`the workload exited ${code}: ${out}`));
      else resolve(JSON.parse(json));
    });
  });
}

async function main() {
  let before;
  try {
    before = smi();
  } catch (e) {
    console.error(`check-gpu: no NVIDIA GPU to check here (nvidia-smi: ${e.message.split('\n')[0]})`);
    return 2;
  }
  if (before.length === 0) {
    console.error('check-gpu: nvidia-smi lists no GPU');
    return 2;
  }
  const dir = mkdtempSync(join(tmpdir(), 'bpfscope-check-gpu-'));
  const engine = createEngine({ plugins: [gpu()], config: { mode: 'ebpf', logLevel: 'warn', cache: { enabled: false }, operationTimeoutMs: 60_000 } });
  try {
    const workload = buildWorkload(dir);
    console.log(`workload: ${workload.how}`);
    await engine.start();
    // Devices: nvidia-smi and the family back to back, while nothing of ours runs on the GPU.
    const s = smi();
    const first = (await engine.collect()).get('gpu');
    if (!first) throw new Error('the gpu family gave no reading');
    console.log(`gpu family source: ${first.source}; unavailable: ${JSON.stringify(first.data.unavailable)}`);
    const rows = compareDevices(s, first.data.devices);
    const tally = await runWorkload(workload.path);
    console.log(`workload pid ${tally.pid} used ${tally.runtime}`);
    const second = (await engine.collect()).get('gpu');
    rows.push(...compareCuda(tally, second?.data.cuda ?? []));
    console.log(formatRows(rows));
    const failed = rows.filter((r) => !r.pass).length;
    console.log(failed === 0 ? `check-gpu: all ${rows.length} comparisons passed` : `check-gpu: ${failed} of ${rows.length} comparisons failed`);
    return failed === 0 ? 0 : 1;
  } finally {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = await main().catch((e) => {
  console.error(`check-gpu: ${e.code ? `${e.code}: ` : ''}${e.message}${e.remedy ? `\n  remedy: ${e.remedy}` : ''}`);
  return 1;
});
