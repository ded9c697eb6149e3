/** The instrumentation scope of the meter and of the producer's data: this package. */
export const SCOPE_NAME = '@bpfscope/exporter-otel';
/** This package's version (kept equal to package.json's by a test). */
export const SCOPE_VERSION = '0.1.0';
