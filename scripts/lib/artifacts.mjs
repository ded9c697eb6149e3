// Shared by the build scripts and the freshness check: which sources make which
// artifact, and the manifest that records their hash.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';

export const ROOT = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');

/** Every file below `dir` (recursively), sorted, as paths relative to ROOT. */
export function filesBelow(dir, filter = () => true) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (filter(p)) out.push(relative(ROOT, p));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/** sha256 over the relative paths and contents of `files`. */
export function hashSources(files) {
  const h = createHash('sha256');
  for (const f of [...files].sort()) {
    h.update(f).update('\0').update(readFileSync(join(ROOT, f))).update('\0');
  }
  return h.digest('hex');
}

export function sha256File(path) {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/**
 * The eBPF objects the project builds: each `bpf/<group>/<name>.bpf.c` goes to the
 * directory its group maps to. Sources of an object: its group folder + bpf/include.
 */
export function bpfTargets() {
  const groups = {
    probe: 'packages/native/bpf',
    test: 'packages/native/test/fixtures',
  };
  const targets = [];
  for (const group of readdirSync(join(ROOT, 'bpf')).sort()) {
    if (group === 'include' || !statSync(join(ROOT, 'bpf', group)).isDirectory()) continue;
    const outDir = groups[group] ?? `packages/plugin-${group}/bpf`;
    for (const file of readdirSync(join(ROOT, 'bpf', group)).sort()) {
      if (!file.endsWith('.bpf.c')) continue;
      const name = file.slice(0, -'.bpf.c'.length);
      targets.push({
        name,
        source: `bpf/${group}/${file}`,
        output: `${outDir}/${name}.bpf.o`,
        sources: [
          ...filesBelow(join(ROOT, 'bpf', group), (p) => /\.(c|h)$/.test(p)),
          ...filesBelow(join(ROOT, 'bpf', 'include'), (p) => /\.h$/.test(p)),
        ],
      });
    }
  }
  return targets;
}

/** The native addon's sources. */
export function nativeSources() {
  return [
    ...filesBelow(join(ROOT, 'packages/native/src/native'), (p) => /\.(cc|h)$/.test(p)),
    'packages/native/binding.gyp',
  ];
}

export function manifestPath(artifact) {
  return `${artifact}.manifest.json`;
}
