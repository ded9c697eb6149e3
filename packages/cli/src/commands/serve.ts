import type { Server } from 'node:http';
import { createEngine, type MetricDetail } from '@bpfscope/core';
import { EXIT, type CliIo } from '../io.js';
import { FAMILIES } from '../plugins.js';
import { metricsServer } from './serve-http.js';

/** Options of `bpfscope serve`. @internal */
export interface ServeOptions {
  port: number;
  host: string;
  families: string[];
  mode: 'auto' | 'ebpf' | 'fallback';
  detail: MetricDetail[];
  maxDetailEntities: number | undefined;
  /** Drop the eBPF capabilities once the families are attached (config `dropPrivileges`); `--keep-privileges` turns it off. */
  dropPrivileges: boolean;
}

/**
 * `bpfscope serve`: a Prometheus endpoint until SIGINT or SIGTERM (or `stop` aborts). Every
 * scrape reads the families afresh (the engine's snapshot cache is off), so a sample's
 * scrape time bounds what it counts. @internal
 */
export async function serve(options: ServeOptions, io: CliIo, stop?: AbortSignal): Promise<number> {
  const engine = createEngine({
    // mem's and syscall's per-process detail (opt-in in those plugins) is read only when it is exported (`--detail process`).
    plugins: options.families.map((f) => FAMILIES[f]!({ includeSelf: false, processes: options.detail.includes('process') })),
    config: { mode: options.mode, cache: { enabled: false }, logLevel: 'silent', dropPrivileges: options.dropPrivileges },
  });
  let server: Server | null = null;
  try {
    // Strict mode (`--mode ebpf`) fails here, loudly, with the eBPF source's error.
    await engine.start();
    // Loaded here, not with the command: the other commands never pay for prom-client.
    const { prometheusExporter } = await import('@bpfscope/exporter-prometheus');
    const exporter = prometheusExporter(engine, { detail: options.detail, ...(options.maxDetailEntities !== undefined ? { maxDetailEntities: options.maxDetailEntities } : {}) });
    server = metricsServer(engine, exporter, (e) => io.stderr.write(`bpfscope serve: ${e instanceof Error ? e.message : String(e)}\n`));
    const listening = server;
    const bound = await new Promise<{ port: number } | NodeJS.ErrnoException>((resolve) => {
      listening.once('error', resolve);
      listening.listen(options.port, options.host, () => resolve(listening.address() as { port: number }));
    });
    if (bound instanceof Error) {
      const taken = bound.code === 'EADDRINUSE';
      io.stderr.write(
        taken
          ? `bpfscope: port ${options.port} on ${options.host} is already in use\n  remedy: stop what listens there, or choose another port with --port (0 lets the system pick one)\n`
          : `bpfscope: cannot listen on ${options.host}:${options.port}: ${bound.message}\n  remedy: check --host (an address of this machine) and --port\n`,
      );
      return EXIT.failed;
    }
    const where = options.host.includes(':') ? `[${options.host}]` : options.host;
    io.stdout.write(`bpfscope serve: listening on http://${where}:${bound.port}/metrics (and /healthz)\n`);
    const dropped = engine.privileges();
    if (dropped?.error) io.stderr.write(`bpfscope serve: privileges not dropped: ${dropped.error}\n`);
    else if (dropped) {
      const kept = dropped.holding.map((h) => `thread ${h.tid} (${h.name}): ${h.why}`).join('; ');
      io.stdout.write(`bpfscope serve: dropped ${dropped.capabilities.join(', ')} from ${dropped.threadsWithout} of ${dropped.threads} threads${kept ? ` (kept by ${kept})` : ''}\n`);
    }
    const signal = await stopped(stop);
    io.stdout.write(`bpfscope serve: ${signal}: closing\n`);
    return EXIT.ok;
  } finally {
    if (server?.listening) {
      const closing = new Promise((r) => server!.close(r));
      server.closeAllConnections();
      await closing;
    }
    await engine.close();
  }
}

/** Resolves with the name of what stopped the server: SIGINT, SIGTERM or `stop`'s abort. */
function stopped(stop: AbortSignal | undefined): Promise<string> {
  return new Promise((resolve) => {
    const done = (why: string): void => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      stop?.removeEventListener('abort', onAbort);
      resolve(why);
    };
    const onInt = (): void => done('SIGINT');
    const onTerm = (): void => done('SIGTERM');
    const onAbort = (): void => done('stopped');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
    if (stop?.aborted) onAbort();
    else stop?.addEventListener('abort', onAbort, { once: true });
  });
}
