import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('./check-rebuild.mjs', import.meta.url));

describe('check-rebuild', { timeout: 60_000 }, () => {
  let repo: string;
  const git = (...args: string[]): void => { execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: repo, stdio: 'ignore' }); };
  const run = () => spawnSync(process.execPath, [SCRIPT, repo], { encoding: 'utf8' });

  beforeEach(() => {
    // A repository holding one committed artifact, as the rebuild leaves the checkout.
    repo = mkdtempSync(join(tmpdir(), 'bpfscope-check-rebuild-'));
    mkdirSync(join(repo, 'packages/plugin-x/bpf'), { recursive: true });
    writeFileSync(join(repo, 'packages/plugin-x/bpf/x.bpf.o'), Buffer.from([1, 2, 3]));
    writeFileSync(join(repo, 'README.md'), 'outside packages\n');
    git('init', '-q');
    git('add', '-A');
    git('commit', '-qm', 'artifacts');
  });
  afterEach(() => rmSync(repo, { recursive: true, force: true }));

  it('passes when the rebuild left the committed artifacts byte-identical (changes outside packages/ do not count)', () => {
    writeFileSync(join(repo, 'README.md'), 'edited\n');
    const r = run();
    expect(r.stdout).toContain('byte-identical');
    expect(r.status).toBe(0);
  });

  it('fails, naming the file and the remedy, when a rebuilt artifact differs', () => {
    writeFileSync(join(repo, 'packages/plugin-x/bpf/x.bpf.o'), Buffer.from([1, 2, 4]));
    const r = run();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('differs from the committed artifacts');
    expect(r.stderr).toContain(' M packages/plugin-x/bpf/x.bpf.o');
    expect(r.stderr).toContain('npm run build:bpf && npm run build:native');
  });

  it('fails when the rebuild added a file that is not committed', () => {
    writeFileSync(join(repo, 'packages/plugin-x/bpf/y.bpf.o'), Buffer.from([9]));
    const r = run();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('?? packages/plugin-x/bpf/y.bpf.o');
  });
});
