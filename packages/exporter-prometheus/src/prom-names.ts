// OpenTelemetry names to Prometheus names, as OpenTelemetry's "Prometheus and OpenMetrics
// Compatibility" specification says: characters outside [a-zA-Z0-9_:] become `_` (runs of
// `_` collapse to one), the UCUM unit becomes a word appended to the name unless the name
// already has it (`By` → `bytes`, `s` → `seconds`, `1` → `ratio`, `By/s` → `bytes_per_second`,
// a count in braces such as `{syscall}` → nothing), counters end in `_total`, and attribute
// keys become label names by the same character rule. Two Prometheus conventions on top
// (promtool's lint checks both): times are in seconds (`ns`, `us`, `ms` values are divided
// into seconds), and a gauge never ends in `_count`, `_sum` or `_bucket`, the suffixes of a
// histogram's series (`system.network.connection.count` is `…_connection_count_value`).
import type { MetricAttributes, MetricDescriptor } from '@bpfscope/core';

const UNIT_WORDS: Readonly<Record<string, string>> = {
  d: 'days', h: 'hours', min: 'minutes', s: 'seconds', ms: 'milliseconds', us: 'microseconds', ns: 'nanoseconds',
  By: 'bytes', KiBy: 'kibibytes', MiBy: 'mebibytes', GiBy: 'gibibytes', TiBy: 'tebibytes', KBy: 'kilobytes', MBy: 'megabytes', GBy: 'gigabytes', TBy: 'terabytes',
  bit: 'bits', m: 'meters', V: 'volts', A: 'amperes', J: 'joules', W: 'watts', g: 'grams', Cel: 'celsius', Hz: 'hertz', '%': 'percent', '1': 'ratio',
};
const PER_UNIT_WORDS: Readonly<Record<string, string>> = { s: 'second', min: 'minute', h: 'hour', d: 'day', w: 'week', mo: 'month', y: 'year' };

/** `[^a-zA-Z0-9_]` (`:` too for labels) to `_`, runs of `_` to one. */
function sanitize(name: string, allowColon: boolean): string {
  const out = name.replace(allowColon ? /[^a-zA-Z0-9_:]/g : /[^a-zA-Z0-9_]/g, '_').replace(/_{2,}/g, '_');
  return /^[0-9]/.test(out) ? `_${out}` : out;
}

/**
 * The word a UCUM unit becomes in a Prometheus name, or '' for none (a count in braces, an
 * empty unit).
 * @internal
 */
export function unitWord(unit: string): string {
  const plain = unit.replace(/\{[^}]*\}/g, '').trim();
  if (plain === '') return '';
  const slash = plain.indexOf('/');
  if (slash !== -1) {
    const [num, den] = [plain.slice(0, slash), plain.slice(slash + 1)];
    const perWord = PER_UNIT_WORDS[den] ?? UNIT_WORDS[den] ?? sanitize(den, false);
    const numWord = num === '' || num === '1' ? '' : (UNIT_WORDS[num] ?? sanitize(num, false));
    return sanitize(numWord === '' ? `per_${perWord}` : `${numWord}_per_${perWord}`, false).replace(/^_|_$/g, '');
  }
  return (UNIT_WORDS[plain] ?? sanitize(plain, false)).replace(/^_|_$/g, '');
}

/** Time units given in seconds: the decimal digits to shift by. */
const TO_SECONDS: Readonly<Record<string, number>> = { ms: 3, us: 6, ns: 9 };

/** How a metric is written in Prometheus. @internal */
export interface PrometheusShape {
  /** The family name (counters with `_total`). */
  readonly name: string;
  /** Values are divided by 10^shift (a time in ns, us or ms written in seconds), else 0. */
  readonly shift: number;
}

/**
 * The Prometheus metric family name of a descriptor: the prefix (unless the sanitized name
 * already starts with it), the name with dots as underscores, the unit word (unless the
 * name already holds it), and `_total` for counters.
 * @param descriptor - the metric
 * @param prefix - e.g. `bpfscope_`
 * @internal
 */
export function prometheusShape(descriptor: Pick<MetricDescriptor, 'name' | 'kind' | 'unit'>, prefix: string): PrometheusShape {
  let base = sanitize(descriptor.name, true).replace(/^_+|_+$/g, '');
  if (descriptor.kind === 'counter') base = base.replace(/_total$/, '');
  if (!base.startsWith(prefix)) base = `${prefix}${base}`;
  const shift = TO_SECONDS[descriptor.unit] ?? 0;
  const unit = shift > 0 ? 'seconds' : unitWord(descriptor.unit);
  if (unit !== '' && !`_${base}_`.includes(`_${unit}_`)) base = `${base}_${unit}`;
  if (descriptor.kind === 'counter') return { name: `${base}_total`, shift };
  if (descriptor.kind !== 'histogram' && /_(count|sum|bucket)$/.test(base)) base = `${base}_value`;
  return { name: base, shift };
}

/**
 * A label name from an attribute key (`process.pid` → `process_pid`).
 * @internal
 */
export function labelName(key: string): string {
  // Names starting with `__` are Prometheus's own: the collapse of `_` runs leaves at most one.
  return sanitize(key, false);
}

/** Label name of each attribute key seen: keys repeat across points and scrapes. */
const labelNames = new Map<string, string>();

/**
 * Labels from a point's attributes. Values become strings; keys that map to the same label
 * name have their values joined with `;` in the order of the original keys, as the
 * specification says.
 * @internal
 */
export function toLabels(attributes: MetricAttributes): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key in attributes) {
    let label = labelNames.get(key);
    if (label === undefined) {
      label = labelName(key);
      if (labelNames.size < 10_000) labelNames.set(key, label);
    }
    if (Object.hasOwn(out, label)) return joinedLabels(attributes);
    out[label] = String(attributes[key]);
  }
  return out;
}

/** The rare case of two keys with one label name. */
function joinedLabels(attributes: MetricAttributes): Record<string, string> {
  const groups = new Map<string, string[]>();
  for (const key of Object.keys(attributes)) {
    const label = labelName(key);
    groups.set(label, [...(groups.get(label) ?? []), key]);
  }
  const out: Record<string, string> = {};
  for (const [label, keys] of groups) out[label] = keys.sort().map((k) => String(attributes[k])).join(';');
  return out;
}
