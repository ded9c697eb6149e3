import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { describeKernel } from '../../../test/real-kernel.js';

const BIN = fileURLToPath(new URL('../bin/bpfscope.js', import.meta.url));
const exec = promisify(execFile);

describeKernel('bpfscope command against the real kernel', () => {
  it('snapshot --json --mode ebpf --interval 300 reports cpu from eBPF over that interval', async () => {
    const { stdout } = await exec(process.execPath, [BIN, 'snapshot', '--json', '--mode', 'ebpf', '--interval', '300']);
    const json = JSON.parse(stdout) as { families: { cpu: { source: string; fallback: unknown; data: { intervalMs: number; total: { busyPercent: number }; runQueueLatency: { count: number } } } }; errors: unknown[] };
    expect(json.errors).toEqual([]);
    expect(json.families.cpu.source).toBe('ebpf');
    expect(json.families.cpu.fallback).toBeNull();
    expect(json.families.cpu.data.intervalMs).toBeGreaterThanOrEqual(300);
    expect(json.families.cpu.data.total.busyPercent).toBeGreaterThanOrEqual(0);
    expect(json.families.cpu.data.total.busyPercent).toBeLessThanOrEqual(100);
    expect(json.families.cpu.data.runQueueLatency.count).toBeGreaterThan(0);
  });

  it('doctor --json reports the attach types this kernel really has', async () => {
    const { stdout } = await exec(process.execPath, [BIN, 'doctor', '--json']);
    const r = JSON.parse(stdout) as { native: { loaded: boolean; libbpf: string }; btf: { available: boolean }; ebpfUsable: boolean; attachTypes: Record<string, { supported: boolean; error?: { code: string } }>; problems: Array<{ feature: string; remedy: string }> };
    expect(r.native.loaded).toBe(true);
    expect(r.native.libbpf).toMatch(/^1\.\d+/);
    expect(r.ebpfUsable).toBe(true);
    for (const k of ['tp_btf', 'raw_tp', 'iter', 'uprobe', 'perf_event']) expect(r.attachTypes[k]?.supported, k).toBe(true);
    // Probed, not assumed: on this kernel kprobe and fentry are refused, each with a reason.
    for (const k of ['kprobe', 'fentry']) {
      expect(r.attachTypes[k]?.supported, k).toBe(false);
      expect(r.attachTypes[k]?.error?.code).toMatch(/INCOMPATIBLE_KERNEL|ATTACH_FAILED|LOAD_FAILED/);
      expect(r.problems.some((p) => p.feature === `${k} attach` && p.remedy.length > 0)).toBe(true);
    }
  });

  it('snapshot --mode ebpf as an unprivileged user fails loudly with the permission error', async () => {
    const err = await exec('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, BIN, 'snapshot', '--mode', 'ebpf']).then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    );
    expect(err?.code).toBe(1);
    expect(err?.stderr).toMatch(/refused|permission/i);
    expect(err?.stderr).toContain('remedy:');
  });
});
