import { execFile } from 'node:child_process';
import { mkdtemp, copyFile, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { ConfigError, createEngine } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { CPU_OBJECT_PATH } from './ebpf/cpu-ebpf-source.js';
import { cpu } from './plugin.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../test/fixtures', import.meta.url));
const NATIVE_FIXTURES = fileURLToPath(new URL('../../native/test/fixtures', import.meta.url));
const silent = { error() {}, warn() {}, info() {}, debug() {} };

describeKernel('cpu family when eBPF is refused or the input is bad', () => {
  it('mode fallback: cpu comes from procfs, and the reason names the configuration', async () => {
    const engine = createEngine({ plugins: [cpu()], config: { mode: 'fallback' }, logger: silent });
    const r = (await engine.collect()).get('cpu');
    await engine.close();
    expect(r?.source).toBe('procfs');
    expect(r?.fallback?.code).toBe('DATA_UNAVAILABLE');
    expect(r?.data.total.busy).toBeGreaterThan(0);
    expect(r?.data.runQueueLatency).toBeNull();
    expect(r?.data.unavailable.runQueueLatency).toMatch(/eBPF/);
  });

  it('an unprivileged process gets cpu from procfs with INSUFFICIENT_PERMISSIONS as the reason', async () => {
    const script = `
      import { createEngine } from '@bpfscope/core';
      import { cpu } from '@bpfscope/plugin-cpu';
      const engine = createEngine({ plugins: [cpu()], config: { logLevel: 'silent' } });
      const snap = await engine.collect();
      await engine.close();
      process.stdout.write(JSON.stringify(snap.toJSON()));`;
    const { stdout } = await promisify(execFile)('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', '--inh-caps=-all', process.execPath, '--input-type=module', '-e', script], { cwd: ROOT });
    const snap = JSON.parse(stdout) as { families: { cpu?: { source: string; fallback: { code: string; remedy: string } | null; data: { total: { busy: number } } } } };
    expect(snap.families.cpu?.source).toBe('procfs');
    expect(snap.families.cpu?.fallback?.code).toBe('INSUFFICIENT_PERMISSIONS');
    expect(snap.families.cpu?.fallback?.remedy).toMatch(/root|setcap/);
    expect(snap.families.cpu?.data.total.busy).toBeGreaterThan(0);
  });

  it('an invalid config is a ConfigError naming path, value and what is allowed', () => {
    expect(() => createEngine({ plugins: [cpu()], config: { families: { cpu: { mode: 'turbo' as never } } } })).toThrow(ConfigError);
    expect(() => createEngine({ config: { operationTimeoutMs: 0 } })).toThrow(
      new ConfigError('operationTimeoutMs', 0, 'an integer from 1 to 600000'),
    );
    expect(() => createEngine({ config: { operationTimeoutMs: 0 } })).toThrow('invalid config at operationTimeoutMs: got 0, expected an integer from 1 to 600000');
  });

  it('a corrupt .bpf.o is LoadFailed; auto mode falls back with that reason', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bpfscope-'));
    const corrupt = join(dir, 'cpu.bpf.o');
    const real = await readFile(CPU_OBJECT_PATH);
    await writeFile(corrupt, real.subarray(0, Math.floor(real.length / 3)));
    const strict = createEngine({ plugins: [cpu({ objectPath: corrupt })], config: { mode: 'ebpf' }, logger: silent });
    await expect(strict.start()).rejects.toMatchObject({ code: 'LOAD_FAILED' });
    await strict.close();
    const auto = createEngine({ plugins: [cpu({ objectPath: corrupt })], logger: silent });
    const r = (await auto.collect()).get('cpu');
    await auto.close();
    expect(r?.source).toBe('procfs');
    expect(r?.fallback?.code).toBe('LOAD_FAILED');
    expect(r?.fallback?.message).toContain(corrupt);
  });

  it('an object whose tracepoint does not exist is AttachFailed naming program and attach point', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bpfscope-'));
    const obj = join(dir, 'missing_tp.bpf.o');
    await copyFile(join(NATIVE_FIXTURES, 'missing_tp.bpf.o'), obj);
    const engine = createEngine({ plugins: [cpu({ objectPath: obj })], config: { mode: 'ebpf' }, logger: silent });
    const err = await engine.start().then(() => null, (e: unknown) => e);
    await engine.close();
    expect(err).toMatchObject({ code: 'ATTACH_FAILED' });
    expect((err as Error).message).toContain('bpfscope_no_such_tp');
  });

  it('a truncated /proc/stat is EventProcessingFailed in snapshot.errors, not a crash', async () => {
    const engine = createEngine({ plugins: [cpu()], config: { mode: 'fallback', procRoot: join(FIXTURES, 'malformed/stat-truncated/proc') }, logger: silent });
    const snap = await engine.collect();
    await engine.close();
    expect(snap.get('cpu')).toBeUndefined();
    expect(snap.errors[0]?.family).toBe('cpu');
    expect(snap.errors[0]?.error.code).toBe('EVENT_PROCESSING_FAILED');
    expect(snap.errors[0]?.error.message).toMatch(/stat/);
  });
});
