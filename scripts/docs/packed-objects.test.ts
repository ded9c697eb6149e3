// The npm quick start promises that each plugin ships its compiled eBPF objects: what
// `npm pack` puts in each workspace package's tarball must hold every bpf/*.bpf.o the
// package has (its sources find them at run time relative to dist/).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './doc-examples.js';

const packages = readdirSync(join(ROOT, 'packages')).filter((p) => existsSync(join(ROOT, 'packages', p, 'bpf')));

function packedFiles(dir: string): string[] {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return (JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0]?.files.map((f) => f.path) ?? [];
}

describe('packed eBPF objects', () => {
  it('finds the packages that have compiled objects', () => {
    expect(packages).toEqual(expect.arrayContaining(['native', 'plugin-cpu', 'plugin-mem', 'plugin-proc', 'plugin-syscall']));
  });

  for (const pkg of packages) {
    it(`@bpfscope/${pkg}: npm pack takes every bpf/*.bpf.o`, () => {
      const dir = join(ROOT, 'packages', pkg);
      const objects = readdirSync(join(dir, 'bpf')).filter((f) => f.endsWith('.bpf.o')).map((f) => `bpf/${f}`);
      expect(objects.length).toBeGreaterThan(0);
      const packed = packedFiles(dir);
      expect(objects.filter((o) => !packed.includes(o))).toEqual([]);
    }, 60_000);
  }
});
