import { CLOCK, COLLECTOR, OBJECT_LOADER, PROCFS_READER, familyOptionsToken, inject, injectable, type Clock, type Collector, type FamilyOptions, type FilterRecord, type InjectionToken, type ObjectLoader, type Plugin, type ProcfsReader, type Source } from '@bpfscope/core';
import { registerObjectLoader } from '@bpfscope/native';
import { netMetricMapper } from './metrics.js';
import { connectionFilterRecord, processFilterRecord } from './filter-record.js';
import { NET_OBJECT_PATH } from './object-path.js';
import { NET_OPTION_SCHEMA, resolveNetOptions, withFamilyOptions, type NetPluginOptions, type ResolvedNetOptions } from './options.js';
import { NetEbpfSource } from './ebpf/net-ebpf-source.js';
import { NetProcfsSource } from './procfs/net-procfs-source.js';
import type { NetMetrics } from './records.js';

/** Token of the plugin's checked factory options inside its container. @internal */
export const NET_OPTIONS: InjectionToken<ResolvedNetOptions> = Symbol.for('bpfscope.plugin-net.options');

/**
 * The net family's collector: eBPF first, then procfs/sysfs. Its sources are made per
 * engine, with the engine's services: the object loader, the procfs reader, the clock and
 * the family's validated options (`config.families.net` over the factory's).
 */
@injectable()
export class NetCollector implements Collector<NetMetrics> {
  readonly family = 'net';
  readonly sources: readonly Source<NetMetrics>[];

  /** @internal the engine's container constructs it, with these tokens */
  constructor(
    @inject(NET_OPTIONS) options: ResolvedNetOptions,
    @inject(familyOptionsToken('net')) config: FamilyOptions,
    @inject(OBJECT_LOADER) loader: ObjectLoader,
    @inject(PROCFS_READER) procfs: ProcfsReader,
    @inject(CLOCK) clock: Clock,
  ) {
    const merged = withFamilyOptions(options, config);
    const services = { loader, procfs, clock };
    this.sources = [new NetEbpfSource(merged, services), new NetProcfsSource(merged, services)];
  }

  /**
   * The engine's user-space filter over connections (`pid`, `comm`, `cgroupId`,
   * `netNamespace`, `protocol`, `ports` local and remote, `networkBytes` where measured) and
   * processes (`pid`, `comm`, `cgroupId`, `networkBytes`). Hosts and totals are kept as read.
   */
  filterRecords(data: NetMetrics, keep: (record: FilterRecord) => boolean): NetMetrics {
    return {
      ...data,
      connections: data.connections.filter((c) => keep(connectionFilterRecord(c))),
      processes: data.processes.filter((p) => keep(processFilterRecord(p))),
    };
  }
}

/**
 * The net plugin: interface counters and rates, traffic per remote host, the TCP and UDP
 * connection table with each socket's owner, per-process network use, and totals
 * (connections by state, retransmits, resets, drops), from eBPF or from procfs and sysfs.
 * Connection events (connect, accept, close with totals, state changes, retransmits,
 * resets) arrive through `engine.events('net')` with the eBPF source.
 *
 * @example
 * ```ts
 * const engine = createEngine({ plugins: [net({ protocols: ['tcp'], ports: [{ from: 443, to: 443 }] })] });
 * const n = (await engine.collect()).get('net')?.data;
 * for (const c of n?.connections ?? []) console.log(c.localPort, c.remoteAddress, c.state, c.comm);
 * ```
 * @param options - all optional
 * @returns the plugin
 * @throws {@link @bpfscope/core!ConfigError} for an invalid option
 */
export function net(options: NetPluginOptions = {}): Plugin {
  const resolved = resolveNetOptions(options, NET_OBJECT_PATH);
  return {
    name: 'net',
    version: '0.1.0',
    optionSchemas: { net: NET_OPTION_SCHEMA },
    metricMappers: [netMetricMapper],
    register(container) {
      container.register(NET_OPTIONS, { useValue: resolved });
      registerObjectLoader(container);
      container.register(COLLECTOR, { useClass: NetCollector });
    },
  };
}
