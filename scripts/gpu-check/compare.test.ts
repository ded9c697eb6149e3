// The logic of scripts/check-gpu.sh, which cannot run without an NVIDIA GPU. The CSV lines
// follow the format `nvidia-smi --query-gpu=... --format=csv,noheader,nounits` documents
// (nvidia-smi --help-query-gpu): they are written for this test, not captured from a device.
import { describe, expect, it } from 'vitest';
// compare.mjs is plain JavaScript, shared with check-gpu.mjs.
import { compareCuda, compareDevices, expectedCuda, normalBusId, parseSmiCsv } from './compare.mjs';

const CSV = '0, NVIDIA A100-SXM4-40GB, 00000000:07:00.0, 37, 1203, 40960, 61.52, 33, 1410, 1410, 1215, [N/A]\n1, NVIDIA A100-SXM4-40GB, 00000000:0B:00.0, 0, 4, 40960, 52.10, 29, 210, 210, 1215, [N/A]\n';
const MIB = 1024 * 1024;

const device = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  index: 0,
  name: 'NVIDIA A100-SXM4-40GB',
  busId: '00000000:07:00.0',
  utilizationPercent: 40,
  memoryUsedBytes: 1203 * MIB,
  memoryTotalBytes: 40960 * MIB,
  powerMilliwatts: 64000,
  temperatureCelsius: 34,
  clocks: { graphicsMhz: 1395, smMhz: 1395, memoryMhz: 1215 },
  fanPercent: null,
  ...over,
});

describe('check-gpu comparisons', () => {
  it('parses nvidia-smi CSV, [N/A] as null', () => {
    const rows = parseSmiCsv(CSV);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toEqual({ index: 0, name: 'NVIDIA A100-SXM4-40GB', busId: '00000000:07:00.0', utilizationPercent: 37, memoryUsedMiB: 1203, memoryTotalMiB: 40960, powerWatts: 61.52, temperatureCelsius: 33, graphicsMhz: 1410, smMhz: 1410, memoryMhz: 1215, fanPercent: null });
    expect(() => parseSmiCsv('0, x, 1')).toThrow(/3 fields, 12 asked for/);
  });

  it('bus ids compare with a 4-digit domain, lower case', () => {
    expect(normalBusId('00000000:0B:00.0')).toBe('0000:0b:00.0');
    expect(normalBusId('0000:0b:00.0')).toBe('0000:0b:00.0');
  });

  it('passes within the tolerances, fails outside them, and a device missing on either side fails', () => {
    const [s0] = parseSmiCsv(CSV);
    const pass = compareDevices([s0], [device({ busId: '0000:07:00.0' })]);
    expect(pass.filter((r: { pass: boolean }) => !r.pass)).toEqual([]);
    const off = compareDevices([s0], [device({ temperatureCelsius: 40, memoryTotalBytes: 40000 * MIB, name: 'other' })]);
    expect(off.filter((r: { pass: boolean }) => !r.pass).map((r: { what: string }) => r.what)).toEqual(['gpu 0 name', 'gpu 0 memory total MiB', 'gpu 0 temperature °C']);
    // nvidia-smi reads a fan the family reports as null: a failure, not a pass.
    const fan = compareDevices([{ ...s0, fanPercent: 30 }], [device()]);
    expect(fan.find((r: { what: string }) => r.what === 'gpu 0 fan %')?.pass).toBe(false);
    expect(compareDevices(parseSmiCsv(CSV), [device()]).filter((r: { pass: boolean }) => !r.pass).map((r: { what: string }) => r.what)).toEqual(['device count', 'gpu 1: found by the family']);
  });

  it('the CUDA counts compare exactly with the workload\'s tally, and a missing pid fails naming its runtime', () => {
    const tally = { pid: 4242, runtime: '/usr/local/cuda/lib64/libcudart.so.12', launches: 1000, allocsOk: 64, allocBytes: MIB, frees: 64, copiesH2D: 100, copiesD2H: 100, copyBytes: MIB };
    const want = { ...expectedCuda(tally), comm: 'gpu-workload' };
    expect(compareCuda(tally, [want]).every((r: { pass: boolean }) => r.pass)).toBe(true);
    const short = compareCuda(tally, [{ ...want, kernelLaunches: 999 }]);
    expect(short.filter((r: { pass: boolean }) => !r.pass).map((r: { what: string }) => r.what)).toEqual(['cuda kernelLaunches']);
    expect(compareCuda(tally, [])[0]).toMatchObject({ pass: false, note: expect.stringContaining(tally.runtime) });
  });
});
