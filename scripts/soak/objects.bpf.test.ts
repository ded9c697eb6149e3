import { execFileSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { createEngine } from '@bpfscope/core';
import { BpfObject } from '@bpfscope/native';
import { cpu } from '@bpfscope/plugin-cpu';
import { proc } from '@bpfscope/plugin-proc';
import { syscall } from '@bpfscope/plugin-syscall';
import { fixture } from '../../packages/native/test/helpers.js';
import { describeKernel } from '../../test/real-kernel.js';
// @ts-expect-error -- a plain .mjs module of the soak script, no declarations
import { aliveInKernel, leftovers, missing, processObjects } from './objects.mjs';

type Objects = { fds: Map<number, string>; prog: Set<number>; map: Set<number>; link: Set<number> };
type Left = { type: string; id: number; target?: string };

/** The kernel's name of a program or map, by id (bpftool). */
const kernelName = (kind: 'prog' | 'map', id: number): string => JSON.parse(execFileSync('bpftool', ['-j', kind, 'show', 'id', String(id)], { encoding: 'utf8' })).name;
const ofType = (left: Left[], type: string): number[] => left.filter((l) => l.type === type).map((l) => l.id).sort((a, b) => a - b);
const silent = { error() {}, warn() {}, info() {}, debug() {} };

describeKernel('soak: the fds and BPF objects a process holds, and what is left after close', () => {
  it('an object of known contents: exactly its program, maps and link are new while it is open, none after close, and the kernel frees them', async () => {
    const before: Objects = processObjects();
    const obj = BpfObject.open(fixture('maps.bpf.o'));
    await obj.load();
    const link = obj.attach('test_switch');
    const open: Objects = processObjects();
    const made: Left[] = leftovers(before, open);
    // One program, every map of the object, one link: by kernel id, named as the object names them.
    expect(ofType(made, 'prog')).toEqual([...open.prog].filter((id) => !before.prog.has(id)).sort((a, b) => a - b));
    expect(ofType(made, 'prog').map((id) => kernelName('prog', id))).toEqual(['test_switch']);
    expect(ofType(made, 'map')).toHaveLength(obj.maps().length);
    expect(ofType(made, 'link')).toHaveLength(1);
    // Every new fd is one of the object's: a program, map, link, or the BTF libbpf loaded for it.
    expect(new Set(made.filter((l) => l.type === 'fd').map((l) => l.target))).toEqual(new Set(['anon_inode:bpf-prog', 'anon_inode:bpf-map', 'anon_inode:bpf_link', 'anon_inode:btf']));
    const ids = { prog: ofType(made, 'prog'), map: ofType(made, 'map'), link: ofType(made, 'link') };
    expect((await aliveInKernel(ids, 0)).alive).toHaveLength(ids.prog.length + ids.map.length + ids.link.length);

    link.destroy();
    const linkGone: Objects = processObjects();
    // The accounting names exactly what is still held: the link is gone, the program and maps are not.
    expect(ofType(leftovers(before, linkGone), 'link')).toEqual([]);
    expect(ofType(leftovers(before, linkGone), 'prog')).toEqual(ids.prog);
    obj.close();
    const after: Objects = processObjects();
    expect(leftovers(before, after)).toEqual([]);
    expect(missing(before, after)).toEqual([]);
    const kernel = await aliveInKernel(ids);
    expect(kernel.available).toBe(true);
    expect(kernel.alive).toEqual([]);
  });

  it('an engine with three eBPF families: its programs are the families\' while it runs; after close() the fds and objects are exactly those of before', async () => {
    const before: Objects = processObjects();
    const engine = createEngine({ plugins: [cpu(), proc(), syscall()], config: { mode: 'ebpf' }, logger: silent });
    await engine.start();
    await engine.collect();
    const open: Objects = processObjects();
    const made: Left[] = leftovers(before, open);
    const names = ofType(made, 'prog').map((id) => kernelName('prog', id));
    // Each family's programs are named <family>_<hook> (the syscall family's sc_<hook>), and only theirs are new.
    for (const prefix of ['cpu_', 'proc_', 'sc_']) expect(names.some((n) => n.startsWith(prefix))).toBe(true);
    expect(names.filter((n) => !/^(cpu|proc|sc)_/.test(n))).toEqual([]);
    // Procfs files kept open for the engine's reads are among its fds (/proc/stat for cpu).
    expect(made.some((l) => l.type === 'fd' && l.target === '/proc/stat')).toBe(true);
    const ids = { prog: ofType(made, 'prog'), map: ofType(made, 'map'), link: ofType(made, 'link') };

    await engine.close();
    const after: Objects = processObjects();
    expect(leftovers(before, after)).toEqual([]);
    expect(missing(before, after)).toEqual([]);
    const kernel = await aliveInKernel(ids);
    expect(kernel.available).toBe(true);
    expect(kernel.alive).toEqual([]);
  });
});
