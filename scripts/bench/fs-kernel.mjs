// fs family, eBPF side (measured once the family has an eBPF source; until then each part
// says why it was not): the slowdown of a tight 4 KiB pread loop on a cached file with the
// family attached (default options, then with per-file tracking) vs bare, in paired rounds
// with the order alternating; the kernel ns per run of each program; and the family read
// with 10,000 tracked files.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '@bpfscope/core';
import { fs } from '@bpfscope/plugin-fs';
import { buildC } from './c-build.mjs';
import { median, quartiles } from './measure.mjs';

const ROUNDS = 9;
const CALLS = 1_000_000;
const FILES = 10_000;
const READS = 50;

async function attach(options, programStats = false) {
  const engine = createEngine({ plugins: [fs(options)], config: { mode: 'ebpf', cache: { enabled: false }, programStats, logLevel: 'silent' } });
  try {
    await engine.start();
    const r = (await engine.collect()).get('fs');
    if (r?.source !== 'ebpf') throw new Error('the fs family did not start from eBPF');
  } catch (e) {
    await engine.close();
    throw e;
  }
  return engine;
}

const why = (e) => `${e.code ?? e.name}: ${e.message}`;

async function slowdown(loop, file) {
  const run = () => loop.run([file, CALLS]).nsPerCall;
  const out = {};
  for (const [name, options] of [['default', {}], ['files', { files: true }]]) {
    const bare = [];
    const attached = [];
    const ratios = [];
    for (let r = 0; r < ROUNDS; r++) {
      let b;
      if (r % 2 === 0) b = run();
      const engine = await attach(options);
      let a;
      try {
        a = run();
      } finally {
        await engine.close();
      }
      if (r % 2 === 1) b = run();
      bare.push(b);
      attached.push(a);
      ratios.push(a / b);
    }
    out[name] = { bare: median(bare), attached: median(attached), slowdown: quartiles(ratios) };
  }
  return out;
}

async function kernelCost(loop, file) {
  const engine = await attach({ files: true }, true);
  try {
    loop.run([file, CALLS]);
    await engine.collect();
    return (engine.stats().collectors.find((c) => c.family === 'fs')?.sourceStats?.programs ?? []).filter((p) => p.runs > 0);
  } finally {
    await engine.close();
  }
}

async function trackedRead(dir, extra) {
  // The kernel table holds them all; the reading lists the default 100 with the most bytes.
  const engine = await attach({ files: true, maxTrackedFiles: FILES + 1024, ...extra });
  try {
    const buf = Buffer.alloc(64, 1);
    for (let i = 0; i < FILES; i++) writeFileSync(join(dir, `f${i}`), buf);
    for (let i = 0; i < FILES; i++) readFileSync(join(dir, `f${i}`));
    const wall = [];
    const maps = [];
    const list = [];
    let fileCount = 0;
    for (let i = 0; i < READS; i++) {
      const t0 = process.hrtime.bigint();
      const r = (await engine.collect()).get('fs');
      wall.push(Number(process.hrtime.bigint() - t0) / 1e6);
      fileCount = r.data.fileCount;
      // The file part's own split of this reading: its map reads, and the listing.
      const c = engine.stats().collectors.find((x) => x.family === 'fs')?.sourceStats?.counters ?? {};
      if (typeof c['fs-file.mapsMs'] === 'number') maps.push(c['fs-file.mapsMs']);
      if (typeof c['fs-file.listMs'] === 'number') list.push(c['fs-file.listMs']);
    }
    return { wall: quartiles(wall), maps: maps.length > 0 ? quartiles(maps) : null, list: list.length > 0 ? quartiles(list) : null, fileCount };
  } finally {
    await engine.close();
  }
}

export async function benchFsKernel() {
  const out = { rounds: ROUNDS, calls: CALLS, files: FILES };
  try {
    await (await attach({})).close();
  } catch (e) {
    return { ...out, skipped: why(e) };
  }
  const dir = mkdtempSync(join(tmpdir(), 'bpfscope-bench-fs-'));
  const loop = buildC('pread_loop');
  try {
    const file = join(dir, 'cached');
    writeFileSync(file, Buffer.alloc(1 << 20, 7));
    loop.run([file, 1000]); // into the page cache
    const parts = [
      ['slowdown', () => slowdown(loop, file)],
      ['programs', () => kernelCost(loop, file)],
      // With files on, processes follow (counted in the kernel); then with processes off (read from /proc).
      ['tracked', () => trackedRead(dir, {})],
      ['trackedProcs', () => trackedRead(dir, { processes: false })],
    ];
    for (const [key, part] of parts) {
      try {
        out[key] = await part();
      } catch (e) {
        out[key] = { skipped: why(e) };
      }
    }
  } finally {
    loop.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

export function reportFsKernel(r) {
  if (r.skipped) return `fs family, kernel side: not measured (no eBPF source here yet): ${r.skipped}`;
  const x = (v) => `${v.toFixed(3)}x`;
  const lines = [`fs family, kernel side: ${r.rounds} pairs of a bare and an attached run of ${r.calls.toLocaleString()} preads of 4 KiB on a cached file, order alternating`];
  if (r.slowdown.skipped) lines.push(`  slowdown: not measured: ${r.slowdown.skipped}`);
  else {
    lines.push(`  ${''.padEnd(34)} ${'bare'.padStart(8)} ${'attached'.padStart(9)}   slowdown per pair: median [quartiles]  (ns per pread, medians)`);
    for (const [k, v] of Object.entries(r.slowdown)) lines.push(`  ${(k === 'default' ? 'default options' : 'files: true (per-file tracking)').padEnd(34)} ${v.bare.toFixed(0).padStart(8)} ${v.attached.toFixed(0).padStart(9)}   ${x(v.slowdown.median)} [${x(v.slowdown.q1)}–${x(v.slowdown.q3)}]`);
    const d = r.slowdown.default.slowdown.median;
    lines.push(`  target: slowdown <= 1.10x with the default options: ${x(d)} -> ${d <= 1.1 ? 'met' : 'NOT met'}`);
  }
  if (r.programs.skipped) lines.push(`  kernel ns per run: not measured: ${r.programs.skipped}`);
  else lines.push('  kernel ns per run (files: true, over one loop):', ...r.programs.map((p) => `    ${p.program.padEnd(15)} ${String(p.runs).padStart(9)} runs  ${p.nsPerRun} ns/run`));
  const q = (v) => `${v.median.toFixed(2)} ms [${v.q1.toFixed(2)}–${v.q3.toFixed(2)}]`;
  for (const [key, label] of [['tracked', 'files: true (processes follow: in the kernel)'], ['trackedProcs', 'files: true, processes: false (processes from /proc)']]) {
    const t = r[key];
    if (t.skipped) {
      lines.push(`  read with ${r.files.toLocaleString()} tracked files (${label}): not measured: ${t.skipped}`);
      continue;
    }
    lines.push(`  read with ${r.files.toLocaleString()} tracked files (${label}; ${t.fileCount.toLocaleString()} counted): ${q(t.wall)} median [quartiles]; target <= 5 ms -> ${t.wall.median <= 5 ? 'met' : 'NOT met'}`);
    if (t.maps && t.list) lines.push(`    of which the file part's map reads ${q(t.maps)}, its listing ${q(t.list)}`);
  }
  return lines.join('\n');
}
