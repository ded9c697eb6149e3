// Checks the code examples of the guides: every TypeScript or JavaScript block of
// README.md, docs/getting-started.md and docs/writing-a-plugin.md is either a complete
// example (```ts file=<path>), written to disk and typechecked under the repository's
// strict settings (JavaScript with checkJs) against the workspace packages' sources, or
// explicitly a fragment (```ts fragment), which is shown but not compiled. An unmarked
// block is an error, so no example goes unchecked by accident.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The guides whose examples are checked. */
export const CHECKED_DOCS = ['README.md', 'docs/getting-started.md', 'docs/writing-a-plugin.md'] as const;

const CHECKED_LANGS = new Set(['ts', 'typescript', 'tsx', 'mts', 'js', 'javascript', 'mjs']);

/** One fenced code block of a Markdown file. */
export interface DocBlock {
  /** The Markdown file, relative to the repository root. */
  readonly doc: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** First word of the info string (`ts`, `c`, `sh`). */
  readonly lang: string;
  /** The `file=<path>` attribute: where the block is written (relative to the example's package root). */
  readonly file: string | undefined;
  /** The block carries the `fragment` attribute. */
  readonly fragment: boolean;
  /** The block's text, ending with a newline. */
  readonly code: string;
}

/**
 * Every fenced code block of a Markdown text.
 * @param markdown - the file's text
 * @param doc - its name, for messages
 * @throws Error naming the line of a fence that is never closed
 */
export function extractBlocks(markdown: string, doc: string): DocBlock[] {
  const lines = markdown.split('\n');
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,}|~{3,})\s*(.*)$/.exec(lines[i] ?? '');
    if (!open) continue;
    const fence = open[1] ?? '```';
    const words = (open[2] ?? '').trim().split(/\s+/).filter((w) => w !== '');
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !(lines[j] ?? '').startsWith(fence)) body.push(lines[j++] ?? '');
    if (j >= lines.length) throw new Error(`${doc}:${i + 1}: code fence is never closed`);
    const file = words.find((w) => w.startsWith('file='))?.slice('file='.length);
    blocks.push({ doc, line: i + 1, lang: words[0] ?? '', file, fragment: words.includes('fragment'), code: `${body.join('\n')}\n` });
    i = j;
  }
  return blocks;
}

/**
 * The TypeScript and JavaScript blocks of a guide that are complete examples.
 * @throws Error naming the block when such a block is neither `file=` nor `fragment`, or is both, or two blocks claim one file
 */
export function completeExamples(blocks: readonly DocBlock[]): DocBlock[] {
  const out: DocBlock[] = [];
  const seen = new Set<string>();
  for (const b of blocks) {
    if (!CHECKED_LANGS.has(b.lang)) continue;
    const where = `${b.doc}:${b.line}`;
    if (b.file !== undefined && b.fragment) throw new Error(`${where}: a block is either a complete example (file=) or a fragment, not both`);
    if (b.fragment) continue;
    if (b.file === undefined || b.file === '') {
      throw new Error(`${where}: ${b.lang} block without a marker. Write \`\`\`ts file=<path> for a complete example (it is typechecked) or \`\`\`ts fragment for a piece of one`);
    }
    if (seen.has(b.file)) throw new Error(`${where}: a second block claims ${b.file}`);
    seen.add(b.file);
    out.push(b);
  }
  return out;
}

/** One compiler diagnostic in an example, mapped back to its guide. */
export interface ExampleDiagnostic {
  /** `<doc>:<line>` of the offending line in the guide. */
  readonly where: string;
  /** The compiler's message. */
  readonly message: string;
}

/**
 * Writes a guide's blocks that carry `file=` (any language) into `dir`, as one
 * package (`"type": "module"`), and returns the paths written.
 */
export function writeExamples(blocks: readonly DocBlock[], dir: string): Map<string, DocBlock> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "type": "module", "private": true }\n');
  const written = new Map<string, DocBlock>();
  for (const b of blocks) {
    if (b.file === undefined || b.fragment) continue;
    const path = resolve(dir, b.file);
    if (relative(dir, path).startsWith('..')) throw new Error(`${b.doc}:${b.line}: file=${b.file} leaves the example's folder`);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, b.code);
    written.set(path, b);
  }
  return written;
}

function compilerOptions(): ts.CompilerOptions {
  const base = ts.readConfigFile(join(ROOT, 'tsconfig.base.json'), (p) => ts.sys.readFile(p));
  if (base.error) throw new Error(ts.flattenDiagnosticMessageText(base.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(base.config, ts.sys, ROOT);
  return {
    ...parsed.options,
    noEmit: true,
    composite: false,
    declaration: false,
    declarationMap: false,
    sourceMap: false,
    incremental: false,
    allowJs: true,
    checkJs: true,
    // The workspace packages as a user imports them, from their sources (no build needed).
    paths: { '@bpfscope/*': [join(ROOT, 'packages/*/src/index.ts')] },
  };
}

/**
 * Typechecks a guide's complete TypeScript and JavaScript examples, written into `dir`.
 * @param blocks - the guide's blocks ({@link extractBlocks})
 * @param dir - a scratch folder inside the repository (so `node_modules` resolves)
 * @returns the diagnostics of the example files; empty when they compile
 */
export function typecheckExamples(blocks: readonly DocBlock[], dir: string): ExampleDiagnostic[] {
  const examples = completeExamples(blocks);
  const written = writeExamples(blocks, dir);
  const roots = [...written.entries()].filter(([, b]) => examples.includes(b)).map(([p]) => p);
  if (roots.length === 0) return [];
  const program = ts.createProgram(roots, compilerOptions());
  // Only the examples' own diagnostics (and global ones): the packages' sources are
  // `tsc -b`'s to check, and asking for them would check every file of every package.
  const diagnostics: ts.Diagnostic[] = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()];
  for (const path of roots) {
    const file = program.getSourceFile(path);
    if (!file) throw new Error(`${path}: the compiler did not take the example`);
    diagnostics.push(...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file));
  }
  const out: ExampleDiagnostic[] = [];
  for (const d of diagnostics) {
    const block = d.file ? written.get(resolve(d.file.fileName)) : undefined;
    const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : 0;
    out.push({
      where: block ? `${block.doc}:${block.line + 1 + line}` : d.file ? relative(ROOT, d.file.fileName) : 'compiler options',
      message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
    });
  }
  return out;
}

/** A guide's blocks, read from the repository. */
export function docBlocks(doc: string): DocBlock[] {
  return extractBlocks(readFileSync(join(ROOT, doc), 'utf8'), doc);
}
