import { spawn } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { constants } from 'node:os';
import { ConfigError, createEngine, snapshotJsonReplacer, type Plugin } from '@bpfscope/core';
import { syscall } from '@bpfscope/plugin-syscall';
import { watchProcessTree } from '@bpfscope/plugin-proc';
import { EXIT, type CliIo } from '../io.js';
import { formatSample, formatSummary, runSyscalls, type RunSampleLine, type RunSummaryLine } from '../run/run-report.js';
import { ProcfsTreeTracker } from '../run/procfs-tree-tracker.js';
import { EbpfTreeTracker } from '../run/ebpf-tree-tracker.js';
import { forwardSignals } from '../run/forward-signals.js';
import type { TreeTracker } from '../run/tree-tracker.js';

/** Options of `bpfscope run`. @internal */
export interface RunOptions {
  json: boolean;
  intervalMs: number;
  out: string | null;
  mode: 'auto' | 'ebpf' | 'fallback';
  command: string[];
}

/** Exit codes of a command that could not start, as shells give them. */
const NOT_EXECUTABLE = 126;
const NOT_FOUND = 127;

/**
 * `bpfscope run -- <command...>`: runs the command with its stdio passed through,
 * follows its whole process tree, prints a sample every interval and a summary, and
 * exits with the command's exit code. Reports go to --out, else to stderr (the
 * command owns stdout).
 *
 * The command leads its own process group (and session), so that SIGINT, SIGTERM and
 * SIGHUP reach every process of it; a second one kills the group. The price: the
 * command has no controlling terminal (its stdio is still the terminal, but it cannot
 * open /dev/tty, and job control keys reach bpfscope, which passes them on).
 * @internal
 */
export async function run(options: RunOptions, io: CliIo): Promise<number> {
  // Before anything runs: a report that cannot be written is a usage error, not a crash at the end.
  const outFd = options.out === null ? null : openOut(options.out);
  const write = (s: string): void => void (outFd === null ? io.stderr.write(s) : writeSync(outFd, s));
  try {
    const plugins: Plugin[] = [syscall({ pids: [], spawnParent: process.pid, followForks: true, topProcesses: 1000 })];
    const engine = createEngine({ plugins, config: { mode: options.mode, cache: { enabled: false }, logLevel: 'silent' } });
    await engine.start();
    let tree: TreeTracker | null = null;
    try {
      tree = await openTree(options.mode);
      return await runCommand(options, io, write, engine, tree);
    } finally {
      await tree?.close();
      await engine.close();
    }
  } finally {
    if (outFd !== null) closeSync(outFd);
  }
}

async function runCommand(options: RunOptions, io: CliIo, write: (s: string) => void, engine: ReturnType<typeof createEngine>, tree: TreeTracker): Promise<number> {
  const started = performance.now();
  // Handlers first: the command can print and be signalled before spawn() returns.
  const forwarding = forwardSignals((s) => io.stderr.write(s));
  const child = spawn(options.command[0]!, options.command.slice(1), { stdio: 'inherit', detached: true });
  if (child.pid !== undefined) forwarding.attach(child.pid);
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: NodeJS.ErrnoException }>((resolve) => {
    child.on('error', (error) => resolve({ code: null, signal: null, error }));
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  let sampling = Promise.resolve();
  const timer = setInterval(() => {
    sampling = sampling.then(async () => {
      const [snap, t] = await Promise.all([engine.collect(), tree.sample()]);
      const line: RunSampleLine = { type: 'sample', elapsedMs: Math.round(performance.now() - started), ...t, syscalls: runSyscalls(snap.get('syscall'), t) };
      write(options.json ? `${JSON.stringify(line, snapshotJsonReplacer)}\n` : formatSample(line));
    });
  }, options.intervalMs);
  const end = await ended;
  clearInterval(timer);
  await sampling;
  const wallSeconds = (performance.now() - started) / 1000;
  try {
    if (end.error) {
      io.stderr.write(`bpfscope run: cannot start ${options.command[0]}: ${end.error.message}\n`);
      return end.error.code === 'ENOENT' ? NOT_FOUND : NOT_EXECUTABLE;
    }
    const final = await tree.finish();
    const snap = await engine.collect();
    const summary: RunSummaryLine = {
      type: 'summary',
      command: options.command,
      exitCode: end.code ?? 128 + (end.signal ? (constants.signals[end.signal] ?? 0) : 0),
      signal: end.signal,
      wallSeconds: Math.round(wallSeconds * 1e6) / 1e6,
      tree: final,
      syscalls: runSyscalls(snap.get('syscall'), final),
      errors: snap.errors.map((e) => ({ family: e.family, code: e.error.code, message: e.error.message })),
    };
    write(options.json ? `${JSON.stringify(summary, snapshotJsonReplacer)}\n` : formatSummary(summary));
    return summary.exitCode;
  } finally {
    forwarding.stop();
  }
}

function openOut(path: string): number {
  try {
    return openSync(path, 'w');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new ConfigError('--out', path, 'a file that can be created for writing', {
      cause: e,
      remedy: `${path} cannot be opened for writing (${err.message}). Create its directory, fix its permissions, or choose another path.`,
    });
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
