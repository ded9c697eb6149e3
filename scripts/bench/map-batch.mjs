// Batch read of a 100,000-entry hash (u32 key, 16-byte value) into JS records,
// against a C reference doing bpf_map_lookup_batch on a map of the same shape.
// The machine is shared and noisy: C and JS run in alternating blocks, and
// both the mean and the median per read are reported.
import { fileURLToPath } from 'node:url';
import { BpfObject, decodeRecords } from '@bpfscope/native';
import { buildC } from './c-build.mjs';

const FIXTURE = fileURLToPath(new URL('../../packages/native/test/fixtures/maps.bpf.o', import.meta.url));
const ENTRIES = 100_000; // TEST_HASH_ENTRIES, bpf/test/maps.h

export async function benchMapBatch({ blocks = 4, rounds = 8 } = {}) {
  const c = buildC('map_batch');
  const obj = BpfObject.open(FIXTURE);
  try {
    await obj.load();
    const map = obj.map('test_hash');
    await fill(map);
    const layout = map.valueLayout();
    const variants = {
      'JS lookupBatches (chunks) + decode, numbers': async () => {
        const records = [];
        for await (const chunk of map.lookupBatches()) decodeRecords(chunk.values, layout, { u64: 'number', into: records });
        return records.length;
      },
      'JS lookupBatch (whole) + decode, numbers': async () => decodeRecords((await map.lookupBatch()).values, layout, { u64: 'number' }).length,
      'JS lookupBatch (whole) + decode, bigints': async () => decodeRecords((await map.lookupBatch()).values, layout).length,
      'JS lookupBatch only, no decode': async () => (await map.lookupBatch()).count,
    };
    const times = { C: [], ...Object.fromEntries(Object.keys(variants).map((k) => [k, []])) };
    for (const fn of Object.values(variants)) await fn(); // warm up
    for (let b = 0; b < blocks; b++) {
      const cRun = c.run([ENTRIES, rounds, 'times']);
      times.C.push(...cRun.times);
      for (const [name, fn] of Object.entries(variants)) {
        for (let r = 0; r < rounds; r++) {
          const t0 = process.hrtime.bigint();
          const n = await fn();
          times[name].push(Number(process.hrtime.bigint() - t0));
          if (n !== ENTRIES) throw new Error(`${name}: read ${n} of ${ENTRIES} entries`);
        }
      }
    }
    return { entries: ENTRIES, rounds: blocks * rounds, stats: Object.fromEntries(Object.entries(times).map(([k, t]) => [k, stats(t)])) };
  } finally {
    obj.close();
    c.cleanup();
  }
}

async function fill(map) {
  const keys = new Uint8Array(ENTRIES * 4);
  const values = new Uint8Array(ENTRIES * 16);
  const kv = new DataView(keys.buffer);
  const vv = new DataView(values.buffer);
  for (let i = 0; i < ENTRIES; i++) {
    kv.setUint32(i * 4, i, true);
    vv.setBigUint64(i * 16, BigInt(i), true);
    vv.setBigUint64(i * 16 + 8, BigInt(i * 3 + 7), true);
  }
  await map.updateBatch(keys, values);
}

function stats(times) {
  const sorted = [...times].sort((a, b) => a - b);
  return { meanNs: times.reduce((a, b) => a + b, 0) / times.length, medianNs: sorted[Math.floor(sorted.length / 2)] };
}

export function reportMapBatch(r) {
  const rate = (ns) => (r.entries / (ns / 1e9) / 1e6).toFixed(2);
  const c = r.stats.C;
  const lines = [`map batch read: ${r.entries.toLocaleString('en')}-entry hash, u32 key, 16-byte value, ${r.rounds} reads each, C and JS alternating`];
  lines.push(`  ${''.padEnd(46)} ${'mean'.padStart(9)} ${'M entries/s'.padStart(12)} ${'median'.padStart(9)} ${'M entries/s'.padStart(12)}   JS/C (mean, median)`);
  for (const [name, s] of Object.entries(r.stats)) {
    const ratio = name === 'C' ? '' : `   ${((c.meanNs / s.meanNs) * 100).toFixed(0)}%, ${((c.medianNs / s.medianNs) * 100).toFixed(0)}%`;
    const label = name === 'C' ? 'C, bpf_map_lookup_batch into arrays' : name;
    lines.push(`  ${label.padEnd(46)} ${(s.meanNs / 1e6).toFixed(2).padStart(6)} ms ${rate(s.meanNs).padStart(12)} ${(s.medianNs / 1e6).toFixed(2).padStart(6)} ms ${rate(s.medianNs).padStart(12)}${ratio}`);
  }
  const best = Math.max(...Object.entries(r.stats).filter(([k]) => k.includes('decode, numbers')).map(([, s]) => c.meanNs / s.meanNs));
  lines.push(`  target: JS records >= 70% of C (best decoding variant, mean): ${(best * 100).toFixed(0)}% -> ${best >= 0.7 ? 'met' : 'NOT met'}`);
  return lines.join('\n');
}
