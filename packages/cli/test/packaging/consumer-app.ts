// A fresh project outside the repository that installs the packed tarballs the way a
// user installs the published packages.
import { execFile } from 'node:child_process';
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cleanEnv } from './npm-env.js';
import { OTEL_APP_DEPENDENCIES } from './otel-export-script.js';
import type { PackedWorkspace } from './pack-workspaces.js';

const exec = promisify(execFile);

/** A consumer project and what its `npm install` printed. */
export interface ConsumerApp {
  /** The project folder (real path). */
  dir: string;
  /** npm install's stderr (warnings). */
  installStderr: string;
  /** The environment the app was installed and is run with. */
  env: NodeJS.ProcessEnv;
}

/**
 * Creates `dir` with a package.json that depends on every tarball and runs `npm install`
 * with only `binPath` (node and npm) on PATH.
 */
export async function installConsumerApp(dir: string, packs: readonly PackedWorkspace[], binPath: string): Promise<ConsumerApp> {
  mkdirSync(dir, { recursive: true });
  const dependencies = Object.fromEntries(packs.map((p) => [p.name, `file:${p.tarball}`]));
  // overrides: every @bpfscope dependency between the packages resolves to the tarball too.
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'bpfscope-consumer', private: true, type: 'module', dependencies: { ...OTEL_APP_DEPENDENCIES, ...dependencies }, overrides: dependencies }, null, 2));
  const env = cleanEnv({ PATH: binPath, PREBUILDS_ONLY: '1' });
  const { stderr } = await exec(join(binPath, 'npm'), ['install', '--no-audit', '--no-fund'], { cwd: dir, env, maxBuffer: 16 << 20 });
  return { dir: realpathSync(dir), installStderr: stderr, env };
}

/** Runs `node <script>` in the app and parses the last line it prints as JSON. */
export async function runInApp(app: ConsumerApp, script: string, source: string, binPath: string): Promise<unknown> {
  writeFileSync(join(app.dir, script), source);
  const { stdout } = await exec(join(binPath, 'node'), [script], { cwd: app.dir, env: app.env, maxBuffer: 16 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop() ?? 'null');
}
