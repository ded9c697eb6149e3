import { describe, expect, it } from 'vitest';
import { main } from './main.js';

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

describe('bpfscope top command line', () => {
  it.each([
    [['top', '--sort', 'fast'], '--sort', '"cpu", "mem", "pid", "io", "syscalls"'],
    [['top', '--iterations', '0'], '--iterations', 'from 1 to 1000000'],
    [['top', '--iterations', '-1'], '--iterations', 'from 1 to 1000000'],
    [['top', '--interval', '5'], '--interval', 'from 10 to 3600000'],
    [['top', '--families', 'cpu,gpu9'], '--families', 'comma-separated list of cpu'],
    [['top', '--mode', 'turbo'], '--mode', '"auto", "ebpf" or "fallback"'],
    [['top', '--json'], '--json', 'top without --json'],
    [['snapshot', '--sort', 'mem'], '--sort', 'only with bpfscope top'],
    [['run', '--iterations', '2', '--', 'true'], '--iterations', 'only with bpfscope top'],
  ])('%j is a usage error (exit 2) naming the option and what is allowed', async (argv, path, allowed) => {
    const r = await run(...argv);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain(path);
    expect(r.err).toContain(allowed);
    expect(r.err).toContain('remedy:');
  });

  it('help lists top with its options', async () => {
    const r = await run('help');
    expect(r.out).toContain('bpfscope top [--interval MS] [--sort cpu|mem|pid|io|syscalls]');
  });

  it('to a writer that is not a terminal, --iterations 2 in fallback mode: two plain blocks with exactly the cpu and processes panes, from procfs', async () => {
    const r = await run('top', '--iterations', '2', '--interval', '100', '--mode', 'fallback', '--families', 'proc,cpu', '--sort', 'pid');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).not.toContain('\u001b');
    const blocks = r.out.split(/\n(?=bpfscope top )/);
    expect(blocks.length).toBe(2);
    for (const b of blocks) {
      const lines = b.split('\n');
      expect(lines[0]).toMatch(/^bpfscope top {2}\S+ {2}every 100 ms {2}sort: pid$/);
      expect(lines.filter((l) => l.startsWith('['))).toEqual([expect.stringMatching(/^\[cpu\] procfs, /), expect.stringMatching(/^\[processes\] procfs, \d+ processes, sorted by pid, /)]);
      // Sorted by pid: the rows of the process pane in ascending pid order, this process among them.
      const start = lines.findIndex((l) => l.startsWith('[processes]'));
      const pids = lines.slice(start + 2).filter((l) => /^\d+ /.test(l)).map((l) => Number(l.split(' ')[0]));
      expect(pids).toContain(process.pid);
      expect(pids).toEqual([...pids].sort((a, b) => a - b));
    }
    // The second block has the rates of the interval: busy% for all CPUs.
    expect(blocks[1]).toMatch(/\nall +\d+\.\d +\[/);
  }, 60_000);
});
