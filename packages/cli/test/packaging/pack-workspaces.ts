// npm pack of every workspace, and what each tarball holds.
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cleanEnv, npmCli, REPO_ROOT } from './npm-env.js';

/** One packed workspace. */
export interface PackedWorkspace {
  /** Package name, e.g. `@bpfscope/native`. */
  name: string;
  /** Folder under packages/, e.g. `native`. */
  dir: string;
  /** Absolute path of the .tgz. */
  tarball: string;
  /** Paths inside the package (without the `package/` prefix). */
  files: string[];
  /** Where the tarball was unpacked (its `package/` folder). */
  unpacked: string;
}

/** The workspaces the root package.json lists, as folder names under packages/. */
export function workspaceDirs(): string[] {
  const root = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { workspaces: string[] };
  return root.workspaces.map((w) => w.replace(/^packages\//, ''));
}

/** Paths inside a tarball, without npm's `package/` prefix. */
export function tarList(tarball: string): string[] {
  return execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((f) => f.replace(/^package\//, ''));
}

/** The text of one file of a packed workspace (read from its unpacked copy). */
export function packedRead(p: PackedWorkspace, path: string): string {
  return readFileSync(join(p.unpacked, path), 'utf8');
}

/**
 * Packs every workspace into `dest` as npm publish would (each package's prepack builds
 * its dist first).
 */
export async function packWorkspaces(dest: string): Promise<PackedWorkspace[]> {
  // Asynchronous: packing builds every workspace (minutes on a busy machine), and a test
  // worker blocked that long misses vitest's RPC timeout ("Timeout calling onTaskUpdate").
  await promisify(execFile)(process.execPath, [npmCli(), 'pack', '--workspaces', '--pack-destination', dest, '--json'], {
    cwd: REPO_ROOT,
    env: cleanEnv({}),
    maxBuffer: 64 << 20,
  });
  const byName = new Map(readdirSync(dest).map((t) => [t, join(dest, t)]));
  return workspaceDirs().map((dir) => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'packages', dir, 'package.json'), 'utf8')) as { name: string; version: string };
    const file = `${pkg.name.replace(/^@/, '').replace('/', '-')}-${pkg.version}.tgz`;
    const tarball = byName.get(file);
    if (tarball === undefined) throw new Error(`npm pack made no ${file} for packages/${dir} (made: ${[...byName.keys()].join(', ')})`);
    const into = join(dest, 'unpacked', dir);
    mkdirSync(into, { recursive: true });
    execFileSync('tar', ['-xzf', tarball, '-C', into]);
    return { name: pkg.name, dir, tarball, files: tarList(tarball), unpacked: join(into, 'package') };
  });
}

/**
 * Source-map entries of a tarball whose source is neither in the tarball nor embedded in
 * the map: a map that points at a file the package does not ship.
 */
export function danglingMapSources(p: PackedWorkspace): string[] {
  const shipped = new Set(p.files);
  const out: string[] = [];
  for (const map of p.files.filter((f) => f.endsWith('.map'))) {
    const { sources, sourcesContent } = JSON.parse(packedRead(p, map)) as { sources: string[]; sourcesContent?: Array<string | null> };
    const base = map.split('/').slice(0, -1);
    for (const [i, s] of sources.entries()) {
      // A source whose content the map embeds (a bundled dependency's) needs no file.
      if (typeof sourcesContent?.[i] === 'string') continue;
      const parts = [...base];
      for (const seg of s.split('/')) {
        if (seg === '..') parts.pop();
        else if (seg !== '.') parts.push(seg);
      }
      const target = parts.join('/');
      if (!shipped.has(target)) out.push(`${map} -> ${target}`);
    }
  }
  return out;
}
