// Loop devices for the block tests: a sparse file under the OS temp dir attached with
// losetup, optionally with an ext4 filesystem mounted on it. Everything made here is removed
// by remove(), which a test calls in afterAll/finally (also after a failure).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The counters of /sys/block/<name>/stat this test reads. */
export interface BlockStat {
  reads: number;
  sectorsRead: number;
  writes: number;
  sectorsWritten: number;
  discards: number;
  flushes: number;
}

/** Read /sys/block/<name>/stat (fields 1, 3, 5, 7, 12 and 16 of Documentation/block/stat.rst). */
export function blockStat(name: string): BlockStat {
  const f = readFileSync(`/sys/block/${name}/stat`, 'utf8').trim().split(/\s+/).map(Number);
  return { reads: f[0]!, sectorsRead: f[2]!, writes: f[4]!, sectorsWritten: f[6]!, discards: f[11] ?? 0, flushes: f[15] ?? 0 };
}

/** A loop device the test made. */
export interface LoopDevice {
  /** `/dev/loopN`. */
  path: string;
  /** `loopN`. */
  name: string;
  /** `major:minor`. */
  dev: string;
  /** Where its ext4 filesystem is mounted, or null. */
  mountPoint: string | null;
  /** Unmount, detach, delete the backing file and directories; safe to call twice. */
  remove(): void;
}

const run = (cmd: string, args: string[]): string => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

/**
 * Attach a loop device over a new sparse file of `mib` MiB; with `ext4`, make a filesystem
 * without a journal (no journal commits during a test's window), its tables initialised now
 * (no lazy init thread writing later), and mount it with lazytime (time stamps stay in memory).
 */
export function createLoop(mib: number, ext4: boolean): LoopDevice {
  const dir = mkdtempSync(join(tmpdir(), 'bpfscope-fsb-'));
  const backing = join(dir, 'disk.img');
  let path: string | null = null;
  let mountPoint: string | null = null;
  const remove = (): void => {
    if (mountPoint !== null) {
      try { run('umount', [mountPoint]); } catch { /* not mounted */ }
      mountPoint = null;
    }
    if (path !== null) {
      try { run('losetup', ['-d', path]); } catch { /* gone */ }
      path = null;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    run('truncate', ['-s', `${mib}M`, backing]);
    path = run('losetup', ['-f', '--show', backing]);
    const name = path.replace('/dev/', '');
    const dev = readFileSync(`/sys/class/block/${name}/dev`, 'utf8').trim();
    if (ext4) {
      run('mkfs.ext4', ['-q', '-F', '-O', '^has_journal', '-E', 'lazy_itable_init=0,lazy_journal_init=0,nodiscard', path]);
      mountPoint = join(dir, 'mnt');
      run('mkdir', [mountPoint]);
      run('mount', ['-o', 'lazytime,noatime', path, mountPoint]);
    }
    return { path, name, dev, get mountPoint() { return mountPoint; }, remove };
  } catch (e) {
    remove();
    throw e;
  }
}

/** Run `dd` in a child process to its end; rejects on a non-zero exit. */
export function dd(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('dd', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`dd ${args.join(' ')} exited ${code}: ${err}`))));
  });
}
