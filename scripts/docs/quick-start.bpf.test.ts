// The consumer quick starts (README's quick-start.mjs, getting-started's
// first-reading.mjs) run as written with plain node, importing the packages the way
// an npm install resolves them (package exports -> dist), as root: the cpu reading
// must come from eBPF, with no error.
import { execFileSync, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { describeKernel } from '../../test/real-kernel.js';
import { ROOT, docBlocks, writeExamples } from './doc-examples.js';

interface Run {
  stdout: string;
  stderr: string;
}

// Runs node as root without the capabilities eBPF needs (util-linux's setpriv).
const WITHOUT_BPF_CAPS = ['setpriv', '--bounding-set=-bpf,-perfmon,-sys_admin', '--inh-caps=-bpf,-perfmon,-sys_admin'];

function runExample(doc: string, file: string, wrapper: readonly string[] = []): Run {
  const dir = join(ROOT, '.tmp/doc-examples/run', doc.replace(/[/.]/g, '-'));
  writeExamples(docBlocks(doc), dir);
  const [command, ...args] = [...wrapper, process.execPath, file];
  const r = spawnSync(command ?? process.execPath, args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`node ${file} (${doc}) exited ${r.status ?? r.signal}:\n${r.stdout}${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr };
}

describeKernel('the consumer quick starts, run with node as root', () => {
  beforeAll(() => {
    // node resolves @bpfscope/* to each package's dist, as an installed copy would.
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    execFileSync(process.execPath, [tsc, '-b'], { cwd: ROOT, stdio: 'pipe' });
  }, 600_000);

  it('README.md quick-start.mjs prints a cpu reading from eBPF', () => {
    const { stdout, stderr } = runExample('README.md', 'quick-start.mjs');
    expect(stderr).toBe(''); // the example prints snapshot errors there
    const m = /^cpu (\S+) (\S+)$/m.exec(stdout);
    expect(m?.[1], stdout).toBe('ebpf');
    const busy = Number(m?.[2]);
    expect(busy >= 0 && busy <= 100, `busyPercent ${m?.[2]}`).toBe(true);
    expect(stdout).not.toMatch(/no eBPF/);
  });

  it('README.md quick-start.mjs without CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN still reads cpu, from procfs, and says why', () => {
    const { stdout, stderr } = runExample('README.md', 'quick-start.mjs', WITHOUT_BPF_CAPS);
    expect(/^cpu (\S+) /m.exec(stdout)?.[1], stdout).toBe('procfs');
    expect(stdout).toMatch(/^no eBPF: INSUFFICIENT_PERMISSIONS Run as root, or give this process CAP_BPF and CAP_PERFMON/m);
    expect(stderr.split('\n').filter((l) => l.startsWith('cpu '))).toEqual([]); // not in snapshot.errors
  });

  it('docs/getting-started.md first-reading.mjs reads the cpu family from eBPF', () => {
    const { stdout, stderr } = runExample('docs/getting-started.md', 'first-reading.mjs');
    expect(stderr).toBe('');
    expect(stdout.split('\n')[0]).toBe('source: ebpf');
  });
});
