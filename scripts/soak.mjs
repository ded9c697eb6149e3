// npm run soak [-- --collects N] [--quick] [--out FILE] [--sample-every N] [--warmup F] [--no-gc] [--json FILE]
//
// Every family this machine has, on its eBPF source, read back to back N times (default
// 100,000) with its event streams consumed throughout and a workload child making events;
// RSS, V8 heap, external memory, open fds and the BPF programs, maps and links the process
// holds sampled every --sample-every collects (after a full GC unless --no-gc); a
// least-squares line through RSS after warm-up (the first --warmup fraction of the collects,
// default 0.1, and at least until V8's new space has grown to its largest size: fit.mjs); then close() and a check that every fd, program, map and link the engine
// made is gone. --max-seconds ends the collects early when time runs out (the count reached
// is reported, and warm-up is then that fraction of the collects done). Writes an HTML page with the plots (--out, default .tmp/soak.html). Exits 1
// when a target fails, 2 on a usage error. --pin-malloc pins glibc's mmap threshold first, as
// the bpfscope command does (pinMallocMmapThreshold, docs/memory.md); without it the process's
// allocator is left as an embedding application's would be. --from-json renders an earlier run's --json again. Not part of the test suite. Needs root and a
// build (npm run build): it uses the packages' dist output, as the bench does.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rssSlope, warmupEnd } from './soak/fit.mjs';
import { html, summary, verdicts } from './soak/report.mjs';
import { runSoak } from './soak/run.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const USAGE = 'usage: npm run soak -- [--collects N] [--quick] [--out FILE] [--json FILE] [--sample-every N] [--warmup FRACTION] [--workload-ms MS] [--max-seconds S] [--no-gc] [--pin-malloc] [--from-json FILE]';

function parseArgs(argv) {
  const o = { collects: 100_000, out: join(ROOT, '.tmp/soak.html'), json: null, sampleEvery: null, warmupFraction: 0.1, forceGc: true, workloadPeriodMs: 20, maxSlopeKiB: 1, maxSeconds: null, fromJson: null, pinMalloc: false };
  const num = (name, v, min, int = true) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || (int && !Number.isInteger(n))) throw new Error(`${name}: ${v} is not ${int ? 'an integer' : 'a number'} >= ${min}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--collects') o.collects = num(a, next(), 1);
    else if (a === '--quick') o.collects = 2_000;
    else if (a === '--out') o.out = resolve(next());
    else if (a === '--json') o.json = resolve(next());
    else if (a === '--sample-every') o.sampleEvery = num(a, next(), 1);
    else if (a === '--warmup') {
      o.warmupFraction = num(a, next(), 0, false);
      if (o.warmupFraction >= 1) throw new Error(`--warmup: ${o.warmupFraction} is not below 1`);
    } else if (a === '--workload-ms') o.workloadPeriodMs = num(a, next(), 1);
    else if (a === '--max-seconds') o.maxSeconds = num(a, next(), 1);
    else if (a === '--from-json') o.fromJson = resolve(next());
    else if (a === '--pin-malloc') o.pinMalloc = true;
    else if (a === '--no-gc') o.forceGc = false;
    else if (a === '--help' || a === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  // About 250 samples per run: enough points for the fit, few enough that sampling (a GC
  // and a walk of /proc/self/fd each) stays a small part of the run.
  o.sampleEvery ??= Math.max(1, Math.floor(o.collects / 250));
  return o;
}

let o;
try {
  o = parseArgs(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`soak: ${err.message}\n${USAGE}\n`);
  process.exit(2);
}
if (!existsSync(join(ROOT, 'packages/core/dist/index.js'))) {
  process.stderr.write('soak: build first (npm run build)\n');
  process.exit(2);
}
if (!o.fromJson && o.forceGc && typeof globalThis.gc !== 'function') {
  process.stderr.write('soak: no global gc(): run with node --expose-gc (npm run soak does), or pass --no-gc\n');
  process.exit(2);
}

let when = new Date().toISOString();
let r;
if (o.fromJson) {
  // Render again the figures of an earlier run (its --json file), with this run's --warmup and --out.
  const saved = JSON.parse(readFileSync(o.fromJson, 'utf8'));
  ({ when, result: r } = saved);
} else {
  process.stderr.write(`soak: ${o.collects} collects, a sample every ${o.sampleEvery}, warm-up ${o.warmupFraction * 100}% of the collects, GC before each sample: ${o.forceGc}\n`);
  if (o.pinMalloc) {
    const { pinMallocMmapThreshold } = await import('@bpfscope/native');
    process.stderr.write(`soak: malloc mmap threshold pinned: ${pinMallocMmapThreshold()}\n`);
  }
  // SIGINT or SIGTERM ends the collects; the engine is then closed and the run reported as it stands.
  const interrupt = new AbortController();
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.once(sig, () => {
      process.stderr.write(`soak: ${sig}: ending the collects, then close() and the report\n`);
      interrupt.abort();
    });
  }
  r = await runSoak({
    ...o,
    signal: interrupt.signal,
    progress: (p) => process.stderr.write(`soak: ${p.collects}/${p.total} collects (${((100 * p.collects) / p.total).toFixed(1)}%), ${p.rate.toFixed(0)}/s, RSS ${(p.rss / 1048576).toFixed(1)} MiB, fds ${p.fds}, progs ${p.progs}, maps ${p.maps}\n`),
  });
}
const warmup = warmupEnd(r.samples, r.collects, o.warmupFraction);
const slope = rssSlope(r.samples, warmup.from);
const checks = verdicts(r, slope, o, warmup);
process.stdout.write(`${summary(r, slope, checks, warmup)}\n`);
mkdirSync(dirname(o.out), { recursive: true });
writeFileSync(o.out, html(r, slope, checks, { ...o, when, kernel: release() }, warmup));
process.stdout.write(`plot: ${o.out}\n`);
if (o.json && !o.fromJson) {
  mkdirSync(dirname(o.json), { recursive: true });
  writeFileSync(o.json, `${JSON.stringify({ when, kernel: release(), node: process.version, options: o, result: r, warmup, slope, checks }, null, 1)}\n`);
  process.stdout.write(`figures: ${o.json}\n`);
}
process.exit(checks.every((c) => c.ok) ? 0 : 1);
