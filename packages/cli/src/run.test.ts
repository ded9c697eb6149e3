import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  it('passes its command to exec directly, never through a shell: metacharacters reach the command as they are', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpfscope-noshell-'));
    try {
      const marker = join(dir, 'made-by-a-shell');
      const args = [`a; touch ${marker}`, `$(touch ${marker})`, `\`touch ${marker}\``, `| touch ${marker}`, '*', '$HOME', "it's \"quoted\"", '> x && y || z &'];
      // printf prints each argument on a line of its own: what exec gave it, byte for byte.
      const r = await cli('run', '--mode', 'fallback', '--', 'printf', '%s\\n', ...args);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(args.map((a) => `${a}\n`).join(''));
      expect(() => readFileSync(marker)).toThrow(/ENOENT/);
      // A command that is not a file is not found (127), not run by a shell as a line.
      const line = await cli('run', '--mode', 'fallback', '--', `true; touch ${marker}`);
      expect(line.code).toBe(127);
      expect(() => readFileSync(marker)).toThrow(/ENOENT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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

  it('--report writes the HTML report, with the procfs source named, and for a command that cannot start, the reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpfscope-run-report-'));
    try {
      const ran = await cli('run', '--mode', 'fallback', '--report', join(dir, 'ran.html'), '--', 'sh', '-c', 'exit 4');
      expect(ran.code).toBe(4);
      const html = readFileSync(join(dir, 'ran.html'), 'utf8');
      for (const id of ['summary', 'time', 'syscalls', 'processes', 'availability']) expect(html).toContain(`<section id="${id}">`);
      expect(html).toContain('<td>proc</td><td>procfs</td>');
      expect(html).toMatch(/<td>exit<\/td><td>code 4<\/td>/);
      const failed = await cli('run', '--mode', 'fallback', '--report', join(dir, 'failed.html'), '--', '/nonexistent/bpfscope-no-such-command');
      expect(failed.code).toBe(127);
      expect(readFileSync(join(dir, 'failed.html'), 'utf8')).toContain('cannot start /nonexistent/bpfscope-no-such-command');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('usage errors: no command, --families, --, --out or --report without run, a --report that cannot be written', async () => {
    expect(await usage('run')).toContain('a command after --');
    expect(await usage('run', '--')).toContain('a command after --');
    expect(await usage('run', '--families', 'cpu', '--', 'true')).toContain('--families');
    expect(await usage('snapshot', '--out', 'x')).toContain('only with bpfscope run');
    expect(await usage('snapshot', '--report', 'x.html')).toMatch(/--report.*only with bpfscope run/);
    expect(await usage('run', '--report', '/nonexistent/bpfscope-dir/r.html', '--', 'true')).toContain('--report');
    expect(await usage('run', '--out', 'r.txt', '--report', './r.txt', '--', 'true')).toContain('a file other than --out');
    expect(await usage('snapshot', '--', 'true')).toContain('only with bpfscope run');
  });
});
