// systeminformation's own declarations (lib/index.d.ts, installed as a devDependency), read
// at run time: the field names of an interface of its Systeminformation namespace.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const DTS = readFileSync(join(dirname(require.resolve('systeminformation/package.json')), 'lib/index.d.ts'), 'utf8');

/** Fields of `interface <name>` in systeminformation's index.d.ts: the required ones and the optional (`?:`) ones. */
export function dtsFields(name: string): { required: string[]; optional: string[] } {
  const start = DTS.search(new RegExp(`\\binterface ${name} \\{`));
  if (start < 0) throw new Error(`systeminformation's index.d.ts has no interface ${name}`);
  const body = DTS.slice(DTS.indexOf('{', start) + 1, DTS.indexOf('\n  }', start));
  const required: string[] = [];
  const optional: string[] = [];
  for (const m of body.matchAll(/^\s*(\w+)(\??):/gm)) (m[2] ? optional : required).push(m[1]!);
  return { required, optional };
}

/** The keys an object of interface `name` must have: its required fields and the optional ones `sample` (systeminformation's own result) has. */
export function expectedKeys(name: string, sample: object): string[] {
  const { required, optional } = dtsFields(name);
  return [...required, ...optional.filter((k) => k in sample)].sort();
}
