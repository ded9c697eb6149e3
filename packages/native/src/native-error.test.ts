import { describe, expect, it, vi } from 'vitest';
import { AttachFailed, Closed, InsufficientPermissions, LoadFailed, MapOperationFailed } from '@bpfscope/core';
import { isNativeFailure, logTail, toBpfscopeError, type NativeFailure } from './native-error.js';

const privileged = vi.hoisted(() => ({ value: false as boolean | null, sysAdmin: undefined as boolean | undefined, bpfOnly: false }));
vi.mock('./privileges.js', () => ({
  hasFullBpfPrivileges: () => privileged.value,
  bpfCapabilities: () =>
    privileged.value === null
      ? { capabilities: null, reason: '/proc/self/status could not be read: EACCES' }
      : { capabilities: { effective: '0', CAP_BPF: privileged.value || privileged.bpfOnly, CAP_PERFMON: privileged.value, CAP_SYS_ADMIN: privileged.sysAdmin ?? privileged.value } },
}));

function failure(fields: Partial<NativeFailure>): NativeFailure {
  return Object.assign(new Error(fields.message ?? 'native'), {
    code: 'LOAD_FAILED' as const,
    op: 'bpf_object__load',
    errno: 0,
    log: '',
    nativeMessage: 'native',
    errnoText: '',
    ...fields,
  });
}

const load = { kind: 'load' as const, object: 'obj', sections: new Map([['prog_a', 'tp_btf/x']]) };

describe('toBpfscopeError', () => {
  it('rethrows what is not a native failure', () => {
    const bug = new TypeError('bug');
    expect(isNativeFailure(bug)).toBe(false);
    expect(() => toBpfscopeError(bug, load)).toThrow(bug);
  });

  it('names the failing program and its section from the libbpf log', () => {
    const e = toBpfscopeError(
      failure({ errno: 3, log: "libbpf: prog 'prog_a': failed to find kernel BTF type ID of 'x': -3\nlibbpf: failed to load object 'obj'\n" }),
      load,
    );
    expect(e).toBeInstanceOf(LoadFailed);
    expect(e.message).toBe("loading obj failed: program prog_a (tp_btf/x): failed to find kernel BTF type ID of 'x': -3");
    expect(e.details).toMatchObject({ program: 'prog_a', section: 'tp_btf/x' });
    expect(e.errno).toBe(3);
    expect(e.cause).toBeInstanceOf(Error);
  });

  it('keeps the last 60 lines of the log as verifierLog', () => {
    const log = Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n');
    const e = toBpfscopeError(failure({ errno: 22, log }), load) as LoadFailed;
    expect(e.verifierLog.split('\n')).toHaveLength(60);
    expect(e.verifierLog.endsWith('line 99')).toBe(true);
    expect(logTail('a\nb\n\n', 1)).toBe('b');
  });

  it('EPERM without privileges is InsufficientPermissions; with every capability it is the kernel refusing', () => {
    privileged.value = false;
    expect(toBpfscopeError(failure({ errno: 1 }), load)).toBeInstanceOf(InsufficientPermissions);
    privileged.value = true;
    const e = toBpfscopeError(failure({ errno: 1, log: "libbpf: prog 'prog_a': BPF program load failed: Operation not permitted" }), load);
    expect(e).toBeInstanceOf(LoadFailed);
    expect(e.message).toMatch(/EPERM although the process holds/);
    privileged.value = false;
  });

  it('EACCES with a verifier log is the verifier rejecting, not a permission problem', () => {
    const e = toBpfscopeError(failure({ errno: 13, log: "libbpf: prog 'prog_a': -- BEGIN PROG LOAD LOG --\ninvalid mem access\nprocessed 12 insns\n-- END PROG LOAD LOG --" }), load);
    expect(e).toBeInstanceOf(LoadFailed);
    expect(toBpfscopeError(failure({ errno: 13 }), load)).toBeInstanceOf(InsufficientPermissions);
  });

  it('attach failures carry program, attach point, errno and libbpf first line as the reason', () => {
    const e = toBpfscopeError(
      failure({ code: 'ATTACH_FAILED', op: 'bpf_program__attach', errno: 2, log: "libbpf: prog 'p': failed to attach to raw tracepoint 'nope': No such file or directory\n" }),
      { kind: 'attach', program: 'p', attachPoint: 'raw_tp/nope' },
    );
    expect(e).toBeInstanceOf(AttachFailed);
    expect(e.message).toBe("attaching p to raw_tp/nope failed: failed to attach to raw tracepoint 'nope': No such file or directory");
    expect(e).toMatchObject({ program: 'p', attachPoint: 'raw_tp/nope', errno: 2, op: 'bpf_program__attach' });
  });

  it('a uprobe refused to a process with CAP_BPF+CAP_PERFMON but not CAP_SYS_ADMIN is a permission problem naming CAP_SYS_ADMIN', () => {
    const uprobe = { kind: 'attach' as const, program: 'p', attachPoint: 'uprobe:/lib/libc.so.6:getpid' };
    const refused = failure({ code: 'ATTACH_FAILED', op: 'bpf_program__attach_uprobe_opts', errno: 13, log: "libbpf: prog 'p': failed to create uprobe perf event: Permission denied\n" });
    privileged.value = true;
    privileged.sysAdmin = false;
    try {
      const e = toBpfscopeError(refused, uprobe);
      expect(e).toBeInstanceOf(InsufficientPermissions);
      expect(e.details.needed).toEqual(['CAP_SYS_ADMIN']);
      expect(e.remedy).toMatch(/^A uprobe needs CAP_SYS_ADMIN: CAP_BPF and CAP_PERFMON are not enough/);
      // The same refusal of a tracepoint attach is not a capability problem for that process.
      expect(toBpfscopeError(refused, { kind: 'attach', program: 'p', attachPoint: 'raw_tp/x' })).not.toBeInstanceOf(InsufficientPermissions);
      privileged.sysAdmin = true;
      expect(toBpfscopeError(refused, uprobe)).toBeInstanceOf(AttachFailed);
    } finally {
      privileged.value = false;
      privileged.sysAdmin = undefined;
    }
  });

  it('a refusal names what the process lacks: CAP_PERFMON when it holds CAP_BPF alone, both (or CAP_SYS_ADMIN) when it holds neither', () => {
    const refused = failure({ errno: 1 });
    expect(toBpfscopeError(refused, load).message).toBe('load BPF object obj was refused: the process lacks CAP_BPF with CAP_PERFMON or CAP_SYS_ADMIN');
    privileged.bpfOnly = true;
    try {
      const e = toBpfscopeError(refused, load);
      expect(e.details.needed).toEqual(['CAP_PERFMON']);
      expect(e.message).toBe('load BPF object obj was refused: the process lacks CAP_PERFMON');
    } finally {
      privileged.bpfOnly = false;
    }
  });

  it('with capabilities unknown, an EPERM is reported as a permission problem that says they could not be read', () => {
    privileged.value = null;
    try {
      const e = toBpfscopeError(failure({ errno: 1 }), load);
      expect(e).toBeInstanceOf(InsufficientPermissions);
      expect(e.details.capabilitiesUnknown).toBe('/proc/self/status could not be read: EACCES');
      expect(e.message).not.toMatch(/although the process holds/);
    } finally {
      privileged.value = false;
    }
  });

  it('map failures and closed objects', () => {
    const map = { kind: 'map' as const, map: 'm', operation: 'lookup' };
    expect(toBpfscopeError(failure({ code: 'MAP_OPERATION_FAILED', errno: 22 }), map)).toBeInstanceOf(MapOperationFailed);
    const closed = toBpfscopeError(failure({ code: 'CLOSED' }), map);
    expect(closed).toBeInstanceOf(Closed);
    expect(closed.errno).toBeUndefined();
  });
});
