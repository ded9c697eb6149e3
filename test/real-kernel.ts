// Real-eBPF tests need root. Outside CI a non-root run leaves them out with a notice;
// under CI (CI=true) a missing privilege is a failure, never a skip.
import { describe, it } from 'vitest';

/** True when this process may load eBPF programs (uid 0). */
export const isRoot = process.getuid?.() === 0;

/**
 * `describe` for tests that load programs into the real kernel.
 * @param name - suite name
 * @param body - the suite
 */
export function describeKernel(name: string, body: () => void): void {
  if (isRoot) {
    describe(name, body);
  } else if (process.env.CI === 'true') {
    describe(name, () => {
      it('runs as root (real-eBPF tests may not be skipped in CI)', () => {
        throw new Error(`${name}: real-eBPF tests need root; CI must run them as root`);
      });
    });
  } else {
    describe(`${name} [left out: not root]`, () => {
      it.todo('run as root to load real eBPF programs');
    });
  }
}
