import { DataUnavailable, EMPTY_SOURCE_STATS, type ReadContext, type Source, type SourceContext, type SourceStats } from '@bpfscope/core';
import type { ResolvedNetOptions } from '../options.js';
import type { NetMetrics } from '../records.js';
import type { NetServices } from '../services.js';
import { NetProcfsReader } from './read-net.js';

/**
 * The procfs/sysfs fallback of the net family: interface counters from
 * /sys/class/net/&lt;name&gt;/statistics (or /proc/net/dev), the socket tables of
 * /proc/net/tcp, tcp6, udp and udp6 with each socket's processes from /proc/&lt;pid&gt;/fd,
 * and the counters of /proc/net/snmp and /proc/net/netstat. What procfs cannot count (bytes
 * per connection, host and process, kernel drops by reason) is reported unavailable.
 * @internal
 */
export class NetProcfsSource implements Source<NetMetrics> {
  readonly kind = 'procfs' as const;
  readonly name = 'net-procfs';
  #reader: NetProcfsReader | null = null;
  #reads = 0;

  /**
   * @param options - the plugin's options, with the family's config applied
   * @param services - the engine's procfs reader and clock
   */
  constructor(private readonly options: ResolvedNetOptions, private readonly services: Pick<NetServices, 'procfs' | 'clock'>) {}

  async init(_context: SourceContext): Promise<void> {
    const { procfs, clock } = this.services;
    procfs.readProc('net/tcp', { ENOENT: 'the kernel has no /proc/net/tcp (procfs not mounted, or a kernel without TCP/IP)' });
    const reader = new NetProcfsReader(procfs, clock, this.options);
    reader.start();
    this.#reader = reader;
  }

  async read(_context: ReadContext): Promise<NetMetrics> {
    const reader = this.#reader;
    if (!reader) throw new DataUnavailable('net-procfs', 'the source is not initialised');
    this.#reads++;
    return reader.read();
  }

  stats(): SourceStats {
    return { ...EMPTY_SOURCE_STATS, counters: { reads: this.#reads } };
  }

  async close(): Promise<void> {
    this.#reader = null;
  }
}
