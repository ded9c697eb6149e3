// Shared by the newer native tests: waiting until counters stop moving after a
// detach, and a private bpffs directory. (Workloads of known size: test/steps.ts.)
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { bpffsMounts } from '../src/bpffs.js';

/**
 * After a detach, a program run in flight on another CPU may still finish:
 * reads `snapshot` until two reads 10 ms apart agree.
 */
export async function settle(snapshot: () => string): Promise<void> {
  let previous = '';
  for (let i = 0; i < 100; i++) {
    const now = snapshot();
    if (now === previous) return;
    previous = now;
    await sleep(10);
  }
  throw new Error('the counters did not settle within a second');
}

/**
 * A fresh directory on bpffs, unique to this run; `remove()` deletes it and every pin in it.
 * A new machine may boot without bpffs mounted: the tests then mount it at
 * /sys/fs/bpf themselves (as root), as an administrator would. The library never does.
 */
export function bpffsTestDir(): { path: string; remove: () => void } {
  if (bpffsMounts().length === 0) {
    const r = spawnSync('mount', ['-t', 'bpf', 'bpf', '/sys/fs/bpf'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`bpffs is not mounted and mounting it at /sys/fs/bpf failed: ${r.stderr || r.error?.message}`);
  }
  const path = `/sys/fs/bpf/bpfscope-test-${randomBytes(6).toString('hex')}`;
  mkdirSync(path);
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Little-endian bytes of a u32. */
export const u32le = (n: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
};
