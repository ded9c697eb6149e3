import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ProcfsTreeTracker } from './procfs-tree-tracker.js';

describe('ProcfsTreeTracker', () => {
  it('a command no sample saw alive: spawned counts the command, peak RSS is not measured and says why', async () => {
    const tracker = new ProcfsTreeTracker(process.pid);
    const child = spawn('true');
    await once(child, 'exit');
    const f = await tracker.finish();
    expect(f.spawned).toBe(1);
    expect(f.peakRssBytes).toBeNull();
    expect(f.unavailable.peakRss).toMatch(/^not measured: the command ended before a sample saw it alive/);
  });

  it('a command a sample saw alive: peak RSS is the RSS that sample read', async () => {
    const tracker = new ProcfsTreeTracker(process.pid);
    const child = spawn('sleep', ['30']);
    try {
      await once(child, 'spawn');
      // Sample until the child shows as exec'd sleep (not the forked node still), then stop it.
      let sample = await tracker.sample();
      while (sample.alive === 0) sample = await tracker.sample();
      const rss = sample.rssBytes;
      child.kill('SIGKILL');
      await once(child, 'exit');
      const f = await tracker.finish();
      expect(f.spawned).toBe(1);
      expect(rss).toBeGreaterThan(0);
      expect(f.peakRssBytes).toBe(rss);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
