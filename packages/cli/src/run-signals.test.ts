import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

// Each test starts bpfscope (Node, the engine) and a command: on a loaded machine that can
// take longer than the unit project's 5 s default. A bound, not a timed assertion.
const SLOW = 60_000;

const BIN = fileURLToPath(new URL('../bin/bpfscope.js', import.meta.url));

/** Starts `bpfscope run` on a shell script; resolves once the script printed `ready`. */
function start(script: string) {
  const out = join(mkdtempSync(join(tmpdir(), 'bpfscope-sig-')), 'r.jsonl');
  const child = spawn(process.execPath, [BIN, 'run', '--mode', 'fallback', '--json', '--out', out, '--', 'sh', '-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child.pid!);
  let stdout = '';
  let stderr = '';
  const waitFor = (what: () => boolean) => new Promise<void>((resolve) => {
    const check = (): void => void (what() && resolve());
    child.stdout.on('data', (d: Buffer) => ((stdout += d), check()));
    child.stderr.on('data', (d: Buffer) => ((stderr += d), check()));
    check();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    pids: async (): Promise<number[]> => {
      await waitFor(() => stdout.includes('ready'));
      const pids = stdout.split('\n').filter((l) => /^\d+$/.test(l)).map(Number);
      started.push(...pids);
      return pids;
    },
    said: (text: string) => waitFor(() => stderr.includes(text)),
    exited,
    stderr: () => stderr,
    summary: () => JSON.parse(readFileSync(out, 'utf8').trim().split('\n').at(-1)!) as { type: string; signal: string | null; exitCode: number },
  };
}

/** Resolves when the process is gone (or a zombie): no timer, the test's own timeout bounds it. */
async function gone(pid: number): Promise<void> {
  for (;;) {
    let state = 'gone';
    try {
      const s = readFileSync(`/proc/${pid}/stat`, 'latin1');
      state = s.slice(s.lastIndexOf(')') + 2, s.lastIndexOf(')') + 3);
    } catch {
      return;
    }
    if (state === 'Z') return;
    await new Promise((r) => setTimeout(r, 20)); // a poll, not a deadline: the test's timeout bounds the wait
  }
}

/** Processes a test started: a failing test must not leave its long sleeps behind. */
const started: number[] = [];
afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      // Only ours: a PID that was freed may have been given to another process meanwhile.
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
      if (cmd.includes('sleep\u00001000') || cmd.includes('bpfscope.js')) process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

describe('bpfscope run passes signals to the whole process tree', () => {
  it('SIGTERM reaches the command and its background children; the summary is written', async () => {
    // The grandchild sleeps far longer than the test may run: only the signal ends it.
    const r = start('sleep 1000 & echo $!; echo ready; wait');
    const [grandchild] = await r.pids();
    r.child.kill('SIGTERM');
    expect(await r.exited, r.stderr()).toBe(143);
    await gone(grandchild!);
    const s = r.summary();
    expect(s.type).toBe('summary');
    expect(s.signal).toBe('SIGTERM');
  }, SLOW);

  it('a second SIGINT kills the group with SIGKILL when the first is ignored', async () => {
    const r = start('trap "" INT; sleep 1000 & echo $!; echo ready; wait; wait');
    const [grandchild] = await r.pids();
    r.child.kill('SIGINT');
    await r.said('a second signal kills the group');
    r.child.kill('SIGINT');
    expect(await r.exited, r.stderr()).toBe(137);
    await gone(grandchild!);
    expect(r.summary().signal).toBe('SIGKILL');
  }, SLOW);
});
