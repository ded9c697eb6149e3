// gpu family, eBPF side: what the CUDA runtime uprobes cost. A caller linked against the
// stand-in libcudart.so (packages/plugin-gpu/test/stand-ins) makes 50,000
// cudaLaunchKernel and 50,000 cudaMemcpy calls: bare, with the part attached, and with the
// floor of a uprobe (the native package's minimal counting program, uprobe_count.bpf.o, on
// the same two functions), in rounds with the order rotating; the ratio part / floor is
// what the gpu programs add to the trap every uprobe costs. And the kernel ns per run of
// each program from BPF run statistics. The dma_fence
// programs are reported when they ran (on a machine without a fence producer, they do not).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConsoleLogger, createProcfsReader, systemClock, validateConfig } from '@bpfscope/core';
import { BpfObject, enableRunStats, NativeObjectLoader } from '@bpfscope/native';
import { median, quartiles } from './measure.mjs';

const ROUNDS = 7;
const CALLS = 50_000;
const ROOT = new URL('../..', import.meta.url).pathname;
const STAND_INS = join(ROOT, 'packages/plugin-gpu/test/stand-ins');

function build(dir) {
  const library = join(dir, 'libcudart.so.12');
  const caller = join(dir, 'cudart-caller');
  execFileSync('gcc', ['-O1', '-fno-ipa-icf', '-shared', '-fPIC', '-Wl,-soname,libcudart.so.12', '-o', library, join(STAND_INS, 'cudart-standin.c')]);
  execFileSync('gcc', ['-O1', '-o', caller, join(STAND_INS, 'cudart-caller.c'), `-L${dir}`, '-l:libcudart.so.12', `-Wl,-rpath,${dir}`]);
  return { library, caller };
}

/** One caller run: the ns its calls took, per call. */
function run(caller) {
  // LAUNCHES ALLOCS ALLOC_SIZE FAILED FREES COPY_SIZE H2H H2D D2H D2D DEFAULT BAD
  const args = [CALLS, 0, 0, 0, 0, 4096, 0, CALLS, 0, 0, 0, 0].map(String);
  return new Promise((resolve, reject) => {
    const child = spawn(caller, args, { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out === 'ready\n') child.stdin.end('go\n');
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const ns = /^done (\d+)$/m.exec(out)?.[1];
      if (code !== 0 || ns === undefined) reject(new Error(`caller exited ${code}: ${out}`));
      else resolve(Number(ns) / (2 * CALLS));
    });
  });
}

async function attached(library) {
  const { GpuKernel } = await import('../../packages/plugin-gpu/dist/ebpf/gpu-kernel.js');
  const { GPU_OBJECT_PATH } = await import('../../packages/plugin-gpu/dist/object-path.js');
  const services = { loader: new NativeObjectLoader(), procfs: createProcfsReader('/proc', '/sys'), clock: systemClock };
  const part = new GpuKernel({ nvmlLibrary: 'libnvidia-ml.so.1', cudaRuntimes: [library], objectPath: GPU_OBJECT_PATH }, services);
  await part.start({ config: validateConfig({}), options: {}, logger: createConsoleLogger('silent'), signal: new AbortController().signal });
  return part;
}

async function floor(library) {
  const obj = BpfObject.open(join(ROOT, 'packages/native/test/fixtures/uprobe_count.bpf.o'));
  await obj.load();
  for (const functionName of ['cudaLaunchKernel', 'cudaMemcpy']) obj.attachUprobe('upc_entry', { binaryPath: library, functionName });
  return { close: async () => obj.close() };
}

async function timed(caller, attach) {
  const a = attach ? await attach() : null;
  try {
    return await run(caller);
  } finally {
    await a?.close();
  }
}

export async function benchGpuKernel() {
  const dir = mkdtempSync(join(tmpdir(), 'bpfscope-bench-gpu-'));
  try {
    const { library, caller } = build(dir);
    const ways = [['bare', null], ['floor', () => floor(library)], ['probed', () => attached(library)]];
    const t = { bare: [], floor: [], probed: [] };
    const ratios = [];
    for (let r = 0; r < ROUNDS; r++) {
      const round = {};
      for (let i = 0; i < ways.length; i++) {
        const [name, attach] = ways[(i + r) % ways.length];
        round[name] = await timed(caller, attach);
        t[name].push(round[name]);
      }
      ratios.push(round.probed / round.floor);
    }
    const part = await attached(library);
    const stats = enableRunStats();
    let programs;
    try {
      await run(caller);
      programs = part.statsTarget().object.programStats().filter((p) => p.name.startsWith('gpu_'));
    } finally {
      stats.close();
      await part.close();
    }
    return { bare: median(t.bare), floor: median(t.floor), probed: median(t.probed), overFloor: quartiles(ratios), programs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function reportGpuKernel(r) {
  const lines = [
    `  CUDA runtime call (stand-in, does nothing), median ns per call: bare ${r.bare.toFixed(0)}, minimal uprobe ${r.floor.toFixed(0)}, gpu uprobes ${r.probed.toFixed(0)}`,
    `  gpu uprobes / minimal uprobe, per round: median ${r.overFloor.median.toFixed(2)}x, quartiles ${r.overFloor.q1.toFixed(2)}x..${r.overFloor.q3.toFixed(2)}x`,
    '  kernel ns per run (BPF run statistics; the uprobe trap itself is not in them):',
  ];
  for (const p of r.programs) lines.push(`    ${p.name.padEnd(16)} ${p.runCount > 0 ? `${p.nsPerRun.toFixed(0)} ns x ${p.runCount} runs` : 'did not run'}`);
  return lines.join('\n');
}
