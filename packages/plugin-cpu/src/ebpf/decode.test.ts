import { describe, expect, it } from 'vitest';
import { splitWritten, type RawCpuTimes } from './decode.js';

const cpu = (n: number, lastSwitchNs: bigint): RawCpuTimes => ({
  cpu: n, busyNs: 0n, idleNs: 0n, irqNs: 0n, softirqNs: 0n, idleIrqNs: 0n, switches: lastSwitchNs === 0n ? 0n : 1n, lastSwitchNs, currIdle: false, runqOff: false,
});

describe('splitWritten', () => {
  it('lists the CPUs whose slot was never written instead of dropping them', () => {
    const r = splitWritten([cpu(0, 5n), cpu(1, 0n), cpu(2, 7n), cpu(3, 0n)]);
    expect(r.written.map((c) => c.cpu)).toEqual([0, 2]);
    expect(r.unwritten).toEqual([1, 3]);
  });
});
