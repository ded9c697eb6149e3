// The TypeScript examples of the packages' READMEs, type-checked against the installed
// packages as a user's strict project would see them.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ConsumerApp } from './consumer-app.js';
import { REPO_ROOT } from './npm-env.js';
import { packedRead, type PackedWorkspace } from './pack-workspaces.js';

const exec = promisify(execFile);

/** The ```ts blocks of a packed workspace's README. */
export function readmeExamples(p: PackedWorkspace): string[] {
  return [...packedRead(p, 'README.md').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
}

/**
 * Writes every README example into `app/readme-examples/` and runs the repository's
 * TypeScript compiler over them with strict settings (Node's types from the repository).
 * @returns tsc's diagnostics, empty when every example compiles
 */
export async function typecheckReadmeExamples(app: ConsumerApp, packs: readonly PackedWorkspace[], binPath: string): Promise<{ files: string[]; diagnostics: string }> {
  const dir = join(app.dir, 'readme-examples');
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (const p of packs) {
    readmeExamples(p).forEach((code, i) => {
      const file = join(dir, `${p.dir}-${i}.ts`);
      // Each example is a module of its own (top-level await, its own imports).
      writeFileSync(file, `${code}\nexport {};\n`);
      files.push(file);
    });
  }
  const tsc = join(REPO_ROOT, 'node_modules/typescript/bin/tsc');
  const args = [tsc, '--noEmit', '--strict', '--noUncheckedIndexedAccess', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--types', 'node', '--typeRoots', join(REPO_ROOT, 'node_modules/@types'), ...files];
  const diagnostics = await exec(join(binPath, 'node'), args, { cwd: app.dir, env: app.env, maxBuffer: 16 << 20 }).then(
    () => '',
    (e: { stdout?: string; message: string }) => e.stdout || e.message,
  );
  return { files, diagnostics };
}
