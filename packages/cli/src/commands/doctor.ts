import { checkSupport, ATTACH_KINDS, type SupportReport } from '@bpfscope/core';
import { isNativeAvailable, libbpfVersion, probeAttachTypes } from '@bpfscope/native';
import { gpuInventory } from '@bpfscope/plugin-gpu';
import { thermalSensorInventory } from '@bpfscope/plugin-thermal';
import { formatGpuInventory } from './format-gpu.js';
import { formatThermalInventory } from './format-thermal.js';
import { EXIT, type CliIo } from '../io.js';
import { paint, useColour, type Paint } from '../colour.js';

/** `bpfscope doctor`: what works here for eBPF, and how to fix what does not. @internal */
export async function doctor(options: { json: boolean; sysRoot: string }, io: CliIo): Promise<number> {
  const report = await checkSupport({ native: { isNativeAvailable, libbpfVersion, probeAttachTypes } });
  // What the hardware families find here (sources beyond eBPF and procfs).
  const thermal = thermalSensorInventory(options.sysRoot);
  const gpu = gpuInventory({ sysRoot: options.sysRoot });
  io.stdout.write(
    options.json
      ? `${JSON.stringify({ ...report, thermal, gpu }, null, 2)}\n`
      : `${formatReport(report, paint(useColour(io.stdout)))}\n  thermal sensors: ${formatThermalInventory(thermal)}\n  gpu sources:\n    ${formatGpuInventory(gpu)}\n`,
  );
  return EXIT.ok;
}

/**
 * The report as text: one line per check, one line per attach type with the cause of a
 * failure, then each remedy once with the problems it fixes.
 * @internal
 */
export function formatReport(r: SupportReport, p: Paint): string {
  const mark = (ok: boolean | null): string => (ok === null ? p.yellow('?') : ok ? p.green('ok') : p.red('NO'));
  const unknown = (field: keyof SupportReport['unavailable'], otherwise: string): string => {
    const why = r.unavailable[field];
    return why === undefined ? otherwise : `unknown: ${why}`;
  };
  const caps = r.capabilities;
  const lines = [
    p.bold('bpfscope doctor'),
    '',
    `  platform            ${r.platform}-${r.arch}, kernel ${r.kernel}`,
    `  kernel BTF          ${mark(r.btf.available)}  ${r.btf.path}`,
    `  capabilities        ${unknown('capabilities', `CAP_BPF ${mark(caps.CAP_BPF)}, CAP_PERFMON ${mark(caps.CAP_PERFMON)}, CAP_SYS_ADMIN ${mark(caps.CAP_SYS_ADMIN)}`)}`,
    `  unprivileged bpf    ${unknown('unprivilegedBpfDisabled', r.unprivilegedBpfDisabled === 0 ? 'allowed' : `disabled (${r.unprivilegedBpfDisabled})`)}`,
    `  lockdown            ${unknown('lockdown', r.lockdown ?? '')}`,
    `  tracefs             ${unknown('tracefs', r.tracefs ?? 'not mounted')}`,
    `  bpffs               ${unknown('bpffs', r.bpffs ?? 'not mounted')}`,
    `  native addon        ${r.native.loaded ? `ok, libbpf ${r.native.libbpf}` : `NO: ${r.native.error?.message ?? ''}`}`,
    '',
    '  attach types (each probed by loading and attaching a program):',
    ...ATTACH_KINDS.map((k) => {
      const a = r.attachTypes[k];
      if (!a) return `    ${k.padEnd(11)} not probed`;
      if (a.supported) return `    ${k.padEnd(11)} ${p.green('ok')}`;
      return `    ${k.padEnd(11)} ${p.red('NO')}  ${a.cause ?? a.error?.code ?? ''}: ${a.error?.message ?? ''}`;
    }),
    '',
    `  eBPF usable: ${r.ebpfUsable ? 'yes' : 'no (bpfscope will use its procfs/sysfs fallbacks)'}`,
  ];
  // One remedy often fixes many problems (a missing capability fails every attach type):
  // each is printed once, after the problems it fixes.
  const byRemedy = new Map<string, string[]>();
  for (const q of r.problems) byRemedy.set(q.remedy, [...(byRemedy.get(q.remedy) ?? []), q.feature]);
  if (byRemedy.size > 0) {
    lines.push('', '  remedies:');
    for (const [remedy, features] of byRemedy) lines.push(`    - ${features.map((f) => p.red(f)).join(', ')}:`, `      ${remedy}`);
  }
  return `${lines.join('\n')}\n`;
}
