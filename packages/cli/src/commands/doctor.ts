import { checkSupport, ATTACH_KINDS, type SupportReport } from '@bpfscope/core';
import { isNativeAvailable, libbpfVersion, probeAttachTypes } from '@bpfscope/native';
import { EXIT, type CliIo } from '../io.js';
import { paint, useColour, type Paint } from '../colour.js';

/** `bpfscope doctor`: what works here for eBPF, and how to fix what does not. @internal */
export async function doctor(options: { json: boolean }, io: CliIo): Promise<number> {
  const report = await checkSupport({ native: { isNativeAvailable, libbpfVersion, probeAttachTypes } });
  io.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report, paint(useColour(io.stdout))));
  return EXIT.ok;
}

function formatReport(r: SupportReport, p: Paint): string {
  const mark = (ok: boolean | null): string => (ok === null ? p.yellow('?') : ok ? p.green('ok') : p.red('NO'));
  const lines = [
    p.bold('bpfscope doctor'),
    '',
    `  platform            ${r.platform}-${r.arch}, kernel ${r.kernel}`,
    `  kernel BTF          ${mark(r.btf.available)}  ${r.btf.path}`,
    `  capabilities        CAP_BPF ${mark(r.capabilities.CAP_BPF)}, CAP_PERFMON ${mark(r.capabilities.CAP_PERFMON)}, CAP_SYS_ADMIN ${mark(r.capabilities.CAP_SYS_ADMIN)}`,
    `  unprivileged bpf    ${r.unprivilegedBpfDisabled === null ? 'unknown' : r.unprivilegedBpfDisabled === 0 ? 'allowed' : `disabled (${r.unprivilegedBpfDisabled})`}`,
    `  lockdown            ${r.lockdown ?? 'unknown (securityfs not readable)'}`,
    `  tracefs             ${r.tracefs ?? 'not mounted'}`,
    `  bpffs               ${r.bpffs ?? 'not mounted'}`,
    `  native addon        ${r.native.loaded ? `ok, libbpf ${r.native.libbpf}` : `NO: ${r.native.error?.message ?? ''}`}`,
    '',
    '  attach types (each probed by loading and attaching a program):',
    ...ATTACH_KINDS.map((k) => {
      const a = r.attachTypes[k];
      return `    ${k.padEnd(11)} ${a ? (a.supported ? p.green('ok') : `${p.red('NO')}  ${a.error?.code ?? ''}: ${a.error?.message ?? ''}`) : 'not probed'}`;
    }),
    '',
    `  eBPF usable: ${r.ebpfUsable ? 'yes' : 'no (bpfscope will use its procfs/sysfs fallbacks)'}`,
  ];
  if (r.problems.length > 0) {
    lines.push('', '  problems and remedies:');
    for (const q of r.problems) lines.push(`    - ${p.red(q.feature)}: ${q.message}`, `      remedy: ${q.remedy}`);
  }
  return `${lines.join('\n')}\n`;
}
