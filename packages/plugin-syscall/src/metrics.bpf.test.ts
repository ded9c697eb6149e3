// The metric points of a real eBPF reading: a workload making exactly N getppid calls shows
// in the mapped counters as exactly N, per call and per process (filtered to its PID).
import { expect, it } from 'vitest';
import { createConsoleLogger, createEngine, type Engine, type MetricPoints } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { startWorkload } from '../test/syscall-workload.js';
import { syscall } from './plugin.js';
import type { SyscallMode } from './records.js';

const silent = createConsoleLogger('silent');

async function points(engine: Engine): Promise<MetricPoints> {
  const v = engine.metricPoints(await engine.collect(), { detail: ['process'] });
  expect(v.mapErrors).toEqual([]);
  return v;
}

/** The value of the point of `name` whose attributes include `match`, or undefined. */
function valueOf(v: MetricPoints, name: string, match: Record<string, string | number>): number | undefined {
  const s = v.series.find((x) => x.descriptor.name === name);
  const p = s?.points.find((q) => Object.entries(match).every(([k, want]) => q.attributes[k] === want));
  return p === undefined ? undefined : 'value' in p ? p.value : p.histogram.count;
}

describeKernel('syscall metric points against a workload with known calls', () => {
  for (const mode of ['counts', 'latency'] as const satisfies readonly SyscallMode[]) {
    it(`${mode} mode: the getppid counter rises by exactly N between two readings, per call and for the workload's PID`, async () => {
      const sc = syscall({ processes: true, pids: [], mode });
      const engine = createEngine({ plugins: [sc], config: { mode: 'ebpf', cache: { enabled: false } }, logger: silent });
      try {
        await engine.start();
        const w = await startWorkload(4321, 17);
        await sc.setFilter({ pids: [w.pid] });
        const getppid = { 'bpfscope.source': 'ebpf', 'syscall.name': 'getppid' };
        const mine = { ...getppid, 'process.pid': w.pid };
        // Before it runs: blocked in read(0) since before the filter, so none of its getppid counted.
        const before = await points(engine);
        expect(valueOf(before, 'bpfscope.syscall.count', getppid)).toBeUndefined();
        expect((await w.go()).code).toBe(0);
        const after = await points(engine);
        expect(valueOf(after, 'bpfscope.syscall.count', getppid)).toBe(4321);
        expect(valueOf(after, 'bpfscope.syscall.process.count', mine)).toBe(4321);
        const count = after.series.find((s) => s.descriptor.name === 'bpfscope.syscall.count')!;
        expect(count.startTimeMs).toBe(Date.parse((await engine.collect()).get('syscall')!.data.countersSince));
        if (mode === 'latency') {
          // Every getppid returned: the histogram counts each, in ns; close(-1) failed 17 times.
          expect(valueOf(after, 'bpfscope.syscall.duration', getppid)).toBe(4321);
          expect(valueOf(after, 'bpfscope.syscall.errors', getppid)).toBe(0);
          expect(valueOf(after, 'bpfscope.syscall.process.errors', { ...mine, 'syscall.name': 'close' })).toBe(17);
        } else {
          expect(after.series.some((s) => s.descriptor.name === 'bpfscope.syscall.duration' || s.descriptor.name === 'bpfscope.syscall.errors')).toBe(false);
        }
      } finally {
        await engine.close();
      }
    });
  }
});
