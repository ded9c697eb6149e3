// Fixture files by pattern (Node 20 has no fs.glob): `*` within a path segment, `**`
// for any depth, `{a,b}` alternatives. Sorted, so a seed always picks the same file.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function expandBraces(pattern: string): string[] {
  const m = /\{([^{}]*)\}/.exec(pattern);
  if (m === null) return [pattern];
  return m[1]!.split(',').flatMap((alt) => expandBraces(pattern.slice(0, m.index) + alt + pattern.slice(m.index + m[0].length)));
}

const segmentRe = (seg: string): RegExp => new RegExp(`^${seg.replace(/[.+^$()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}$`);

function walk(dir: string, segs: readonly string[]): string[] {
  if (segs.length === 0) return statSync(dir, { throwIfNoEntry: false })?.isFile() ? [dir] : [];
  const [seg, ...rest] = segs as [string, ...string[]];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  if (seg === '**') return [...walk(dir, rest), ...entries.filter((e) => statSync(join(dir, e)).isDirectory()).flatMap((e) => walk(join(dir, e), segs))];
  if (!/[*?]/.test(seg)) return walk(join(dir, seg), rest);
  const re = segmentRe(seg);
  return entries.filter((e) => re.test(e)).flatMap((e) => walk(join(dir, e), rest));
}

/** The files below `root` matching any of `patterns` (relative to root), sorted, without duplicates. */
export function fixtureFiles(root: string, patterns: readonly string[]): string[] {
  const found = patterns.flatMap(expandBraces).flatMap((p) => walk(root, p.split('/')));
  return [...new Set(found)].sort();
}
