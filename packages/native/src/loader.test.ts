import { describe, expect, it, vi } from 'vitest';
import { NativeUnavailable } from '@bpfscope/core';

vi.mock('node-gyp-build', () => ({
  default: Object.assign(() => undefined, {
    path: (dir: string): string => {
      throw new Error(`No native build was found for platform=linux arch=x64\n    loaded from: ${dir}\n`);
    },
  }),
}));

describe('loadNative without a build', () => {
  it('throws NativeUnavailable naming build/Release and the prebuilds directory, and caches it', async () => {
    const { loadNative, isNativeAvailable, PACKAGE_DIR } = await import('./loader.js');
    let thrown: unknown;
    try {
      loadNative();
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(NativeUnavailable);
    const error = thrown as NativeUnavailable;
    expect(error.pathsTried).toContain(`${PACKAGE_DIR}prebuilds/${process.platform}-${process.arch}`);
    if (!process.env.PREBUILDS_ONLY) expect(error.pathsTried).toContain(`${PACKAGE_DIR}build/Release`);
    expect(error.loaderMessage).toMatch(/^No native build was found/);
    const again = isNativeAvailable();
    expect(again.ok).toBe(false);
    if (!again.ok) expect(again.error).toBe(error);
  });
});
