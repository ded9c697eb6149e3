import { EventProcessingFailed } from '@bpfscope/core';

/** One line of a PSI file: percent of time stalled, and total stall time. @internal */
export interface PressureLine {
  /** Percent of the last 10 s. */
  avg10: number;
  /** Percent of the last 60 s. */
  avg60: number;
  /** Percent of the last 300 s. */
  avg300: number;
  /** Total stall time since boot, microseconds. */
  totalUs: number;
}

const KEYS = ['avg10', 'avg60', 'avg300', 'total'] as const;
const DECIMAL = /^\d+(?:\.\d+)?$/;

/**
 * Parse /proc/pressure/cpu (Documentation/accounting/psi.rst):
 * `some avg10=0.00 avg60=0.00 avg300=0.00 total=0`, then, since Linux 5.13, a `full`
 * line of the same form (all zeros for cpu at the system level).
 * @param text - the file's content
 * @param path - the file's path, for errors
 * @returns the `some` line, and the `full` line or null when the kernel has none
 * @throws {@link EventProcessingFailed} for a line that is not `some`/`full` with the four
 *   fields, or a file without a `some` line
 * @internal
 */
export function parsePressure(text: string, path: string): { some: PressureLine; full: PressureLine | null } {
  const lines = text.split('\n');
  const fail = (lineNo: number, why: string): never => {
    const content = (lines[lineNo - 1] ?? '').slice(0, 120);
    throw new EventProcessingFailed(`${path} line ${lineNo}: ${why}`, { details: { path, line: lineNo, content } });
  };
  let some: PressureLine | null = null;
  let full: PressureLine | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.length === 0) continue;
    const parts = line.split(' ');
    const kind = parts[0];
    if ((kind !== 'some' && kind !== 'full') || parts.length !== 5) fail(i + 1, 'expected "some|full avg10=… avg60=… avg300=… total=…"');
    const values = KEYS.map((key, k) => {
      const part = parts[k + 1] as string;
      const value = part.slice(key.length + 1);
      if (!part.startsWith(`${key}=`) || !DECIMAL.test(value)) fail(i + 1, `field ${k + 2} is not ${key}=<number>`);
      return Number(value);
    }) as [number, number, number, number];
    const parsed = { avg10: values[0], avg60: values[1], avg300: values[2], totalUs: values[3] };
    if (kind === 'some') some = parsed;
    else full = parsed;
  }
  if (some === null) return fail(1, 'no "some" line');
  return { some, full };
}
