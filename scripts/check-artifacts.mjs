#!/usr/bin/env node
// Fails when a committed artifact (eBPF object or native prebuild) was not built from
// the sources as they are now: its manifest's source hash must match.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, bpfTargets, hashSources, manifestPath, nativeSources, sha256File } from './lib/artifacts.mjs';

const problems = [];
const check = (artifact, sources, manifestFile) => {
  const mfile = join(ROOT, manifestFile);
  if (!existsSync(join(ROOT, artifact))) return problems.push(`${artifact}: missing`);
  if (!existsSync(mfile)) return problems.push(`${artifact}: no manifest at ${manifestFile}`);
  const m = JSON.parse(readFileSync(mfile, 'utf8'));
  if (m.sourcesSha256 !== hashSources(sources)) problems.push(`${artifact}: stale (its sources changed since it was built)`);
  if (m.artifactSha256 !== sha256File(join(ROOT, artifact))) problems.push(`${artifact}: modified after it was built (hash differs from its manifest)`);
  const listed = [...m.sources].sort().join('\n');
  if (listed !== [...sources].sort().join('\n')) problems.push(`${artifact}: built from a different set of source files`);
};

for (const t of bpfTargets()) check(t.output, t.sources, manifestPath(t.output));
const prebuild = 'packages/native/prebuilds/linux-x64/@bpfscope+native.node';
const nativeManifest = 'packages/native/prebuilds/linux-x64/manifest.json';
const nm = existsSync(join(ROOT, nativeManifest)) ? JSON.parse(readFileSync(join(ROOT, nativeManifest), 'utf8')) : null;
check(nm?.artifact ?? prebuild, nativeSources(), nativeManifest);

if (problems.length > 0) {
  console.error(`check-artifacts: ${problems.length} problem(s):\n  ${problems.join('\n  ')}\nRebuild with: npm run build:bpf && npm run build:native`);
  process.exit(1);
}
console.log(`check-artifacts: ${bpfTargets().length} eBPF object(s) and the native prebuild match their sources`);
