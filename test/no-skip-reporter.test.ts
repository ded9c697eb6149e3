import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const VITEST = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));
const CONFIG = fileURLToPath(new URL('./fixtures/no-skip/vitest.config.ts', import.meta.url));

/** Runs vitest on one sample file of test/fixtures/no-skip in a child process. */
function runFixture(sample: string, ci: boolean): Promise<{ code: number; stderr: string; stdout: string }> {
  // The child must not think it is a worker of this run.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'CI' && k !== 'NODE_ENV'));
  if (ci) env.CI = 'true';
  env.FIXTURE = sample;
  env.NO_COLOR = '1';
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [VITEST, 'run', '--config', CONFIG], { cwd: ROOT, env }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') reject(error);
      else resolve({ code: error ? Number(error.code) : 0, stderr, stdout });
    });
  });
}

// Each case starts a whole vitest run in a child: on a loaded machine that takes seconds.
describe('no-skip reporter', { timeout: 120_000 }, () => {
  it('under CI, a unit test skipped by it.runIf fails the run and is named', async () => {
    const r = await runFixture('skipped.sample.ts', true);
    expect(r.stdout).toMatch(/1 passed \| 1 skipped/);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no-skip: 1 test(s) did not run under CI');
    expect(r.stderr).toContain('[unit] test/fixtures/no-skip/skipped.sample.ts > is skipped by its condition');
  });

  it('under CI, a todo fails the run', async () => {
    const r = await runFixture('todo.sample.ts', true);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[unit] test/fixtures/no-skip/todo.sample.ts > is left as todo');
  });

  it('under CI, a run in which every test ran passes', async () => {
    const r = await runFixture('all-run.sample.ts', true);
    expect(r.stdout).toMatch(/2 passed/);
    expect(r.stderr).not.toContain('no-skip');
    expect(r.code).toBe(0);
  });

  it('outside CI, the same skip is allowed', async () => {
    const r = await runFixture('skipped.sample.ts', false);
    expect(r.stdout).toMatch(/1 passed \| 1 skipped/);
    expect(r.stderr).not.toContain('no-skip');
    expect(r.code).toBe(0);
  });
});
