import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoadFailed } from '@bpfscope/core';
import { objectFileRemedy, readObjectFile, readObjectFileSync } from './object-file.js';
import { REPO_ROOT } from '../test/helpers.js';

function pkg(dir: string, json: Record<string, unknown>): string {
  mkdirSync(join(dir, 'bpf'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify(json));
  return dir;
}

async function loadFailed(path: string): Promise<LoadFailed> {
  const e: unknown = await readObjectFile(path).then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(LoadFailed);
  return e as LoadFailed;
}

describe('readObjectFile', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'bpfscope-objfile-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('returns the bytes of an object that is there, async and sync', async () => {
    const dir = pkg(join(work, 'present'), { name: 'present' });
    const bytes = Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 1, 2, 3]);
    writeFileSync(join(dir, 'bpf/x.bpf.o'), bytes);
    expect([...(await readObjectFile(join(dir, 'bpf/x.bpf.o')))]).toEqual([...bytes]);
    expect([...readObjectFileSync(join(dir, 'bpf/x.bpf.o'))]).toEqual([...bytes]);
  });

  it('a missing object in an installed package: LoadFailed naming the path, remedy reinstall that package', async () => {
    const app = join(work, 'app');
    pkg(app, { name: 'my-app', dependencies: { '@bpfscope/plugin-cpu': '0.1.0' } });
    const dir = pkg(join(app, 'node_modules/@bpfscope/plugin-cpu'), { name: '@bpfscope/plugin-cpu' });
    const path = join(dir, 'bpf/cpu.bpf.o');
    const e = await loadFailed(path);
    expect(e).toMatchObject({ code: 'LOAD_FAILED', object: path, op: 'read', errno: 2, details: { path } });
    expect(e.message).toBe(`loading ${path} failed: cannot read the object file (ENOENT: no such file or directory)`);
    expect(e.remedy).toContain('npm install @bpfscope/plugin-cpu');
    expect(e.remedy).not.toContain('build:bpf');
    expect(e.cause).toMatchObject({ code: 'ENOENT' });
    const s = (() => {
      try {
        readObjectFileSync(path);
      } catch (err) {
        return err;
      }
      return null;
    })();
    expect(s).toBeInstanceOf(LoadFailed);
    expect(s).toMatchObject({ object: path, remedy: e.remedy, errno: 2 });
  });

  it('an app that is itself a monorepo and installs the package is still told to reinstall it', async () => {
    const mono = join(work, 'mono');
    pkg(mono, { name: 'mono', private: true, workspaces: ['packages/*'] });
    pkg(join(mono, 'packages/service'), { name: 'service' });
    const dir = pkg(join(mono, 'node_modules/@bpfscope/plugin-mem'), { name: '@bpfscope/plugin-mem' });
    const e = await loadFailed(join(dir, 'bpf/mem.bpf.o'));
    expect(e.remedy).toContain('npm install @bpfscope/plugin-mem');
    expect(e.remedy).not.toContain('build:bpf');
  });

  it('a missing object in a workspace of a repository (listed explicitly or by a glob): remedy npm run build:bpf', async () => {
    const explicit = join(work, 'repo1');
    pkg(explicit, { name: 'r', private: true, workspaces: ['packages/core', 'packages/plugin-cpu'] });
    const a = pkg(join(explicit, 'packages/plugin-cpu'), { name: '@bpfscope/plugin-cpu' });
    const globbed = join(work, 'repo2');
    pkg(globbed, { name: 'r', private: true, workspaces: { packages: ['./packages/*'] } });
    const b = pkg(join(globbed, 'packages/plugin-cpu'), { name: '@bpfscope/plugin-cpu' });
    for (const dir of [a, b]) {
      const e = await loadFailed(join(dir, 'bpf/cpu.bpf.o'));
      expect(e.remedy).toContain('npm run build:bpf');
      expect(e.remedy).not.toContain('npm install');
    }
  });

  it('this repository: a plugin object that is missing gets the repository remedy', () => {
    const remedy = objectFileRemedy(join(REPO_ROOT, 'packages/plugin-cpu/bpf/not-there.bpf.o'));
    expect(remedy).toContain('npm run build:bpf');
  });

  it('a path no package holds (a user objectPath): remedy to check the path', async () => {
    const e = await loadFailed('/nonexistent-bpfscope-dir/x.bpf.o');
    expect(e.object).toBe('/nonexistent-bpfscope-dir/x.bpf.o');
    expect(e.remedy).toMatch(/^Check the object path: \/nonexistent-bpfscope-dir\/x\.bpf\.o/);
  });

  it('a directory where the object should be: LoadFailed with EISDIR', async () => {
    const dir = pkg(join(work, 'isdir'), { name: 'isdir' });
    mkdirSync(join(dir, 'bpf/d.bpf.o'));
    const e = await loadFailed(join(dir, 'bpf/d.bpf.o'));
    expect(e).toMatchObject({ code: 'LOAD_FAILED', errno: 21 });
    expect(e.message).toContain('EISDIR');
  });
});
