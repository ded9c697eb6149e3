import { describe, expect, it } from 'vitest';
import { COLLECTOR } from '../tokens.js';
import { createEngine } from '../engine/create-engine.js';
import { EMPTY_SOURCE_STATS, type SourceStats } from '../source-stats.js';
import type { Collector, Plugin, Source } from '../types.js';
import type { FamilyFilter, FilterRecord, PushdownResult } from './family-filter.js';
import { recordPasses } from './family-filter.js';
import { validateFamilyFilter } from './validate-filter.js';

const silent = { error() {}, warn() {}, info() {}, debug() {} };

interface Row { pid: number; calls: number }

/** A source whose "kernel" takes pid lists and keeps filter counters, like the syscall one. */
class PushSource implements Source<Row[]> {
  readonly kind = 'ebpf' as const;
  readonly name = 'push';
  pushed: FamilyFilter[] = [];
  hits = 0;
  misses = 0;
  inits = 0;
  detachedReason: string | null = null;
  constructor(private readonly rows: Row[]) {}
  async init(): Promise<void> {
    this.inits++;
    this.detachedReason = null;
  }
  async read(): Promise<Row[]> {
    const f = this.pushed.at(-1);
    return this.rows.filter((r) => {
      const pass = !f?.pids || f.pids.includes(r.pid);
      if (pass) this.hits += r.calls; else this.misses += r.calls;
      return pass;
    });
  }
  async close(): Promise<void> {}
  detached(): string | null { return this.detachedReason; }
  async pushdown(filter: FamilyFilter): Promise<PushdownResult> {
    this.pushed.push(filter);
    const parts = Object.keys(filter) as Array<keyof FamilyFilter>;
    return { pushedDown: parts.filter((p) => p === 'pids'), notPushed: parts.filter((p) => p !== 'pids') };
  }
  stats(): SourceStats {
    return { ...EMPTY_SOURCE_STATS, kernelCounters: [{ object: 'x.bpf.o', map: 'x_stats', invocations: 0, eventsSent: 0, eventsDropped: 0, filterHits: this.hits, filterMisses: this.misses }] };
  }
}

function plugin(source: PushSource, withRecords: boolean): Plugin {
  const collector: Collector<Row[]> = {
    family: 'fam',
    sources: [source],
    ...(withRecords ? { filterRecords: (data: Row[], keep: (r: FilterRecord) => boolean) => data.filter((r) => keep({ pid: r.pid, syscallCount: r.calls })) } : {}),
  };
  return { name: 'p', version: '0', register: (c) => c.register(COLLECTOR, { useValue: collector }) };
}

const ROWS: Row[] = [{ pid: 1, calls: 10 }, { pid: 2, calls: 3 }, { pid: 3, calls: 7 }];

describe('engine.setFilter', () => {
  it('pushes down what the source takes, applies the rest to each reading, and counts both', async () => {
    const src = new PushSource(ROWS);
    const engine = createEngine({ plugins: [plugin(src, true)], config: { cache: { enabled: false } }, logger: silent });
    await engine.collect(); // 20 calls let through before the filter: not the filter's hits
    expect(await engine.setFilter('fam', { pids: [1, 2], minSyscallCount: 5 })).toEqual({ pushedDown: ['pids'], inUserSpace: ['minSyscallCount'] });
    expect(src.pushed.at(-1)).toEqual({ pids: [1, 2], minSyscallCount: 5 });
    expect((await engine.collect()).get('fam')?.data).toEqual([{ pid: 1, calls: 10 }]);
    const f = engine.stats().collectors[0]!.filter!;
    expect(f.kernel).toEqual({ hits: 13, misses: 7 });
    expect(f.userSpace).toEqual({ hits: 1, misses: 1 });
    expect(f.source).toBe('push');
    await engine.close();
  });

  it('a part neither the source nor the collector can apply is a ConfigError naming it', async () => {
    const engine = createEngine({ plugins: [plugin(new PushSource(ROWS), false)], logger: silent });
    await expect(engine.setFilter('fam', { pids: [1], minCpuPercent: 3 })).rejects.toMatchObject({ code: 'CONFIG_ERROR', path: 'filter.fam.minCpuPercent' });
    expect(await engine.setFilter('fam', { pids: [1] })).toEqual({ pushedDown: ['pids'], inUserSpace: [] });
    await engine.close();
  });

  it('a source initialised again by recovery gets the filter pushed down again', async () => {
    const src = new PushSource(ROWS);
    const engine = createEngine({ plugins: [plugin(src, true)], config: { cache: { enabled: false } }, logger: silent });
    await engine.setFilter('fam', { pids: [3] });
    expect(src.pushed).toHaveLength(1);
    src.detachedReason = 'gone';
    expect((await engine.attemptRecovery()).recovered).toEqual(['fam']);
    expect(src.inits).toBe(2);
    expect(src.pushed).toEqual([{ pids: [3] }, { pids: [3] }]);
    expect((await engine.collect()).get('fam')?.data).toEqual([{ pid: 3, calls: 7 }]);
    await engine.close();
  });
});

describe('FamilyFilter', () => {
  it('validation names the bad part; ids are de-duplicated, cgroup ids kept as given', () => {
    expect(() => validateFamilyFilter('x', { pid: [1] } as unknown as FamilyFilter)).toThrow(expect.objectContaining({ path: 'filter.x.pid' }));
    expect(() => validateFamilyFilter('x', { minCpuPercent: -1 })).toThrow(expect.objectContaining({ path: 'filter.x.minCpuPercent' }));
    expect(() => validateFamilyFilter('x', { syscalls: [512] })).toThrow(expect.objectContaining({ path: 'filter.x.syscalls[0]' }));
    expect(validateFamilyFilter('x', { pids: [2, 2, 1], cgroupIds: [7], syscalls: [3, 1] })).toEqual({ pids: [2, 1], cgroupIds: [7], syscalls: [1, 3] });
    expect(validateFamilyFilter('x', { cgroupIds: [8n] })).toEqual({ cgroupIds: [8n] });
    expect(recordPasses({ cgroupIds: [7] }, ['cgroupIds'], { cgroupId: 7n })).toBe(true);
  });

  it('a record without the field a part matches passes that part', () => {
    const f = { pids: [1], comms: ['a'], minMemoryBytes: 10 };
    const parts = ['pids', 'comms', 'minMemoryBytes'] as const;
    expect(recordPasses(f, parts, { syscallId: 3 })).toBe(true);
    expect(recordPasses(f, parts, { pid: 1, comm: 'a', memoryBytes: 10 })).toBe(true);
    expect(recordPasses(f, parts, { pid: 2 })).toBe(false);
    expect(recordPasses(f, parts, { pid: 1, comm: 'b' })).toBe(false);
    expect(recordPasses(f, parts, { memoryBytes: 9 })).toBe(false);
    expect(recordPasses({ excludeComms: ['a'] }, ['excludeComms'], { comm: 'a' })).toBe(false);
    expect(recordPasses({ cgroupIds: [5n] }, ['cgroupIds'], { cgroupId: 5n })).toBe(true);
  });

  it('the namespace, category, protocol, port, kind and priority parts: validated with their path, matched on their field', () => {
    expect(() => validateFamilyFilter('x', { portRanges: [{ from: 10, to: 5 }] })).toThrow(expect.objectContaining({ path: 'filter.x.portRanges[0]' }));
    expect(() => validateFamilyFilter('x', { protocols: ['sctp' as 'tcp'] })).toThrow(expect.objectContaining({ path: 'filter.x.protocols[0]' }));
    expect(() => validateFamilyFilter('x', { processKinds: ['daemon' as 'user'] })).toThrow(expect.objectContaining({ path: 'filter.x.processKinds[0]' }));
    expect(() => validateFamilyFilter('x', { maxNice: 20 })).toThrow(expect.objectContaining({ path: 'filter.x.maxNice' }));
    expect(() => validateFamilyFilter('x', { mountNamespaces: [0] })).toThrow(expect.objectContaining({ path: 'filter.x.mountNamespaces[0]' }));
    expect(() => validateFamilyFilter('x', { excludeCgroupIds: [-1] })).toThrow(expect.objectContaining({ path: 'filter.x.excludeCgroupIds[0]' }));
    expect(validateFamilyFilter('x', { netNamespaces: [4026531840, 4026531840], syscallCategories: ['network'], maxNice: 0 }))
      .toEqual({ netNamespaces: [4026531840], syscallCategories: ['network'], maxNice: 0 });
    const ports = { portRanges: [{ from: 80, to: 80 }, { from: 8000, to: 8100 }] };
    expect(recordPasses(ports, ['portRanges'], { ports: [51000, 8080] })).toBe(true);
    expect(recordPasses(ports, ['portRanges'], { ports: [51000, 443] })).toBe(false);
    expect(recordPasses({ excludeCgroupIds: [5] }, ['excludeCgroupIds'], { cgroupId: 5n })).toBe(false);
    expect(recordPasses({ excludeCgroupIds: [5] }, ['excludeCgroupIds'], { cgroupId: 6n })).toBe(true);
    expect(recordPasses({ mountNamespaces: [9] }, ['mountNamespaces'], { mountNamespace: 8 })).toBe(false);
    // Carried but unreadable (null): an allow list cannot show it belongs, a deny list lets it through.
    expect(recordPasses({ mountNamespaces: [9] }, ['mountNamespaces'], { mountNamespace: null })).toBe(false);
    expect(recordPasses({ netNamespaces: [9] }, ['netNamespaces'], { netNamespace: null })).toBe(false);
    expect(recordPasses({ cgroupIds: [5] }, ['cgroupIds'], { cgroupId: null })).toBe(false);
    expect(recordPasses({ excludeCgroupIds: [5] }, ['excludeCgroupIds'], { cgroupId: null })).toBe(true);
    expect(recordPasses({ mountNamespaces: [9] }, ['mountNamespaces'], {})).toBe(true);
    expect(recordPasses({ processKinds: ['user'] }, ['processKinds'], { processKind: 'kernel' })).toBe(false);
    expect(recordPasses({ maxNice: 0 }, ['maxNice'], { nice: 5 })).toBe(false);
    expect(recordPasses({ maxNice: 0 }, ['maxNice'], { nice: -5 })).toBe(true);
    expect(recordPasses({ protocols: ['udp'] }, ['protocols'], { protocol: 'tcp' })).toBe(false);
    expect(recordPasses({ syscallCategories: ['time'] }, ['syscallCategories'], { syscallCategory: 'time' })).toBe(true);
  });
});
