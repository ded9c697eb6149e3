import type { CpuMetrics, CpuTimeRecord } from '@bpfscope/plugin-cpu';
import type { SiCurrentLoadCpuData, SiCurrentLoadData } from './types.js';

/** Cumulative seconds of one CPU (or all), as the facade keeps them between calls. */
interface Times {
  user: number;
  nice: number;
  system: number;
  idle: number;
  irq: number;
  steal: number | null;
}

/** The counters of the previous call, to take the interval's differences from. @internal */
export interface LoadState {
  total: Times;
  perCpu: Map<number, Times>;
  /** The previous result, answered again when no time passed (a shared reading). */
  result: SiCurrentLoadData;
  /** The reading's time, ms since the epoch. */
  timestamp: number;
}

function times(r: CpuTimeRecord): Times {
  // The cpu family counts from the same origin in every field; a null field (not measured
  // by this source) counts as 0 only where it cannot change the busy share: irq and softirq
  // are added into irq, steal is kept null when unmeasured.
  return {
    user: r.user ?? 0,
    nice: r.nice ?? 0,
    system: r.system ?? 0,
    idle: r.idle ?? 0,
    irq: (r.irq ?? 0) + (r.softirq ?? 0),
    steal: r.steal,
  };
}

const ZERO: Times = { user: 0, nice: 0, system: 0, idle: 0, irq: 0, steal: 0 };

interface Shares {
  load: number;
  user: number;
  system: number;
  nice: number;
  idle: number;
  irq: number;
  steal: number | null;
  raw: { load: number; user: number; system: number; nice: number; idle: number; irq: number; steal: number | null };
}

/** Differences over the interval (ms) and their shares of its total (percent). */
function shares(now: Times, before: Times): Shares {
  const d = (a: number, b: number): number => Math.max(0, (a - b) * 1000);
  const user = d(now.user, before.user);
  const nice = d(now.nice, before.nice);
  const system = d(now.system, before.system);
  const idle = d(now.idle, before.idle);
  const irq = d(now.irq, before.irq);
  const steal = now.steal === null || before.steal === null ? null : d(now.steal, before.steal);
  const load = user + nice + system + irq + (steal ?? 0);
  const tick = load + idle || 1;
  const pct = (v: number): number => (v / tick) * 100;
  return {
    load: pct(load),
    user: pct(user),
    system: pct(system),
    nice: pct(nice),
    idle: pct(idle),
    irq: pct(irq),
    steal: steal === null ? null : pct(steal),
    raw: { load, user, system, nice, idle, irq, steal },
  };
}

function cpuEntry(s: Shares): SiCurrentLoadCpuData {
  return {
    load: s.load,
    loadUser: s.user,
    loadSystem: s.system,
    loadNice: s.nice,
    loadIdle: s.idle,
    loadIrq: s.irq,
    loadSteal: s.steal,
    loadGuest: null,
    rawLoad: s.raw.load,
    rawLoadUser: s.raw.user,
    rawLoadSystem: s.raw.system,
    rawLoadNice: s.raw.nice,
    rawLoadIdle: s.raw.idle,
    rawLoadIrq: s.raw.irq,
    rawLoadSteal: s.raw.steal,
    rawLoadGuest: null,
  };
}

/**
 * systeminformation's currentLoad() from a cpu reading: shares of each kind of time over the
 * interval since the previous call (on the first call, since the counters' origin, as
 * systeminformation's first call counts since boot).
 * @internal
 */
export function toCurrentLoad(data: CpuMetrics, timestamp: number, previous: LoadState | null): LoadState {
  if (previous && previous.timestamp === timestamp) return previous;
  const total = times(data.total);
  const perCpu = new Map(data.perCpu.map((c) => [c.cpu, times(c)] as const));
  const all = shares(total, previous?.total ?? ZERO);
  const avg = data.loadAverage;
  const cpus = data.perCpu.length || 1;
  const result: SiCurrentLoadData = {
    avgLoad: avg ? Number((Math.max(avg.load1, avg.load5, avg.load15) / cpus).toFixed(2)) : null,
    currentLoad: all.load,
    currentLoadUser: all.user,
    currentLoadSystem: all.system,
    currentLoadNice: all.nice,
    currentLoadIdle: all.idle,
    currentLoadIrq: all.irq,
    currentLoadSteal: all.steal,
    currentLoadGuest: null,
    rawCurrentLoad: all.raw.load,
    rawCurrentLoadUser: all.raw.user,
    rawCurrentLoadSystem: all.raw.system,
    rawCurrentLoadNice: all.raw.nice,
    rawCurrentLoadIdle: all.raw.idle,
    rawCurrentLoadIrq: all.raw.irq,
    rawCurrentLoadSteal: all.raw.steal,
    rawCurrentLoadGuest: null,
    cpus: [...perCpu].map(([n, t]) => cpuEntry(shares(t, previous?.perCpu.get(n) ?? ZERO))),
  };
  return { total, perCpu, result, timestamp };
}
