import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { describeKernel } from '../../../test/real-kernel.js';
import { compileStatic, EXACT_CALLS, straceCounts } from '../test/compile-c.js';

const BIN = fileURLToPath(new URL('../bin/bpfscope.js', import.meta.url));

interface Summary {
  type: string;
  exitCode: number;
  tree: { alive: number; spawned: number; source: string; unavailable: Record<string, string> };
  syscalls: { source: string; calls: Record<string, number> } | null;
}

async function profile(argv: string[]): Promise<{ code: number | null; stdout: string; summary: Summary }> {
  const out = join(mkdtempSync(join(tmpdir(), 'bpfscope-run-exec-')), 'r.jsonl');
  const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
    const child = execFile(process.execPath, [BIN, 'run', '--mode', 'ebpf', '--json', '--out', out, '--', ...argv], (_e, stdout) => resolve({ code: child.exitCode, stdout }));
  });
  return { code, stdout, summary: JSON.parse(readFileSync(out, 'utf8').trim().split('\n').at(-1)!) as Summary };
}

describeKernel('bpfscope run counts the command from its exec', () => {
  it("a command's calls equal strace -f -c's, plus exit_group (none of the launcher's calls between fork and exec)", async () => {
    const w = compileStatic(EXACT_CALLS);
    const argv = [w, '2000', '345'];
    const expected: Record<string, number> = { ...straceCounts(argv), exit_group: 1 };
    const { code, summary } = await profile(argv);
    expect(code).toBe(0);
    expect(summary.syscalls?.source).toBe('ebpf');
    expect(summary.syscalls?.calls).toEqual(expected);
    expect(expected.getppid).toBe(2000);
  });

  it('every process of the tree that ended is in the totals, however late its exit event; only a real orphan is reported alive', async () => {
    // Ten short-lived children, and one grandchild that outlives the command (killed after the check).
    const script = `for i in 1 2 3 4 5 6 7 8 9 10; do ${compileStatic(EXACT_CALLS)} 1 1 >/dev/null & done; wait; sleep 1000 >/dev/null 2>&1 & echo $!`;
    const { code, stdout, summary } = await profile(['sh', '-c', script]);
    const orphan = Number(stdout.trim());
    try {
      expect(code).toBe(0);
      expect(summary.tree.source).toBe('ebpf');
      // sh, 10 workloads, the sleep.
      expect(summary.tree.spawned).toBe(12);
      expect(summary.tree.alive).toBe(1);
      expect(summary.tree.unavailable.alive).toContain(`[${orphan}]`);
      expect(summary.syscalls?.calls.exit_group).toBe(11);
    } finally {
      process.kill(orphan, 'SIGKILL');
    }
  });
});
