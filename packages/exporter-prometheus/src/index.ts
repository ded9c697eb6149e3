export { prometheusExporter, type PrometheusExporter, type PrometheusExporterOptions, type Exposition } from './prometheus-exporter.js';
export { negotiateContentType, type ExpositionContentType } from './negotiate.js';
export type { ExporterEngine } from './reading.js';
