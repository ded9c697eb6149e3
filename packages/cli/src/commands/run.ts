import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { constants } from 'node:os';
import { createEngine, snapshotJsonReplacer, type Plugin } from '@bpfscope/core';
import { syscall } from '@bpfscope/plugin-syscall';
import { EXIT, type CliIo } from '../io.js';
import { formatSample, formatSummary, runSyscalls, type RunSampleLine, type RunSummaryLine } from '../run/run-report.js';
import { ProcfsTreeTracker } from '../run/procfs-tree-tracker.js';
import { EbpfTreeTracker } from '../run/ebpf-tree-tracker.js';
import { watchProcessTree } from '@bpfscope/plugin-proc';
import type { TreeTracker } from '../run/tree-tracker.js';

/** Options of `bpfscope run`. @internal */
export interface RunOptions {
  json: boolean;
  intervalMs: number;
  out: string | null;
  mode: 'auto' | 'ebpf' | 'fallback';
  command: string[];
}

/**
 * `bpfscope run -- <command...>`: runs the command with its stdio passed through,
 * follows its whole process tree, prints a sample every interval and a summary, and
 * exits with the command's exit code. Reports go to --out, else to stderr (the
 * command owns stdout).
 * @internal
 */
export async function run(options: RunOptions, io: CliIo): Promise<number> {
  const out = options.out ? createWriteStream(options.out) : null;
  const write = (s: string): void => void (out ? out.write(s) : io.stderr.write(s));
  const sc = syscall({ pids: [], spawnParent: process.pid, followForks: true, topProcesses: 1000 });
  const plugins: Plugin[] = [sc];
  const engine = createEngine({ plugins, config: { mode: options.mode, cache: { enabled: false }, logLevel: 'silent' } });
  await engine.start();
  const tree: TreeTracker = await openTree(options.mode);
  const started = performance.now();
  const child = spawn(options.command[0]!, options.command.slice(1), { stdio: 'inherit' });
  const forward = (sig: NodeJS.Signals) => () => child.kill(sig);
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt).on('SIGTERM', onTerm);
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
    child.on('error', (error) => resolve({ code: null, signal: null, error }));
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  let sampling = Promise.resolve();
  const timer = setInterval(() => {
    sampling = sampling.then(async () => {
      const [snap, t] = await Promise.all([engine.collect(), tree.sample()]);
      const line: RunSampleLine = { type: 'sample', elapsedMs: Math.round(performance.now() - started), ...t, syscalls: runSyscalls(snap.get('syscall')) };
      write(options.json ? `${JSON.stringify(line, snapshotJsonReplacer)}\n` : formatSample(line));
    });
  }, options.intervalMs);
  const end = await ended;
  clearInterval(timer);
  await sampling;
  process.off('SIGINT', onInt).off('SIGTERM', onTerm);
  const wallSeconds = (performance.now() - started) / 1000;
  try {
    if (end.error) {
      io.stderr.write(`bpfscope run: cannot start ${options.command[0]}: ${end.error.message}\n`);
      return 127;
    }
    const snap = await engine.collect();
    const summary: RunSummaryLine = {
      type: 'summary',
      command: options.command,
      exitCode: end.code ?? 128 + (end.signal ? (constants.signals[end.signal] ?? 0) : 0),
      signal: end.signal,
      wallSeconds: Math.round(wallSeconds * 1e6) / 1e6,
      tree: await tree.finish(),
      syscalls: runSyscalls(snap.get('syscall')),
      errors: snap.errors.map((e) => ({ family: e.family, code: e.error.code, message: e.error.message })),
    };
    write(options.json ? `${JSON.stringify(summary, snapshotJsonReplacer)}\n` : formatSummary(summary));
    return summary.exitCode;
  } finally {
    await tree.close();
    await engine.close();
    if (out) await new Promise((r) => out.end(r));
  }
}

/** The eBPF tree when allowed and possible; procfs otherwise (strict `ebpf` mode fails instead). */
async function openTree(mode: RunOptions['mode']): Promise<TreeTracker> {
  if (mode === 'fallback') return new ProcfsTreeTracker(process.pid);
  try {
    return new EbpfTreeTracker(await watchProcessTree({ rootParent: process.pid, mode: 'ebpf' }));
  } catch (e) {
    if (mode === 'ebpf') throw e;
    return new ProcfsTreeTracker(process.pid);
  }
}

export { EXIT };
