// Workloads with known cost for the real-eBPF tests: each is a child process whose own
// accounting the test can compare with what bpfscope measured.
import { execFileSync, spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';

/** Result of a CPU burner: its own user+system CPU time, seconds. */
export interface BurnResult {
  pid: number;
  cpuSeconds: number;
}

/**
 * Run a child that spins for `ms` of wall time on CPU `cpu` (taskset) and reports its
 * own CPU time (process.cpuUsage at exit, which includes its start-up).
 */
export function burnCpu(ms: number, cpu: number): Promise<BurnResult> {
  const script = `const end = Date.now() + ${ms}; let x = 0; while (Date.now() < end) x++; const u = process.cpuUsage(); process.stdout.write(JSON.stringify({ pid: process.pid, cpu: (u.user + u.system) / 1e6 }));`;
  return run('taskset', ['-c', String(cpu), process.execPath, '-e', script]).then((out) => {
    const r = JSON.parse(out) as { pid: number; cpu: number };
    return { pid: r.pid, cpuSeconds: r.cpu };
  });
}

/** Run `n` spinning children at once for `ms` (more runnable tasks than cores). */
export async function oversubscribe(n: number, ms: number): Promise<void> {
  const script = `const end = Date.now() + ${ms}; let x = 0; while (Date.now() < end) x++;`;
  await Promise.all(Array.from({ length: n }, () => run(process.execPath, ['-e', script])));
}

/** A child that sleeps `n` times for 1 ms: each sleep switches out and back in. */
export function sleepLoop(n: number): Promise<string> {
  return run(process.execPath, ['-e', `let i = 0; const f = () => { if (++i < ${n}) setTimeout(f, 1); }; f();`]);
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} exited with ${code}`))));
  });
}

/**
 * Move every thread of the given processes (the test runner) to CPU `cpu`, so that a
 * burner pinned elsewhere has its CPU nearly to itself. Returns the undo.
 */
export function keepOn(cpu: number, pids: readonly number[]): () => void {
  const all = `0-${availableParallelism() - 1}`;
  const set = (list: string): void => {
    for (const pid of pids) execFileSync('taskset', ['-a', '-p', '-c', list, String(pid)], { stdio: 'ignore' });
  };
  set(String(cpu));
  return () => set(all);
}
