// Config dropPrivileges (docs/reliability.md): after start, no thread of the process holds
// CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN or CAP_SYS_RESOURCE (read from /proc/<pid>/task/*/status
// by this test, not by the process itself), except the threads the report names; reads still
// count an own workload exactly, and a family started later is refused with a typed error.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { describeKernel } from '../../../test/real-kernel.js';
import { compileOnce } from '../../../test/compile-c.js';

const CHILD = fileURLToPath(new URL('../../../test/children/dropped-engine.mjs', import.meta.url));
const WORKLOAD = `
#include <unistd.h>
#include <stdlib.h>
#include <sys/syscall.h>
int main(int argc, char **argv) {
  char c;
  if (read(0, &c, 1) != 1) return 2;
  long n = atol(argv[1]);
  for (long i = 0; i < n; i++) syscall(SYS_getppid);
  return 0;
}
`;
// CAP_SYS_ADMIN 21, CAP_SYS_RESOURCE 24, CAP_PERFMON 38, CAP_BPF 39.
const DROPPED = (1n << 21n) | (1n << 24n) | (1n << 38n) | (1n << 39n);

interface ThreadCaps {
  tid: number;
  sets: Record<'CapEff' | 'CapPrm' | 'CapInh' | 'CapAmb', bigint>;
}

function threadsOf(pid: number): ThreadCaps[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const text = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
    const hex = (k: string): bigint => BigInt(`0x${new RegExp(`^${k}:\\s*([0-9a-f]+)$`, 'm').exec(text)![1]}`);
    return { tid: Number(tid), sets: { CapEff: hex('CapEff'), CapPrm: hex('CapPrm'), CapInh: hex('CapInh'), CapAmb: hex('CapAmb') } };
  });
}

describeKernel('dropPrivileges: true', () => {
  it('no thread keeps the four capabilities, the SIGUSR1 watcher included; an own workload is counted exactly; a later family is refused with a typed error', async () => {
    const workload = compileOnce(WORKLOAD, 'bpfscope-drop-');
    const child = spawn(process.execPath, [CHILD, workload, '4321'], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout! }).once('line', resolve);
        child.once('exit', (code) => reject(new Error(`child exited ${code} before reporting`)));
      });
      const seen = JSON.parse(line) as {
        before: string;
        after: string;
        report: { threads: number; threadsWithout: number; holding: Array<{ tid: number; why: string; held: string[] }>; bounding: { dropped: boolean }; error: string | null };
        code: number;
        getppid: number | null;
        errors: string[];
        refused: { code: string; privilegesDropped: boolean } | null;
      };
      // Read now, while the child waits: every thread of the process.
      const threads = threadsOf(child.pid!);
      const before = BigInt(`0x${seen.before}`);
      // The test runs as root: there was something to drop (this machine's root may lack CAP_SYS_RESOURCE).
      const needed = (1n << 21n) | (1n << 38n) | (1n << 39n);
      expect(before & needed).toBe(needed);
      expect(seen.report.error).toBeNull();
      // The main thread: exactly what it had, less the four.
      expect(BigInt(`0x${seen.after}`)).toBe(before & ~DROPPED);
      const main = threads.find((t) => t.tid === child.pid)!;
      expect(main.sets).toEqual({ CapEff: before & ~DROPPED, CapPrm: before & ~DROPPED, CapInh: 0n, CapAmb: 0n });
      // Every other thread holds none of the four, Node's SIGUSR1 watcher (which blocks
      // every signal) included, and the report says so.
      const holding = threads.filter((t) => Object.values(t.sets).some((s) => (s & DROPPED) !== 0n)).map((t) => t.tid);
      expect(holding).toEqual([]);
      expect(seen.report.holding).toEqual([]);
      expect(seen.report.threadsWithout).toBe(seen.report.threads - seen.report.holding.length);
      expect(seen.report.bounding.dropped).toBe(true); // root holds CAP_SETPCAP
      // Reads work from the fds held: the workload's getppid calls, exactly.
      expect(seen.errors).toEqual([]);
      expect(seen.code).toBe(0);
      expect(seen.getppid).toBe(4321);
      expect(seen.refused).toMatchObject({ code: 'INSUFFICIENT_PERMISSIONS', privilegesDropped: true });
    } finally {
      child.stdin!.write('close\n');
      await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(null)));
    }
  });
});
