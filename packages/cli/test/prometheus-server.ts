// A real Prometheus server (Debian's `prometheus` package, installed by
// scripts/install-toolchain.sh) for the tests: its own temp config and storage, scraping
// one target every second, and its HTTP API. Nothing is waited for by sleeping a fixed
// time: callers poll the API for what they need, with a generous overall limit that only
// ends a hung test.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** One sample of a range vector: [unix seconds, value as text]. */
export type Sample = [number, string];

/** A series as the API returns it. */
export interface ApiSeries {
  metric: Record<string, string>;
  values?: Sample[];
  value?: Sample;
}

/** A started server. */
export interface PrometheusServer {
  readonly url: string;
  /** GET /api/v1/<path> with the parameters; throws unless the API says success. */
  api<T>(path: string, params: Record<string, string | string[]>): Promise<T>;
  /** The series of an instant query (a range selector gives each one's stored samples in `values`). */
  query(expr: string): Promise<ApiSeries[]>;
  /** Polls `probe` until it returns non-null (about every 100 ms), up to `limitMs`. */
  until<T>(what: string, probe: () => Promise<T | null>, limitMs?: number): Promise<T>;
  /** Stops the server and removes its files. */
  stop(): Promise<void>;
}

/** A port nobody listens on now (the system's pick). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

/**
 * Start Prometheus scraping `target` (host:port) every second as job `bpfscope`.
 * @param limitMs - longest wait for readiness or for one `until`
 */
export async function startPrometheus(target: string, limitMs = 90_000): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), 'bpfscope-prom-'));
  writeFileSync(
    join(dir, 'prometheus.yml'),
    `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: bpfscope\n    static_configs:\n      - targets: ['${target}']\n`,
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let log = '';
  const child: ChildProcess = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (b: Buffer) => (log = (log + b.toString()).slice(-4000)));
  const exited = new Promise<number | null>((r) => child.on('exit', r));

  const until = async <T>(what: string, probe: () => Promise<T | null>, limit = limitMs): Promise<T> => {
    const start = Date.now();
    let last = '';
    for (;;) {
      if (child.exitCode !== null) throw new Error(`prometheus exited (${child.exitCode}) while waiting for ${what}: ${log}`);
      const v = await probe().catch((e: unknown) => {
        last = String(e);
        return null;
      });
      if (v !== null) return v;
      if (Date.now() - start > limit) {
        const targets = await fetch(`${url}/api/v1/targets`).then((r) => r.text()).catch((e: unknown) => String(e));
        throw new Error(`gave up waiting for ${what} after ${limit} ms (last probe error: ${last || 'none'}); targets: ${targets}; prometheus log: ${log}`);
      }
      await sleep(100);
    }
  };
  const server: PrometheusServer = {
    url,
    async api<T>(path: string, params: Record<string, string | string[]>): Promise<T> {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(params)) for (const x of Array.isArray(v) ? v : [v]) q.append(k, x);
      const res = await fetch(`${url}/api/v1/${path}?${q.toString()}`);
      const body = (await res.json()) as { status: string; data: T; error?: string };
      if (body.status !== 'success') throw new Error(`prometheus ${path}: ${body.error ?? res.status}`);
      return body.data;
    },
    async query(expr) {
      return (await server.api<{ result: ApiSeries[] }>('query', { query: expr })).result;
    },
    until,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await until('prometheus to be ready', async () => ((await fetch(`${url}/-/ready`)).ok ? true : null));
  } catch (e) {
    await server.stop();
    throw e;
  }
  return server;
}
