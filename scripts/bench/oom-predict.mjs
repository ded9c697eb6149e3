// OOM prediction cost: one predictAll() over 1,000 keys with 60 samples each (the ring
// buffers of OomPredictor), against the same predictions made one key at a time with
// predictExhaustion() over plain sample arrays.
import { OomPredictor, predictExhaustion } from '@bpfscope/plugin-mem';
import { fmt, measure } from './measure.mjs';

export async function benchOomPredict({ keys = 1000, samples = 60, calls = 2000 } = {}) {
  const predictor = new OomPredictor({ capacity: samples });
  const series = [];
  // Deterministic workload: growing usage with a bounded wobble, a 4 GiB limit per key.
  for (let k = 0; k < keys; k++) {
    const s = [];
    for (let i = 0; i < samples; i++) {
      const usage = 1e9 + k * 1e6 + i * (1000 + k) + ((i * 7919 + k * 104729) % 5000);
      s.push({ timestamp: 1_795_453_397 + i, usage });
      predictor.add(`cgroup:/k${k}`, 1_795_453_397 + i, usage, 4 * 2 ** 30);
    }
    series.push(s);
  }
  const check = predictor.predictAll();
  if (check.size !== keys) throw new Error(`predictAll returned ${check.size} keys, ${keys} expected`);
  return {
    keys,
    samples,
    predictAll: await measure(() => predictor.predictAll(), { calls }),
    perKeyArrays: await measure(() => series.map((s) => predictExhaustion(s, 4 * 2 ** 30)), { calls: Math.ceil(calls / 4) }),
  };
}

export function reportOomPredict(r) {
  const ms = r.predictAll.cpuMs;
  return [
    `oom prediction, ${r.keys} keys x ${r.samples} samples (per full pass)   wall        CPU`,
    `  OomPredictor.predictAll()            ${fmt(r.predictAll.wallMs).padStart(9)}  ${fmt(r.predictAll.cpuMs).padStart(9)}   (${r.predictAll.calls} passes)`,
    `  predictExhaustion() per key, arrays  ${fmt(r.perKeyArrays.wallMs).padStart(9)}  ${fmt(r.perKeyArrays.cpuMs).padStart(9)}   (${r.perKeyArrays.calls} passes)`,
    `  ratio per-key arrays / predictAll (CPU): ${(r.perKeyArrays.cpuMs / ms).toFixed(2)}x`,
    `  target: <= 1 ms per full pass: ${ms <= 1 ? 'met' : 'NOT met'} (${fmt(ms)}, ${((ms * 1000) / r.keys).toFixed(2)} µs per key)`,
  ].join('\n');
}
