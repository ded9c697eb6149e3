import { spawn } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { constants } from 'node:os';
import { resolve as resolvePath } from 'node:path';
import { ConfigError, createEngine, snapshotJsonReplacer, type Engine, type Snapshot } from '@bpfscope/core';
import { syscall } from '@bpfscope/plugin-syscall';
import { proc, watchProcessTree, type ProcessTree } from '@bpfscope/plugin-proc';
import { EXIT, type CliIo } from '../io.js';
import { formatSample, formatSummary, runSyscalls, type RunSampleLine, type RunSummaryLine } from '../run/run-report.js';
import { RunTracker } from '../run/run-tracker.js';
import { forwardSignals } from '../run/forward-signals.js';
import { buildReportHtml } from '../report/html.js';
import { reportData, type ReportSample } from '../report/report-data.js';

/** Options of `bpfscope run`. @internal */
export interface RunOptions {
  json: boolean;
  intervalMs: number;
  out: string | null;
  /** Where to write the HTML report; null for none. */
  report: string | null;
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
 * command owns stdout); --report also writes a self-contained HTML report of the run.
 *
 * A consumer of one engine (proc and syscall families; `--mode` is its source selection):
 * the process tree is fed by `engine.events('proc')`, and each sample is one
 * `engine.collect()` formatted.
 *
 * The command leads its own process group (and session), so that SIGINT, SIGTERM and
 * SIGHUP reach every process of it; a second one kills the group. The price: the
 * command has no controlling terminal (its stdio is still the terminal, but it cannot
 * open /dev/tty, and job control keys reach bpfscope, which passes them on).
 * @internal
 */
export async function run(options: RunOptions, io: CliIo): Promise<number> {
  // Before anything runs: a report that cannot be written is a usage error, not a crash at the end.
  if (options.report !== null && options.out !== null && resolvePath(options.report) === resolvePath(options.out)) {
    throw new ConfigError('--report', options.report, 'a file other than --out');
  }
  const outFd = options.out === null ? null : openOut('--out', options.out);
  const reportFd = options.report === null ? null : openOut('--report', options.report);
  const write = (s: string): void => void (outFd === null ? io.stderr.write(s) : writeSync(outFd, s));
  try {
    // The command's calls with their errors and latency: the detail a user asks for by tracing one command (the
    // family's default is counts only), paid for only by the processes the kernel filter lets through.
    const plugins = [proc(), syscall({ pids: [], spawnParent: process.pid, followForks: true, mode: 'latency' })];
    const engine = createEngine({ plugins, config: { mode: options.mode, cache: { enabled: false }, logLevel: 'silent' } });
    let tree: ProcessTree | null = null;
    try {
      await engine.start();
      // With the procfs source the tree scans /proc once per sample interval (a scan costs ~5 ms
      // per 120 processes): processes shorter-lived than that are not counted as spawned.
      tree = await watchProcessTree({ engine, rootParent: process.pid, rescanIntervalMs: options.intervalMs });
      const report = reportFd === null ? null : { fd: reportFd, tree };
      return await runCommand(options, io, write, engine, new RunTracker(tree), report);
    } finally {
      await tree?.close();
      await engine.close();
    }
  } finally {
    if (outFd !== null) closeSync(outFd);
    if (reportFd !== null) closeSync(reportFd);
  }
}

/** The families `run` reads. */
const RUN_FAMILIES = ['proc', 'syscall'];

async function runCommand(
  options: RunOptions,
  io: CliIo,
  write: (s: string) => void,
  engine: Engine,
  tree: RunTracker,
  report: { fd: number; tree: ProcessTree } | null,
): Promise<number> {
  const started = performance.now();
  const startedAt = Date.now();
  const samples: ReportSample[] = [];
  const writeReport = (summary: RunSummaryLine | null, snap: Snapshot, startError: string | null): void => {
    if (report === null) return;
    const run = { command: options.command, startedAt, intervalMs: options.intervalMs, samples, summary, startError };
    writeSync(report.fd, buildReportHtml(reportData(run, report.tree, snap, RUN_FAMILIES)));
  };
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
      const snap = await engine.collect();
      const t = tree.sample(snap);
      const line: RunSampleLine = { type: 'sample', elapsedMs: Math.round(performance.now() - started), ...t, syscalls: runSyscalls(snap.get('syscall'), t) };
      if (report !== null) samples.push({ elapsedMs: line.elapsedMs, alive: line.alive, cpuSeconds: line.cpuSeconds, rssBytes: line.rssBytes });
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
      if (report !== null) writeReport(null, await engine.collect(), `cannot start ${options.command[0]}: ${end.error.message}`);
      return end.error.code === 'ENOENT' ? NOT_FOUND : NOT_EXECUTABLE;
    }
    let snap = await engine.collect();
    const final = await tree.finish(snap);
    // With eBPF, the syscall figures are read again once the tree's last exit events have arrived.
    if (final.source === 'ebpf') snap = await engine.collect();
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
    writeReport(summary, snap, null);
    return summary.exitCode;
  } finally {
    forwarding.stop();
  }
}

function openOut(option: string, path: string): number {
  try {
    return openSync(path, 'w');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new ConfigError(option, path, 'a file that can be created for writing', {
      cause: e,
      remedy: `${path} cannot be opened for writing (${err.message}). Create its directory, fix its permissions, or choose another path.`,
    });
  }
}

export { EXIT };
