// Removing a cgroup directory a test made. A process that left the group (it exited and was
// reaped, or moved) can keep the group populated for a moment while the kernel releases it,
// and rmdir then fails with EBUSY: try again, a little later, for up to five seconds.
import { existsSync, rmdirSync } from 'node:fs';

const pause = new Int32Array(new SharedArrayBuffer(4));

/** Removes the cgroup directory `dir` (if it exists), retrying while the kernel reports EBUSY. */
export function removeCgroupDir(dir: string): void {
  for (let i = 0; ; i++) {
    if (!existsSync(dir)) return;
    try {
      rmdirSync(dir);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EBUSY' || i >= 250) throw e;
      Atomics.wait(pause, 0, 0, 20);
    }
  }
}
