// A Prometheus scrape of every family (`registry.metrics()` of @bpfscope/exporter-prometheus)
// with about 100 processes alive, beside engine.collect() alone in the same run: the
// difference is the exporter's own share (mapping to metric points, names, labels, text).
// The exporter is also timed alone, over one fixed snapshot, without the engine's read.
// Two engines, as `bpfscope serve` builds them: without `--detail` (per-process detail of
// mem and syscall not read, their default) and with `--detail process` (read and exported).
// Both are attached throughout, so the kernel side of the detailed one (syscall's
// per-process counting at every call) runs during the other's modes too; the exporter
// alone maps the detailed engine's snapshot.
// Modes are interleaved, in an order that rotates per round. The snapshot cache is off,
// as in `bpfscope serve`: every call reads the families.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { createEngine } from '@bpfscope/core';
import { cpu } from '@bpfscope/plugin-cpu';
import { fs } from '@bpfscope/plugin-fs';
import { mem } from '@bpfscope/plugin-mem';
import { net } from '@bpfscope/plugin-net';
import { proc } from '@bpfscope/plugin-proc';
import { syscall } from '@bpfscope/plugin-syscall';
import { prometheusExporter } from '@bpfscope/exporter-prometheus';
import { fmt, measure, quartiles } from './measure.mjs';

const countProcesses = () => readdirSync('/proc').filter((n) => /^\d+$/.test(n)).length;
const MODES = ['collect', 'scrape', 'collect+process', 'scrape+process', 'exporter alone', 'exporter alone+process'];

/** Sleepers (one process group this bench made) until about `target` processes are alive. */
async function topUp(target) {
  const missing = target - countProcesses();
  if (missing <= 0) return { stop() {}, started: 0 };
  const sh = spawn('sh', ['-c', `i=0; while [ $i -lt ${missing} ]; do sleep 600 & i=$((i+1)); done; wait`], { detached: true, stdio: 'ignore' });
  const stop = () => {
    try {
      process.kill(-sh.pid, 'SIGKILL'); // the group this bench created, by its id
    } catch {
      // already gone
    }
  };
  process.once('exit', stop);
  for (let i = 0; i < 600 && countProcesses() < target; i++) await sleep(50);
  return { stop, started: missing };
}

export async function benchPrometheusScrape({ rounds = 5, calls = 20, processes = 100 } = {}) {
  const sleepers = await topUp(processes);
  const make = (processes) => createEngine({ plugins: [cpu(), mem({ processes }), net(), proc(), fs(), syscall({ processes })], config: { cache: { enabled: false }, logLevel: 'silent' } });
  const engine = make(false);
  const detailed = make(true);
  try {
    await engine.start();
    await detailed.start();
    await engine.collect();
    const first = await detailed.collect();
    const sources = Object.fromEntries(first.families().map((f) => [f, first.get(f).source]));
    // The exporter over one fixed snapshot: its own work, without the engine's read.
    const fixed = { collect: async () => first, metricPoints: (s, o) => detailed.metricPoints(s, o), metricMappers: () => detailed.metricMappers() };
    const exporters = {
      scrape: prometheusExporter(engine),
      'scrape+process': prometheusExporter(detailed, { detail: ['process'] }),
      'exporter alone': prometheusExporter(fixed),
      'exporter alone+process': prometheusExporter(fixed, { detail: ['process'] }),
    };
    const run = { collect: () => engine.collect(), 'collect+process': () => detailed.collect() };
    for (const [mode, e] of Object.entries(exporters)) run[mode] = () => e.registry.metrics();
    const text = {};
    for (const [mode, e] of Object.entries(exporters)) text[mode] = await e.registry.metrics();
    const perMode = Object.fromEntries(MODES.map((m) => [m, []]));
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < MODES.length; i++) {
        const mode = MODES[(i + r) % MODES.length];
        perMode[mode].push(await measure(run[mode], { calls }));
      }
    }
    const samples = (body) => body.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
    return {
      rounds, calls, processes: countProcesses(), started: sleepers.started, sources, perMode,
      size: Object.fromEntries(Object.entries(text).map(([m, b]) => [m, { bytes: Buffer.byteLength(b), samples: samples(b) }])),
    };
  } finally {
    await Promise.allSettled([engine.close(), detailed.close()]);
    sleepers.stop();
  }
}

export function reportPrometheusScrape(r) {
  const med = (mode) => quartiles(r.perMode[mode].map((x) => x.cpuMs)).median;
  const span = (mode, key) => {
    const q = quartiles(r.perMode[mode].map((x) => x[key]));
    return `${fmt(q.median)} [${fmt(q.q1)}–${fmt(q.q3)}]`;
  };
  const lines = [
    `prometheus scrape: ${r.processes} processes alive (${r.started} sleepers started by the bench), families ${Object.entries(r.sources).map(([f, s]) => `${f}:${s}`).join(' ')}`,
    `  ${r.rounds} rounds x ${r.calls} calls per mode, interleaved; medians over rounds [quartiles]; snapshot cache off`,
    `  ${''.padEnd(30)} ${'wall per call'.padEnd(26)} CPU per call`,
  ];
  for (const mode of MODES) lines.push(`  ${mode.padEnd(30)} ${span(mode, 'wallMs').padEnd(26)} ${span(mode, 'cpuMs')}`);
  for (const [mode, s] of Object.entries(r.size)) lines.push(`  exposition ${mode.padEnd(23)} ${s.samples} samples, ${(s.bytes / 1024).toFixed(0)} KiB`);
  const share = med('scrape') - med('collect');
  const shareDetail = med('scrape+process') - med('collect+process');
  lines.push(
    `  exporter's share of a scrape (scrape - collect): ${fmt(share)} (${((share / med('scrape')) * 100).toFixed(0)}%); with process detail ${fmt(shareDetail)}`,
    `  ratio scrape / collect alone: ${(med('scrape') / med('collect')).toFixed(2)}x; with process detail ${(med('scrape+process') / med('collect+process')).toFixed(2)}x`,
    `  target <= 2 ms CPU per scrape of all families: whole scrape ${med('scrape') <= 2 ? 'met' : 'NOT met'} (${fmt(med('scrape'))}, of which the families' reading ${fmt(med('collect'))}; with process detail ${fmt(med('scrape+process'))});`,
    `    the exporter's own work over a fixed snapshot (mapping, names, labels, text) ${med('exporter alone') <= 2 ? 'met' : 'NOT met'} (${fmt(med('exporter alone'))}; with process detail ${fmt(med('exporter alone+process'))})`,
  );
  return lines.join('\n');
}
