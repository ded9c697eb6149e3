// Under CI, a real-kernel test (projects `native` and `bpf`) that was skipped or left
// as todo fails the run: those tests prove the eBPF path and must always execute.
import type { Reporter, TestModule } from 'vitest/node';

const KERNEL_PROJECTS = new Set(['native', 'bpf']);

export default class NoSkipReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    if (process.env.CI !== 'true') return;
    const skipped: string[] = [];
    for (const m of modules) {
      if (!KERNEL_PROJECTS.has(m.project.name)) continue;
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === 'skipped' || state === 'pending') skipped.push(`${m.moduleId.replace(`${process.cwd()}/`, '')} > ${t.fullName}`);
      }
    }
    if (skipped.length === 0) return;
    process.stderr.write(`\nno-skip: ${skipped.length} real-kernel test(s) did not run under CI (skipped or todo), which is a failure:\n  ${skipped.join('\n  ')}\n`);
    process.exitCode = 1;
  }
}
