import { defineConfig } from 'vitest/config';

// Three projects: `unit` (pure TypeScript, fixtures), `native` (the addon against the
// real kernel) and `bpf` (plugins' eBPF programs against real workloads). The last two
// need root (test/real-kernel.ts: describeKernel). Under CI no test of any project may
// skip: test/no-skip-reporter.ts fails the run.
const src = (pkg: string): string => new URL(`./packages/${pkg}/src/index.ts`, import.meta.url).pathname;

export default defineConfig({
  // Tests run against the TypeScript sources, so one copy of each class exists
  // (error instanceof checks cross package boundaries).
  resolve: {
    alias: {
      '@bpfscope/core': src('core'),
      '@bpfscope/native': src('native'),
      '@bpfscope/plugin-cpu': src('plugin-cpu'),
      '@bpfscope/plugin-proc': src('plugin-proc'),
      '@bpfscope/plugin-syscall': src('plugin-syscall'),
      '@bpfscope/plugin-mem': src('plugin-mem'),
      '@bpfscope/plugin-net': src('plugin-net'),
      '@bpfscope/plugin-fs': src('plugin-fs'),
      '@bpfscope/exporter-otel': src('exporter-otel'),
      '@bpfscope/si': src('si'),
      '@bpfscope/plugin-thermal': src('plugin-thermal'),
      '@bpfscope/exporter-prometheus': src('exporter-prometheus'),
      '@bpfscope/plugin-gpu': src('plugin-gpu'),
    },
  },
  test: {
    reporters: ['default', './test/no-skip-reporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'scripts/**/*.test.ts', 'test/*.test.ts'],
          exclude: ['**/*.native.test.ts', '**/*.bpf.test.ts', '**/node_modules/**'],
          // Not a speed limit (tests time nothing): a guard against a hung test. The statistical
          // tests do tens of thousands of steps, which passed 5 s on a loaded shared machine.
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'native',
          include: ['packages/*/src/**/*.native.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'bpf',
          include: ['packages/*/src/**/*.bpf.test.ts', 'scripts/**/*.bpf.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
