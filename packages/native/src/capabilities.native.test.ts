// dropCapabilities() reaches every thread of a Node process: the main thread, the libuv
// pool (made busy first), a worker_threads Worker (its own event loop and V8 threads),
// Node's SIGUSR1 watcher (it blocks every signal: reached with ptrace, and it still starts
// the inspector on SIGUSR1 afterwards), and threads started after the drop. Run in a child process (the drop cannot be undone); this
// test reads the child's /proc/<pid>/task/*/status from outside while the child waits.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { describeKernel } from '../../../test/real-kernel.js';

const NATIVE = fileURLToPath(new URL('../dist/index.bundle.js', import.meta.url));
// CAP_SYS_ADMIN 21, CAP_PERFMON 38, CAP_BPF 39 (this machine's root may lack CAP_SYS_RESOURCE 24).
const DROPPED = (1n << 21n) | (1n << 24n) | (1n << 38n) | (1n << 39n);

const CHILD = `
import { Worker } from 'node:worker_threads';
import { pbkdf2 } from 'node:crypto';
import { createInterface } from 'node:readline';
import inspector from 'node:inspector';
const { dropCapabilities } = await import(${JSON.stringify(NATIVE)});
const busy = () => Promise.all([1, 2, 3, 4].map(() => new Promise((r) => pbkdf2('a', 'b', 20000, 32, 'sha256', r))));
await busy();
const worker = new Worker('setInterval(() => {}, 1000)', { eval: true });
await new Promise((r) => worker.once('online', r));
const report = dropCapabilities(['CAP_BPF', 'CAP_PERFMON', 'CAP_SYS_ADMIN', 'CAP_SYS_RESOURCE']);
// Threads started after the drop: another worker, and the pool again.
const late = new Worker('setInterval(() => {}, 1000)', { eval: true });
await new Promise((r) => late.once('online', r));
await busy();
process.stdout.write(JSON.stringify(report) + '\\n');
createInterface({ input: process.stdin }).once('line', () => {
  // The watcher thread, put back into its wait after the drop, still answers SIGUSR1.
  process.kill(process.pid, 'SIGUSR1');
  const poll = setInterval(() => {
    if (!inspector.url()) return;
    clearInterval(poll);
    inspector.close();
    process.stdout.write('inspector started\\n');
    process.exit(0);
  }, 10);
});
`;

describeKernel('dropCapabilities', () => {
  it('no thread of a Node process with a busy libuv pool, two workers and the SIGUSR1 watcher keeps the capabilities; the watcher still works', async () => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    try {
      const first = await lines.next();
      if (first.done) throw new Error(`child exited ${await exited}: ${stderr}`);
      const line = String(first.value);
      const report = JSON.parse(line) as { threads: number; threadsWithout: number; holding: Array<{ tid: number; why: string }>; error: string | null };
      const tids = readdirSync(`/proc/${child.pid}/task`);
      const holding = tids.filter((tid) => {
        const text = readFileSync(`/proc/${child.pid}/task/${tid}/status`, 'utf8');
        return ['CapEff', 'CapPrm', 'CapInh', 'CapAmb'].some((k) => (BigInt(`0x${new RegExp(`^${k}:\\s*([0-9a-f]+)$`, 'm').exec(text)![1]}`) & DROPPED) !== 0n);
      });
      expect(report.error).toBeNull();
      // More threads now than at the drop: the late worker's and its V8 threads.
      expect(tids.length).toBeGreaterThan(report.threads);
      expect(holding.map(Number).sort()).toEqual(report.holding.map((h) => h.tid).sort());
      expect(report.holding).toEqual([]);
      // The watcher still does its job: SIGUSR1 starts the inspector, and the child exits 0.
      child.stdin!.write('go\n');
      expect(String((await lines.next()).value)).toBe('inspector started');
      expect(await exited).toBe(0);
      expect(stderr).toMatch(/^Debugger listening on ws:\/\/127\.0\.0\.1:\d+\//);
    } finally {
      if (child.exitCode === null) child.stdin!.write('go\n');
      await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(null)));
    }
  });
});
