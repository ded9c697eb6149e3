import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { AttachFailed, IncompatibleKernel, type AttachKind } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { libbpfVersion, possibleCpus, probeAttachTypes, probeMapType, probeProgramType } from './index.js';

/** Counts the CPUs of a list like `0-3,8-11`. */
function countCpuList(list: string): number {
  return list
    .trim()
    .split(',')
    .reduce((n, part) => {
      const [a, b] = part.split('-').map(Number);
      return n + (b === undefined ? 1 : b - (a ?? 0) + 1);
    }, 0);
}

describeKernel('feature probes against the kernel', () => {
  it('probeAttachTypes: tp_btf, raw_tp, iter, uprobe and perf_event work here; kprobe and fentry do not', async () => {
    const result = await probeAttachTypes();
    for (const kind of ['tp_btf', 'raw_tp', 'iter', 'uprobe', 'perf_event'] as const) {
      expect({ kind, ...result[kind], error: result[kind].error?.message }).toEqual({ kind, supported: true, error: undefined });
    }
    for (const kind of ['kprobe', 'fentry'] as const) {
      const { supported, error } = result[kind];
      expect(supported).toBe(false);
      expect(error instanceof IncompatibleKernel || error instanceof AttachFailed).toBe(true);
      if (error instanceof IncompatibleKernel) {
        expect(error.feature).toContain(kind);
        expect(error.minimumKernel).toBe(kind === 'kprobe' ? '4.1' : '5.5');
        expect(error.cause).toBeInstanceOf(Error);
        expect(error.details.reason).toEqual(expect.any(String));
      }
    }
  });

  it('probeAttachTypes: tracepoint works exactly when tracefs is mounted', async () => {
    const tracefs = existsSync('/sys/kernel/tracing/events') || existsSync('/sys/kernel/debug/tracing/events');
    const { tracepoint } = await probeAttachTypes();
    expect(tracepoint.supported).toBe(tracefs);
    if (!tracefs) {
      expect(tracepoint.error).toBeInstanceOf(IncompatibleKernel);
      expect(tracepoint.error?.remedy).toMatch(/mount -t tracefs/);
      expect(tracepoint.error?.details.tracefsMounted).toBe(false);
    }
  });

  it('probeAttachTypes covers every attach kind and is computed once per process', async () => {
    const first = await probeAttachTypes();
    const kinds: AttachKind[] = ['tp_btf', 'raw_tp', 'tracepoint', 'kprobe', 'fentry', 'uprobe', 'iter', 'perf_event'];
    expect(Object.keys(first).sort()).toEqual([...kinds].sort());
    expect(await probeAttachTypes()).toBe(first);
  });

  it('libbpfVersion matches the installed libbpf', () => {
    const version = libbpfVersion();
    expect(version).toMatch(/^\d+\.\d+$/);
    let installed: string | undefined;
    try {
      installed = execFileSync('pkg-config', ['--modversion', 'libbpf'], { encoding: 'utf8' }).trim();
    } catch {
      installed = undefined; // no pkg-config: nothing to compare with
    }
    if (installed !== undefined) expect(installed.startsWith(`${version}.`) || installed === version).toBe(true);
  });

  it('possibleCpus matches /sys/devices/system/cpu/possible', () => {
    expect(possibleCpus()).toBe(countCpuList(readFileSync('/sys/devices/system/cpu/possible', 'utf8')));
  });

  it('probeProgramType and probeMapType answer from the kernel and refuse unknown names', () => {
    expect(probeProgramType('raw_tracepoint')).toBe(true);
    expect(probeProgramType('perf_event')).toBe(true);
    expect(probeMapType('hash')).toBe(true);
    expect(probeMapType('percpu_array')).toBe(true);
    expect(probeMapType('ringbuf')).toBe(true); // Linux 5.8+
    expect(() => probeProgramType('no_such_type')).toThrow(/unknown program type "no_such_type"; libbpf knows .*kprobe/);
    expect(() => probeMapType('no_such_type')).toThrow(/unknown map type/);
  });
});
