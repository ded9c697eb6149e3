import { expect, it } from 'vitest';
import { describeKernel } from '../../../test/real-kernel.js';
import { loadNative, probeAttachTypes, probeHelper, probeMapType, probeProgramType } from './index.js';
import { featureProbeRuns } from './probe-cache.js';

// Facts of the development and CI machines (Linux 6.18, BTF, root): see the
// brief in DESIGN.md. A machine without them fails these tests on purpose.
describeKernel('feature probes: program types, map types, helpers, attach types', () => {
  it('program types: tracing (via a tp_btf load), raw_tracepoint, perf_event and kprobe programs load here', () => {
    for (const type of ['tracing', 'raw_tracepoint', 'perf_event', 'kprobe', 'socket_filter']) {
      expect({ type, supported: probeProgramType(type) }).toEqual({ type, supported: true });
    }
  });

  it('map types: ringbuf, hash, percpu_array, lru_hash, array_of_maps are supported', () => {
    for (const type of ['ringbuf', 'hash', 'percpu_array', 'percpu_hash', 'lru_hash', 'array_of_maps']) {
      expect({ type, supported: probeMapType(type) }).toEqual({ type, supported: true });
    }
  });

  it('helpers: bpf_ringbuf_output is there for kprobe, tracing, raw_tracepoint and perf_event programs', () => {
    for (const type of ['kprobe', 'tracing', 'raw_tracepoint', 'perf_event']) {
      expect({ type, supported: probeHelper(type, 'bpf_ringbuf_output') }).toEqual({ type, supported: true });
    }
    expect(probeHelper('tracing', 'get_current_pid_tgid')).toBe(true); // without the bpf_ prefix
    expect(probeHelper('perf_event', 'bpf_perf_prog_read_value')).toBe(true);
  });

  it('helpers: a helper a program type may not call is reported unsupported (the verifier refuses it)', () => {
    // bpf_sys_bpf is for syscall programs only; bpf_perf_prog_read_value for perf_event programs only.
    expect(probeHelper('syscall', 'bpf_sys_bpf')).toBe(true);
    expect(probeHelper('kprobe', 'bpf_sys_bpf')).toBe(false);
    expect(probeHelper('tracing', 'bpf_sys_bpf')).toBe(false);
    expect(probeHelper('kprobe', 'bpf_perf_prog_read_value')).toBe(false);
    expect(probeHelper('socket_filter', 'bpf_perf_prog_read_value')).toBe(false);
  });

  it('unknown program types, map types and helpers are TypeErrors that list what is known', () => {
    expect(() => probeHelper('no_such_type', 'bpf_ringbuf_output')).toThrow(/unknown program type "no_such_type"; libbpf knows .*kprobe/);
    expect(() => probeHelper('kprobe', 'bpf_no_such_helper')).toThrow(/unknown BPF helper "bpf_no_such_helper"; the addon knows \d+ helpers/);
    expect(() => probeProgramType('nope')).toThrow(TypeError);
    expect(() => probeMapType('nope')).toThrow(TypeError);
    expect(loadNative().helperNames()).toContain('bpf_ringbuf_output');
  });

  it('every answer is computed once per process: the second call is served from the cache', async () => {
    const keys = ['prog:tracing', 'map:ringbuf', 'helper:kprobe:bpf_ringbuf_output', 'helper:tracing:bpf_ringbuf_output', 'attach-types'];
    probeProgramType('tracing');
    probeMapType('ringbuf');
    probeHelper('kprobe', 'bpf_ringbuf_output');
    probeHelper('tracing', 'ringbuf_output');
    const first = await probeAttachTypes();
    for (const key of keys) expect({ key, runs: featureProbeRuns()[key] }).toEqual({ key, runs: 1 });

    for (let i = 0; i < 3; i++) {
      expect(probeProgramType('tracing')).toBe(true);
      expect(probeMapType('ringbuf')).toBe(true);
      expect(probeHelper('kprobe', 'ringbuf_output')).toBe(true);
      expect(probeHelper('tracing', 'bpf_ringbuf_output')).toBe(true);
      expect(await probeAttachTypes()).toBe(first);
    }
    for (const key of keys) expect({ key, runs: featureProbeRuns()[key] }).toEqual({ key, runs: 1 });
    expect(first.tp_btf.supported).toBe(true);
  });
});
