// Packs every workspace as npm would publish it, checks what each tarball holds,
// installs the tarballs into a fresh project outside the repository with no compiler
// on PATH, and takes a strict eBPF snapshot of every family from there: what a user of
// the published packages gets.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeKernel } from '../../../test/real-kernel.js';
import { installConsumerApp, runInApp, type ConsumerApp } from '../test/packaging/consumer-app.js';
import { BUILD_TOOLS, barePath, onPath, REPO_ROOT } from '../test/packaging/npm-env.js';
import { danglingMapSources, packedRead, packWorkspaces, type PackedWorkspace } from '../test/packaging/pack-workspaces.js';
import { typecheckReadmeExamples } from '../test/packaging/readme-examples.js';
import { OTEL_EXPORT_MJS } from '../test/packaging/otel-export-script.js';
import { PROMETHEUS_SCRAPE_MJS } from '../test/packaging/prometheus-scrape-script.js';
import { STRICT_SNAPSHOT_MJS } from '../test/packaging/strict-snapshot-script.js';
import { SI_MJS } from '../test/packaging/si-script.js';

interface Manifest {
  name: string;
  os?: string[];
  cpu?: string[];
  repository?: { type: string; url: string; directory: string };
  dependencies?: Record<string, string>;
  gypfile?: boolean;
  scripts?: Record<string, string>;
}

/** Each plugin and the eBPF objects it ships. */
const OBJECTS: Record<string, readonly string[]> = { cpu: ['cpu'], fs: ['fs_block', 'fs_file'], mem: ['mem'], net: ['net'], proc: ['proc'], syscall: ['syscall'], thermal: ['thermal'], gpu: ['gpu'] };

describeKernel('packaging: every workspace packed, installed without a compiler, strict eBPF from the install', () => {
  let work: string;
  let packs: PackedWorkspace[];
  let bin: string;
  let app: ConsumerApp;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'bpfscope-pack-'));
    expect(work.startsWith(REPO_ROOT)).toBe(false);
    mkdirSync(join(work, 'packs'));
    packs = await packWorkspaces(join(work, 'packs'));
    bin = barePath(join(work, 'bin'));
    app = await installConsumerApp(join(work, 'app'), packs, bin);
  }, 300_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('packs every workspace', () => {
    expect(packs.map((p) => p.name).sort()).toEqual([
      '@bpfscope/cli', '@bpfscope/core', '@bpfscope/exporter-otel', '@bpfscope/exporter-prometheus', '@bpfscope/native', '@bpfscope/plugin-cpu', '@bpfscope/plugin-fs', '@bpfscope/plugin-gpu', '@bpfscope/plugin-mem', '@bpfscope/plugin-net', '@bpfscope/plugin-proc', '@bpfscope/plugin-syscall', '@bpfscope/plugin-thermal', '@bpfscope/si',
    ]);
  });

  it('the installed Prometheus exporter scrapes the installed plugins', async () => {
    const r = await runInApp(app, 'prometheus-scrape.mjs', PROMETHEUS_SCRAPE_MJS, bin);
    expect(r).toEqual({ cpuTime: true, memoryUsage: true, readError: '0', contentType: 'application/openmetrics-text; version=1.0.0; charset=utf-8', eof: true });
  }, 120_000);

  it('each tarball has its README, the LICENSE, repository and os, and no build leftovers or tests', () => {
    const license = readFileSync(join(REPO_ROOT, 'LICENSE'), 'utf8');
    for (const p of packs) {
      const m = JSON.parse(packedRead(p, 'package.json')) as Manifest;
      expect({ pkg: p.name, repository: m.repository, os: m.os }).toEqual({
        pkg: p.name,
        repository: { type: 'git', url: 'git+https://github.com/bpfscope/bpfscope.git', directory: `packages/${p.dir}` },
        os: ['linux'],
      });
      // What it is (a title naming it), its install line and an example.
      const readme = packedRead(p, 'README.md');
      expect({ pkg: p.name, title: readme.startsWith(`# ${p.name}\n`), install: new RegExp(`^npm install [^\n]*${p.name}`, 'm').test(readme), example: /```ts\n[^`]*import [^`]*```/.test(readme) }).toEqual({ pkg: p.name, title: true, install: true, example: true });
      expect({ pkg: p.name, license: packedRead(p, 'LICENSE') }).toEqual({ pkg: p.name, license });
      const leftovers = p.files.filter((f) => /\.tsbuildinfo$|\.test\.|(^|\/)test\/|(^|\/)node_modules\//.test(f));
      expect({ pkg: p.name, leftovers }).toEqual({ pkg: p.name, leftovers: [] });
      expect({ pkg: p.name, dangling: danglingMapSources(p) }).toEqual({ pkg: p.name, dangling: [] });
    }
  });

  it('each plugin ships its eBPF object and says it is for linux x64', () => {
    for (const [family, objects] of Object.entries(OBJECTS)) {
      const p = packs.find((x) => x.dir === `plugin-${family}`);
      for (const o of objects) expect(p?.files).toContain(`bpf/${o}.bpf.o`);
      const m = JSON.parse(packedRead(p!, 'package.json')) as Manifest;
      expect({ family, cpu: m.cpu }).toEqual({ family, cpu: ['x64'] });
    }
  });

  it('native ships the prebuild and nothing that makes npm compile: no binding.gyp, no C++ sources, no node-addon-api dependency', () => {
    const p = packs.find((x) => x.name === '@bpfscope/native')!;
    expect(p.files).toContain('prebuilds/linux-x64/@bpfscope+native.glibc.node');
    expect(p.files).toContain('bpf/probe.bpf.o');
    expect(p.files.filter((f) => /binding\.gyp$|\.(cc|cpp|h)$|^src\/native\//.test(f))).toEqual([]);
    const m = JSON.parse(packedRead(p, 'package.json')) as Manifest;
    expect(m.cpu).toEqual(['x64']);
    expect(Object.keys(m.dependencies ?? {})).not.toContain('node-addon-api');
    expect(Object.keys(m.scripts ?? {}).filter((s) => /^(pre|post)?install$/.test(s))).toEqual([]);
  });

  it('npm install ran with no compiler on PATH, built nothing and warned of no install script of ours', () => {
    for (const c of BUILD_TOOLS) expect({ c, found: onPath(bin, c) }).toEqual({ c, found: false });
    expect(onPath(process.env.PATH ?? '', 'gcc')).toBe(true); // the machine has one: the bare PATH matters
    const ours = app.installStderr.split('\n').filter((l) => /install.?script|node-gyp|gyp/i.test(l) && /@bpfscope/.test(l));
    expect(ours).toEqual([]);
    const native = join(app.dir, 'node_modules/@bpfscope/native');
    expect(existsSync(join(native, 'build'))).toBe(false);
    expect(existsSync(join(native, 'binding.gyp'))).toBe(false);
    // One copy of each package: the tarballs', none from the registry beside them.
    for (const p of packs) expect({ p: p.name, nested: existsSync(join(app.dir, 'node_modules', p.name, 'node_modules/@bpfscope')) }).toEqual({ p: p.name, nested: false });
  });

  it('every README example compiles as strict TypeScript against the installed packages', async () => {
    const { files, diagnostics } = await typecheckReadmeExamples(app, packs, bin);
    expect(files.length).toBeGreaterThanOrEqual(packs.length);
    expect(diagnostics).toBe('');
  }, 120_000);

  it('a strict eBPF snapshot from the installed packages has every family from eBPF', async () => {
    const r = await runInApp(app, 'strict-snapshot.mjs', STRICT_SNAPSHOT_MJS, bin);
    const ebpf = { source: 'ebpf', fallback: null };
    expect(r).toEqual({ ok: true, families: { cpu: ebpf, fs: ebpf, mem: ebpf, net: ebpf, proc: ebpf, syscall: ebpf }, errors: [] });
  }, 120_000);

  it('the installed exporter-otel exports the installed syscall family through the OpenTelemetry SDK: sums, gauges and exponential histograms, from eBPF', async () => {
    const r = (await runInApp(app, 'otel-export.mjs', OTEL_EXPORT_MJS, bin)) as { errors: string[]; kinds: Record<string, number>; sources: string[] };
    // The SDK's DataPointType: 1 exponential histogram, 2 gauge, 3 sum.
    expect({ errors: r.errors, sources: r.sources }).toEqual({ errors: [], sources: ['ebpf'] });
    expect(r.kinds).toMatchObject({ 'bpfscope.family.up': 2, 'bpfscope.syscall.count': 3, 'bpfscope.syscall.duration': 1 });
  }, 120_000);

  it('the installed @bpfscope/si answers mem() and processes() from eBPF, its own process with its command line', async () => {
    const r = await runInApp(app, 'si.mjs', SI_MJS, bin);
    expect(r).toEqual({ ok: true, total: true, me: { parentPid: true, name: 'node', command: 'node', params: 'si.mjs' } });
  }, 120_000);

  it('an installed plugin that lost its object: strict mode fails with LoadFailed naming the file and telling to reinstall the package', async () => {
    const object = join(app.dir, 'node_modules/@bpfscope/plugin-cpu/bpf/cpu.bpf.o');
    renameSync(object, `${object}.away`);
    try {
      const r = await runInApp(app, 'strict-snapshot.mjs', STRICT_SNAPSHOT_MJS, bin);
      expect(r).toMatchObject({ ok: false, taxonomy: true, code: 'LOAD_FAILED', message: expect.stringContaining(`${object} failed: cannot read the object file (ENOENT`) });
      const remedy = (r as { remedy: string }).remedy;
      expect(remedy).toContain('npm install @bpfscope/plugin-cpu');
      expect(remedy).not.toContain('build:bpf');
    } finally {
      renameSync(`${object}.away`, object);
    }
  }, 120_000);
});
