// Program run statistics (BPF_ENABLE_STATS) against a sched_switch program
// whose own per-CPU counter counts every run: the kernel's run count must
// equal it exactly.
import { expect, it } from 'vitest';
import { describeKernel } from '../../../test/real-kernel.js';
import { fixture } from '../test/helpers.js';
import { StepsChild } from '../../../test/steps.js';
import { settle, u32le } from '../test/workload.js';
import { BpfObject, enableRunStats } from './index.js';

const STAT_INVOCATIONS = 0; // enum bpfscope_stat (bpf/include/bpfscope_stats.h)

describeKernel('program run statistics', () => {
  it('with statistics on, runCount equals the runs the program counted itself, covers exactly the switches of a child, and time was measured', async () => {
    const child = await StepsChild.start();
    const stats = enableRunStats();
    const obj = BpfObject.open(fixture('map_types.bpf.o'), { constants: { target_tgid: child.pid, probe_enabled: true } });
    try {
      expect(stats.enabled).toBe(true);
      await obj.load();
      const [before] = obj.programStats();
      expect(before).toMatchObject({ name: 'mt_switch', runCount: 0, runTimeNs: 0, nsPerRun: undefined });
      const k0 = child.counters(); // blocked in read(0): it switches only once told to
      const link = obj.attach('mt_switch');
      await child.run('sleep 100');
      link.destroy();
      const caused = child.counters().switches - k0.switches;
      const counted = obj.map('mt_stats');
      const records = obj.map('mt_records');
      await settle(() => `${counted.lookupPerCpuSum(u32le(STAT_INVOCATIONS))} ${JSON.stringify(obj.programStats())}`);

      const [after] = obj.programStats();
      const invocations = counted.lookupPerCpuSum(u32le(STAT_INVOCATIONS)) ?? 0n;
      const targetSwitches = new DataView((records.lookup(u32le(child.pid)) ?? new Uint8Array(64)).buffer).getBigUint64(48, true);
      expect(caused).toBeGreaterThanOrEqual(1);
      expect(targetSwitches).toBe(BigInt(caused));
      expect(after?.runCount).toBe(Number(invocations));
      expect(after?.runCount).toBeGreaterThanOrEqual(Number(targetSwitches));
      expect(after?.runTimeNs).toBeGreaterThan(0);
      expect(after?.nsPerRun).toBeCloseTo((after?.runTimeNs ?? 0) / (after?.runCount ?? 1), 6);
      expect(after?.id).toBe(before?.id);
    } finally {
      obj.close();
      stats.close();
      await child.stop();
    }
    expect(stats.enabled).toBe(false);
    stats.close(); // twice: nothing
  });

  it('only loaded programs are listed; none before load', async () => {
    const obj = BpfObject.open(fixture('iter_task.bpf.o'));
    try {
      expect(obj.programStats()).toEqual([]);
      obj.setAutoload('iter_bpf_map', false);
      await obj.load();
      expect(obj.programStats().map((p) => p.name)).toEqual(['iter_task']);
    } finally {
      obj.close();
    }
  });
});
