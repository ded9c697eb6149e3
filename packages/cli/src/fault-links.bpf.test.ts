// Fault, for every family with programs attached for its whole life: each of its links
// destroyed from outside in turn. The family's readings then say which program is gone
// (DataUnavailable) instead of counts that miss what it counted, the other families read
// on, and engine.attemptRecovery() attaches it again. (The exact counts after recovery are
// checked per family: cpu-, syscall- and net-recovery.bpf.test.ts. proc attaches nothing
// for its readings: each one runs an iterator of its own, whose link lives for that read.
// thermal starts over a fixture sysfs tree, as it needs a temperature sensor to start and the
// CI machines have none: its programs attach to the kernel's tracepoints all the same. gpu
// puts its uprobes on a stand-in CUDA runtime the test compiles.)
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createEngine, type BpfscopeConfig, type Plugin } from '@bpfscope/core';
import { clearCache } from '@bpfscope/native';
import { cpu } from '@bpfscope/plugin-cpu';
import { fs } from '@bpfscope/plugin-fs';
import { mem } from '@bpfscope/plugin-mem';
import { net } from '@bpfscope/plugin-net';
import { proc } from '@bpfscope/plugin-proc';
import { gpu } from '@bpfscope/plugin-gpu';
import { syscall } from '@bpfscope/plugin-syscall';
import { thermal } from '@bpfscope/plugin-thermal';
import { buildCudartStandIn, type CudartStandIn } from '../../plugin-gpu/test/cudart-standin.js';
import { captureLinks } from '../../../test/link-hook.js';
import { describeKernel } from '../../../test/real-kernel.js';

const silent = { error() {}, warn() {}, info() {}, debug() {} };
const THERMAL_TREE = fileURLToPath(new URL('../../plugin-thermal/test/fixtures/intel-thinkpad-t480/sys', import.meta.url));
let cudart: CudartStandIn | undefined;
const FAMILIES: Array<[string, () => Plugin, BpfscopeConfig?]> = [
  ['cpu', () => cpu()], ['mem', () => mem()], ['syscall', () => syscall()], ['net', () => net()],
  ['fs', () => fs({ processes: true })],
  ['thermal', () => thermal(), { sysRoot: THERMAL_TREE }],
  ['gpu', () => gpu({ nvmlLibrary: '/nonexistent/libnvidia-ml.so.1', cudaRuntimes: [cudart!.library] })],
];

describeKernel('every family: each link destroyed from outside in turn', () => {
  beforeAll(() => {
    cudart = buildCudartStandIn();
  });
  afterAll(() => cudart?.remove());

  for (const [family, plugin, config] of FAMILIES) {
    it(`${family}: the reading names the program, the others read on, attemptRecovery() attaches it again`, async () => {
      clearCache(); // fresh objects: the links below are this engine's
      const hook = captureLinks();
      // proc beside it: a family whose reading must go on while the other is detached.
      const engine = createEngine({ plugins: [plugin(), proc()], config: { mode: 'ebpf', cache: { enabled: false }, recovery: { attempts: 2, baseDelayMs: 1 }, ...config }, logger: silent });
      try {
        await engine.start();
        const first = await engine.collect();
        expect(first.errors).toEqual([]);
        const name = first.get(family)!.sourceName;
        // The family's own links for its life: not proc's, nor iterators' (a reading runs its own iterator).
        const programs = [...new Set(hook.links.filter((l) => l.attached && !l.program.startsWith('proc_') && !l.attachPoint.startsWith('iter')).map((l) => l.program))];
        expect(programs.length).toBeGreaterThan(0);
        for (const program of programs) {
          hook.destroy(program);
          const during = await engine.collect();
          expect(during.get(family), program).toBeUndefined();
          expect(during.get('proc')?.source).toBe('ebpf');
          expect(during.errors.map((e) => [e.family, e.error.code, e.error.message])).toEqual([[family, 'DATA_UNAVAILABLE', expect.stringMatching(new RegExp(`^${name} is unavailable: .*\\b${program}\\b`))]]);
          expect(await engine.attemptRecovery()).toEqual({ recovered: [family], failing: [] });
          const after = await engine.collect();
          expect(after.errors).toEqual([]);
          expect(after.get(family)).toMatchObject({ source: 'ebpf', recoveredFrom: { code: 'DATA_UNAVAILABLE' } });
        }
        expect(engine.stats().collectors.find((c) => c.family === family)?.recovery.recoveries).toBe(programs.length);
      } finally {
        hook.restore();
        await engine.close();
      }
    });
  }
});
