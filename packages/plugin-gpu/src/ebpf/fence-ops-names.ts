import type { ProcfsReader } from '@bpfscope/core';

/**
 * Names the `dma_fence_ops` of each fence context from the kernel's symbol table
 * (/proc/kallsyms), e.g. `amdgpu_fence_ops`, `drm_sched_fence_ops_finished`,
 * `dma_fence_array_ops`. The programs cannot call the ops' `get_driver_name`, so the ops
 * symbol is what names a context's driver. An address is looked up once; /proc/kallsyms is
 * read only when an address not seen before turns up.
 * @internal
 */
export class FenceOpsNames {
  readonly #names = new Map<bigint, string>();

  constructor(private readonly procfs: ProcfsReader) {}

  /**
   * @param addresses - ops addresses from the fence contexts
   * @returns a name for each: the symbol, or `ops@0x…` when kallsyms does not show it (kptr_restrict, or not a symbol)
   */
  names(addresses: readonly bigint[]): Map<bigint, string> {
    const missing = new Set(addresses.filter((a) => !this.#names.has(a)));
    if (missing.size > 0) {
      let text = '';
      try {
        text = this.procfs.readProc('kallsyms');
      } catch {
        // Named by address below.
      }
      for (const [address, symbol] of parseKallsyms(text, missing)) this.#names.set(address, symbol);
      for (const a of missing) if (!this.#names.has(a)) this.#names.set(a, `ops@0x${a.toString(16)}`);
    }
    return new Map(addresses.map((a) => [a, this.#names.get(a)!]));
  }
}

/**
 * The symbols of the wanted addresses in /proc/kallsyms text (`<hex address> <type> <name> [module]`).
 * Addresses shown as 0 (kptr_restrict) match nothing.
 * @internal
 */
export function parseKallsyms(text: string, wanted: ReadonlySet<bigint>): Map<bigint, string> {
  const out = new Map<bigint, string>();
  const hex = new Set([...wanted].filter((a) => a !== 0n).map((a) => a.toString(16).padStart(16, '0')));
  if (hex.size === 0) return out;
  let at = 0;
  while (at < text.length && out.size < hex.size) {
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    const address = text.slice(at, at + 16);
    if (hex.has(address)) {
      const fields = text.slice(at, end).split(/\s+/);
      if (fields[2]) out.set(BigInt(`0x${address}`), fields[2]);
    }
    at = end + 1;
  }
  return out;
}
