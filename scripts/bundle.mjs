// Bundles each package's tsc output (dist/index.js and what it imports) into one file,
// dist/index.bundle.js, which the package's `exports` point to. Node then reads and compiles
// one module per package instead of one per source file: importing all the packages took
// 104-136 ms from dist/ and 44-49 ms from the bundles (3 runs each, idle development VM).
// Other packages and dependencies stay imports (`packages: 'external'`), so every package
// keeps one copy of its classes (instanceof across packages holds). The bundle sits in
// dist/, as index.js does, so paths taken from import.meta.url (objects in ../bpf, the
// native prebuilds in ..) resolve the same from both. Types stay tsc's (dist/index.d.ts).
//
// Usage: node scripts/bundle.mjs [package-dir ...]   (default: every workspace package)
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

// Packages whose bundle takes in their CommonJS dependencies, so that importing them never
// starts Node's CommonJS loader: through it, tsyringe's files cost ~5 MB of RSS; an ES
// import of a CommonJS package (node-gyp-build) also runs Node's export analysis.
const BUNDLES_DEPENDENCIES = ['/packages/core', '/packages/native'];
// Their bundled CommonJS code calls require() for Node's built-in modules, which an ES
// module lacks: the banner provides one (built-ins only; no file goes through it).
const BUNDLED = {
  external: ['@bpfscope/*', 'node:*'],
  banner: { js: "import { createRequire as bpfscopeCreateRequire } from 'node:module';\nconst require = bpfscopeCreateRequire(import.meta.url);" },
};

function packageDirs(args) {
  if (args.length > 0) return args.map((a) => join(process.cwd(), a));
  const { workspaces } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  return workspaces.map((w) => join(ROOT, w));
}

for (const dir of packageDirs(process.argv.slice(2))) {
  const entry = join(dir, 'dist/index.js');
  if (!existsSync(entry)) {
    console.error(`bundle: ${relative(ROOT, entry)} is missing; build with tsc -b first`);
    process.exit(1);
  }
  await build({
    entryPoints: [entry],
    outfile: join(dir, 'dist/index.bundle.js'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Other packages stay imports; core and native bundle their CommonJS dependencies
    // (tsyringe, reflect-metadata; node-gyp-build): see BUNDLES_DEPENDENCIES.
    ...(BUNDLES_DEPENDENCIES.some((d) => dir.endsWith(d)) ? BUNDLED : { packages: 'external' }),
    sourcemap: 'linked',
    sourcesContent: false, // the maps point into src/, which every package ships
    logLevel: 'warning',
  });
  embedDependencySources(join(dir, 'dist/index.bundle.js.map'));
}

// The map's sources inside node_modules (core's bundled dependencies) are not in the
// package's tarball: their content goes into the map instead, so every source resolves.
function embedDependencySources(mapPath) {
  const map = JSON.parse(readFileSync(mapPath, 'utf8'));
  const base = join(mapPath, '..');
  if (!map.sources.some((s) => s.includes('node_modules/'))) return;
  map.sourcesContent = map.sources.map((s) => (s.includes('node_modules/') ? readFileSync(join(base, s), 'utf8') : null));
  writeFileSync(mapPath, JSON.stringify(map));
}
