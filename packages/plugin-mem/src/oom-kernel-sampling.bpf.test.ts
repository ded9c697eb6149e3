// Kernel sampling of OOM kill events (mem_smp maps in mem.bpf.o): a child OOM-killed in a
// small memory cgroup the test makes, with its pid set high and a 1-in-1000 uniform for every
// other OOM kill. Its kill must arrive with weight 1, counted once as a high pass.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ConfigError, createEngine } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { startWorkload, workloadBinary } from '../test/mem-workloads.js';
import { mem } from './plugin.js';
import { removeCgroupDir } from '../../../test/cgroup-dir.js';

const LIMIT = 32 * 1024 * 1024;
const silent = { error() {}, warn() {}, info() {}, debug() {} };
const v2 = existsSync('/sys/fs/cgroup/cgroup.controllers') && readFileSync('/sys/fs/cgroup/cgroup.controllers', 'utf8').split(/\s+/).includes('memory');

describeKernel('mem OOM events: sampling decided in the kernel', () => {
  it('priority by pid: the high child’s OOM kill arrives with weight 1 and is counted once as high; kinds are refused', async () => {
    const dir = v2 ? join('/sys/fs/cgroup', `bpfscope-ks-${process.pid}`) : join('/sys/fs/cgroup/memory', `bpfscope-ks-${process.pid}`);
    mkdirSync(dir);
    writeFileSync(join(dir, v2 ? 'memory.max' : 'memory.limit_in_bytes'), String(LIMIT));
    if (v2 && existsSync(join(dir, 'memory.swap.max'))) writeFileSync(join(dir, 'memory.swap.max'), '0');
    const engine = createEngine({ plugins: [mem()], config: { mode: 'ebpf', cache: { enabled: false } }, logger: silent });
    const ac = new AbortController();
    const hog = await startWorkload(workloadBinary('memhog'), [String(4 * 1024 * 1024), '5'], join(dir, 'cgroup.procs'));
    try {
      await engine.start();
      await expect(engine.setSampling('mem', { strategy: 'priority', match: { kinds: ['oom'] } })).rejects.toMatchObject({ name: ConfigError.name, path: 'families.mem.sampling.match.kinds' });
      await engine.setSampling('mem', { strategy: 'priority', match: { pids: [hog.pid] }, otherwise: { strategy: 'uniform', every: 1000 } });
      const events = engine.events('mem', { signal: ac.signal });
      await events.ready;
      expect(engine.stats().collectors.find((c) => c.family === 'mem')?.events.kernelSetting).toEqual({ priority: { pids: [hog.pid] }, uniform: { every: 1000, mode: 'counter' } });
      hog.send('go');
      let victim: { pid: number; weight: number } | undefined;
      let weight = 0;
      for await (const v of events) {
        if (v.pid !== hog.pid) continue; // an OOM kill elsewhere that the uniform kept
        victim = v;
        weight = events.weightOf(v);
        break;
      }
      expect(await hog.exited).toEqual([null, 'SIGKILL']);
      expect(victim?.weight).toBe(1);
      expect(weight).toBe(1);
      const k = engine.stats().collectors.find((c) => c.family === 'mem')?.events.kernel;
      expect(k?.highPassed).toBe(1); // only the test child's pid is high, and it was killed once
    } finally {
      ac.abort();
      if (hog.child.exitCode === null && hog.child.signalCode === null) {
        hog.child.kill('SIGKILL');
        await hog.exited;
      }
      await engine.close();
      removeCgroupDir(dir);
    }
  }, 60_000);
});
