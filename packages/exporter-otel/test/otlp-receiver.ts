// A local OTLP/HTTP receiver (node:http) for the tests: it keeps each JSON export
// request's body and answers 200, and reads metrics out of those bodies.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An OTLP JSON attribute: `{ key, value: { stringValue | intValue | doubleValue | boolValue } }`. */
interface OtlpAttribute {
  key: string;
  value: Record<string, unknown>;
}

interface OtlpPoint {
  attributes?: OtlpAttribute[];
  [field: string]: unknown;
}

interface OtlpMetric {
  name: string;
  unit?: string;
  description?: string;
  sum?: { dataPoints: OtlpPoint[]; aggregationTemporality: number; isMonotonic?: boolean };
  gauge?: { dataPoints: OtlpPoint[] };
  exponentialHistogram?: { dataPoints: OtlpPoint[]; aggregationTemporality: number };
}

/** One export request's body. */
export interface OtlpBody {
  resourceMetrics: Array<{ scopeMetrics: Array<{ scope: { name: string }; metrics: OtlpMetric[] }> }>;
}

export interface Receiver {
  /** The URL to export to (`/v1/metrics`). */
  url: string;
  /** Bodies received so far, in order, with the content type each came with. */
  received: Array<{ contentType: string | undefined; body: OtlpBody }>;
  /** Resolves with the body of the `n`th request (1-based), waiting for it as long as it takes. */
  nth(n: number): Promise<OtlpBody>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: Receiver['received'] = [];
  const waiting: Array<() => void> = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/metrics') {
        received.push({ contentType: req.headers['content-type'], body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpBody });
        for (const wake of waiting.splice(0)) wake();
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } else {
        res.writeHead(404).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/metrics`,
    received,
    async nth(n) {
      while (received.length < n) await new Promise<void>((wake) => waiting.push(wake));
      return received[n - 1]!.body;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The metric of that name in a body (undefined when absent; twice is an error). */
export function otlpMetric(body: OtlpBody, name: string): OtlpMetric | undefined {
  const found = body.resourceMetrics.flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics)).filter((m) => m.name === name);
  if (found.length > 1) throw new Error(`${name} sent ${found.length} times`);
  return found[0];
}

/** A point's attributes as a plain record (int64 values, which JSON may carry as strings, as numbers). */
export function otlpAttributes(p: OtlpPoint): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const a of p.attributes ?? []) {
    const [kind, v] = Object.entries(a.value)[0] ?? [];
    out[a.key] = kind === 'intValue' ? Number(v) : v;
  }
  return out;
}

/** The data points of a metric whose attributes include every pair of `match`. */
export function otlpPoints(m: OtlpMetric | undefined, match: Record<string, unknown>): OtlpPoint[] {
  const points = m?.sum?.dataPoints ?? m?.gauge?.dataPoints ?? m?.exponentialHistogram?.dataPoints ?? [];
  return points.filter((p) => {
    const attrs = otlpAttributes(p);
    return Object.entries(match).every(([k, v]) => attrs[k] === v);
  });
}

/** A number point's value (asDouble or asInt, the latter possibly a string). */
export function otlpValue(p: OtlpPoint): number {
  return Number(p.asDouble ?? p.asInt);
}

/** An exponential histogram point with its int64 fields as numbers. */
export function otlpExponential(p: OtlpPoint): { count: number; sum: number | undefined; scale: number; zeroCount: number; offset: number; bucketCounts: number[]; startTimeUnixNano: bigint } {
  const positive = (p.positive ?? {}) as { offset?: number; bucketCounts?: Array<number | string> };
  return {
    count: Number(p.count),
    sum: p.sum === undefined ? undefined : Number(p.sum),
    scale: Number(p.scale ?? 0),
    zeroCount: Number(p.zeroCount ?? 0),
    offset: Number(positive.offset ?? 0),
    bucketCounts: (positive.bucketCounts ?? []).map(Number),
    startTimeUnixNano: BigInt(p.startTimeUnixNano as string),
  };
}
