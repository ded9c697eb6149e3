#!/usr/bin/env node
// Builds the N-API prebuild of @bpfscope/native with prebuildify
// (packages/native/prebuilds/linux-x64/*.node) and writes its manifest: the
// hash of the addon's sources, of the artifact, and the compiler used.
// Offline: node-gyp is pointed at the local Node headers (nodedir), never at a
// download. Needs g++, make, python3, the Node headers and libbpf-dev.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { ROOT, hashSources, nativeSources, sha256File } from './lib/artifacts.mjs';

const PKG = join(ROOT, 'packages/native');
const OUT = join(PKG, 'prebuilds', `${process.platform}-${process.arch}`);
const require = createRequire(join(PKG, 'package.json'));

/** The directory holding include/node/node_api.h for this node: BPFSCOPE_NODEDIR, npm's nodedir, or the install prefix. */
function nodeDir() {
  const candidates = [process.env.BPFSCOPE_NODEDIR, process.env.npm_config_nodedir, dirname(dirname(process.execPath)), '/usr'];
  const found = candidates.find((d) => d && existsSync(join(d, 'include/node/node_api.h')) && existsSync(join(d, 'include/node/common.gypi')));
  if (!found) {
    console.error(`build-native: no Node headers found (looked in ${candidates.filter(Boolean).join(', ')}/include/node).`);
    console.error('Install them (Debian: apt-get install libnode-dev, or the nodejs package that ships /usr/include/node) or set BPFSCOPE_NODEDIR.');
    process.exit(1);
  }
  return found;
}

function firstLine(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8' }).split('\n')[0].trim();
  } catch {
    return null;
  }
}

const cxx = process.env.CXX ?? 'g++';
const compiler = firstLine(cxx, ['--version']);
if (!compiler) {
  console.error(`build-native: ${cxx} not found. Install the toolchain: apt-get install g++ make python3 libbpf-dev.`);
  process.exit(1);
}
if (!existsSync('/usr/include/bpf/libbpf.h')) {
  console.error('build-native: /usr/include/bpf/libbpf.h is missing. apt-get install libbpf-dev.');
  process.exit(1);
}

const nodedir = nodeDir();
const env = {
  ...process.env,
  npm_config_nodedir: nodedir,
  // Reproducible output: no timestamps, no build paths in the binary.
  SOURCE_DATE_EPOCH: process.env.SOURCE_DATE_EPOCH ?? '0',
  CXX: cxx,
};
rmSync(OUT, { recursive: true, force: true });
rmSync(join(PKG, 'build'), { recursive: true, force: true });

const prebuildify = require.resolve('prebuildify/bin.js');
execFileSync(process.execPath, [
  prebuildify,
  '--napi',
  '--strip',
  '--tag-libc',
  // The target only names the headers to build against: with nodedir set, the
  // local ones, whatever the version. N-API makes the result version-independent.
  `--target=node@${process.versions.node}`,
  `--node-gyp=${require.resolve('node-gyp/bin/node-gyp.js')}`,
], { cwd: PKG, env, stdio: 'inherit' });

// prebuildify moved the .node out; the rest of build/ is intermediate objects.
rmSync(join(PKG, 'build'), { recursive: true, force: true });

const built = readdirSync(OUT).filter((f) => f.endsWith('.node'));
if (built.length !== 1) {
  console.error(`build-native: expected one .node in ${OUT}, found ${built.join(', ') || 'none'}`);
  process.exit(1);
}
const artifact = join(OUT, built[0]);
const sources = nativeSources();
const manifest = {
  artifact: artifact.slice(ROOT.length + 1),
  sources,
  sourcesSha256: hashSources(sources),
  artifactSha256: sha256File(artifact),
  compiler,
  napiVersion: 8,
  libbpf: firstLine('pkg-config', ['--modversion', 'libbpf']),
  builtWith: `node ${process.versions.node}, headers from ${nodedir}/include/node`,
};
writeFileSync(join(OUT, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`build-native: ${manifest.artifact} (${manifest.artifactSha256.slice(0, 12)}) built with ${compiler}`);
