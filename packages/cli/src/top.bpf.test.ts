import { execFile, spawn } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { describeKernel } from '../../../test/real-kernel.js';

const BIN = fileURLToPath(new URL('../bin/bpfscope.js', import.meta.url));
const exec = promisify(execFile);
const ALL_PANES = ['cpu', 'memory', 'processes', 'syscalls', 'net', 'fs'];

/** The online CPUs as the kernel lists them (`0-3,6`). */
function onlineCpus(): number[] {
  const out: number[] = [];
  for (const part of readFileSync('/sys/devices/system/cpu/online', 'utf8').trim().split(',')) {
    const [a, b] = part.split('-').map(Number);
    for (let c = a!; c <= (b ?? a!); c++) out.push(c);
  }
  return out;
}

// What a test started and, if it failed, left running: ended after each test, by pid.
// Ending `script` closes the pseudo-terminal, which hangs up the top under it.
const started: Array<{ kill(): boolean; exitCode: number | null; signalCode: string | null }> = [];
afterEach(() => {
  for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill();
});

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
const titles = (lines: string[]): string[] => lines.flatMap((l) => /^\[(\w+)\]/.exec(l)?.[1] ?? []);
const cpuRows = (lines: string[]): number[] => lines.flatMap((l) => /^cpu(\d+)\s/.exec(l)?.[1] ?? []).map(Number);
const UNITS: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4 };
/** The rss column of the process rows (the first header cell is `pid`), in bytes. */
function rssColumn(lines: string[]): number[] {
  const start = lines.findIndex((l) => l.startsWith('[processes]'));
  const end = lines.indexOf('', start);
  const rows = lines.slice(start + 2, end === -1 ? undefined : end).filter((l) => /^\d+\s/.test(l));
  return rows.map((l) => {
    const m = /\s(\d+(?:\.\d)?) (B|KiB|MiB|GiB|TiB)\s/.exec(l)!;
    return Number(m[1]) * UNITS[m[2]!]!;
  });
}

/** The first child of a process (script's shell, the shell's node). */
const childOf = (pid: number): number => Number(readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ')[0]);

/** Runs `bpfscope top` on a pseudo-terminal of the given size (util-linux `script`); after it exits, `stty -a` prints the terminal's modes. */
function underPty(args: string[], rows: number, columns: number, prefix = '') {
  const cmd = `stty rows ${rows} cols ${columns} && ${prefix}${quote(process.execPath)} ${quote(BIN)} top ${args.join(' ')}; rc=$?; stty -a; exit $rc`;
  const child = spawn('script', ['-qfec', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
  started.push(child);
  let out = '';
  const waiters: Array<() => void> = [];
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString('utf8');
    for (const w of waiters.splice(0)) w();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  /** Every complete frame so far (home ... clear below), as lines without escape codes. */
  const frames = (): string[][] =>
    [...out.matchAll(/\u001b\[H([\s\S]*?)\u001b\[J/g)].map((m) => m[1]!.replace(/\u001b\[K/g, '').replace(/\r/g, '').split('\n'));
  const frameWhere = async (ok: (lines: string[]) => boolean): Promise<string[]> => {
    for (;;) {
      const f = frames().find(ok);
      if (f) return f;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  return { child, exited, frameWhere, output: () => out };
}

describeKernel('bpfscope top', () => {
  const cpus = onlineCpus();

  for (const [key, name] of [['q', 'q'], ['\u0003', 'Ctrl-C']] as const) {
    it(`on a terminal: a frame with every pane and a row per online CPU, the m key sorts by memory, ${name} quits with the terminal restored`, async () => {
      // Tall enough that no CPU row is cut: the layout shares the height among six panes in turn.
      const pty = underPty(['--interval', '300'], 40 + 6 * cpus.length, 160);
      const full = await pty.frameWhere((l) => titles(l).length === ALL_PANES.length && l.some((x) => x.includes('busy% over')));
      expect(titles(full)).toEqual(ALL_PANES);
      expect(cpuRows(full)).toEqual(cpus);
      expect(full.some((l) => l.startsWith('all ') && /\d+\.\d/.test(l))).toBe(true);
      expect(full.some((l) => l.startsWith('run-queue latency '))).toBe(true);
      expect(full.some((l) => l.startsWith('OOM prediction'))).toBe(true);
      pty.child.stdin.write('m');
      const byMem = await pty.frameWhere((l) => l[0]!.endsWith('sort: mem') && titles(l).length === ALL_PANES.length);
      const rss = rssColumn(byMem);
      expect(rss.length).toBeGreaterThan(1);
      expect(rss).toEqual([...rss].sort((a, b) => b - a));
      pty.child.stdin.write(key);
      expect(await pty.exited).toBe(0);
      const out = pty.output();
      // After the last frame: the cursor shown and the main screen back, once; then the modes stty saw.
      const last = out.lastIndexOf('\u001b[J');
      const rest = out.slice(last + 3);
      expect(rest.startsWith('\u001b[?25h\u001b[?1049l')).toBe(true);
      expect(rest.slice(13)).not.toContain('\u001b[');
      expect(rest).toMatch(/(^|\s)icanon(\s|;)/);
      expect(rest).toMatch(/(^|\s)echo(\s|;)/);
    });
  }

  it('on a terminal, SIGINT from outside (not the Ctrl-C key) quits as well: exit 0, the terminal restored', async () => {
    const pty = underPty(['--families', 'cpu'], 30, 120);
    await pty.frameWhere((l) => titles(l).includes('cpu'));
    process.kill(childOf(childOf(pty.child.pid!)), 'SIGINT');
    expect(await pty.exited).toBe(0);
    const out = pty.output();
    expect(out.slice(out.lastIndexOf('\u001b[J') + 3).startsWith('\u001b[?25h\u001b[?1049l')).toBe(true);
  });

  it('on a terminal that is resized: the frame is drawn again at once, cut to the new width', async () => {
    // One reading an hour: the only frame after the first is the one the resize draws.
    const pty = underPty(['--interval', '3600000'], 40 + 6 * cpus.length, 160);
    const wide = await pty.frameWhere((l) => titles(l).length === ALL_PANES.length);
    expect(Math.max(...wide.map((l) => l.length))).toBeGreaterThan(60);
    // The pseudo-terminal is the shell's (script's child) standard input; resizing it sends SIGWINCH to top.
    const shell = childOf(pty.child.pid!);
    await exec('stty', ['-F', readlinkSync(`/proc/${shell}/fd/0`), 'cols', '61']);
    const narrow = await pty.frameWhere((l) => titles(l).length === ALL_PANES.length && l.every((x) => x.length <= 60));
    expect(narrow.some((l) => l.endsWith('~'))).toBe(true);
    expect(cpuRows(narrow)).toEqual(cpus);
    pty.child.stdin.write('q');
    expect(await pty.exited).toBe(0);
  });

  it('on a terminal, an engine that cannot start (--mode ebpf, unprivileged): the terminal restored first, then the error, exit 1', async () => {
    const pty = underPty(['--mode', 'ebpf'], 30, 120, 'setpriv --reuid=nobody --regid=nogroup --clear-groups ');
    expect(await pty.exited).toBe(1);
    const out = pty.output();
    const left = out.lastIndexOf('\u001b[?25h\u001b[?1049l');
    expect(out.indexOf('\u001b[?1049h')).toBeGreaterThan(-1);
    expect(left).toBeGreaterThan(out.indexOf('\u001b[?1049h'));
    // On the main screen, after the alternate one is gone: the error with its remedy.
    expect(out.indexOf('bpfscope: ')).toBeGreaterThan(left);
    expect(out.slice(left)).toContain('remedy:');
    expect(out.slice(left)).toMatch(/(^|\s)icanon(\s|;)/);
  });

  it('to a pipe: blocks of plain lines, no escape codes, exactly the panes of the families asked for', async () => {
    const run = async (args: string[]): Promise<{ code: number | null; out: string; err: string }> => {
      const child = spawn(process.execPath, [BIN, 'top', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      started.push(child);
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d));
      child.stderr.on('data', (d: Buffer) => (err += d));
      const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
      return { code, out, err };
    };
    const all = await run(['--iterations', '2', '--interval', '200', '--sort', 'mem']);
    expect(all.err).toBe('');
    expect(all.code).toBe(0);
    expect(all.out).not.toContain('\u001b');
    const blocks = all.out.split(/\n(?=bpfscope top )/);
    expect(blocks.length).toBe(2);
    for (const b of blocks) {
      const lines = b.split('\n');
      expect(titles(lines)).toEqual(ALL_PANES);
      expect(cpuRows(lines)).toEqual(cpus);
      // No height limit: the whole process table, this test's own process in it, largest rss first.
      expect(lines.some((l) => l.startsWith(`${process.pid} `))).toBe(true);
      const rss = rssColumn(lines);
      expect(rss).toEqual([...rss].sort((a, b) => b - a));
    }
    const two = await run(['--iterations', '1', '--families', 'syscall,cpu']);
    expect(two.code).toBe(0);
    expect(titles(two.out.split('\n'))).toEqual(['cpu', 'syscalls']);
  });

  it('to a pipe, SIGINT ends it after a block: exit 0, nothing on stderr', async () => {
    const child = spawn(process.execPath, [BIN, 'top', '--interval', '200', '--families', 'cpu'], { stdio: ['ignore', 'pipe', 'pipe'] });
    started.push(child);
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d));
    await new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => ((out += d), out.includes('\n\n') && resolve())));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(err).toBe('');
    expect(out.endsWith('\n\n')).toBe(true);
    expect(titles(out.split('\n')).every((t) => t === 'cpu')).toBe(true);
  });

  it('to a pipe whose reader goes away (bpfscope top | head): it stops at the failed write, exit 0, nothing on stderr', async () => {
    const child = spawn(process.execPath, [BIN, 'top', '--interval', '50', '--families', 'cpu'], { stdio: ['ignore', 'pipe', 'pipe'] });
    started.push(child);
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy();
    expect(await exited).toBe(0);
    expect(err).toBe('');
  });
});
