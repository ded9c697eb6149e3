// Config dropPrivileges in the engine: when it drops (after start, once), what it reports
// when it cannot, and that afterwards an eBPF source is refused with a typed error before
// its init runs (the kernel would refuse it with a bare EPERM). The capabilities themselves
// are dropped by the native addon: packages/cli/src/drop-privileges.bpf.test.ts. A drop is
// process-wide state (as capabilities are): the one test that records a drop runs last.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COLLECTOR, OBJECT_LOADER } from '../tokens.js';
import type { Plugin, Source } from '../types.js';
import type { ObjectLoader } from '../services/object-loader.js';
import { createEngine } from './create-engine.js';
import { dropBreaksReads, type PrivilegeDropReport } from './privileges.js';

/** A proc tree with the two files the drop checks. */
function procTree(release: string, disabled: string): string {
  const root = mkdtempSync(join(tmpdir(), 'bpfscope-privs-'));
  mkdirSync(join(root, 'sys/kernel'), { recursive: true });
  writeFileSync(join(root, 'sys/kernel/osrelease'), `${release}\n`);
  writeFileSync(join(root, 'sys/kernel/unprivileged_bpf_disabled'), `${disabled}\n`);
  return root;
}

const silent = { error() {}, warn() {}, info() {}, debug() {} };

/** A plugin with one eBPF source that counts its inits, and a loader that records drops. */
function ebpfPlugin(family: string, loader: ObjectLoader | null): { plugin: Plugin; inits: () => number } {
  let inits = 0;
  const source: Source<number> = {
    kind: 'ebpf',
    name: `${family}-ebpf`,
    async init() {
      inits++;
    },
    async read() {
      return 1;
    },
    async close() {},
  } as Source<number>;
  const plugin: Plugin = {
    name: family,
    version: '0',
    register: (c) => {
      c.register(COLLECTOR, { useValue: { family, sources: [source] } });
      if (loader) c.register(OBJECT_LOADER, { useValue: loader });
    },
  };
  return { plugin, inits: () => inits };
}

function recordingLoader(report: (caps: readonly string[]) => PrivilegeDropReport): { loader: ObjectLoader; asked: Array<readonly string[]> } {
  const asked: Array<readonly string[]> = [];
  const loader: ObjectLoader = {
    load: () => Promise.reject(new Error('not used')),
    stats: () => ({ hits: 0, misses: 0, loaded: 0 }),
    dropCapabilities: (caps) => {
      asked.push(caps);
      return report(caps);
    },
  };
  return { loader, asked };
}

const done = (caps: readonly string[]): PrivilegeDropReport => ({ capabilities: caps, at: '2026-01-01T00:00:00.000Z', threads: 3, threadsWithout: 3, holding: [], bounding: { dropped: true, reason: null }, error: null });

describe('engine dropPrivileges', () => {
  it('off by default: nothing is dropped and privileges() is null', async () => {
    const { loader, asked } = recordingLoader(done);
    const engine = createEngine({ plugins: [ebpfPlugin('a', loader).plugin], logger: silent });
    await engine.start();
    expect(engine.privileges()).toBeNull();
    expect(asked).toEqual([]);
    await engine.close();
  });

  it('a loader that cannot drop (no addon): start succeeds and the report says why; nothing is refused after', async () => {
    const failing: ObjectLoader = { load: () => Promise.reject(new Error('x')), stats: () => ({ hits: 0, misses: 0, loaded: 0 }), dropCapabilities: () => { throw new Error('the native addon could not be loaded'); } };
    const engine = createEngine({ plugins: [ebpfPlugin('a', failing).plugin], config: { dropPrivileges: true }, logger: silent });
    await engine.start();
    expect(engine.privileges()?.error).toBe('the capabilities could not be dropped: the native addon could not be loaded');
    const later = ebpfPlugin('b', null);
    engine.use(later.plugin);
    expect((await engine.collect()).errors).toEqual([]);
    expect(later.inits()).toBe(1);
    await engine.close();
  });

  it('without any loader: the report names the missing addon', async () => {
    const engine = createEngine({ plugins: [ebpfPlugin('a', null).plugin], config: { dropPrivileges: true }, logger: silent });
    await engine.start();
    expect(engine.privileges()?.error).toMatch(/no plugin of this engine provided an object loader/);
    await engine.close();
  });

  it('kept on a kernel that would refuse reads on held fds after the drop (before 6.5 with unprivileged_bpf_disabled set)', async () => {
    expect(dropBreaksReads(procTree('6.1.0-18-amd64', '2'))).toMatch(/^kernel 6\.1\.0-18-amd64 with kernel\.unprivileged_bpf_disabled=2 refuses/);
    expect(dropBreaksReads(procTree('5.15.0', '1'))).not.toBeNull();
    expect(dropBreaksReads(procTree('6.1.0', '0'))).toBeNull();
    expect(dropBreaksReads(procTree('6.5.0', '2'))).toBeNull();
    expect(dropBreaksReads(procTree('7.0.1', '1'))).toBeNull();
    expect(dropBreaksReads(join(tmpdir(), 'no-such-proc-root'))).toBeNull();
    const { loader, asked } = recordingLoader(done);
    const engine = createEngine({ plugins: [ebpfPlugin('a', loader).plugin], config: { dropPrivileges: true, procRoot: procTree('6.1.0-18-amd64', '2') }, logger: silent });
    await engine.start();
    expect(asked).toEqual([]);
    expect(engine.privileges()?.error).toMatch(/the privileges were kept$/);
    await engine.close();
  });

  it('drops once, after every family attached; later eBPF inits are refused with INSUFFICIENT_PERMISSIONS naming the drop, without running', async () => {
    const { loader, asked } = recordingLoader(done);
    const first = ebpfPlugin('a', loader);
    const engine = createEngine({ plugins: [first.plugin], config: { dropPrivileges: true }, logger: silent });
    await engine.start();
    await engine.start();
    expect(asked).toEqual([['CAP_BPF', 'CAP_PERFMON', 'CAP_SYS_ADMIN', 'CAP_SYS_RESOURCE']]);
    expect(first.inits()).toBe(1);
    expect(engine.privileges()).toEqual(done(asked[0]!));
    // A family added after the drop.
    const later = ebpfPlugin('b', null);
    engine.use(later.plugin);
    const snap = await engine.collect();
    expect(later.inits()).toBe(0);
    expect(snap.errors.map((e) => ({ family: e.family, code: e.error.code, dropped: e.error.details.privilegesDropped }))).toEqual([{ family: 'b', code: 'INSUFFICIENT_PERMISSIONS', dropped: true }]);
    expect(snap.errors[0]!.error.remedy).toMatch(/Restart the process/);
    // Recovery of it is refused the same way.
    const recovery = await engine.attemptRecovery();
    expect(recovery.recovered).toEqual([]);
    expect(recovery.failing.map((f) => f.error.code)).toEqual(['INSUFFICIENT_PERMISSIONS']);
    expect(later.inits()).toBe(0);
    // A second engine of the process: the capabilities are the process's.
    const other = createEngine({ plugins: [ebpfPlugin('c', null).plugin], config: { mode: 'ebpf' }, logger: silent });
    await expect(other.start()).rejects.toMatchObject({ code: 'INSUFFICIENT_PERMISSIONS', details: { privilegesDropped: true } });
    await other.close();
    await engine.close();
  });
});
