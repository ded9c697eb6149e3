import { ConfigError } from '@bpfscope/core';
import type { BpfObject } from './bpf-object.js';

/** Options of {@link IteratorTable}. */
export interface IteratorTableOptions {
  /**
   * A read whose previous output was at most this many bytes runs on the calling thread
   * ({@link BpfObject.readIteratorIntoSync}); a larger table is read on a libuv pool
   * thread. Default 65,536 (64 KiB: about a millisecond of the kernel's work for a
   * program that writes 56 bytes per task at about a microsecond each); 0 reads every
   * time on the pool (unless a read is told where). A program that writes larger records per
   * object can take more.
   */
  inlineMaxBytes?: number;
  /**
   * The size the output is expected to have before the first read (e.g. the task count
   * times the record size): the first buffer's size, and what decides where the first
   * read runs. Default: unknown, so the first read runs on the pool.
   */
  expectedBytes?: number;
}

/** How an {@link IteratorTable} has read so far. */
export interface IteratorTableStats {
  /** Reads made on the calling thread. */
  inlineReads: number;
  /** Reads made on a pool thread. */
  poolReads: number;
  /** The size of the buffer kept for the next read, bytes (0 while a read holds it, unless the output outgrew it). */
  bufferBytes: number;
  /** The last output's size, bytes. */
  lastBytes: number;
}

const DEFAULT_INLINE_MAX = 64 * 1024;
const FIRST_BUFFER = 64 * 1024;

/**
 * One iterator program's table, read again and again into a buffer kept from read to read
 * (a fresh buffer per read would cost its page faults and a garbage collection). Each read
 * runs where it is cheapest: a table as small as its last output was runs on the calling
 * thread, where it costs no thread hand-off; a large one on a pool thread, so the event
 * loop does not wait for it. The output is lent to a callback for the time it takes to use it.
 * @example
 * ```ts
 * const tasks = new IteratorTable('proc_iter', { expectedBytes: taskCount * recordSize });
 * const rows = await tasks.read(object, (bytes) => decode(bytes));
 * ```
 */
export class IteratorTable {
  readonly #inlineMax: number;
  /** The kept buffer; null while a read holds it. */
  #buf: Uint8Array | null;
  #lastBytes: number | null;
  #inline = 0;
  #pool = 0;

  /**
   * @param program - the iter/* program of the object passed to {@link IteratorTable.read}
   * @param options - where reads run and the first buffer's size
   * @throws {@link @bpfscope/core!ConfigError} for a negative or non-integer size
   */
  constructor(
    readonly program: string,
    options: IteratorTableOptions = {},
  ) {
    const inlineMax = options.inlineMaxBytes ?? DEFAULT_INLINE_MAX;
    if (!Number.isSafeInteger(inlineMax) || inlineMax < 0) throw new ConfigError('inlineMaxBytes', inlineMax, 'a whole number of bytes, 0 or more');
    const expected = options.expectedBytes;
    if (expected !== undefined && (!Number.isSafeInteger(expected) || expected < 0)) throw new ConfigError('expectedBytes', expected, 'a whole number of bytes, 0 or more');
    this.#inlineMax = inlineMax;
    this.#lastBytes = expected ?? null;
    this.#buf = new Uint8Array(expected === undefined ? FIRST_BUFFER : roomFor(expected));
  }

  /**
   * Runs the program over its kernel objects and hands all it wrote to `use`, which must
   * be done with the bytes when it returns (or its promise settles): the next read reuses
   * their buffer. Two reads at once each get a buffer of their own.
   * @param object - the loaded object that holds {@link IteratorTable.program}
   * @param use - what is done with the output (decoding it); its result is the read's
   * @param where - run the read here rather than where {@link IteratorTable.inlineNext} says
   *   (tables read together decide together)
   * @returns what `use` returned
   * @throws {@link @bpfscope/core!AttachFailed} when it is not an iterator program or cannot be attached
   * @throws {@link @bpfscope/core!DataUnavailable} when the read fails
   */
  async read<T>(object: BpfObject, use: (bytes: Uint8Array) => T | Promise<T>, where?: 'inline' | 'pool'): Promise<T> {
    const buf = this.#buf;
    // A read while another holds the buffer (on the pool, or inside its use).
    if (buf === null) return await use(await object.readIterator(this.program));
    this.#buf = null;
    try {
      if ((where ?? (this.inlineNext ? 'inline' : 'pool')) === 'inline') {
        this.#inline++;
        return await use(this.#sized(buf, object.readIteratorIntoSync(this.program, buf)));
      }
      this.#pool++;
      return await use(this.#sized(buf, await object.readIteratorInto(this.program, buf)));
    } finally {
      this.#buf ??= buf;
    }
  }

  /** Whether the next read runs on the calling thread: the last output (or the expected one) was at most `inlineMaxBytes`. */
  get inlineNext(): boolean {
    return this.#inlineMax > 0 && this.#lastBytes !== null && this.#lastBytes <= this.#inlineMax;
  }

  /** Notes the output's size; when it did not fit in the kept buffer, the next read gets a larger one. */
  #sized(buf: Uint8Array, out: Uint8Array): Uint8Array {
    this.#lastBytes = out.length;
    if (out.buffer !== buf.buffer) this.#buf = new Uint8Array(roomFor(out.length));
    return out;
  }

  /** How the table has been read so far. */
  stats(): IteratorTableStats {
    return { inlineReads: this.#inline, poolReads: this.#pool, bufferBytes: this.#buf?.length ?? 0, lastBytes: this.#lastBytes ?? 0 };
  }
}

/** A buffer size for an output of `bytes`: a quarter more, so that a table that grew a little still fits. */
function roomFor(bytes: number): number {
  return Math.max(64, bytes + (bytes >> 2));
}
