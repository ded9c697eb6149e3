import { createEngine, type Snapshot } from '@bpfscope/core';
import { proc } from '@bpfscope/plugin-proc';
import { EXIT, type CliIo } from '../io.js';
import { FAMILIES } from '../plugins.js';
import { parseKeys } from '../top/keys.js';
import type { TopSort } from '../top/panes-proc.js';
import { Screen } from '../top/terminal.js';
import { TopReadings, type TopReading } from '../top/top-reading.js';
import { topFrame, type TopViewState } from '../top/top-view.js';

/** Options of `bpfscope top`. @internal */
export interface TopOptions {
  intervalMs: number;
  sort: TopSort;
  families: string[];
  mode: 'auto' | 'ebpf' | 'fallback';
  /** Frames to show before exiting; null: until q, Ctrl-C or a signal. */
  iterations: number | null;
}

const QUIT_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * `bpfscope top`: one engine's stream as a live view, one pane per family. On a terminal
 * (stdout and stdin both TTYs) it takes the alternate screen, reads keys in raw mode and
 * draws each reading in place, cut to the terminal's size; elsewhere it writes each
 * reading as a block of plain lines. q, Ctrl-C, SIGINT, SIGTERM and SIGHUP end it with
 * the terminal restored and the engine closed (exit 0).
 * @internal
 */
export async function top(options: TopOptions, io: CliIo): Promise<number> {
  // The whole process table, not the snapshot command's top 15: the view sorts it by any key.
  // mem's process list is not shown (its pane is memory and OOM), so it is not read.
  const plugins = options.families.map((f) => (f === 'proc' ? proc() : FAMILIES[f]!({ includeSelf: false, processes: f !== 'mem' })));
  const engine = createEngine({ plugins, config: { mode: options.mode, cache: { enabled: false }, logLevel: 'silent', operationTimeoutMs: 10_000 } });
  const quit = new AbortController();
  const state: TopViewState = { sort: options.sort, intervalMs: options.intervalMs, keys: false };
  let last: TopReading | null = null;
  const stdin = io.stdin;
  const screen =
    io.stdout.isTTY === true && stdin?.isTTY === true
      ? new Screen(
          io.stdout,
          stdin,
          (chunk) => {
            for (const a of parseKeys(chunk)) {
              if (a.type === 'quit') quit.abort();
              else if (a.by !== state.sort) ((state.sort = a.by), draw());
            }
          },
          () => draw(),
        )
      : null;
  let writeError: Error | null = null;
  function draw(): void {
    if (last === null || writeError !== null) return;
    if (screen) screen.draw(topFrame(last, state, screen.size()));
    else io.stdout.write(`${topFrame(last, state, { columns: null, rows: null }).join('\n')}\n\n`);
  }
  const onSignal = (): void => quit.abort();
  // A write that failed ends the view: `bpfscope top | head` stops when head has read enough.
  const onWriteError = (e?: Error): void => void ((writeError = e ?? new Error('write failed')), quit.abort());
  for (const s of QUIT_SIGNALS) process.on(s, onSignal);
  io.stdout.on?.('error', onWriteError);
  try {
    if (screen) {
      state.keys = true;
      screen.enter();
      screen.draw([`bpfscope top: starting ${options.families.join(', ')}...`]);
    }
    // Strict mode (`--mode ebpf`) fails here, with the eBPF source's error (written after the terminal is restored).
    await engine.start();
    const readings = new TopReadings();
    let frames = 0;
    let snap: Snapshot | null = null;
    if (!quit.signal.aborted) {
      for await (snap of engine.stream({ intervalMs: options.intervalMs, signal: quit.signal })) {
        last = readings.update(snap);
        draw();
        if (options.iterations !== null && ++frames >= options.iterations) break;
      }
    }
    // The reader went away (EPIPE): the end it asked for. Another failed write is an error.
    const failed = writeError as NodeJS.ErrnoException | null;
    if (failed !== null && failed.code !== 'EPIPE') return void io.stderr.write(`bpfscope top: cannot write the output: ${failed.message}\n`), EXIT.failed;
    // Ended by the user: a clean exit. Ended by the count: as `snapshot` does, 1 when a family failed.
    return !quit.signal.aborted && snap !== null && snap.errors.length > 0 ? EXIT.failed : EXIT.ok;
  } finally {
    screen?.close();
    for (const s of QUIT_SIGNALS) process.off(s, onSignal);
    io.stdout.off?.('error', onWriteError);
    await engine.close();
  }
}
