// bpfscope serve in fallback mode (no eBPF): the endpoints, content negotiation, a clear
// error for a port already taken, and a clean stop.
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { serve, type ServeOptions } from './commands/serve.js';

const OPTIONS: ServeOptions = { port: 0, host: '127.0.0.1', families: ['cpu', 'mem'], mode: 'fallback', detail: [], maxDetailEntities: undefined, dropPrivileges: false };

function buffers(): { io: { stdout: { write(s: string): void }; stderr: { write(s: string): void } }; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { io: { stdout: { write: (s) => void (out += s) }, stderr: { write: (s) => void (err += s) } }, out: () => out, err: () => err };
}

/** Starts serve and waits for its "listening on" line; returns the base URL and the run's end. */
async function started(options: ServeOptions, stop: AbortSignal): Promise<{ base: string; done: Promise<number>; b: ReturnType<typeof buffers> }> {
  const b = buffers();
  const done = serve(options, b.io, stop);
  for (;;) {
    const m = /listening on (http:\/\/[^/]+)\/metrics/.exec(b.out());
    if (m) return { base: m[1]!, done, b };
    const early = await Promise.race([done, new Promise<null>((r) => setTimeout(() => r(null), 20))]);
    if (early !== null) throw new Error(`serve ended with ${early}: ${b.err()}`);
  }
}

let blocker: Server | null = null;
afterEach(() => {
  blocker?.close();
  blocker = null;
});

describe('bpfscope serve', () => {
  it('answers /metrics in the negotiated format, /healthz with the families up, other paths with 404, and stops cleanly', async () => {
    const stop = new AbortController();
    const { base, done, b } = await started(OPTIONS, stop.signal);
    const text = await fetch(`${base}/metrics`);
    expect(text.status).toBe(200);
    expect(text.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const body = await text.text();
    expect(body).toMatch(/^bpfscope_family_up_ratio\{bpfscope_family="cpu",bpfscope_source="procfs"\} 1$/m);
    expect(body).toMatch(/^# TYPE bpfscope_system_cpu_time_seconds_total counter$/m);
    const om = await fetch(`${base}/metrics`, { headers: { accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5' } });
    expect(om.headers.get('content-type')).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    const omBody = await om.text();
    expect(omBody.endsWith('# EOF\n')).toBe(true);
    expect(omBody).toMatch(/^# TYPE bpfscope_system_cpu_time_seconds counter$/m);
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(health.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await health.json()).toEqual({ status: 'ok', families: { cpu: { up: true, source: 'procfs', rejected: ['cpu-ebpf: DATA_UNAVAILABLE'] }, mem: { up: true, source: 'procfs', rejected: ['mem-ebpf: DATA_UNAVAILABLE'] } } });
    expect((await fetch(`${base}/nothing`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
    stop.abort();
    expect(await done).toBe(0);
    expect(b.out()).toContain('bpfscope serve: stopped: closing');
    expect(b.err()).toBe('');
    // The port is closed with the engine.
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });

  it('--detail process switches on the reading of mem’s processes (opt-in in the plugin): its 10 top processes by faults get series', async () => {
    const stop = new AbortController();
    const { base, done } = await started({ ...OPTIONS, families: ['mem'], detail: ['process'], maxDetailEntities: 1_000_000 }, stop.signal);
    const body = await (await fetch(`${base}/metrics`)).text();
    stop.abort();
    expect(await done).toBe(0);
    const pids = new Set([...body.matchAll(/^bpfscope_mem_process_paging_faults_total\{[^}]*process_pid="(\d+)"/gm)].map((m) => m[1]));
    expect(pids.size).toBe(10); // the command's topProcesses; this machine runs more than 10 processes
  });

  it('a port already in use: exit 1 with the port named and a remedy', async () => {
    blocker = createServer();
    const port = await new Promise<number>((r) => blocker!.listen(0, '127.0.0.1', () => r((blocker!.address() as { port: number }).port)));
    const b = buffers();
    expect(await serve({ ...OPTIONS, port }, b.io)).toBe(1);
    expect(b.err()).toBe(`bpfscope: port ${port} on 127.0.0.1 is already in use\n  remedy: stop what listens there, or choose another port with --port (0 lets the system pick one)\n`);
    expect(b.out()).toBe('');
  });
});
