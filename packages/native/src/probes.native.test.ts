import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { AttachFailed, LoadFailed, type AttachKind } from '@bpfscope/core';
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
    // Refused here for a real cause each, never blamed on the kernel's version.
    const kprobePmu = existsSync('/sys/bus/event_source/devices/kprobe');
    expect(result.kprobe.supported).toBe(false);
    if (!kprobePmu) {
      expect(result.kprobe.cause).toBe('kernel-config');
      expect(result.kprobe.error?.message).toMatch(/built without CONFIG_KPROBES/);
    }
    expect(result.fentry).toMatchObject({ supported: false, cause: 'kernel-refuses' });
    expect(result.fentry.error).toBeInstanceOf(AttachFailed);
    expect(result.fentry.error?.cause).toBeInstanceOf(LoadFailed);
    for (const kind of ['kprobe', 'fentry'] as const) expect(result[kind].error?.message).not.toMatch(/needs Linux/);
  });

  it('probeAttachTypes: tracepoint works exactly when tracefs is mounted', async () => {
    const tracefs = existsSync('/sys/kernel/tracing/events') || existsSync('/sys/kernel/debug/tracing/events');
    const { tracepoint } = await probeAttachTypes();
    expect(tracepoint.supported).toBe(tracefs);
    if (!tracefs) {
      expect(tracepoint.cause).toBe('tracefs-not-mounted');
      expect(tracepoint.error).toBeInstanceOf(AttachFailed);
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
