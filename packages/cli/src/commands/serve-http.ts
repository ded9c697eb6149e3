// The HTTP side of `bpfscope serve`, on node:http alone: GET /metrics answers a scrape (the
// format negotiated from Accept), GET /healthz says which families are up, from the
// engine's statistics (no reading).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Engine } from '@bpfscope/core';
import type { PrometheusExporter } from '@bpfscope/exporter-prometheus';

/** What /healthz answers. @internal */
export interface Health {
  status: 'ok' | 'degraded';
  families: Record<string, { up: boolean; source: string | null; rejected: string[] }>;
}

/** Health of each family: up once a source initialised. @internal */
export function health(engine: Pick<Engine, 'stats'>): Health {
  const families: Health['families'] = {};
  for (const c of engine.stats().collectors) {
    families[c.family] = { up: c.source !== null, source: c.sourceKind, rejected: c.rejected.map((r) => `${r.source}: ${r.code}`) };
  }
  return { status: Object.values(families).every((f) => f.up) ? 'ok' : 'degraded', families };
}

/** The server, not yet listening. @internal */
export function metricsServer(engine: Pick<Engine, 'stats'>, exporter: PrometheusExporter, onError: (e: unknown) => void): Server {
  return createServer((req, res) => {
    handle(req, res, engine, exporter).catch((e: unknown) => {
      onError(e);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('internal error\n');
    });
  });
}

async function handle(req: IncomingMessage, res: ServerResponse, engine: Pick<Engine, 'stats'>, exporter: PrometheusExporter): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (path !== '/metrics' && path !== '/healthz') {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: try /metrics or /healthz\n');
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
    return;
  }
  const { contentType, body } = path === '/metrics' ? await exporter.scrape(req.headers.accept) : { contentType: 'application/json; charset=utf-8', body: `${JSON.stringify(health(engine))}\n` };
  res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(req.method === 'HEAD' ? undefined : body);
}
