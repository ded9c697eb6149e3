// The shape of the compiled addon (src/native). Everything that crosses into
// C++ goes through these types; the wrappers in this package validate the
// arguments first.
import type { BpfLink } from './bpf-link.js';
import type { BpfMap } from './bpf-map.js';
import type { BpfObject } from './bpf-object.js';
import type { MapInfo, ProgramInfo } from './object-types.js';

/** A program as the addon describes it (see {@link ProgramInfo}). */
export interface RawProgramInfo {
  name: string;
  section: string;
  type: string;
  attachType: string;
  autoload: boolean;
}

/** A map as the addon describes it (see {@link MapInfo}). */
export interface RawMapInfo {
  name: string;
  type: string;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  perCpu: boolean;
  /** Bytes one lookup returns (per-CPU maps: value size rounded to 8 × possible CPUs). */
  entrySize: number;
}

/** Result of one whole-map read: `count` keys, then `count` values, in one buffer. */
export interface RawBatch {
  count: number;
  buffer: ArrayBuffer;
  /** True when the kernel refused batch operations and the entries were walked with get_next_key. */
  iterated: boolean;
}

/** The addon's map object; {@link BpfMap} wraps it. */
export interface RawBpfMap {
  info(): RawMapInfo;
  lookup(key: Uint8Array): Uint8Array | undefined;
  update(key: Uint8Array, value: Uint8Array, flags: number): void;
  delete(key: Uint8Array): boolean;
  lookupBatch(): Promise<RawBatch>;
  readArray(): Uint8Array;
}

/** The addon's link object; {@link BpfLink} wraps it. */
export interface RawBpfLink {
  readonly program: string;
  readonly attachPoint: string;
  readonly alive: boolean;
  destroy(): void;
}

/** The addon's object; {@link BpfObject} wraps it. Methods throw plain Errors with `code`, `op`, `errno`, `log`. */
export interface RawBpfObject {
  readonly name: string;
  load(): Promise<void>;
  programs(): RawProgramInfo[];
  maps(): RawMapInfo[];
  setAutoload(program: string, on: boolean): void;
  attach(program: string): RawBpfLink;
  attachUprobe(program: string, binaryPath: string, functionName: string, pid: number, retprobe: boolean): RawBpfLink;
  attachPerfEvent(program: string, cpu: number, frequencyHz: number): RawBpfLink;
  map(name: string): RawBpfMap | undefined;
  close(): void;
}

/**
 * The raw binding exported by the compiled addon. Most code should use
 * {@link BpfObject} and friends instead; this is what {@link loadNative} returns.
 */
export interface NativeBinding {
  /** Opens an ELF image (the bytes of a .bpf.o). Throws a native failure (see the wrappers). */
  BpfObject: new (image: Uint8Array, name: string, btfPath?: string) => RawBpfObject;
  /** libbpf's version as `major.minor`. */
  libbpfVersion(): string;
  /** libbpf_num_possible_cpus(). */
  possibleCpus(): number;
  /** Program type names libbpf knows (`socket_filter`, `kprobe`, ...). */
  progTypeNames(): string[];
  /** Map type names libbpf knows (`hash`, `array`, ...). */
  mapTypeNames(): string[];
  /** libbpf_probe_bpf_prog_type: 1, 0, a negative errno, or undefined for an unknown name. */
  probeProgType(name: string): number | undefined;
  /** libbpf_probe_bpf_map_type: 1, 0, a negative errno, or undefined for an unknown name. */
  probeMapType(name: string): number | undefined;
}

const FUNCTIONS = ['BpfObject', 'libbpfVersion', 'possibleCpus', 'progTypeNames', 'mapTypeNames', 'probeProgType', 'probeMapType'] as const;

/**
 * True when `mod` exports every function of {@link NativeBinding}: guards against
 * a stale or foreign .node file being picked up by the loader.
 * @internal
 */
export function isNativeBinding(mod: unknown): mod is NativeBinding {
  if (typeof mod !== 'object' || mod === null) return false;
  return FUNCTIONS.every((name) => name in mod && typeof (mod as Record<string, unknown>)[name] === 'function');
}
