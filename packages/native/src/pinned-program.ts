// A program opened from its bpffs pin, by fd: kernel info and run statistics.
import { LoadFailed } from '@bpfscope/core';
import { pinPathProblem } from './bpffs.js';
import { loadNative } from './loader.js';
import { toBpfscopeError } from './native-error.js';
import type { RawBpfFd } from './raw-binding.js';

/** What the kernel reports about a pinned program. */
export interface PinnedProgramInfo {
  /** Kernel program id. */
  id: number;
  /** Kernel name (at most 15 characters). */
  name: string;
  /** Program type name: `tracing`, `raw_tracepoint`, ... */
  type: string;
  /** Hash of its instructions, hex. */
  tag: string;
  /** Runs counted while run-time statistics were enabled. */
  runCount: number;
  /** Nanoseconds of run time in those runs. */
  runTimeNs: number;
  /** `runTimeNs / runCount`; undefined while no run was counted. */
  nsPerRun: number | undefined;
  /** Runs skipped because the program was already running on that CPU. */
  recursionMisses: number;
  /** Instructions the verifier processed. */
  verifiedInsns: number;
}

/** A program pinned in bpffs (by {@link BpfObject.pinProgram} or any other tool), held open by fd. */
export class PinnedProgram {
  /** The pin it was opened from. */
  readonly path: string;
  readonly #fd: RawBpfFd;

  /** @internal Use {@link openPinnedProgram}. */
  constructor(fd: RawBpfFd, path: string) {
    this.#fd = fd;
    this.path = path;
  }

  /**
   * The program's kernel info and run statistics, read now.
   * @throws {@link @bpfscope/core!Closed} after {@link PinnedProgram.close}
   */
  info(): PinnedProgramInfo {
    try {
      const { id, name, type, tag, runCount, runTimeNs, recursionMisses, verifiedInsns } = this.#fd.programInfo();
      return { id, name, type, tag, runCount, runTimeNs, nsPerRun: runCount > 0 ? runTimeNs / runCount : undefined, recursionMisses, verifiedInsns };
    } catch (e) {
      throw toBpfscopeError(e, { kind: 'program', object: this.path, program: this.path, operation: 'reading the info' });
    }
  }

  /** Closes the fd (the pin stays). Closing twice does nothing. */
  close(): void {
    this.#fd.close();
  }
}

/**
 * Opens a program pinned in bpffs.
 * @param path - the pin
 * @throws {@link @bpfscope/core!LoadFailed} (op `bpf_obj_get`) when nothing is pinned there (ENOENT) or it is not a program
 * @throws {@link @bpfscope/core!DataUnavailable} when no bpffs is mounted
 */
export function openPinnedProgram(path: string): PinnedProgram {
  const problem = pinPathProblem(path);
  if (problem !== undefined) throw new LoadFailed(path, problem, '', { op: 'bpf_obj_get' });
  try {
    return new PinnedProgram(loadNative().openPinnedProgram(path), path);
  } catch (e) {
    throw toBpfscopeError(e, { kind: 'program', object: path, program: path, operation: 'opening the pin' });
  }
}
