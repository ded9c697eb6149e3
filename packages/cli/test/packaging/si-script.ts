// The script the consumer app runs for @bpfscope/si: its shared facade in strict eBPF mode,
// mem() and processes() from the installed packages, compared with what the kernel says.
/** Source of si.mjs, written into the consumer app. */
export const SI_MJS = `
import { totalmem } from 'node:os';
import { configure, mem, processes, shutdown } from '@bpfscope/si';

await configure({ config: { mode: 'ebpf', operationTimeoutMs: 30_000 } });
try {
  const m = await mem();
  const p = await processes();
  const me = p.list.find((x) => x.pid === process.pid);
  console.log(JSON.stringify({ ok: true, total: m.total === totalmem(), me: me && { parentPid: me.parentPid === process.ppid, name: me.name, command: me.command, params: me.params } }));
} catch (e) {
  console.log(JSON.stringify({ ok: false, code: e?.code, message: String(e) }));
} finally {
  await shutdown();
}
`;
