import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileStatic, EXACT_CALLS, finalIo } from '../test/compile-c.js';

// Each test starts bpfscope (Node, the engine) and a command: on a loaded machine that can
// take longer than the unit project's 5 s default. A bound, not a timed assertion.
const SLOW = 60_000;

const BIN = fileURLToPath(new URL('../bin/bpfscope.js', import.meta.url));

function cli(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], (_e, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }));
  });
}

interface Summary {
  type: string;
  tree: { readBytes: number | null; writeBytes: number | null; readCalls: number | null; writeCalls: number | null; source: string };
  syscalls: { source: string; readWriteCalls: { read: number; write: number } | null } | null;
}

describe('bpfscope run --mode fallback measures the tree from procfs', () => {
  it('read-class and write-class calls and bytes of a command that has ended equal its own /proc/<pid>/io', async () => {
    const w = compileStatic(EXACT_CALLS);
    const out = join(mkdtempSync(join(tmpdir(), 'bpfscope-run-')), 'r.jsonl');
    const r = await cli('run', '--mode', 'fallback', '--json', '--out', out, '--', w, '120000', '3456');
    expect(r.code).toBe(0);
    const io = finalIo(r.stdout);
    expect(io.syscr).toBeGreaterThan(120000);
    const s = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Summary).at(-1)!;
    expect(s.type).toBe('summary');
    expect(s.tree.source).toBe('procfs');
    expect(s.syscalls?.source).toBe('procfs');
    expect(s.syscalls?.readWriteCalls).toEqual({ read: io.syscr, write: io.syscw });
    expect({ rchar: s.tree.readBytes, wchar: s.tree.writeBytes, syscr: s.tree.readCalls, syscw: s.tree.writeCalls }).toEqual(io);
  }, SLOW);
});

describe('bpfscope run refuses bad input before running anything', () => {
  it('--out in a directory that does not exist: a usage error naming the path, and the command is not run', async () => {
    const marker = join(mkdtempSync(join(tmpdir(), 'bpfscope-run-')), 'ran');
    const r = await cli('run', '--mode', 'fallback', '--out', '/nonexistent/dir/x.json', '--', 'touch', marker);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--out');
    expect(r.stderr).toContain('/nonexistent/dir/x.json');
    expect(r.stderr).toContain('ENOENT');
    expect(r.stderr).toContain('remedy:');
    expect(r.stderr).not.toContain('Unhandled');
    expect(() => readFileSync(marker)).toThrow();
  }, SLOW);

  it('a file that is not executable exits 126 as shells do; one not found 127', async () => {
    const r = await cli('run', '--mode', 'fallback', '--', '/etc/passwd');
    expect(r.code).toBe(126);
    expect(r.stderr).toContain('cannot start /etc/passwd');
    expect((await cli('run', '--mode', 'fallback', '--', 'bpfscope-no-such-command')).code).toBe(127);
  }, SLOW);
});
