// Reading and checking the bytes of an object before libbpf sees them.
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { BtfUnavailable, LoadFailed } from '@bpfscope/core';
import { checkBpfElf } from './elf-check.js';
import { objectFileRemedy } from './object-file.js';
import type { OpenOptions } from './object-types.js';

/**
 * The object's bytes and name: the file read (or the bytes given), checked to
 * be an eBPF ELF object, and the custom BTF path checked to exist.
 * @internal
 * @throws {@link @bpfscope/core!LoadFailed} for an unreadable file or bytes that are not a sound eBPF object
 * @throws {@link @bpfscope/core!BtfUnavailable} when `btfPath` does not exist
 */
export function readObjectSource(source: string | Uint8Array, options: OpenOptions): { image: Uint8Array; name: string } {
  let image: Uint8Array;
  let name: string;
  if (typeof source === 'string') {
    name = options.name ?? basename(source).replace(/(\.bpf)?\.o$/, '');
    try {
      image = readFileSync(source);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const errno = typeof err.errno === 'number' ? Math.abs(err.errno) : undefined;
      throw new LoadFailed(name, `cannot read ${source}: ${err.message}`, '', { op: 'open', errno, cause: e, remedy: objectFileRemedy(source), details: { path: source } });
    }
  } else if (source instanceof Uint8Array) {
    name = options.name ?? 'bpf_object';
    image = source;
  } else {
    throw new TypeError('BpfObject.open(source): source must be a path or a Uint8Array');
  }
  const problem = checkBpfElf(image);
  if (problem !== undefined) {
    const where = typeof source === 'string' ? { path: source } : {};
    const remedy = typeof source === 'string' ? { remedy: objectFileRemedy(source) } : {};
    throw new LoadFailed(name, typeof source === 'string' ? `${source}: ${problem}` : problem, '', { op: 'elf check', ...remedy, details: { bytes: image.length, ...where } });
  }
  if (options.btfPath !== undefined && !existsSync(options.btfPath)) {
    throw new BtfUnavailable([options.btfPath], { details: { object: name } });
  }
  return { image, name };
}
