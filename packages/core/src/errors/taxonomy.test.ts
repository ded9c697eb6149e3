import { describe, expect, it } from 'vitest';
import { BpfscopeError, isBpfscopeError } from './bpfscope-error.js';
import * as T from './taxonomy.js';

const samples: Array<[BpfscopeError, string]> = [
  [new T.UnsupportedPlatform('darwin-arm64'), 'UNSUPPORTED_PLATFORM'],
  [new T.InsufficientPermissions('load BPF program', ['CAP_BPF', 'CAP_SYS_ADMIN'], { errno: 1 }), 'INSUFFICIENT_PERMISSIONS'],
  [new T.IncompatibleKernel('fentry attach', '5.5'), 'INCOMPATIBLE_KERNEL'],
  [new T.BtfUnavailable(['/sys/kernel/btf/vmlinux']), 'BTF_UNAVAILABLE'],
  [new T.NativeUnavailable(['prebuilds/linux-x64'], 'libbpf.so.1: cannot open shared object file'), 'NATIVE_UNAVAILABLE'],
  [new T.LoadFailed('cpu.bpf.o', 'Permission denied', 'R1 invalid mem access'), 'LOAD_FAILED'],
  [new T.AttachFailed('cpu_switch', 'tp_btf/sched_switch', 'No such file', { errno: 2, op: 'bpf_program__attach' }), 'ATTACH_FAILED'],
  [new T.MapOperationFailed('cpu_times', 'lookup', 'wrong key size'), 'MAP_OPERATION_FAILED'],
  [new T.EventProcessingFailed('truncated record'), 'EVENT_PROCESSING_FAILED'],
  [new T.ConfigError('mode', 'x', '"auto"'), 'CONFIG_ERROR'],
  [new T.Timeout('cpu-ebpf read', 1000), 'TIMEOUT'],
  [new T.Closed('engine'), 'CLOSED'],
  [new T.DataUnavailable('/proc/pressure/cpu', 'PSI disabled'), 'DATA_UNAVAILABLE'],
];

describe('error taxonomy', () => {
  it.each(samples)('%s has its stable code, a remedy and its class name', (e, code) => {
    expect(e).toBeInstanceOf(BpfscopeError);
    expect(e).toBeInstanceOf(Error);
    expect(e.code).toBe(code);
    expect(e.remedy.length).toBeGreaterThan(10);
    expect(e.name).toBe(e.constructor.name);
    expect(isBpfscopeError(e)).toBe(true);
    expect(e.toJSON()).toMatchObject({ code, message: e.message, remedy: e.remedy });
  });

  it('keeps cause, errno and op, and puts the feature and kernel in the message', () => {
    const cause = new Error('EPERM');
    const e = new T.IncompatibleKernel('fentry attach', '5.5', { cause, errno: 524, op: 'bpf_program__attach' });
    expect(e.cause).toBe(cause);
    expect(e.errno).toBe(524);
    expect(e.op).toBe('bpf_program__attach');
    expect(e.message).toContain('fentry attach');
    expect(e.message).toContain('5.5');
    expect(e.details).toMatchObject({ feature: 'fentry attach', minimumKernel: '5.5' });
  });

  it('default remedies are for an npm user: a repository command only as the remedy of a clone of the repository', () => {
    for (const [e] of samples) {
      for (const m of e.remedy.matchAll(/npm run [\w:]+/g)) {
        expect({ error: e.name, command: m[0], forAClone: /clone of the repository[^.]*$/.test(e.remedy.slice(0, m.index)) }).toEqual({ error: e.name, command: m[0], forAClone: true });
      }
    }
    expect(new T.LoadFailed('cpu.bpf.o', 'x', '').remedy).toContain('reinstall that package');
    expect(new T.NativeUnavailable([], 'x').remedy).toContain('reinstall @bpfscope/native');
  });

  it('does not take plain errors for taxonomy errors', () => {
    expect(isBpfscopeError(new Error('x'))).toBe(false);
    expect(isBpfscopeError({ code: 'X', remedy: 'y' })).toBe(false);
  });
});
