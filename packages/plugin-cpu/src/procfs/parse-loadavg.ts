import { EventProcessingFailed } from '@bpfscope/core';

/** Content of /proc/loadavg. @internal */
export interface Loadavg {
  /** Load average over 1 minute. */
  load1: number;
  /** Load average over 5 minutes. */
  load5: number;
  /** Load average over 15 minutes. */
  load15: number;
  /** Runnable scheduling entities now. */
  runnable: number;
  /** Scheduling entities that exist. */
  total: number;
  /** The most recently assigned PID. */
  lastPid: number;
}

const DECIMAL = /^\d+(?:\.\d+)?$/;
const UINT = /^\d+$/;

/**
 * Parse /proc/loadavg, e.g. `0.10 0.20 0.09 1/84 3607`.
 * @param text - the file's content
 * @param path - the file's path, for errors
 * @returns the load averages and task counts
 * @throws {@link EventProcessingFailed} when the line does not have 5 well-formed fields
 * @internal
 */
export function parseLoadavg(text: string, path: string): Loadavg {
  const line = text.split('\n', 1)[0] ?? '';
  const parts = line.trim().split(/ +/);
  const fail = (why: string): never => {
    throw new EventProcessingFailed(`${path} line 1: ${why}`, { details: { path, line: 1, content: line.slice(0, 120) } });
  };
  if (parts.length !== 5) fail(`${parts.length} fields, 5 expected`);
  const [l1, l5, l15, tasks, last] = parts as [string, string, string, string, string];
  if (!DECIMAL.test(l1) || !DECIMAL.test(l5) || !DECIMAL.test(l15)) fail('a load average is not a decimal number');
  const slash = tasks.indexOf('/');
  const runnable = tasks.slice(0, slash);
  const total = tasks.slice(slash + 1);
  if (slash < 0 || !UINT.test(runnable) || !UINT.test(total)) fail(`"${tasks}" is not runnable/total`);
  if (!UINT.test(last)) fail(`last PID "${last}" is not an integer`);
  return { load1: Number(l1), load5: Number(l5), load15: Number(l15), runnable: Number(runnable), total: Number(total), lastPid: Number(last) };
}
