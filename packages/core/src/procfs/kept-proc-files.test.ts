import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataUnavailable } from '../errors/taxonomy.js';
import { closeKept, holdKept, isKept, keptCount, readKept } from './kept-proc-files.js';
import { readProcFile } from './read-proc-file.js';

const dir = mkdtempSync(join(tmpdir(), 'bpfscope-kept-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// As an open engine does: the descriptors are kept only while something holds them.
let release = (): void => undefined;
beforeEach(() => {
  release = holdKept();
});
afterEach(() => {
  release();
  closeKept();
});

/** The `processes` line of a /proc/stat text: forks since boot. */
const forks = (stat: string): number => Number(/^processes (\d+)$/m.exec(stat)![1]);

describe('kept procfs files', () => {
  it('keeps only the system-wide files of the live procfs, never a PID\'s, nor a tree that is not procfs', () => {
    expect(isKept('/proc', 'stat')).toBe(true);
    expect(isKept('/proc', 'pressure/cpu')).toBe(true);
    expect(isKept('/proc', '1/stat')).toBe(false);
    expect(isKept('/proc', 'self/stat')).toBe(false);
    expect(isKept('/proc', 'net/dev')).toBe(false);
    writeFileSync(join(dir, 'stat'), 'cpu 1 2 3\n');
    expect(isKept(dir, 'stat')).toBe(false);
  });

  it('a read after a fork returns the new fork count, through the one kept descriptor', () => {
    const first = readProcFile('/proc', 'stat');
    expect(keptCount()).toBe(1);
    const fds = readdirSync('/proc/self/fd').length;
    expect(spawnSync('true').status).toBe(0);
    const second = readProcFile('/proc', 'stat');
    // This test forked once in between: a content generated anew counts it (others may add more), a stale one cannot.
    expect(forks(second)).toBeGreaterThan(forks(first));
    expect(readdirSync('/proc/self/fd').length).toBe(fds);
    expect(keptCount()).toBe(1);
  });

  it('gives the same text as a read by path', () => {
    // The values move between the two reads; the keys, in order, may not.
    const kept = readProcFile('/proc', 'meminfo').split('\n').map((l) => l.split(':')[0]);
    expect(kept).toEqual(readFileSync('/proc/meminfo', 'utf8').split('\n').map((l) => l.split(':')[0]));
  });

  it('a file of many records (a stopped process\'s smaps, several pages) is read whole, as by path', async () => {
    const child = spawn('sleep', ['1000'], { stdio: 'ignore' });
    const state = (): string => { const t = readFileSync(`/proc/${child.pid}/stat`, 'utf8'); return t.slice(t.lastIndexOf(')') + 2, t.lastIndexOf(')') + 3); };
    try {
      while (state() !== 'S') await new Promise((r) => setTimeout(r, 5));
      child.kill('SIGSTOP');
      while (state() !== 'T') await new Promise((r) => setTimeout(r, 5));
      const byPath = readFileSync(`/proc/${child.pid}/smaps`, 'utf8');
      // One read of a seq_file stops at its page-sized buffer (vmstat is close to one page): this file takes several.
      expect(byPath.length).toBeGreaterThan(8192);
      expect(readKept(`/proc/${child.pid}/smaps`)).toBe(byPath);
      expect(readKept(`/proc/${child.pid}/smaps`)).toBe(byPath);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('a file rewritten in place is read anew, and one larger than the buffer whole', () => {
    const path = join(dir, 'big');
    writeFileSync(path, 'a\n');
    expect(readKept(path)).toBe('a\n');
    const big = 'x'.repeat(40 * 1024) + '\nend\n';
    writeFileSync(path, big);
    expect(readKept(path)).toBe(big);
    writeFileSync(path, 'b\n');
    expect(readKept(path)).toBe('b\n');
  });

  it('a tree that is not procfs is read by path: a file replaced by another is the new one', () => {
    writeFileSync(join(dir, 'loadavg'), '0.10 0.20 0.30 1/100 42\n');
    expect(readProcFile(dir, 'loadavg')).toBe('0.10 0.20 0.30 1/100 42\n');
    writeFileSync(join(dir, 'loadavg.new'), '0.50 0.20 0.30 1/100 43\n');
    renameSync(join(dir, 'loadavg.new'), join(dir, 'loadavg'));
    expect(readProcFile(dir, 'loadavg')).toBe('0.50 0.20 0.30 1/100 43\n');
    expect(keptCount()).toBe(0);
  });

  it('a file that cannot be opened is DataUnavailable and keeps nothing; a later read tries again', () => {
    const path = join(dir, 'later');
    expect(() => readKept(path)).toThrow(DataUnavailable);
    expect(keptCount()).toBe(0);
    writeFileSync(path, 'now\n');
    expect(readKept(path)).toBe('now\n');
  });

  it('with nothing holding them (no engine open) nothing is kept; the last release closes every kept descriptor', () => {
    const fds = (): string[] => readdirSync('/proc/self/fd').map((fd) => { try { return readlinkSync(`/proc/self/fd/${fd}`); } catch { return ''; } });
    const second = holdKept();
    readProcFile('/proc', 'loadavg');
    readProcFile('/proc', 'meminfo');
    expect(keptCount()).toBe(2);
    expect(fds()).toContain('/proc/loadavg');
    release();
    // One holder is left: still kept.
    expect(keptCount()).toBe(2);
    expect(isKept('/proc', 'stat')).toBe(true);
    second();
    second(); // a second release of the same hold changes nothing
    expect(keptCount()).toBe(0);
    expect(fds()).not.toContain('/proc/loadavg');
    expect(fds()).not.toContain('/proc/meminfo');
    expect(isKept('/proc', 'stat')).toBe(false);
    readProcFile('/proc', 'loadavg');
    expect(keptCount()).toBe(0);
  });
});
