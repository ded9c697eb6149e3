import { ConfigError, type FamilyOptions, type OptionSchema, type PortRange } from '@bpfscope/core';
import { parseCidr, type Cidr } from './cidr.js';
import type { NetProtocol } from './records.js';
import type { net } from './plugin.js';

/**
 * Options of the {@link net} plugin; every field optional. The filters combine with AND and
 * select connections (and the traffic counted for hosts and processes); the eBPF source
 * applies them in the kernel, the fallback in user space. `config.families.net` may override
 * the fields of {@link NET_OPTION_SCHEMA}.
 */
export interface NetPluginOptions {
  /** Count only these transport protocols. @default ['tcp', 'udp'] */
  protocols?: readonly NetProtocol[];
  /** Count only sockets with a port (local or remote) in one of these inclusive ranges. @default every port */
  ports?: readonly PortRange[];
  /** Count only sockets whose local address is in one of these CIDR blocks (`127.0.0.0/8`, `::1`); a v4 block also matches v4-mapped IPv6 addresses. @default every address */
  localAddresses?: readonly string[];
  /** Count only sockets whose remote address is in one of these CIDR blocks. @default every address */
  remoteAddresses?: readonly string[];
  /** Count only sockets of these processes (PIDs). @default every process */
  pids?: readonly number[];
  /** Count only sockets of processes in these cgroup v2 groups (the inode number of the group's directory). @default every cgroup */
  cgroupIds?: ReadonlyArray<number | bigint>;
  /**
   * Read these network namespaces (inode numbers of `/proc/<pid>/ns/net`). The fallback reads
   * each through a process that lives in it (`/proc/<pid>/net/...`). @default the reader's own namespace
   */
  netNamespaces?: readonly number[];
  /** Threshold (user space): keep connections, hosts and processes with at least this many bytes, sent plus received. Records whose bytes are unavailable pass. @default 0 */
  minBytes?: number;
  /** Threshold (user space): keep hosts and processes with at least this many open connections. @default 0 */
  minConnections?: number;
  /** How many connections a reading lists (the count before the cap is `connectionCount`). @default 10000 */
  maxConnections?: number;
  /** How many hosts and processes a reading lists, largest first. @default 100 */
  topK?: number;
  /** Path of the compiled eBPF object. @default the `bpf/net.bpf.o` shipped in this package */
  objectPath?: string;
}

/** Options checked, defaults filled in. @internal */
export interface ResolvedNetOptions {
  protocols: ReadonlySet<NetProtocol> | null;
  ports: readonly PortRange[] | null;
  localAddresses: readonly Cidr[] | null;
  remoteAddresses: readonly Cidr[] | null;
  pids: ReadonlySet<number> | null;
  cgroupIds: ReadonlySet<bigint> | null;
  netNamespaces: readonly number[] | null;
  minBytes: number;
  minConnections: number;
  maxConnections: number;
  topK: number;
  objectPath: string;
}

const PROTOCOLS: readonly NetProtocol[] = ['tcp', 'udp'];

const whole = (path: string, v: unknown, min: number, max: number): number => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new ConfigError(path, v, `an integer from ${min} to ${max}`);
  return v;
};

const list = <T>(path: string, v: unknown, each: (p: string, x: unknown) => T): T[] | null => {
  if (v === undefined) return null;
  if (!Array.isArray(v)) throw new ConfigError(path, v, 'an array');
  return v.map((x: unknown, i) => each(`${path}[${i}]`, x));
};

function portRange(path: string, v: unknown): PortRange {
  const r = v as Partial<PortRange> | null;
  if (typeof r !== 'object' || r === null) throw new ConfigError(path, v, 'a port range { from, to }');
  const from = whole(`${path}.from`, r.from, 0, 65535);
  const to = whole(`${path}.to`, r.to, from, 65535);
  return { from, to };
}

function cgroupId(path: string, v: unknown): bigint {
  if (typeof v === 'bigint' && v > 0n && v < 1n << 64n) return v;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v > 0) return BigInt(v);
  throw new ConfigError(path, v, 'a cgroup ID (a positive integer or bigint below 2^64)');
}

/**
 * Check the options.
 * @throws {@link ConfigError} naming the option, the value and what is allowed
 * @internal
 */
export function resolveNetOptions(o: NetPluginOptions, defaultObjectPath: string): ResolvedNetOptions {
  if (typeof o !== 'object' || o === null) throw new ConfigError('net', o, 'an options object');
  const protocols = list('net.protocols', o.protocols, (p, x) => {
    if (!PROTOCOLS.includes(x as NetProtocol)) throw new ConfigError(p, x, "'tcp' or 'udp'");
    return x as NetProtocol;
  });
  if (o.objectPath !== undefined && (typeof o.objectPath !== 'string' || o.objectPath === '')) throw new ConfigError('net.objectPath', o.objectPath, 'a file path');
  const pids = list('net.pids', o.pids, (p, x) => whole(p, x, 1, 4_194_304));
  const cgroups = list('net.cgroupIds', o.cgroupIds, cgroupId);
  return {
    protocols: protocols && new Set(protocols),
    ports: list('net.ports', o.ports, portRange),
    localAddresses: list('net.localAddresses', o.localAddresses, parseCidr),
    remoteAddresses: list('net.remoteAddresses', o.remoteAddresses, parseCidr),
    pids: pids && new Set(pids),
    cgroupIds: cgroups && new Set(cgroups),
    netNamespaces: list('net.netNamespaces', o.netNamespaces, (p, x) => whole(p, x, 1, 0xffff_ffff)),
    minBytes: o.minBytes === undefined ? 0 : whole('net.minBytes', o.minBytes, 0, Number.MAX_SAFE_INTEGER),
    minConnections: o.minConnections === undefined ? 0 : whole('net.minConnections', o.minConnections, 0, 1_000_000_000),
    maxConnections: o.maxConnections === undefined ? 10_000 : whole('net.maxConnections', o.maxConnections, 0, 10_000_000),
    topK: o.topK === undefined ? 100 : whole('net.topK', o.topK, 0, 1_000_000),
    objectPath: o.objectPath ?? defaultObjectPath,
  };
}

/**
 * The options `config.families.net` may hold (besides the engine's `mode`, `enabled`,
 * `initTimeoutMs`, `readTimeoutMs`, `cache`); each overrides the factory's option of the
 * same name. Port ranges and cgroup IDs are set through the factory or `engine.setFilter()`.
 */
export const NET_OPTION_SCHEMA: OptionSchema = Object.freeze({
  protocols: { type: 'string[]', maxItems: 2 },
  localAddresses: { type: 'string[]' },
  remoteAddresses: { type: 'string[]' },
  pids: { type: 'integer[]', min: 1, max: 4_194_304 },
  netNamespaces: { type: 'integer[]', min: 1, max: 0xffff_ffff },
  minBytes: { type: 'integer', min: 0, max: Number.MAX_SAFE_INTEGER },
  minConnections: { type: 'integer', min: 0, max: 1_000_000_000 },
  maxConnections: { type: 'integer', min: 0, max: 10_000_000 },
  topK: { type: 'integer', min: 0, max: 1_000_000 },
});

/**
 * The factory's options overridden by the family's validated config.
 * @throws {@link ConfigError} naming `families.net.<key>` for a bad protocol or CIDR block
 * @internal
 */
export function withFamilyOptions(o: ResolvedNetOptions, config: FamilyOptions): ResolvedNetOptions {
  const given = Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined)) as NetPluginOptions;
  if (Object.keys(given).length === 0) return o;
  let fromConfig: ResolvedNetOptions;
  try {
    fromConfig = resolveNetOptions(given, o.objectPath);
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(`families.${e.path}`, e.value, e.allowed, { cause: e });
    throw e;
  }
  const pick = <K extends keyof ResolvedNetOptions>(k: K): ResolvedNetOptions[K] => (k in given ? fromConfig[k] : o[k]);
  return {
    ...o,
    protocols: pick('protocols'),
    localAddresses: pick('localAddresses'),
    remoteAddresses: pick('remoteAddresses'),
    pids: pick('pids'),
    netNamespaces: pick('netNamespaces'),
    minBytes: pick('minBytes'),
    minConnections: pick('minConnections'),
    maxConnections: pick('maxConnections'),
    topK: pick('topK'),
  };
}
