// Packs @bpfscope/core and @bpfscope/native as npm would publish them,
// installs the two tarballs (and their registry dependencies) into an empty
// project with no compiler on PATH, and runs a script there that loads the
// shipped prebuild, loads the shipped probe object and attaches one tp_btf
// program: what a user of the published packages gets.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeKernel } from '../../../test/real-kernel.js';
import { REPO_ROOT } from '../test/helpers.js';

const COMPILERS = ['cc', 'gcc', 'g++', 'c++', 'clang', 'clang++', 'make'];

/** process.env without npm's per-run variables (a nested npm must not inherit this run's workspace or prefix). */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  return { ...env, ...extra };
}

/** The npm CLI that runs this test's node (npm-cli.js), for a PATH that holds nothing else. */
function npmCli(): string {
  const fromPath = execFileSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim();
  return realpathSync(fromPath);
}

function onPath(path: string, name: string): boolean {
  return path.split(':').some((dir) => {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function tarList(tarball: string): string[] {
  return execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((f) => f.replace(/^package\//, ''));
}

const RUN_MJS = `
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { BpfObject, isNativeAvailable, libbpfVersion } from '@bpfscope/native';
import { isBpfscopeError } from '@bpfscope/core';

const native = isNativeAvailable();
if (!native.ok) {
  console.log(JSON.stringify({ ok: false, stage: 'addon', message: native.error.message }));
  process.exit(0);
}
const pkg = dirname(createRequire(import.meta.url).resolve('@bpfscope/native/package.json'));
try {
  const obj = BpfObject.open(join(pkg, 'bpf/probe.bpf.o'), { name: 'pack_probe' });
  for (const p of obj.programs()) obj.setAutoload(p.name, p.name === 'probe_tp_btf');
  await obj.load();
  const link = obj.attach('probe_tp_btf');
  console.log(JSON.stringify({ ok: true, path: native.path, libbpf: libbpfVersion(), attachPoint: link.attachPoint, attached: link.attached }));
  obj.close();
} catch (e) {
  console.log(JSON.stringify({ ok: false, stage: 'bpf', taxonomy: isBpfscopeError(e), message: String(e) }));
}
`;

describeKernel('packaging: the published tarballs install without a compiler and work', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'bpfscope-pack-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('npm pack core + native, install into an empty project with no compiler on PATH, load the prebuild and attach tp_btf', () => {
    const packs = join(work, 'packs');
    mkdirSync(packs);
    // prepack builds dist (tsc -b) first.
    for (const pkg of ['core', 'native']) {
      execFileSync(process.execPath, [npmCli(), 'pack', '--pack-destination', packs], {
        cwd: join(REPO_ROOT, 'packages', pkg),
        env: cleanEnv({}),
        stdio: ['ignore', 'ignore', 'pipe'],
      });
    }
    const tarballs = readdirSync(packs).sort();
    expect(tarballs).toEqual(['bpfscope-core-0.1.0.tgz', 'bpfscope-native-0.1.0.tgz']);
    const [coreTgz, nativeTgz] = tarballs.map((t) => join(packs, t)) as [string, string];

    const nativeFiles = tarList(nativeTgz);
    for (const f of ['package.json', 'dist/index.js', 'dist/index.d.ts', 'prebuilds/linux-x64/@bpfscope+native.glibc.node', 'bpf/probe.bpf.o', 'binding.gyp', 'src/native/addon.cc']) {
      expect({ f, shipped: nativeFiles.includes(f) }).toEqual({ f, shipped: true });
    }
    const coreFiles = tarList(coreTgz);
    expect(coreFiles).toContain('dist/index.js');
    for (const f of [...nativeFiles, ...coreFiles]) expect(f).not.toMatch(/\.test\.|\.tsbuildinfo$|\.ts$(?<!\.d\.ts)|^test\//);

    // A PATH with node and npm only: no cc, gcc, g++, clang or make.
    const bin = join(work, 'bin');
    mkdirSync(bin);
    symlinkSync(process.execPath, join(bin, 'node'));
    symlinkSync(npmCli(), join(bin, 'npm'));
    for (const c of COMPILERS) expect({ c, found: onPath(bin, c) }).toEqual({ c, found: false });
    expect(onPath(process.env.PATH ?? '', 'gcc')).toBe(true); // the machine has one: the stripping matters

    const project = join(work, 'project');
    mkdirSync(project);
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'bpfscope-pack-test', private: true, type: 'module', dependencies: { '@bpfscope/core': `file:${coreTgz}`, '@bpfscope/native': `file:${nativeTgz}` } }, null, 2),
    );
    writeFileSync(join(project, 'run.mjs'), RUN_MJS);
    const env = cleanEnv({ PATH: bin, PREBUILDS_ONLY: '1' });
    execFileSync(join(bin, 'npm'), ['install', '--no-audit', '--no-fund'], { cwd: project, env, stdio: ['ignore', 'ignore', 'pipe'] });

    const installed = join(realpathSync(project), 'node_modules/@bpfscope/native');
    expect(existsSync(join(installed, 'build'))).toBe(false); // nothing was compiled
    for (const dep of ['tsyringe', 'reflect-metadata', 'node-gyp-build', 'node-addon-api']) {
      expect({ dep, installed: existsSync(join(project, 'node_modules', dep, 'package.json')) }).toEqual({ dep, installed: true });
    }
    // One copy of core: native uses the tarball's, not a registry one.
    expect(existsSync(join(installed, 'node_modules/@bpfscope/core'))).toBe(false);

    const out = execFileSync(join(bin, 'node'), ['run.mjs'], { cwd: project, env, encoding: 'utf8' });
    const result = JSON.parse(out.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
    expect(result).toEqual({
      ok: true,
      path: join(installed, 'prebuilds/linux-x64/@bpfscope+native.glibc.node'),
      libbpf: expect.stringMatching(/^\d+\.\d+$/),
      attachPoint: 'tp_btf/sched_switch',
      attached: true,
    });
  }, 240_000);
});
