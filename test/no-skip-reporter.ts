// Under CI (CI=true), a test of any project (unit, native, bpf) that was skipped or left as
// todo fails the run: every test there proves something, and one that silently stops
// running (a `runIf` whose condition is false on the CI machine, a non-root run of the
// real-eBPF tests) proves nothing. Outside CI skips are allowed: describeKernel leaves
// the real-eBPF tests out of a non-root run with a notice.
import type { Reporter, TestModule } from 'vitest/node';

export default class NoSkipReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    if (process.env.CI !== 'true') return;
    const skipped: string[] = [];
    for (const m of modules) {
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === 'skipped' || state === 'pending') {
          skipped.push(`[${m.project.name}] ${m.moduleId.replace(`${process.cwd()}/`, '')} > ${t.fullName}`);
        }
      }
    }
    if (skipped.length === 0) return;
    process.stderr.write(
      `\nno-skip: ${skipped.length} test(s) did not run under CI (skipped or todo), which is a failure:\n  ${skipped.join('\n  ')}\n` +
        'no-skip: make each one run on the CI machine (root, toolchain from scripts/install-toolchain.sh), or delete it.\n',
    );
    process.exitCode = 1;
  }
}
