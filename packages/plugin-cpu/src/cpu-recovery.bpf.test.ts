import { expect, it } from 'vitest';
import { COLLECTOR, createEngine, type Plugin } from '@bpfscope/core';
import { captureLinks } from '../../../test/link-hook.js';
import { describeKernel } from '../../../test/real-kernel.js';
import { CpuEbpfSource } from './ebpf/cpu-ebpf-source.js';

describeKernel('cpu family recovery', () => {
  it('a detached program is reported by the source and attemptRecovery() attaches the family again', async () => {
    const source = new CpuEbpfSource();
    const plugin: Plugin = { name: 'cpu-only-ebpf', version: '0.0.0', register: (c) => c.register(COLLECTOR, { useValue: { family: 'cpu', sources: [source] } }) };
    // Instrumentation only: keep the links the source makes, so the test can destroy one.
    const hook = captureLinks();
    const links = hook.links;
    const engine = createEngine({ plugins: [plugin], config: { mode: 'ebpf', cache: { enabled: false }, logLevel: 'silent', recovery: { attempts: 2, baseDelayMs: 1 } } });
    try {
      await engine.start();
      expect(links).toHaveLength(5);
      expect(source.detached()).toBeNull();
      expect(await engine.attemptRecovery()).toEqual({ recovered: [], failing: [] });
      hook.destroy('cpu_switch');
      expect(source.detached()).toBe('program cpu_switch of cpu-ebpf is no longer attached');
      // Readings say so instead of counts that miss what cpu_switch counted.
      const during = await engine.collect();
      expect(during.get('cpu')).toBeUndefined();
      expect(during.errors.map((e) => e.error.message)).toEqual(['cpu-ebpf is unavailable: program cpu_switch of cpu-ebpf is no longer attached']);
      expect(await engine.attemptRecovery()).toEqual({ recovered: ['cpu'], failing: [] });
      expect(links).toHaveLength(10);
      expect(links.slice(5).every((l) => l.attached)).toBe(true);
      expect(links.slice(0, 5).some((l) => l.attached)).toBe(false); // the old object was closed
      expect(source.detached()).toBeNull();
      const r = (await engine.collect()).get('cpu');
      expect(r?.source).toBe('ebpf');
      expect(r?.recoveredFrom?.code).toBe('DATA_UNAVAILABLE');
      expect(r?.recoveredFrom?.message).toContain('cpu_switch');
      expect(engine.stats().collectors[0]?.recovery).toEqual({ recoveries: 1, recoveredFrom: 'DATA_UNAVAILABLE', lastAttempts: 1, lastDelaysMs: [] });
    } finally {
      hook.restore();
      await engine.close();
    }
  });
});
