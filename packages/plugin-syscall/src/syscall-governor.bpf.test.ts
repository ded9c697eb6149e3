// The overhead governor on the syscall family: latency mode with a small budget; a child
// making millions of system calls (dd copying one byte at a time) drives the family's
// kernel cost over the budget, so the family degrades to counts only and says why; when
// the child stops, the cost projected at full detail falls under half the budget and the
// family returns to latency mode. Evaluation is driven by reads only: each loop reads
// until the condition holds, or gives up after a generous number of reads.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { expect, it } from 'vitest';
import { createEngine, type Engine, type FamilyResult, type GovernorStats } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { readSyscallResult, readSyscallUntil, silent } from '../test/read-syscall.js';
import { syscall } from './plugin.js';
import type { SyscallMetrics } from './records.js';
import { syscallNumber } from './syscall-table.js';
import { startRuns } from '../test/syscall-runs-workload.js';

// 100 ms of kernel time per second: several hundred thousand calls a second in latency
// mode (some hundreds of ns each, both programs); an idle machine makes far fewer, and dd
// copying byte by byte far more.
const BUDGET = 100_000_000;
const MAX_READS = 600;
const GETPPID = syscallNumber('getppid')!;
const CLOSE = syscallNumber('close')!;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));


function governorStats(engine: Engine): GovernorStats {
  const g = engine.stats().collectors.find((c) => c.family === 'syscall')?.governor;
  if (!g) throw new Error('the syscall family has no governor figures');
  return g;
}


/**
 * Reads until the family is back at level 0, at most MAX_READS; meanwhile, for each window
 * judged at level 1, the cost projected at level 0 from the window's invocations and the last
 * level-0 calibration, and the longest run of consecutive windows under half the budget.
 */
async function readUntilBack(engine: Engine): Promise<FamilyResult<SyscallMetrics> & { projected: number[]; underRuns: number }> {
  const projected: number[] = [];
  let [lastStart, run, underRuns] = [-1, 0, 0];
  let r = await readSyscallResult(engine);
  for (let i = 0; i < MAX_READS && r.governor?.level !== 0; i++) {
    const s = governorStats(engine);
    const w = s.lastWindow;
    const cal = s.calibrations.filter((c) => c.level === 0).at(-1);
    if (w && cal && w.level === 1 && w.startMs !== lastStart && w.endMs > w.startMs) {
      lastStart = w.startMs;
      const p = ((w.invocations * 1000) / (w.endMs - w.startMs)) * cal.nsPerInvocation;
      projected.push(Math.round(p));
      run = p < BUDGET / 2 ? run + 1 : 0;
      underRuns = Math.max(underRuns, run);
    } else if (w && w.level !== 1) {
      run = 0;
    }
    await sleep(60);
    r = await readSyscallResult(engine);
  }
  return Object.assign(r, { projected, underRuns });
}

/** The load: dd copying one byte at a time (a read and a write per byte) until it is killed. */
function dd(count: number): ChildProcess {
  return spawn('dd', ['if=/dev/zero', 'of=/dev/null', 'bs=1', `count=${count}`, 'status=none'], { stdio: 'ignore' });
}

describeKernel('overhead governor (syscall family)', () => {
  it('degrades latency mode to counts only over its budget, with the reason, and returns when the load stops', { timeout: 180_000 }, async () => {
    const engine = createEngine({
      plugins: [syscall({ mode: 'latency', processes: true, topProcesses: 1_000_000 })],
      config: { mode: 'ebpf', cache: { enabled: false }, governor: { enabled: true, allowReload: true, windowMs: 50, calibrationMs: 50, recoverWindows: 2, families: { syscall: { budgetNsPerSec: BUDGET } } } },
      logger: silent,
    });
    let load: ChildProcess | null = null;
    try {
      const first = await readSyscallResult(engine);
      expect(first.governor).toMatchObject({ level: 0, levelName: 'full detail', budgetNsPerSec: BUDGET, reason: null });
      expect(first.data.mode).toBe('latency');
      expect(governorStats(engine).levels).toEqual([expect.stringMatching(/^counts only: /), expect.stringMatching(/^sampled events: /)]);

      load = dd(1_000_000_000);
      const degraded = await readSyscallUntil(engine, (r) => r.governor?.level === 1);
      load.kill();
      await once(load, 'exit');
      load = null;
      const g = degraded.governor!;
      expect(g).toMatchObject({ level: 1, levelName: expect.stringMatching(/^counts only: /), budgetNsPerSec: BUDGET });
      expect(g.reason).toMatch(/^kernel cost [\d,]+ ns\/s over the budget of 100,000,000 ns\/s in a window of [\d,]+ ms: counts only: /);
      // The data of the degraded family: counts only, and latency and errors unavailable with the governor's reason.
      expect(degraded.data.mode).toBe('counts');
      expect(degraded.data.unavailable.latency).toBe(`the overhead governor switched to counts-only mode: ${g.reason}`);
      expect(degraded.data.unavailable.errors).toBe(degraded.data.unavailable.latency);
      expect(degraded.data.syscalls.every((s) => s.latency === null && s.totalNs === null)).toBe(true);
      // The window that degraded it, in stats: over the budget, at level 0, measured from the invocation counter.
      const stats = governorStats(engine);
      expect(stats.transitions[0]).toMatchObject({ from: 0, to: 1, reason: g.reason });
      expect(stats.calibrations[0]).toMatchObject({ level: 0 });
      // The calibration's figure is its window's run time over the invocations counted in it.
      const cal = stats.calibrations[0]!;
      expect(cal.nsPerInvocation).toBe(cal.runTimeNs / cal.invocations);

      // The load stopped: the family returns to full detail. The programs see every call of
      // the machine, so on a machine whose other work keeps the cost up the family cannot
      // return; then the windows it judged must show why (checked from their raw figures).
      const back = await readUntilBack(engine);
      if (back.governor?.level !== 0) {
        expect(back.underRuns, `no return: the judged windows' projected costs ${back.projected.join(', ')}`).toBeLessThan(2);
        expect(back.projected.length).toBeGreaterThan(0);
        return;
      }
      expect(back.governor).toMatchObject({ level: 0, levelName: 'full detail', reason: null });
      expect(back.data.mode).toBe('latency');
      expect(back.data.unavailable.latency).toBeUndefined();
      const after = governorStats(engine);
      // One level at a time, from the first degradation to the return (other work of a busy
      // machine may take it on to sampled events and back in between).
      const path = after.transitions.map((t) => [t.from, t.to] as const);
      expect(path[0]).toEqual([0, 1]);
      expect(path.at(-1)).toEqual([1, 0]);
      for (const [from, to] of path) expect(Math.abs(to - from)).toBe(1);
      expect(after.transitions.at(-1)!.reason).toMatch(/^cost projected at level 0 [\d,]+ ns\/s under 50,000,000 ns\/s \(0.5 of the budget\) for 2 windows$/);

      // Full detail again: a child's 970 getppid and 130 failing close(-1), each counted with its
      // result and time (errors need the return: latency mode only).
      const w = await startRuns('interleave', 10, 97, 13);
      await engine.setFilter('syscall', { pids: [w.pid] });
      w.go();
      expect(await w.exited).toBe(0);
      const full = await readSyscallResult(engine);
      expect(full.governor?.level).toBe(0);
      const row = full.data.processes.find((p) => p.pid === w.pid)?.bySyscall ?? [];
      expect(row.find((s) => s.id === GETPPID)).toMatchObject({ count: 970, errors: 0 });
      // The process closes a few descriptors of its own too; only the 130 close(-1) fail.
      expect(row.find((s) => s.id === CLOSE)?.errors).toBe(130);
      expect(row.find((s) => s.id === CLOSE)!.totalNs).toBeGreaterThan(0);
    } finally {
      load?.kill();
      await engine.close();
    }
  });
});
