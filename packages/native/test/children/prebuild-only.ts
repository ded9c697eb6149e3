// Run with PREBUILDS_ONLY=1: prints where the addon came from and that it works.
import { isNativeAvailable, libbpfVersion } from '../../src/index.js';

const native = isNativeAvailable();
process.stdout.write(
  JSON.stringify(
    native.ok
      ? { ok: true, path: native.path, libbpf: libbpfVersion() }
      : { ok: false, code: native.error.code, message: native.error.message, pathsTried: native.error.pathsTried },
  ),
);
