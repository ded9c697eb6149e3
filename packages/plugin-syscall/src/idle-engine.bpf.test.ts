// An idle engine does nothing: a child process embeds an engine with all four families
// started (eBPF), collects once, and then waits; this process counts the child's system
// calls with the syscall family itself, filtered to the child's pid.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { createEngine, type Engine } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { readSyscall, silent } from '../test/read-syscall.js';
import { syscall } from './plugin.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const CHILD = fileURLToPath(new URL('../../../test/children/idle-engine.mjs', import.meta.url));

/** The child's system calls so far, by name (one reading of this process's engine). */
async function callsOf(engine: Engine, pid: number): Promise<Map<string, number>> {
  const m = await readSyscall(engine);
  const row = m.processes.find((p) => p.pid === pid);
  return new Map((row?.bySyscall ?? []).map((s) => [s.name, s.count]));
}

/** What `after` has beyond `before`, by name; only names that moved. */
function moved(before: Map<string, number>, after: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, n] of after) if (n !== (before.get(name) ?? 0)) out[name] = n - (before.get(name) ?? 0);
  return out;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function nextLine(lines: Interface, child: ChildProcessWithoutNullStreams): Promise<string> {
  const [line] = (await Promise.race([once(lines, 'line'), once(child, 'exit').then(([code]) => { throw new Error(`the child exited (${code})`); })])) as [string];
  return line;
}

describeKernel('an idle engine makes no system calls', () => {
  it('started with cpu, mem, proc and syscall and read once, it makes none for 2 s; a read makes some', { timeout: 60_000 }, async () => {
    const engine = createEngine({ plugins: [syscall({ processes: true, topProcesses: 1_000_000 })], config: { mode: 'ebpf', cache: { enabled: false } }, logger: silent });
    await engine.start();
    const child = spawn(process.execPath, [CHILD, 'cpu,mem,proc,syscall'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const lines = createInterface({ input: child.stdout });
    try {
      // The engine says it runs nothing between reads; the count below checks that it is so.
      expect(await nextLine(lines, child).catch((e: Error) => `${e.message}: ${stderr}`)).toBe('ready []');
      await engine.setFilter('syscall', { pids: [child.pid!] });
      // Settle: right after start, Node itself may wake once (V8 installing code it compiled
      // on a helper thread, a GC task): a bare `node` waiting on stdin does the same. Wait
      // for one quiet second (at most 15 tries), then count over the next 2 s.
      let last = await callsOf(engine, child.pid!);
      for (let i = 0; i < 15; i++) {
        await sleep(1000);
        const now = await callsOf(engine, child.pid!);
        const quiet = Object.keys(moved(last, now)).length === 0;
        last = now;
        if (quiet) break;
      }
      await sleep(2000);
      const idle = await callsOf(engine, child.pid!);
      expect(moved(last, idle)).toEqual({});

      // The counting sees the child when it works: one collect is bpf() map reads and more.
      child.stdin.write('collect\n');
      expect(await nextLine(lines, child)).toBe('collected');
      const read = moved(idle, await callsOf(engine, child.pid!));
      expect(read.bpf ?? 0).toBeGreaterThan(0);
    } finally {
      child.stdin.write('close\n');
      await once(child, 'exit');
      await engine.close();
    }
  });
});
