import { DataUnavailable, type ReadContext, type Source, type SourceContext } from '@bpfscope/core';
import type { ResolvedNetOptions } from '../options.js';
import type { NetMetrics } from '../records.js';
import type { NetServices } from '../services.js';

/**
 * The procfs/sysfs fallback of the net family (being written: this slot refuses to start).
 * @internal
 */
export class NetProcfsSource implements Source<NetMetrics> {
  readonly kind = 'procfs' as const;
  readonly name = 'net-procfs';

  constructor(private readonly options: ResolvedNetOptions, private readonly services: Pick<NetServices, 'procfs' | 'clock'>) {}

  async init(_context: SourceContext): Promise<void> {
    throw new DataUnavailable('net-procfs', `not implemented yet (${this.options.objectPath}, ${this.services.procfs.procRoot})`);
  }

  async read(_context: ReadContext): Promise<NetMetrics> {
    throw new DataUnavailable('net-procfs', 'the source is not initialised');
  }

  async close(): Promise<void> {}
}
