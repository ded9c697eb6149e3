import { ConfigError } from '@bpfscope/core';
import { toBpfscopeError } from './native-error.js';
import type { RawBpfLink } from './raw-binding.js';

/**
 * Bumped whenever this process destroys a link or frees an object (which destroys the
 * links it still has). The addon's links die only through those calls, so a link's
 * {@link BpfLink.attached} is asked of the addon again only after the count moved: the
 * engine asks every link of every family at each reading.
 */
let linkEpoch = 0;

/** @internal Notes that links may have died (a link destroyed, an object freed). */
export function linksChanged(): void {
  linkEpoch++;
}

/**
 * An attached program. Links belong to their {@link BpfObject}: letting a
 * BpfLink be garbage-collected keeps the program attached; {@link BpfLink.destroy}
 * or closing the object detaches it.
 */
export class BpfLink {
  /** Name of the attached program. */
  readonly program: string;
  /** Where it is attached: the section (`tp_btf/sched_switch`), `uprobe:<binary>:<function>` or `perf_event:cpu-clock:cpu<N>`. */
  readonly attachPoint: string;
  readonly #raw: RawBpfLink;
  /** The object the link belongs to: held so that it is not freed (destroying the link) while the link is in use. */
  readonly #owner: object | null;
  #known = false;
  #knownAt = -1;

  /** @internal Links come from {@link BpfObject.attach} and its siblings. */
  constructor(raw: RawBpfLink, owner: object | null = null) {
    this.#raw = raw;
    this.#owner = owner;
    this.program = raw.program;
    this.attachPoint = raw.attachPoint;
  }

  /** False once the link was destroyed, directly or by closing its object. */
  get attached(): boolean {
    if (this.#knownAt !== linkEpoch) {
      this.#known = this.#raw.alive;
      this.#knownAt = linkEpoch;
    }
    return this.#known;
  }

  /** Detaches the program. Calling it again, or after the object was closed, does nothing. */
  destroy(): void {
    this.#raw.destroy();
    linksChanged();
  }

  /**
   * For a link of an iterator program (`iter/...`): creates an iterator and
   * reads everything the program writes, to the end, on a libuv pool thread.
   * @returns the program's output
   * @throws {@link @bpfscope/core!Closed} once the link was destroyed
   * @throws {@link @bpfscope/core!DataUnavailable} when the link is not an iterator or the read fails
   */
  async readIterator(): Promise<Uint8Array> {
    try {
      return new Uint8Array(await this.#raw.readIterator());
    } catch (e) {
      throw toBpfscopeError(e, { kind: 'iterator', program: this.program });
    }
  }

  /**
   * {@link BpfLink.readIterator} into a buffer the caller reuses from read to read, so
   * that a table read again and again allocates nothing per read. The buffer must not
   * be used (or transferred) until the promise settles.
   * @param into - where to read
   * @returns a view of `into` with the output when it fit; otherwise a new, larger buffer with all of it (reuse that one next time)
   * @throws {@link @bpfscope/core!Closed} once the link was destroyed
   * @throws {@link @bpfscope/core!DataUnavailable} when the link is not an iterator or the read fails
   */
  async readIteratorInto(into: Uint8Array): Promise<Uint8Array> {
    checkInto(into);
    try {
      const r = await this.#raw.readIterator(into.buffer as ArrayBuffer);
      return typeof r === 'number' ? into.subarray(0, r) : new Uint8Array(r);
    } catch (e) {
      throw toBpfscopeError(e, { kind: 'iterator', program: this.program });
    }
  }

  /**
   * {@link BpfLink.readIteratorInto} on the calling thread: the read blocks it for as long
   * as the kernel runs the program over its objects (about a microsecond per task for the
   * shipped task iterators). For a small table that is cheaper than the hand-off to a pool
   * thread and back, which wakes two threads; a large one belongs on the pool.
   * @param into - where to read
   * @returns a view of `into` with the output when it fit; otherwise a new, larger buffer with all of it
   * @throws {@link @bpfscope/core!Closed} once the link was destroyed
   * @throws {@link @bpfscope/core!DataUnavailable} when the link is not an iterator or the read fails
   */
  readIteratorIntoSync(into: Uint8Array): Uint8Array {
    checkInto(into);
    try {
      const r = this.#raw.readIteratorSync(into.buffer as ArrayBuffer);
      return typeof r === 'number' ? into.subarray(0, r) : new Uint8Array(r);
    } catch (e) {
      throw toBpfscopeError(e, { kind: 'iterator', program: this.program });
    }
  }
}

function checkInto(into: Uint8Array): void {
  if (!(into instanceof Uint8Array) || into.byteOffset !== 0 || into.byteLength !== into.buffer.byteLength || !(into.buffer instanceof ArrayBuffer)) {
    throw new ConfigError('into', into, 'a Uint8Array over a whole (non-shared) ArrayBuffer');
  }
}
