import { existsSync } from 'node:fs';

/** The remedy for a `tracepoint/...` program on a machine without tracefs. @internal */
export const TRACEFS_REMEDY =
  'tracepoint programs (SEC("tracepoint/<category>/<name>")) need tracefs to find the event id: mount -t tracefs tracefs /sys/kernel/tracing. ' +
  'tp_btf and raw_tp programs need no tracefs: use SEC("tp_btf/<name>") or SEC("raw_tp/<name>") for the same tracepoint.';

/** Where tracefs shows its events, if mounted (the two places libbpf looks). @internal */
export function tracefsEventsDir(): string | undefined {
  return ['/sys/kernel/tracing/events', '/sys/kernel/debug/tracing/events'].find((d) => existsSync(d));
}

/** Whether an ELF section names a tracefs tracepoint (`tracepoint/...` or `tp/...`), as libbpf reads it. @internal */
export function isTracefsSection(section: string): boolean {
  return /^(tracepoint|tp)\//.test(section);
}
