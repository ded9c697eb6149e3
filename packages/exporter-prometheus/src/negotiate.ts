import { Registry, type OpenMetricsContentType, type PrometheusContentType } from 'prom-client';

/** The two content types a scrape can be answered in. */
export type ExpositionContentType = PrometheusContentType | OpenMetricsContentType;

/**
 * The content type to answer a scrape in, from its `Accept` header: OpenMetrics 1.0.0 when
 * `application/openmetrics-text` is accepted with a quality at least that of `text/plain`
 * (or of the wildcards), else the text format 0.0.4 (also with no header, as Prometheus's
 * own servers do).
 * @param accept - the request's Accept header
 * @returns the content type, with its version and charset
 */
export function negotiateContentType(accept: string | undefined): ExpositionContentType {
  if (!accept) return Registry.PROMETHEUS_CONTENT_TYPE;
  let openMetrics = 0;
  let text = 0;
  for (const range of accept.split(',')) {
    const [type = '', ...params] = range.split(';').map((s) => s.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!Number.isFinite(q)) continue;
    if (type === 'application/openmetrics-text') openMetrics = Math.max(openMetrics, q);
    else if (type === 'text/plain' || type === 'text/*' || type === '*/*') text = Math.max(text, q);
  }
  return openMetrics > 0 && openMetrics >= text ? Registry.OPENMETRICS_CONTENT_TYPE : Registry.PROMETHEUS_CONTENT_TYPE;
}
