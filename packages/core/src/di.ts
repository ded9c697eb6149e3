// tsyringe and its reflect-metadata polyfill are CommonJS. scripts/bundle.mjs bundles
// them into core's bundle (the one file the package's exports point to), so loading core
// never starts Node's CommonJS loader: requiring tsyringe's dozen files through it cost
// ~5 MB of RSS (loader code and state), importing them as ES modules ~8 MB. Plugins use
// the `inject` and `injectable` core re-exports, so they share this one copy.
// reflect-metadata first: tsyringe checks for the polyfill when it loads.
import 'reflect-metadata';
import * as tsyringeModule from 'tsyringe';

/** tsyringe, loaded once for the whole package. @internal */
export const tsyringe: typeof import('tsyringe') = tsyringeModule;
