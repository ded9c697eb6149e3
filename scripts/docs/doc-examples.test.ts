import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKED_DOCS, ROOT, completeExamples, docBlocks, extractBlocks, typecheckExamples } from './doc-examples.js';

const scratch = (name: string): string => join(ROOT, '.tmp/doc-examples', name);

describe('doc examples', () => {
  for (const doc of CHECKED_DOCS) {
    it(`${doc}: every TypeScript and JavaScript block is marked, and the complete ones compile under strict TypeScript`, () => {
      const blocks = docBlocks(doc);
      expect(completeExamples(blocks).length).toBeGreaterThan(0);
      expect(typecheckExamples(blocks, scratch(doc.replace(/[/.]/g, '-')))).toEqual([]);
    }, 120_000);
  }
});

describe('the checker', () => {
  it('reads fences with their language and attributes', () => {
    const md = 'text\n```ts file=src/a.ts\nconst a = 1;\n```\n\n```c\nint x;\n```\n```ts fragment\nfoo()\n```\n';
    expect(extractBlocks(md, 'x.md')).toEqual([
      { doc: 'x.md', line: 2, lang: 'ts', file: 'src/a.ts', fragment: false, code: 'const a = 1;\n' },
      { doc: 'x.md', line: 6, lang: 'c', file: undefined, fragment: false, code: 'int x;\n' },
      { doc: 'x.md', line: 9, lang: 'ts', file: undefined, fragment: true, code: 'foo()\n' },
    ]);
  });

  it('refuses an unclosed fence', () => {
    expect(() => extractBlocks('a\n```ts\nx\n', 'x.md')).toThrow('x.md:2: code fence is never closed');
  });

  it('refuses a TypeScript block that is neither a complete example nor a fragment', () => {
    expect(() => completeExamples(extractBlocks('```ts\nconst a = 1;\n```\n', 'x.md'))).toThrow(/x\.md:1: ts block without a marker/);
    expect(() => completeExamples(extractBlocks('```js\nconst a = 1;\n```\n', 'x.md'))).toThrow(/x\.md:1: js block without a marker/);
  });

  it('refuses two blocks that claim one file', () => {
    expect(() => completeExamples(extractBlocks('```ts file=a.ts\n```\n```ts file=a.ts\n```\n', 'x.md'))).toThrow('x.md:3: a second block claims a.ts');
  });

  it('reports a strict-mode error at its line in the guide (an implicitly any parameter)', () => {
    const md = [
      '# t', '',
      '```ts file=src/source.ts',
      "import type { Source } from '@bpfscope/core';",
      'export class S implements Source<number> {',
      "  readonly kind = 'procfs' as const;",
      "  readonly name = 's';",
      '  async init(ctx) { void ctx; }',
      '  async read() { return 1; }',
      '  async close() {}',
      '}',
      '```', '',
    ].join('\n');
    const diags = typecheckExamples(extractBlocks(md, 'bad.md'), scratch('checker-bad'));
    expect(diags).toEqual([{ where: 'bad.md:8', message: "Parameter 'ctx' implicitly has an 'any' type." }]);
  }, 120_000);

  it('checks JavaScript examples too, with the packages\' types', () => {
    const md = "```js file=a.mjs\nimport { cpu } from '@bpfscope/plugin-cpu';\nimport { createEngine } from '@bpfscope/core';\nconst r = (await createEngine({ plugins: [cpu()] }).collect()).get('cpu');\nconsole.log(r?.data.total.noSuchField);\n```\n";
    const diags = typecheckExamples(extractBlocks(md, 'bad.md'), scratch('checker-js'));
    expect(diags.map((d) => d.where)).toEqual(['bad.md:5']);
    expect(diags[0]?.message).toMatch(/Property 'noSuchField' does not exist/);
  }, 120_000);

  it('reports an import the workspace packages do not export', () => {
    const md = "```ts file=a.ts\nimport { noSuchThing } from '@bpfscope/core';\nexport const x: unknown = noSuchThing;\n```\n";
    const diags = typecheckExamples(extractBlocks(md, 'bad.md'), scratch('checker-import'));
    expect(diags.map((d) => d.where)).toEqual(['bad.md:2']);
    expect(diags[0]?.message).toMatch(/has no exported member 'noSuchThing'/);
  }, 120_000);
});
