import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, expect, it } from 'vitest';
import type { SupportReport } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { BPF_CAPS, requireReadableByNobody, runAsNobody } from '../../../test/unprivileged.js';

const BIN = fileURLToPath(new URL('../bin/bpfscope.js', import.meta.url));
const exec = promisify(execFile);

// What this machine has decides what each line must say (measured here, not assumed).
const tracefs = existsSync('/sys/kernel/tracing/events') || existsSync('/sys/kernel/debug/tracing/events');
const kprobePmu = existsSync('/sys/bus/event_source/devices/kprobe');

/** How often `needle` occurs in `text`. */
const occurrences = (text: string, needle: string): number => text.split(needle).length - 1;

/** Every remedy of the report occurs exactly once in the text. */
function expectEachRemedyOnce(report: SupportReport, text: string): void {
  const remedies = new Set(report.problems.map((p) => p.remedy));
  expect(remedies.size).toBeGreaterThan(0);
  for (const remedy of remedies) expect(occurrences(text, remedy), remedy).toBe(1);
}

/** The attach-type line of `kind` in the text report. */
const lineOf = (text: string, kind: string): string => text.split('\n').find((l) => l.startsWith(`    ${kind.padEnd(11)} `)) ?? '';

describeKernel('bpfscope doctor names the real cause of each failure, each remedy once', () => {
  beforeAll(() => requireReadableByNobody([BIN]));

  it('as root: tracepoint, kprobe and fentry fail for their real causes, not the kernel version', async () => {
    const report = JSON.parse((await exec(process.execPath, [BIN, 'doctor', '--json'])).stdout) as SupportReport;
    const text = (await exec(process.execPath, [BIN, 'doctor'])).stdout;
    const { tracepoint, kprobe, fentry } = report.attachTypes;
    if (tracefs) expect(tracepoint?.supported).toBe(true);
    else {
      expect(tracepoint).toMatchObject({ supported: false, cause: 'tracefs-not-mounted' });
      expect(tracepoint?.error?.remedy).toMatch(/mount -t tracefs/);
      expect(lineOf(text, 'tracepoint')).toMatch(/^ {4}tracepoint {2}NO {2}tracefs-not-mounted: .*tracefs is not mounted/);
    }
    if (!kprobePmu) {
      expect(kprobe).toMatchObject({ supported: false, cause: 'kernel-config' });
      expect(lineOf(text, 'kprobe')).toMatch(/NO {2}kernel-config: .*built without CONFIG_KPROBES/);
    }
    // fentry is refused on this kernel (a fact of the development and CI machines).
    expect(fentry).toMatchObject({ supported: false, cause: 'kernel-refuses' });
    expect(lineOf(text, 'fentry')).toMatch(/NO {2}kernel-refuses: .*the kernel refuses fentry/);
    expect(text).not.toMatch(/needs Linux/);
    expectEachRemedyOnce(report, text);
  });

  it('as nobody without capabilities: every attach type fails for privilege, and the remedy is printed once', async () => {
    const json = await runAsNobody([process.execPath, BIN, 'doctor', '--json']);
    const text = await runAsNobody([process.execPath, BIN, 'doctor']);
    expect([json.code, text.code]).toEqual([0, 0]);
    const report = JSON.parse(json.stdout) as SupportReport;
    expect(report.capabilities).toEqual({ effective: '0000000000000000', CAP_BPF: false, CAP_PERFMON: false, CAP_SYS_ADMIN: false });
    for (const [kind, p] of Object.entries(report.attachTypes)) {
      expect({ kind, supported: p.supported, cause: p.cause, code: p.error?.code }).toEqual({ kind, supported: false, cause: 'privilege', code: 'INSUFFICIENT_PERMISSIONS' });
      expect(lineOf(text.stdout, kind)).toMatch(/NO {2}privilege: /);
    }
    expect(Object.keys(report.attachTypes)).toHaveLength(8);
    // Nine problems (the capabilities and eight attach types), one remedy.
    expect(report.problems.filter((p) => p.code === 'INSUFFICIENT_PERMISSIONS')).toHaveLength(9);
    expectEachRemedyOnce(report, text.stdout);
    expect(new Set(report.problems.map((p) => p.remedy)).size).toBe(1);
    expect(text.stdout).not.toMatch(/which node/);
  });

  it('as nobody with ambient CAP_BPF and CAP_PERFMON: the families\' attach types work; uprobe is refused for CAP_SYS_ADMIN, not the kernel', async () => {
    const json = await runAsNobody([process.execPath, BIN, 'doctor', '--json'], BPF_CAPS);
    const text = await runAsNobody([process.execPath, BIN, 'doctor'], BPF_CAPS);
    const report = JSON.parse(json.stdout) as SupportReport;
    expect(report.capabilities).toEqual({ effective: '000000c000000000', CAP_BPF: true, CAP_PERFMON: true, CAP_SYS_ADMIN: false });
    for (const kind of ['tp_btf', 'raw_tp', 'iter', 'perf_event'] as const) expect(report.attachTypes[kind], kind).toEqual({ supported: true });
    expect(report.attachTypes.uprobe).toMatchObject({ supported: false, cause: 'privilege', error: { code: 'INSUFFICIENT_PERMISSIONS' } });
    expect(report.attachTypes.uprobe?.error?.message).toMatch(/lacks CAP_SYS_ADMIN$/);
    expect(lineOf(text.stdout, 'uprobe')).toMatch(/NO {2}privilege: .*lacks CAP_SYS_ADMIN/);
    expect(report.attachTypes.fentry?.cause).toBe('kernel-refuses');
    expect(report.ebpfUsable).toBe(true);
    expect(report.problems.some((p) => p.feature === 'capabilities')).toBe(false);
    expectEachRemedyOnce(report, text.stdout);
  });
});
