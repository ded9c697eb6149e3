// Cost of a function per call: wall time, CPU time of this process, and CPU time of
// the children it waited for (tools that shell out spend their time there).
import { readFileSync } from 'node:fs';
import { machineConstants } from '@bpfscope/core';

// cutime/cstime are in clock ticks (USER_HZ): read from the auxiliary vector, never assumed.
const { clockTicks } = machineConstants();
if (clockTicks.value === null) throw new Error(`bench: cannot convert children's CPU time: ${clockTicks.reason}`);
const TICK_MS = 1000 / clockTicks.value;

/** Length of one clock tick (1 / USER_HZ), ms. */
export const tickMs = () => TICK_MS;

/** CPU time, ms, of the children this process waited for (cutime + cstime of /proc/self/stat). */
export function childCpuMs() {
  const f = readFileSync('/proc/self/stat', 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  // fields 16 and 17 (cutime, cstime) are at indexes 13 and 14 after the comm
  return (Number(rest[13]) + Number(rest[14])) * TICK_MS;
}

/**
 * Call `fn` `calls` times (after `warmup` calls), `gapMs` apart, and report per-call costs.
 * @returns {{ calls: number, wallMs: number, cpuMs: number, childCpuMs: number }}
 */
export async function measure(fn, { calls, warmup = 3, gapMs = 0 }) {
  for (let i = 0; i < warmup; i++) await fn();
  let wall = 0;
  let cpu = 0;
  const child0 = childCpuMs();
  for (let i = 0; i < calls; i++) {
    if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    await fn();
    wall += Number(process.hrtime.bigint() - t0) / 1e6;
    const c = process.cpuUsage(c0);
    cpu += (c.user + c.system) / 1000;
  }
  return { calls, wallMs: wall / calls, cpuMs: cpu / calls, childCpuMs: (childCpuMs() - child0) / calls };
}

export function fmt(ms) {
  return ms >= 1 ? `${ms.toFixed(2)} ms` : `${(ms * 1000).toFixed(0)} µs`;
}

/** The middle value (the upper one of the two middle values for an even count). */
export function median(values) {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

/** Median and quartiles (linear interpolation between closest ranks). */
export function quartiles(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => {
    const pos = (sorted.length - 1) * q;
    const lo = Math.floor(pos);
    const hi = Math.ceil(pos);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
  };
  return { q1: at(0.25), median: at(0.5), q3: at(0.75) };
}
