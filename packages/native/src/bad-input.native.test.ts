import { readFileSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { AttachFailed, Closed, LoadFailed, MapOperationFailed } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { elfSection } from '../test/elf-symbol.js';
import { fixture, u32 } from '../test/helpers.js';
import { BpfObject } from './index.js';

const opened: BpfObject[] = [];
afterEach(() => {
  for (const obj of opened.splice(0)) obj.close();
});

/** Opens and loads `image`; resolves with the error either step threw, or undefined when both worked. */
async function openAndLoad(image: Uint8Array, name: string): Promise<unknown> {
  try {
    const obj = BpfObject.open(image, { name });
    opened.push(obj);
    await obj.load();
    return undefined;
  } catch (e) {
    return e;
  }
}

/** A copy of maps.bpf.o with `bytes` written over the start of section `section`. */
function corrupted(section: string, bytes: (size: number) => Uint8Array): Buffer {
  const image = Buffer.from(readFileSync(fixture('maps.bpf.o')));
  const where = elfSection(image, section);
  if (where === undefined) throw new Error(`maps.bpf.o has no section ${section}`);
  image.set(bytes(where.size), where.offset);
  return image;
}

describeKernel('bad input gets a taxonomy error, never a crash', () => {
  it('a corrupt .BTF section (bad magic): LoadFailed, the object never loads', async () => {
    const e = await openAndLoad(corrupted('.BTF', () => new Uint8Array([0xde, 0xad, 0xbe, 0xef])), 'bad_btf');
    expect(e).toBeInstanceOf(LoadFailed);
    expect((e as LoadFailed).object).toBe('bad_btf');
    expect((e as LoadFailed).message).toMatch(/BTF/);
  });

  it('a corrupt program (its instructions overwritten with an invalid opcode): LoadFailed naming the program, with the verifier log', async () => {
    const e = await openAndLoad(corrupted('tp_btf/sched_switch', (size) => new Uint8Array(size).fill(0xff)), 'bad_insns');
    expect(e).toBeInstanceOf(LoadFailed);
    const err = e as LoadFailed;
    expect(err.object).toBe('bad_insns');
    expect(err.message).toContain('test_switch');
    expect(err.verifierLog.length).toBeGreaterThan(0);
  });

  it('a corrupt relocation section (symbol indexes out of range): LoadFailed naming the problem', async () => {
    const e = await openAndLoad(corrupted('.reltp_btf/sched_switch', (size) => new Uint8Array(size).fill(0xff)), 'bad_relocs');
    expect(e).toBeInstanceOf(LoadFailed);
    expect((e as LoadFailed).object).toBe('bad_relocs');
    expect((e as LoadFailed).message).toMatch(/reltp_btf\/sched_switch.*not found for relo/);
  });

  it('a Buffer that is not ELF: LoadFailed at open', async () => {
    const e = await openAndLoad(Buffer.from('#!/bin/sh\necho this is a shell script, not an eBPF object\n'.repeat(4)), 'script');
    expect(e).toBeInstanceOf(LoadFailed);
    expect((e as LoadFailed).message).toMatch(/not an ELF file/);
  });

  it('wrong key and value sizes, a missing map: MapOperationFailed naming the map', async () => {
    const obj = BpfObject.open(fixture('maps.bpf.o'));
    opened.push(obj);
    await obj.load();
    const total = obj.map('test_total');
    expect(() => total.lookup(new Uint8Array(8))).toThrow(MapOperationFailed);
    expect(() => total.update(u32(0), new Uint8Array(4))).toThrow(/test_total/);
    expect(() => obj.map('test_missing')).toThrow(/no map named "test_missing"; it has test_hash, test_counts/);
  });

  it('after close every call of the object and its maps is Closed; its links read detached and destroy() stays a no-op', async () => {
    const obj = BpfObject.open(fixture('maps.bpf.o'));
    await obj.load();
    const link = obj.attach('test_switch');
    const counts = obj.map('test_counts');
    const hash = obj.map('test_hash');
    obj.close();
    const calls: Array<[string, () => unknown]> = [
      ['programs', () => obj.programs()],
      ['maps', () => obj.maps()],
      ['map', () => obj.map('test_total')],
      ['setAutoload', () => obj.setAutoload('test_switch', false)],
      ['attach', () => obj.attach('test_switch')],
      ['attachUprobe', () => obj.attachUprobe('test_switch', { binaryPath: '/bin/true', functionName: 'main' })],
      ['attachPerfEvent', () => obj.attachPerfEvent('test_switch', { cpu: 0 })],
      ['attachPerfEventAllCpus', () => obj.attachPerfEventAllCpus('test_switch')],
      ['lookup', () => hash.lookup(u32(1))],
      ['lookupPerCpu', () => counts.lookupPerCpu(u32(0))],
      ['update', () => hash.update(u32(1), new Uint8Array(16))],
      ['delete', () => hash.delete(u32(1))],
      ['readArray', () => counts.readArray()],
    ];
    for (const [name, call] of calls) {
      let thrown: unknown;
      try {
        call();
      } catch (e) {
        thrown = e;
      }
      expect({ name, closed: thrown instanceof Closed }).toEqual({ name, closed: true });
    }
    await expect(obj.load()).rejects.toBeInstanceOf(Closed);
    await expect(hash.lookupBatch()).rejects.toBeInstanceOf(Closed);
    expect(link.attached).toBe(false);
    link.destroy();
    expect(link.attached).toBe(false);
  });

  it('an unknown program name is AttachFailed for every attach method', async () => {
    const obj = BpfObject.open(fixture('maps.bpf.o'));
    opened.push(obj);
    await obj.load();
    for (const attach of [
      () => obj.attach('nope'),
      () => obj.attachPerfEvent('nope', { cpu: 0 }),
      () => obj.attachPerfEventAllCpus('nope'),
      () => obj.attachUprobe('nope', { binaryPath: '/bin/true', offset: 64 }),
    ]) {
      expect(attach).toThrow(AttachFailed);
    }
  });
});
