import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const exec = promisify(execFile);

// An install where the addon cannot load: @bpfscope/native without prebuilds/ or build/.
// The other packages are symlinked and resolved through their links (--preserve-symlinks).
describe('when the native addon cannot load', () => {
  let dir = '';
  let bin = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bpfscope-nonative-'));
    const nm = join(dir, 'node_modules');
    mkdirSync(join(nm, '@bpfscope'), { recursive: true });
    for (const pkg of readdirSync(join(ROOT, 'packages'))) {
      if (pkg !== 'native') symlinkSync(join(ROOT, 'packages', pkg), join(nm, '@bpfscope', pkg));
    }
    for (const dep of ['tsyringe', 'reflect-metadata', 'node-gyp-build', 'tslib']) symlinkSync(join(ROOT, 'node_modules', dep), join(nm, dep));
    const native = join(nm, '@bpfscope/native');
    mkdirSync(native);
    cpSync(join(ROOT, 'packages/native/dist'), join(native, 'dist'), { recursive: true });
    cpSync(join(ROOT, 'packages/native/package.json'), join(native, 'package.json'));
    bin = join(nm, '@bpfscope/cli/bin/bpfscope.js');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (...args: string[]) => exec(process.execPath, ['--preserve-symlinks', '--preserve-symlinks-main', bin, ...args], { cwd: dir });

  it('snapshot still has cpu, from procfs, with NATIVE_UNAVAILABLE as the reason', async () => {
    const { stdout } = await run('snapshot', '--json', '--families', 'cpu');
    const snap = JSON.parse(stdout) as { families: { cpu?: { source: string; fallback: { code: string; remedy: string } | null } }; errors: unknown[] };
    expect(snap.errors).toEqual([]);
    expect(snap.families.cpu?.source).toBe('procfs');
    expect(snap.families.cpu?.fallback?.code).toBe('NATIVE_UNAVAILABLE');
    expect(snap.families.cpu?.fallback?.remedy).toMatch(/libbpf1|build:native/);
  });

  it('doctor names the cause, the paths tried and the remedy', async () => {
    const { stdout } = await run('doctor', '--json');
    const r = JSON.parse(stdout) as { native: { loaded: boolean; error?: { code: string; message: string } }; ebpfUsable: boolean; problems: Array<{ code: string; remedy: string }> };
    expect(r.native.loaded).toBe(false);
    expect(r.native.error?.code).toBe('NATIVE_UNAVAILABLE');
    expect(r.native.error?.message).toMatch(/No native build was found|prebuilds/);
    expect(r.ebpfUsable).toBe(false);
    expect(r.problems.find((p) => p.code === 'NATIVE_UNAVAILABLE')?.remedy).toMatch(/build:native/);
  });
});
