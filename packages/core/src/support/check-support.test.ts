import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { IncompatibleKernel, NativeUnavailable } from '../errors/taxonomy.js';
import { checkSupport } from './check-support.js';
import type { NativeSupportProvider } from './support-report.js';

const fixture = (name: string) => {
  const root = fileURLToPath(new URL(`../../test/fixtures/support/${name}`, import.meta.url));
  return { procRoot: `${root}/proc`, sysRoot: `${root}/sys` };
};

const kprobeMissing = new IncompatibleKernel('kprobe attach', '4.1');
const provider: NativeSupportProvider = {
  isNativeAvailable: () => ({ ok: true }),
  libbpfVersion: () => '1.1',
  probeAttachTypes: async () => ({ tp_btf: { supported: true }, raw_tp: { supported: true }, kprobe: { supported: false, error: kprobeMissing } }),
};

describe('checkSupport', () => {
  it('a root process on a kernel with BTF: usable, every probe reported, missing attach types as problems', async () => {
    const r = await checkSupport({ native: provider, ...fixture('root-vm') });
    expect(r.btf.available).toBe(true);
    expect(r.capabilities).toMatchObject({ CAP_BPF: true, CAP_PERFMON: true, CAP_SYS_ADMIN: true });
    expect(r.unprivilegedBpfDisabled).toBe(2);
    expect(r.bpffs).toBe('/sys/fs/bpf');
    expect(r.tracefs).toBeNull();
    expect(r.unavailable.tracefs).toBeUndefined(); // read, and not mounted
    expect(r.native).toEqual({ loaded: true, libbpf: '1.1' });
    expect(r.attachTypes.kprobe).toEqual({ supported: false, error: { code: 'INCOMPATIBLE_KERNEL', message: kprobeMissing.message, remedy: kprobeMissing.remedy } });
    expect(r.ebpfUsable).toBe(true);
    expect(r.problems.map((p) => p.feature)).toEqual(['kprobe attach']);
  });

  it('an unprivileged process without BTF: not usable, each missing piece with its remedy', async () => {
    const r = await checkSupport({ native: provider, ...fixture('nobody-no-btf') });
    expect(r.capabilities).toMatchObject({ effective: '0000000000000000', CAP_BPF: false, CAP_SYS_ADMIN: false });
    expect(r.btf.available).toBe(false);
    expect(r.ebpfUsable).toBe(false);
    const byCode = Object.fromEntries(r.problems.map((p) => [p.code, p]));
    expect(byCode.BTF_UNAVAILABLE?.remedy).toMatch(/CONFIG_DEBUG_INFO_BTF/);
    expect(byCode.INSUFFICIENT_PERMISSIONS?.remedy).toMatch(/AmbientCapabilities=.*--cap-add BPF --cap-add PERFMON.*dedicated copy of node/);
    expect(byCode.INSUFFICIENT_PERMISSIONS?.remedy).not.toMatch(/which node/);
    expect(r.unavailable).toEqual({ lockdown: expect.stringMatching(/lockdown could not be read: ENOENT/) });
  });

  it('an addon that does not load is reported with its code and no attach probes', async () => {
    const err = new NativeUnavailable(['/x/prebuilds/linux-x64'], 'libbpf.so.1: cannot open shared object file');
    const r = await checkSupport({ native: { ...provider, isNativeAvailable: () => ({ ok: false, error: err }) }, ...fixture('root-vm') });
    expect(r.native.loaded).toBe(false);
    expect(r.native.error?.code).toBe('NATIVE_UNAVAILABLE');
    expect(r.attachTypes).toEqual({});
    expect(r.ebpfUsable).toBe(false);
    expect(r.problems.find((p) => p.code === 'NATIVE_UNAVAILABLE')?.message).toContain('libbpf.so.1');
  });

  it('nobody with ambient CAP_BPF+CAP_PERFMON: privileged enough, no capability problem', async () => {
    const r = await checkSupport({ native: provider, ...fixture('nobody-bpf-perfmon') });
    expect(r.capabilities).toEqual({ effective: '000000c000000000', CAP_BPF: true, CAP_PERFMON: true, CAP_SYS_ADMIN: false });
    expect(r.problems.map((p) => p.feature)).toEqual(['kprobe attach']);
    expect(r.ebpfUsable).toBe(true);
  });

  it('what cannot be read is unknown with the reason, never "none" or "not mounted"', async () => {
    const root = fileURLToPath(new URL('../../test/fixtures/support/no-such-root', import.meta.url));
    const r = await checkSupport({ native: provider, procRoot: `${root}/proc`, sysRoot: `${root}/sys` });
    expect(r.capabilities).toEqual({ effective: null, CAP_BPF: null, CAP_PERFMON: null, CAP_SYS_ADMIN: null });
    expect(r.unavailable.capabilities).toBe(`${root}/proc/self/status could not be read: ENOENT: no such file or directory, open '${root}/proc/self/status'`);
    expect(r.unavailable.bpffs).toBe(`the mount table ${root}/proc/mounts is unavailable: ENOENT: no such file or directory, open '${root}/proc/mounts'`);
    expect(r.unavailable.tracefs).toBe(r.unavailable.bpffs);
    expect(r.unavailable.unprivilegedBpfDisabled).toMatch(/unprivileged_bpf_disabled could not be read: ENOENT/);
    expect(r.bpffs).toBeNull();
    expect(r.unprivilegedBpfDisabled).toBeNull();
    // Unknown capabilities are not reported as missing ones; the attach probes decide usability.
    expect(r.problems.some((p) => p.code === 'INSUFFICIENT_PERMISSIONS')).toBe(false);
    expect(r.ebpfUsable).toBe(true);
  });

  it('BTF that is there but cannot be read is not reported as missing', async () => {
    // A sys root that is a file: every path below it fails with ENOTDIR, not ENOENT.
    const file = fileURLToPath(new URL('../../test/fixtures/support/README.md', import.meta.url));
    const r = await checkSupport({ native: provider, procRoot: fixture('root-vm').procRoot, sysRoot: file });
    expect(r.btf.available).toBe(false);
    expect(r.problems.find((p) => p.code === 'BTF_UNAVAILABLE')?.message).toBe(`${file}/kernel/btf/vmlinux could not be read: ENOTDIR`);
  });
});
