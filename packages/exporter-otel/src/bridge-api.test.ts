// The bridge on @opentelemetry/api alone: what it registers on a meter and what its one
// batch callback observes, with no SDK in between.
import { afterEach, describe, expect, it } from 'vitest';
import { ValueType } from '@opentelemetry/api';
import { createOtelBridge } from './otel-bridge.js';
import { recordingMeter } from '../test/recording-meter.js';
import { IN_USE, INITIAL, PER_PROC, TEMP, testEngine, TOTAL } from '../test/test-family.js';

const engines: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of engines.splice(0)) await close();
});

function setup(options: Parameters<typeof createOtelBridge>[1] = {}) {
  const t = testEngine();
  engines.push(() => t.engine.close());
  const rec = recordingMeter();
  const bridge = createOtelBridge(t.engine, { ...options, meter: rec.meter });
  return { ...t, rec, bridge };
}

describe('createOtelBridge on the API alone', () => {
  it('registers one observable per non-histogram descriptor, of its kind, unit and description, and one batch callback for them all', () => {
    const { rec } = setup();
    expect(rec.registered).toEqual([
      { kind: 'gauge', name: 'bpfscope.family.up', options: { description: expect.any(String), unit: '1', valueType: ValueType.DOUBLE } },
      { kind: 'counter', name: TOTAL.name, options: { description: TOTAL.description, unit: '{event}', valueType: ValueType.DOUBLE } },
      { kind: 'updown', name: IN_USE.name, options: { description: IN_USE.description, unit: 'By', valueType: ValueType.DOUBLE } },
      { kind: 'gauge', name: TEMP.name, options: { description: TEMP.description, unit: 'Cel', valueType: ValueType.DOUBLE } },
      { kind: 'gauge', name: 'bpfscope.other.things', options: { description: 'Another family.', unit: '1', valueType: ValueType.DOUBLE } },
    ]);
    expect(rec.callbacks()).toEqual([{ observables: rec.registered.map((r) => r.name) }]);
  });

  it('observes the points of one reading, an unmeasured value as no observation rather than a zero', async () => {
    const { rec, test } = setup();
    test.set({ ...INITIAL, temp: null });
    const seen = await rec.collect();
    expect(test.reads()).toBe(1);
    expect(seen.filter((o) => o.name.startsWith('bpfscope.test.'))).toEqual([
      { name: TOTAL.name, value: 5, attributes: { 'bpfscope.source': 'procfs', 'test.kind': 'a' } },
      { name: TOTAL.name, value: 10, attributes: { 'bpfscope.source': 'procfs', 'test.kind': 'b' } },
      { name: IN_USE.name, value: 4096, attributes: { 'bpfscope.source': 'procfs' } },
    ]);
  });

  it('registers detail instruments only when their detail is asked for', async () => {
    const { rec } = setup({ detail: ['process'], maxDetailEntities: 1 });
    expect(rec.registered.map((r) => r.name)).toContain(PER_PROC.name);
    expect((await rec.collect()).filter((o) => o.name === PER_PROC.name)).toEqual([{ name: PER_PROC.name, value: 7, attributes: { 'bpfscope.source': 'procfs', 'process.pid': 100 } }]);
    expect(setup().rec.registered.map((r) => r.name)).not.toContain(PER_PROC.name);
  });

  it('close() removes the callback: nothing is observed or read after it', async () => {
    const { rec, bridge, test } = setup();
    bridge.close();
    bridge.close();
    expect(rec.callbacks()).toEqual([]);
    expect(await rec.collect()).toEqual([]);
    expect(test.reads()).toBe(0);
  });
});
