import { execFileSync } from 'node:child_process';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { AttachFailed } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { elfSymbol } from '../test/elf-symbol.js';
import { fixture, readU64, u32 } from '../test/helpers.js';
import { argSum, buildUprobeWorkload, returnSum, startCaller, TARGET_FUNCTION, type UprobeWorkload } from '../test/uprobe-workload.js';
import { BpfObject, possibleCpus } from './index.js';

const STAT_DROPS = 2; // enum bpfscope_stat

/** struct upc_value { u64 count; u64 sum; } of one tgid, or zeros when absent. */
function entry(obj: BpfObject, map: 'upc_calls' | 'upc_rets', tgid: number): { count: bigint; sum: bigint } {
  const v = obj.map(map).lookup(u32(tgid));
  return v === undefined ? { count: 0n, sum: 0n } : { count: readU64(v, 0), sum: readU64(v, 8) };
}

function drops(obj: BpfObject): bigint {
  const views = obj.map('upc_stats').lookupPerCpu(u32(STAT_DROPS)) ?? [];
  expect(views).toHaveLength(possibleCpus());
  return views.reduce((s, v) => s + readU64(v), 0n);
}

function expectAttachFailed(fn: () => unknown): AttachFailed {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AttachFailed);
    return e as AttachFailed;
  }
  throw new Error('expected AttachFailed');
}

describeKernel('uprobes against a workload with known calls', () => {
  let workload: UprobeWorkload;
  const opened: BpfObject[] = [];
  const loaded = async (): Promise<BpfObject> => {
    const obj = BpfObject.open(fixture('uprobe_count.bpf.o'));
    opened.push(obj);
    await obj.load();
    return obj;
  };

  beforeAll(() => {
    workload = buildUprobeWorkload();
  });
  afterAll(() => workload.remove());
  afterEach(() => {
    for (const obj of opened.splice(0)) obj.close();
  });

  it('uprobe and uretprobe by symbol on every process: exact call count, argument sum and return sum per tgid', async () => {
    const obj = await loaded();
    const entryLink = obj.attachUprobe('upc_entry', { binaryPath: workload.library, functionName: TARGET_FUNCTION });
    const retLink = obj.attachUprobe('upc_return', { binaryPath: workload.library, functionName: TARGET_FUNCTION, retprobe: true });
    expect(entryLink.attachPoint).toBe(`uprobe:${workload.library}:${TARGET_FUNCTION}`);
    expect(retLink.attachPoint).toBe(`uretprobe:${workload.library}:${TARGET_FUNCTION}`);

    // Two processes at once, with different counts: each is counted on its own.
    const [a, b] = [await startCaller(workload, 1000), await startCaller(workload, 37)];
    const [sumA, sumB] = await Promise.all([a.go(), b.go()]);
    expect(sumA).toBe(returnSum(1000));
    expect(sumB).toBe(returnSum(37));

    expect(entry(obj, 'upc_calls', a.pid)).toEqual({ count: 1000n, sum: argSum(1000) });
    expect(entry(obj, 'upc_calls', b.pid)).toEqual({ count: 37n, sum: argSum(37) });
    expect(entry(obj, 'upc_rets', a.pid)).toEqual({ count: 1000n, sum: returnSum(1000) });
    expect(entry(obj, 'upc_rets', b.pid)).toEqual({ count: 37n, sum: returnSum(37) });
    // Nobody else maps this library (it lives in the test's temp dir).
    expect((await obj.map('upc_calls').lookupBatch()).count).toBe(2);
    expect(drops(obj)).toBe(0n);
  });

  it('a uprobe for one pid counts only that process', async () => {
    const obj = await loaded();
    const target = await startCaller(workload, 250);
    const other = await startCaller(workload, 40);
    obj.attachUprobe('upc_entry', { binaryPath: workload.library, functionName: TARGET_FUNCTION, pid: target.pid });
    await Promise.all([target.go(), other.go()]);
    expect(entry(obj, 'upc_calls', target.pid)).toEqual({ count: 250n, sum: argSum(250) });
    expect(entry(obj, 'upc_calls', other.pid)).toEqual({ count: 0n, sum: 0n });
    expect((await obj.map('upc_calls').lookupBatch()).count).toBe(1);
  });

  it('by file offset from the ELF symbol table: the same exact counts as by name', async () => {
    const symbol = elfSymbol(workload.library, TARGET_FUNCTION);
    if (symbol === undefined) throw new Error(`${TARGET_FUNCTION} not in ${workload.library}`);
    // The symbol table read here agrees with nm.
    const nm = execFileSync('nm', ['-D', '--defined-only', workload.library], { encoding: 'utf8' });
    const nmValue = new RegExp(`^([0-9a-f]+) T ${TARGET_FUNCTION}$`, 'm').exec(nm)?.[1];
    expect(nmValue && BigInt(`0x${nmValue}`)).toBe(symbol.value);

    const obj = await loaded();
    const link = obj.attachUprobe('upc_entry', { binaryPath: workload.library, offset: symbol.fileOffset });
    obj.attachUprobe('upc_return', { binaryPath: workload.library, offset: symbol.fileOffset, retprobe: true });
    expect(link.attachPoint).toBe(`uprobe:${workload.library}+0x${symbol.fileOffset.toString(16)}`);
    const caller = await startCaller(workload, 321);
    await caller.go();
    expect(entry(obj, 'upc_calls', caller.pid)).toEqual({ count: 321n, sum: argSum(321) });
    expect(entry(obj, 'upc_rets', caller.pid)).toEqual({ count: 321n, sum: returnSum(321) });
  });

  it('after destroy() the calls are no longer counted', async () => {
    const obj = await loaded();
    const link = obj.attachUprobe('upc_entry', { binaryPath: workload.library, functionName: TARGET_FUNCTION });
    link.destroy();
    expect(link.attached).toBe(false);
    const caller = await startCaller(workload, 10);
    await caller.go();
    expect(entry(obj, 'upc_calls', caller.pid).count).toBe(0n);
  });

  it('a missing symbol is AttachFailed naming program, binary and symbol, with a remedy', async () => {
    const obj = await loaded();
    const e = expectAttachFailed(() => obj.attachUprobe('upc_entry', { binaryPath: workload.library, functionName: 'bpfscope_no_such_fn' }));
    expect(e.program).toBe('upc_entry');
    expect(e.attachPoint).toBe(`uprobe:${workload.library}:bpfscope_no_such_fn`);
    expect(e.message).toContain(`${workload.library} has no function bpfscope_no_such_fn`);
    expect(e.message).toContain('upc_entry');
    expect(e.errno).toBe(2);
    expect(e.remedy).toContain(`nm -D --defined-only ${workload.library}`);
    expect(e.details).toMatchObject({ binaryPath: workload.library, functionName: 'bpfscope_no_such_fn' });
  });

  it('a missing binary is AttachFailed that says the binary does not exist', async () => {
    const obj = await loaded();
    const e = expectAttachFailed(() => obj.attachUprobe('upc_entry', { binaryPath: '/nonexistent/libnothing.so', functionName: TARGET_FUNCTION, retprobe: true }));
    expect(e.program).toBe('upc_entry');
    expect(e.attachPoint).toBe(`uretprobe:/nonexistent/libnothing.so:${TARGET_FUNCTION}`);
    expect(e.message).toContain('binary /nonexistent/libnothing.so does not exist');
    expect(e.errno).toBe(2);
    expect(e.remedy).toMatch(/absolute path/);
    // A bare library name is looked up by libbpf on the library path.
    const bare = expectAttachFailed(() => obj.attachUprobe('upc_entry', { binaryPath: 'libbpfscope_nothing.so', functionName: TARGET_FUNCTION }));
    expect(bare.message).toContain('binary libbpfscope_nothing.so was not found on the library path');
    expect(bare.errno).toBe(2);
  });

  it('a target that is not well formed is AttachFailed before reaching the kernel', async () => {
    const obj = await loaded();
    const lib = workload.library;
    const both = { binaryPath: lib, functionName: TARGET_FUNCTION, offset: 16 } as unknown as Parameters<BpfObject['attachUprobe']>[1];
    const neither = { binaryPath: lib } as unknown as Parameters<BpfObject['attachUprobe']>[1];
    expect(expectAttachFailed(() => obj.attachUprobe('upc_entry', both)).message).toMatch(/exactly one of functionName and offset/);
    expect(expectAttachFailed(() => obj.attachUprobe('upc_entry', neither)).message).toMatch(/exactly one of functionName and offset/);
    expect(expectAttachFailed(() => obj.attachUprobe('upc_entry', { binaryPath: lib, offset: -4 })).message).toMatch(/offset must be a positive integer/);
    expect(expectAttachFailed(() => obj.attachUprobe('upc_entry', { binaryPath: lib, functionName: TARGET_FUNCTION, pid: -2 })).message).toMatch(/pid must be/);
    expect(expectAttachFailed(() => obj.attachUprobe('upc_entry', { binaryPath: '/tmp', functionName: TARGET_FUNCTION })).message).toMatch(/not a regular file/);
    expect(expectAttachFailed(() => obj.attachUprobe('nope', { binaryPath: lib, functionName: TARGET_FUNCTION })).message).toMatch(/no program named "nope"/);
  });
});
