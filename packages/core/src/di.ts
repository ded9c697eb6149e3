// tsyringe and its reflect-metadata polyfill are CommonJS. Loaded with require()
// rather than an ES import, they cost ~2 MB of RSS instead of ~8 MB: Node's ESM
// loader analyses a CommonJS entry's source for its named exports, which
// loading it through require() skips. The module instances are the same ones an
// application's own `import 'tsyringe'` gets (one CommonJS cache).
import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);
load('reflect-metadata');

/** tsyringe, loaded once for the whole package. @internal */
export const tsyringe = load('tsyringe') as typeof import('tsyringe');
