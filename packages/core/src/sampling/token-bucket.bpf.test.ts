// The kernel twin of the token bucket (bpf/include/bpfscope_sampling.h), loaded
// for real: a raw_tp program on sys_enter offers each getppid call of a test child to
// bucket 0. The child makes a known number of calls; the bucket's counts must account for
// every one (passed + refused = offered = calls), passed must stay within
// burst + rate · T, and a new rate written into the setting map takes effect with no reload.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BpfObject, type BpfMap, type StructLayout } from '@bpfscope/native';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeKernel } from '../../../../test/real-kernel.js';
import { StepsChild } from '../../../../test/steps.js';

const HERE = fileURLToPath(new URL('./bpf/', import.meta.url));
const INCLUDE = fileURLToPath(new URL('../../../../bpf/include/', import.meta.url));

/** Builds the test program with the project's flags (clang, CO-RE), once. */
function buildObject(): string {
  const out = join(mkdtempSync(join(tmpdir(), 'bpfscope-bucket-')), 'bucket_test.bpf.o');
  execFileSync(process.env.CLANG ?? 'clang', ['-target', 'bpf', '-O2', '-g', '-D__TARGET_ARCH_x86', '-mcpu=v3', '-I', INCLUDE, '-I', HERE, '-c', join(HERE, 'bucket_test.bpf.c'), '-o', out]);
  return out;
}

const key0 = new Uint8Array(4);

describeKernel('kernel token bucket (bpfscope_sampling.h)', () => {
  let child: StepsChild;
  let obj: BpfObject;
  let cfg: BpfMap;
  let tat: BpfMap;
  let counts: BpfMap;
  let offers: BpfMap;
  let L: { cfg: StructLayout; counts: StructLayout; offers: StructLayout };

  beforeAll(async () => {
    child = await StepsChild.start();
    obj = BpfObject.open(buildObject(), { constants: { target_tgid: child.pid } });
    await obj.load();
    [cfg, tat, counts, offers] = ['bkt_cfg', 'bkt_tat', 'bkt_counts', 'bkt_offers'].map((m) => obj.map(m)) as [BpfMap, BpfMap, BpfMap, BpfMap];
    // Layouts from the object's BTF, not hand-counted offsets.
    L = { cfg: obj.structLayout('bpfscope_bucket_cfg'), counts: obj.structLayout('bpfscope_bucket_counts'), offers: obj.structLayout('bkt_offers') };
    obj.attach('bkt_sys_enter');
  });
  afterAll(async () => {
    obj?.close();
    await child?.stop();
  });

  const setBucket = (rate: number, burst: number): void => {
    const v = new Uint8Array(L.cfg.size);
    const dv = new DataView(v.buffer);
    dv.setBigUint64(L.cfg.fields['rate']!.offset, BigInt(rate), true);
    dv.setBigUint64(L.cfg.fields['burst']!.offset, BigInt(burst), true);
    cfg.update(key0, v);
    tat.update(key0, new Uint8Array(8)); // a full bucket
  };
  const readCounts = (): { passed: number; refused: number; contended: number } => {
    const sum = { passed: 0, refused: 0, contended: 0 };
    for (const cpu of counts.lookupPerCpu(key0) ?? []) {
      const dv = new DataView(cpu.buffer, cpu.byteOffset, cpu.byteLength);
      for (const k of ['passed', 'refused', 'contended'] as const) sum[k] += Number(dv.getBigUint64(L.counts.fields[k]!.offset, true));
    }
    return sum;
  };
  const readOffers = (): Record<'offered' | 'first_ns' | 'last_ns' | 'first_pass_ns' | 'last_pass_ns', bigint> => {
    const v = offers.lookup(key0)!;
    const dv = new DataView(v.buffer, v.byteOffset, v.byteLength);
    const f = (k: string): bigint => dv.getBigUint64(L.offers.fields[k]!.offset, true);
    return { offered: f('offered'), first_ns: f('first_ns'), last_ns: f('last_ns'), first_pass_ns: f('first_pass_ns'), last_pass_ns: f('last_pass_ns') };
  };

  it('rate R, burst B: passed ≤ B + R·T over the passed span, passed ≥ B, refused = offered − passed exactly; a new setting applies without reload', async () => {
    const programId = obj.programStats()[0]!.id;

    // Phase 1: R = 10,000/s (I = 100 µs), B = 100, 200,000 calls (far above R).
    const R = 10_000;
    const B = 100;
    const I = BigInt(Math.ceil(1e9 / R));
    setBucket(R, B);
    await child.run('getppid 200000');
    const c1 = readCounts();
    const o1 = readOffers();
    expect(Number(o1.offered)).toBe(200_000);
    expect(c1.passed + c1.refused).toBe(200_000);
    // The bound between the first and the last passed event, in the program's own
    // integer arithmetic: passed ≤ B + ⌊T / I⌋, and I ≥ 1e9 / R so that is ≤ B + R·T.
    const T = o1.last_pass_ns - o1.first_pass_ns;
    expect(BigInt(c1.passed)).toBeLessThanOrEqual(BigInt(B) + T / I);
    expect(c1.passed).toBeLessThanOrEqual(B + (R * Number(T)) / 1e9);
    // Lower bounds over the test child's own calls only (offered is exactly its 200,000): how many
    // pass beyond the burst depends on how the child was scheduled, so no exact count exists.
    expect(c1.passed).toBeGreaterThanOrEqual(B); // the first B calls pass at once
    expect(c1.refused).toBeGreaterThan(0);

    // Phase 2: rate 0 = not limited, written into the setting map: every call passes.
    setBucket(0, 1);
    await child.run('getppid 50000');
    const c2 = readCounts();
    expect(c2.passed - c1.passed).toBe(50_000);
    expect(c2.refused).toBe(c1.refused);

    // Phase 3: 1 event/s, burst 5: the 5 of the burst pass, and at most one more per
    // second the phase lasted.
    setBucket(1, 5);
    await child.run('getppid 50000');
    const c3 = readCounts();
    const o3 = readOffers();
    const passed3 = c3.passed - c2.passed;
    const seconds3 = Number(o3.last_ns - o3.first_ns) / 1e9; // first_ns is phase 1's: an upper bound on T
    expect(passed3).toBeGreaterThanOrEqual(5); // the child's own calls: the burst passes at once
    expect(passed3).toBeLessThanOrEqual(5 + seconds3);
    expect(c3.refused - c2.refused).toBe(50_000 - passed3);
    expect(Number(o3.offered)).toBe(300_000);
    expect(c3.passed + c3.refused).toBe(300_000);
    expect(c3.contended).toBe(0); // one thread offers: no race to lose

    expect(obj.programStats()[0]!.id).toBe(programId); // never reloaded
  });
});
