import { describe, expect, it } from 'vitest';
import { AttachFailed, IncompatibleKernel, InsufficientPermissions, LoadFailed, NativeUnavailable } from '@bpfscope/core';
import { attachCause, type AttachEnvironment, type AttachProbeSpec } from './attach-cause.js';

const env: AttachEnvironment = { tracefsMounted: false, kprobePmu: false, fullPrivileges: true, kernelRelease: '6.18.44-fc' };
const spec = (kind: AttachProbeSpec['kind'], minimumKernel = '4.1'): AttachProbeSpec => ({ kind, program: `probe_${kind}`, attachPoint: `${kind}/x`, feature: `${kind} attach`, minimumKernel });
const noEntry = new AttachFailed('p', 'x', 'No such file or directory', { errno: 2, op: 'bpf_program__attach' });
const eperm = new LoadFailed('bpfscope_probe', 'BPF program load failed: Operation not permitted', '', { errno: 1, op: 'bpf_object__load' });

describe('attachCause', () => {
  it('tracepoint without tracefs: tracefs-not-mounted, with the mount command, not a kernel version', () => {
    const { cause, error } = attachCause(spec('tracepoint', '4.7'), noEntry, env);
    expect(cause).toBe('tracefs-not-mounted');
    expect(error).toBeInstanceOf(AttachFailed);
    expect(error.message).toBe("attaching probe_tracepoint to tracepoint/x failed: tracefs is not mounted, so the tracepoint's event id cannot be read");
    expect(error.remedy).toMatch(/mount -t tracefs tracefs \/sys\/kernel\/tracing/);
    expect(error.message).not.toMatch(/needs Linux/);
    expect(error.cause).toBe(noEntry);
    // With tracefs mounted the same failure is not blamed on tracefs.
    expect(attachCause(spec('tracepoint', '4.7'), noEntry, { ...env, tracefsMounted: true }).cause).toBe('other');
  });

  it('kprobe without a kprobe PMU: the kernel was built without CONFIG_KPROBES', () => {
    const { cause, error } = attachCause(spec('kprobe'), noEntry, env);
    expect(cause).toBe('kernel-config');
    expect(error.message).toMatch(/built without CONFIG_KPROBES \(it has no kprobe PMU: \/sys\/bus\/event_source\/devices\/kprobe is missing\)$/);
    expect(error.remedy).toMatch(/CONFIG_KPROBES=y/);
    expect(attachCause(spec('kprobe'), noEntry, { ...env, kprobePmu: true }).cause).toBe('other');
  });

  it('EPERM while holding every capability: the kernel refuses, which is not its version', () => {
    const { cause, error } = attachCause(spec('fentry', '5.5'), eperm, env);
    expect(cause).toBe('kernel-refuses');
    expect(error.message).toMatch(/the kernel refuses fentry attach \(EPERM at load\) although this process holds CAP_BPF\+CAP_PERFMON or CAP_SYS_ADMIN/);
    expect(error.message).not.toMatch(/needs Linux/);
    expect(error.errno).toBe(1);
    // Capabilities unknown: not claimed as a kernel refusal.
    expect(attachCause(spec('fentry', '5.5'), eperm, { ...env, fullPrivileges: null }).cause).toBe('other');
  });

  it('a kernel older than the feature: kernel-version, with the minimum', () => {
    const { cause, error } = attachCause(spec('fentry', '5.5'), eperm, { ...env, kernelRelease: '5.4.0-150-generic' });
    expect(cause).toBe('kernel-version');
    expect(error).toBeInstanceOf(IncompatibleKernel);
    expect(error.message).toBe('fentry attach is not supported by this kernel (needs Linux 5.5 or newer with it enabled)');
    expect(attachCause(spec('fentry', '5.5'), eperm, { ...env, kernelRelease: '5.10.0' }).cause).toBe('kernel-refuses');
  });

  it('a refused capability is a privilege problem, whatever the kernel; the error is kept as it is', () => {
    const refused = new InsufficientPermissions('load BPF object bpfscope_probe', ['CAP_BPF', 'CAP_SYS_ADMIN']);
    for (const kind of ['tp_btf', 'tracepoint', 'kprobe', 'fentry'] as const) {
      expect(attachCause(spec(kind), refused, { ...env, fullPrivileges: false })).toEqual({ cause: 'privilege', error: refused });
    }
  });

  it('other failures keep the kernel\'s own error; an addon that does not load stays NativeUnavailable', () => {
    expect(attachCause(spec('raw_tp'), noEntry, env)).toEqual({ cause: 'other', error: noEntry });
    const missing = new NativeUnavailable(['/x'], 'nope');
    expect(attachCause(spec('raw_tp'), missing, env)).toEqual({ cause: 'other', error: missing });
  });
});
