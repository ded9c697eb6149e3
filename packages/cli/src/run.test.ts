import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from './main.js';

const BIN = fileURLToPath(new URL('../bin/bpfscope.js', import.meta.url));

function cli(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], (_e, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }));
  });
}

async function usage(...argv: string[]): Promise<string> {
  let err = '';
  const code = await main(argv, { stdout: { write: () => true }, stderr: { write: (s: string) => (err += s) } });
  expect(code).toBe(2);
  return err;
}

describe('bpfscope run', () => {
  it('passes the command its stdout and returns its exit code; the summary goes to stderr', async () => {
    const r = await cli('run', '--mode', 'fallback', '--', 'sh', '-c', 'echo from-the-command; exit 5');
    expect(r.code).toBe(5);
    expect(r.stdout).toBe('from-the-command\n');
    expect(r.stderr).toContain('bpfscope run: sh -c echo from-the-command; exit 5');
    expect(r.stderr).toContain('exit code 5');
    expect(r.stderr).toContain('(procfs)');
  });

  it('run as an executable, the command gets its V8 setting from the shebang (a 2 × 1 MB young generation)', async () => {
    const out = await new Promise<string>((resolve, reject) =>
      execFile(BIN, ['run', '--mode', 'fallback', '--out', '/dev/null', '--', 'sh', '-c', 'tr "\\0" " " < /proc/$PPID/cmdline'], (e, stdout) => (e ? reject(e) : resolve(stdout))),
    );
    expect(out.split(' ').slice(0, 2)).toEqual(['node', '--max-semi-space-size=1']);
  });

  it('a command that cannot start exits 127 with a message', async () => {
    const r = await cli('run', '--mode', 'fallback', '--', '/nonexistent/bpfscope-no-such-command');
    expect(r.code).toBe(127);
    expect(r.stderr).toContain('cannot start /nonexistent/bpfscope-no-such-command');
  });

  it('usage errors: no command, --families, -- or --out without run', async () => {
    expect(await usage('run')).toContain('a command after --');
    expect(await usage('run', '--')).toContain('a command after --');
    expect(await usage('run', '--families', 'cpu', '--', 'true')).toContain('--families');
    expect(await usage('snapshot', '--out', 'x')).toContain('only with bpfscope run');
    expect(await usage('snapshot', '--', 'true')).toContain('only with bpfscope run');
  });
});
