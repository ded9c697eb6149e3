#!/usr/bin/env node
// Compiles every bpf/<group>/<name>.bpf.c with clang (CO-RE, BTF) into its package,
// and writes a manifest with the hash of the sources next to each object.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ROOT, bpfTargets, hashSources, sha256File, manifestPath } from './lib/artifacts.mjs';

const clang = process.env.CLANG ?? 'clang';
let version;
try {
  version = execFileSync(clang, ['--version'], { encoding: 'utf8' }).split('\n')[0];
} catch {
  console.error('build-bpf: clang not found. Run scripts/install-toolchain.sh (apt-get install clang libbpf-dev) first.');
  process.exit(1);
}

const only = process.argv.slice(2);
const targets = bpfTargets().filter((t) => only.length === 0 || only.includes(t.name));
for (const [i, t] of targets.entries()) {
  const out = join(ROOT, t.output);
  mkdirSync(dirname(out), { recursive: true });
  process.stdout.write(`[${i + 1}/${targets.length}] ${t.source} -> ${t.output}\n`);
  execFileSync(clang, [
    '-target', 'bpf', '-O2', '-g', '-D__TARGET_ARCH_x86', '-mcpu=v3',
    '-I', join(ROOT, 'bpf/include'), '-I', join(ROOT, dirname(t.source)),
    // Absolute paths must not reach the object's debug info, or objects built in
    // different checkouts would differ.
    `-fdebug-prefix-map=${ROOT}=.`, '-fno-ident',
    '-c', join(ROOT, t.source), '-o', out,
  ], { stdio: 'inherit', cwd: ROOT });
  // Drop DWARF; the .BTF and .BTF.ext sections that CO-RE needs stay.
  execFileSync(process.env.LLVM_STRIP ?? 'llvm-strip', ['-g', out], { stdio: 'inherit' });
  const manifest = {
    artifact: t.output,
    sources: t.sources,
    sourcesSha256: hashSources(t.sources),
    artifactSha256: sha256File(out),
    compiler: version,
  };
  writeFileSync(join(ROOT, manifestPath(t.output)), `${JSON.stringify(manifest, null, 2)}\n`);
}
console.log(`build-bpf: ${targets.length} object(s) built with ${version}`);
