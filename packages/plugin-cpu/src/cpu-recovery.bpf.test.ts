import { expect, it } from 'vitest';
import { COLLECTOR, createEngine, type Plugin } from '@bpfscope/core';
import { BpfObject, type BpfLink } from '@bpfscope/native';
import { describeKernel } from '../../../test/real-kernel.js';
import { CpuEbpfSource } from './ebpf/cpu-ebpf-source.js';

describeKernel('cpu family recovery', () => {
  it('a detached program is reported by the source and attemptRecovery() attaches the family again', async () => {
    const source = new CpuEbpfSource();
    const plugin: Plugin = { name: 'cpu-only-ebpf', version: '0.0.0', register: (c) => c.register(COLLECTOR, { useValue: { family: 'cpu', sources: [source] } }) };
    // Instrumentation only: keep the links the source makes, so the test can destroy one.
    const attach = BpfObject.prototype.attach;
    const links: BpfLink[] = [];
    BpfObject.prototype.attach = function (this: BpfObject, ...args: Parameters<BpfObject['attach']>) {
      const link = attach.apply(this, args);
      links.push(link);
      return link;
    };
    const engine = createEngine({ plugins: [plugin], config: { mode: 'ebpf', cache: { enabled: false }, logLevel: 'silent', recovery: { attempts: 2, baseDelayMs: 1 } } });
    try {
      await engine.start();
      expect(links).toHaveLength(5);
      expect(source.detached()).toBeNull();
      expect(await engine.attemptRecovery()).toEqual({ recovered: [], failing: [] });
      links.find((l) => l.program === 'cpu_switch')?.destroy();
      expect(source.detached()).toBe('program cpu_switch of cpu-ebpf is no longer attached');
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
      BpfObject.prototype.attach = attach;
      await engine.close();
    }
  });
});
