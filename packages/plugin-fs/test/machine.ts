// Workloads and references on the machine itself for the fs family's real tests: df's
// view of the mounts, a loop device over a sparse file, a child that writes a known
// number of bytes. Each cleans up after itself.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseBlockStat } from '../src/procfs/parse-block-stat.js';
import type { BlockCounters } from '../src/procfs/parse-diskstats.js';
import { createLoop, dd } from './loop-device.js';

/** One row of `df -B1`, in the shape the mounts test compares. */
export interface DfRow {
  mountPoint: string;
  size: number;
  used: number;
  available: number;
  inodes: number | null;
  inodesUsed: number | null;
  inodesFree: number | null;
}

/**
 * `df -B1` for these paths (one row each, in order), or for the filesystems df lists by
 * default when none are given.
 */
export function dfRows(paths: readonly string[] = []): DfRow[] {
  const out = execFileSync('df', ['-B1', '--output=size,used,avail,itotal,iused,iavail,target', ...paths], { encoding: 'utf8' });
  return out.split('\n').slice(1).filter((l) => l.trim() !== '').map((line) => {
    const f = line.trim().split(/\s+/);
    const n = (v: string): number | null => (v === '-' ? null : Number(v));
    return { mountPoint: f.slice(6).join(' '), size: Number(f[0]), used: Number(f[1]), available: Number(f[2]), inodes: n(f[3]!), inodesUsed: n(f[4]!), inodesFree: n(f[5]!) };
  });
}

/** A loop device attached by {@link attachLoop}. */
export interface LoopDevice {
  /** Its kernel name, e.g. `loop3`. */
  name: string;
  /** Its counters in /sys/block/&lt;name&gt;/stat now. */
  stat(): BlockCounters;
  /** Write `mib` MiB of zeros at its start with O_DIRECT (dd, 1 MiB blocks); resolves when dd has exited. */
  writeDirect(mib: number): Promise<void>;
  /** Detach it and delete its file; safe to call twice. */
  detach(): void;
}

/** A loop device over a new sparse file of `mib` MiB (no filesystem), made by {@link createLoop}. */
export function attachLoop(mib: number): LoopDevice {
  const loop = createLoop(mib, false);
  return {
    name: loop.name,
    stat: () => parseBlockStat(`/sys/block/${loop.name}/stat`, readFileSync(`/sys/block/${loop.name}/stat`, 'utf8')),
    writeDirect: (n) => dd(['if=/dev/zero', `of=${loop.path}`, 'bs=1M', `count=${n}`, 'oflag=direct', 'status=none']),
    detach: () => loop.remove(),
  };
}

// The child blocks reading one byte from stdin, writes W bytes in K writes to its file,
// fsyncs, closes its stdout (the parent sees the end: no write of its own to say so), and
// blocks on stdin again until the parent lets it go. Nothing else in it reads or writes.
const CHILD = `
const fs = require('node:fs');
const [path, w, k] = process.argv.slice(1);
const one = Buffer.alloc(1);
fs.readSync(0, one);
const fd = fs.openSync(path, 'w');
const chunk = Buffer.alloc(Number(w) / Number(k), 120);
for (let i = 0; i < Number(k); i++) fs.writeSync(fd, chunk);
fs.fsyncSync(fd);
fs.closeSync(fd);
fs.closeSync(1);
fs.readSync(0, one);
`;

/** A child started by {@link childWriter}. */
export interface ChildWriter {
  pid: number;
  /** Let it write; resolves once it has closed its stdout, i.e. finished writing. */
  go(): Promise<void>;
  /** Let it exit and delete its file. */
  end(): Promise<void>;
}

/** The system call a task is blocked in, from /proc/&lt;pid&gt;/syscall: `read` of fd 0 is `0 0x0 ...`. */
const blockedReadingStdin = (pid: number): boolean => {
  try {
    return readFileSync(`/proc/${pid}/syscall`, 'utf8').startsWith('0 0x0 ');
  } catch {
    return false;
  }
};

/** A node child that writes `w` bytes in `k` writes when told to; it is blocked reading stdin when this resolves. */
export async function childWriter(w: number, k: number): Promise<ChildWriter> {
  const file = join(tmpdir(), `bpfscope-fs-writer-${process.pid}-${Date.now()}`);
  const child: ChildProcess = spawn(process.execPath, ['-e', CHILD, file, String(w), String(k)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const closed = new Promise<void>((resolve) => child.stdout!.on('close', () => resolve()));
  child.stdout!.resume();
  while (!blockedReadingStdin(child.pid!)) {
    if (child.exitCode !== null) throw new Error(`the writer child exited early (${child.exitCode})`);
    await sleep(10);
  }
  return {
    pid: child.pid!,
    async go() {
      child.stdin!.write('g');
      await closed;
      while (!blockedReadingStdin(child.pid!)) await sleep(10);
    },
    async end() {
      child.stdin!.end();
      if (child.exitCode === null) child.kill();
      await exited;
      rmSync(file, { force: true });
    },
  };
}
