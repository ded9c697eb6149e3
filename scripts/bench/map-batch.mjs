// Batch read of a 100,000-entry hash (u32 key, 16-byte value) into JS records,
// against a C reference doing bpf_map_lookup_batch on a map of the same shape.
// The machine is shared and noisy, so C and JS alternate read by read: the C
// reference stays running (map_batch serve) and does one read per request,
// right before or right after each JS read (the order alternates, and the
// variants take turns at the start of a round). Each JS
// read and its C neighbour make a pair; the report gives the median and
// quartiles of the per-pair rates, and the mean and median of each side.
import { fileURLToPath } from 'node:url';
import { BpfObject, decodeRecords } from '@bpfscope/native';
import { buildC } from './c-build.mjs';
import { quartiles } from './measure.mjs';

const FIXTURE = fileURLToPath(new URL('../../packages/native/test/fixtures/maps.bpf.o', import.meta.url));
const ENTRIES = 100_000; // TEST_HASH_ENTRIES, bpf/test/maps.h
// The variant the target is judged on: records decoded anew on every read, only the byte buffer reused.
const TARGET = 'JS lookupBatch into buffer + decode, numbers';

export async function benchMapBatch({ rounds = 48 } = {}) {
  const c = buildC('map_batch');
  const server = await c.serve([ENTRIES, 'serve']);
  const obj = BpfObject.open(FIXTURE);
  try {
    await obj.load();
    const map = obj.map('test_hash');
    await fill(map);
    const layout = map.valueLayout();
    const into = new Uint8Array(map.batchBytes());
    const inInto = (batch) => {
      if (batch.spilled) throw new Error('a read into a buffer of batchBytes() spilled');
      return batch;
    };
    const variants = {
      [TARGET]: async () => decodeRecords(inInto(await map.lookupBatch({ into })).values, layout, { u64: 'number' }).length,
      'JS lookupBatches into buffer + decode, numbers': async () => {
        const records = [];
        for await (const chunk of map.lookupBatches({ into })) decodeRecords(inInto(chunk).values, layout, { u64: 'number', into: records });
        return records.length;
      },
      'JS lookupBatches (chunks) + decode, numbers': async () => {
        const records = [];
        for await (const chunk of map.lookupBatches()) decodeRecords(chunk.values, layout, { u64: 'number', into: records });
        return records.length;
      },
      'JS lookupBatch (whole) + decode, numbers': async () => decodeRecords((await map.lookupBatch()).values, layout, { u64: 'number' }).length,
      'JS lookupBatch (whole) + decode, bigints': async () => decodeRecords((await map.lookupBatch()).values, layout).length,
      'JS lookupBatch only, no decode': async () => (await map.lookupBatch()).count,
    };
    const cRead = async () => {
      const [ns, read] = (await server.request()).split(' ').map(Number);
      if (read !== ENTRIES) throw new Error(`C: read ${read} of ${ENTRIES} entries`);
      return ns;
    };
    const jsRead = async (name, fn) => {
      const t0 = process.hrtime.bigint();
      const n = await fn();
      const ns = Number(process.hrtime.bigint() - t0);
      if (n !== ENTRIES) throw new Error(`${name}: read ${n} of ${ENTRIES} entries`);
      return ns;
    };
    for (let w = 0; w < 2; w++) {
      await cRead();
      for (const [name, fn] of Object.entries(variants)) await jsRead(name, fn); // warm up
    }
    const times = { C: [], ...Object.fromEntries(Object.keys(variants).map((k) => [k, []])) };
    const pairs = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
    const list = Object.entries(variants);
    let order = 0;
    for (let r = 0; r < rounds; r++) {
      // Each round starts at the next variant, so none always follows the same one.
      for (let v = 0; v < list.length; v++) {
        const [name, fn] = list[(r + v) % list.length];
        const cFirst = order++ % 2 === 0;
        const cNs = cFirst ? await cRead() : undefined;
        const jsNs = await jsRead(name, fn);
        const pairC = cNs ?? (await cRead());
        times.C.push(pairC);
        times[name].push(jsNs);
        pairs[name].push(pairC / jsNs);
      }
    }
    return {
      entries: ENTRIES,
      rounds,
      stats: Object.fromEntries(Object.entries(times).map(([k, t]) => [k, stats(t)])),
      pairs: Object.fromEntries(Object.entries(pairs).map(([k, p]) => [k, quartiles(p)])),
    };
  } finally {
    obj.close();
    await server.close();
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
  const pct = (x) => `${(x * 100).toFixed(0)}%`;
  const c = r.stats.C;
  const lines = [
    `map batch read: ${r.entries.toLocaleString('en')}-entry hash, u32 key, 16-byte value; C and JS alternate read by read, ${r.rounds} pairs per JS variant`,
  ];
  lines.push(
    `  ${''.padEnd(48)} ${'mean'.padStart(9)} ${'M entries/s'.padStart(12)} ${'median'.padStart(9)} ${'M entries/s'.padStart(12)}   JS/C (mean, median)   JS/C per pair: median [quartiles]`,
  );
  for (const [name, s] of Object.entries(r.stats)) {
    const p = r.pairs[name];
    const ratio = name === 'C' ? '' : `   ${`${pct(c.meanNs / s.meanNs)}, ${pct(c.medianNs / s.medianNs)}`.padEnd(20)}  ${pct(p.median)} [${pct(p.q1)}–${pct(p.q3)}]`;
    const label = name === 'C' ? 'C, bpf_map_lookup_batch into arrays' : name;
    lines.push(`  ${label.padEnd(48)} ${(s.meanNs / 1e6).toFixed(2).padStart(6)} ms ${rate(s.meanNs).padStart(12)} ${(s.medianNs / 1e6).toFixed(2).padStart(6)} ms ${rate(s.medianNs).padStart(12)}${ratio}`);
  }
  const t = r.pairs[TARGET];
  lines.push(`  target: JS records >= 70% of C (${TARGET}; median of per-pair ratios): ${pct(t.median)} [quartiles ${pct(t.q1)}–${pct(t.q3)}] -> ${t.median >= 0.7 ? 'met' : 'NOT met'}`);
  return lines.join('\n');
}
