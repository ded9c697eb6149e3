// A handle on a loaded object, as the NativeObjectLoader hands it out: the programs of a
// shared object are attached once for every engine and plugin that uses it (a second attach
// of a counting program would count every event twice in the shared maps), and its ring
// buffers are consumed once for all of them.
import { ConfigError, type LoadedObject } from '@bpfscope/core';
import { BpfObject } from './bpf-object.js';
import type { BpfLink } from './bpf-link.js';
import { readStructLayouts, type StructLayout } from './btf-layout.js';
import type { RingBufferConsumer } from './ring-buffer.js';
import type { RingBufferOptions, RingBufferStats } from './ring-buffer-options.js';
import type { RingBatch } from './ring-batch.js';
import type { BpfscopeError } from '@bpfscope/core';

interface SharedLink {
  link: BpfLink;
  /** Wall-clock time of the attach, ISO 8601. */
  since: string;
  users: number;
}

interface SharedRing {
  consumer: RingBufferConsumer;
  users: number;
}

interface SharedLinks {
  /** A handle of its own, so that no user's close destroys the links and consumers it made. */
  anchor: BpfObject;
  links: Map<string, SharedLink>;
  rings: Map<string, SharedRing>;
}

/**
 * One handle's subscription to a ring buffer that every handle of a shared object reads:
 * each subscriber gets every batch (two consumers of one ring would split its records).
 */
export interface RingSubscription {
  /**
   * Add a batch listener (see {@link RingBufferConsumer.onBatch}).
   * @param listener - gets each batch
   */
  onBatch(listener: (batch: RingBatch) => void): void;
  /**
   * Add an error listener (see {@link RingBufferConsumer.onError}).
   * @param listener - gets each failure
   */
  onError(listener: (error: BpfscopeError) => void): void;
  /** The consumer's figures; shared by every subscriber of the ring. */
  stats(): RingBufferStats;
  /** Remove this subscription's listeners; the last subscriber's close closes the consumer. */
  close(): void;
}

// Per loaded kernel object (keyed by its map ids, unique while it is loaded).
const sharedLinks = new Map<string, SharedLinks>();

/**
 * A handle from the {@link NativeObjectLoader}. Use {@link LoadedBpfObject.object} for
 * maps and iterators, and {@link LoadedBpfObject.attach} to attach programs: on a shared
 * object each program is attached once per process and detached when the last handle
 * that attached it closes.
 */
export class LoadedBpfObject implements LoadedObject {
  readonly #own: BpfLink[] = [];
  readonly #sharedKey: string | null;
  readonly #attached = new Set<string>();
  readonly #rings: RingSubscription[] = [];
  #closed = false;
  #layouts: Map<string, StructLayout> | undefined;

  /** @internal made by {@link NativeObjectLoader.load} */
  constructor(
    /** The loaded object: maps, iterators, BTF. Do not close it; close this handle. */
    readonly object: BpfObject,
    /** Whether other engines and plugins of this process may hold the same object. */
    readonly shared: boolean,
    /** Whether the load was answered by an object already loaded. */
    readonly hit: boolean,
    private readonly onClose: () => void,
    /** The object file's bytes, as the loader read them (for {@link LoadedBpfObject.structLayouts}). */
    private readonly image: Uint8Array = new Uint8Array(),
  ) {
    this.#sharedKey = shared ? object.maps().map((m) => m.id).join(',') : null;
  }

  /**
   * Attach a program (auto attach by its section). On a shared object, a program another
   * handle attached already is not attached again: this handle takes a reference on that link.
   * @param program - program name
   * @returns when the program was attached, ISO 8601 (earlier than now when another handle attached it)
   * @throws {@link @bpfscope/core!AttachFailed} as {@link BpfObject.attach}
   */
  attach(program: string): string {
    if (this.#attached.has(program)) throw new ConfigError('attach', program, 'a program this handle has not attached yet');
    if (this.#sharedKey === null) {
      this.#own.push(this.object.attach(program));
      this.#attached.add(program);
      return new Date().toISOString();
    }
    const group = this.#group(this.#sharedKey);
    let shared = group.links.get(program);
    if (shared === undefined || !shared.link.attached) {
      try {
        shared = { link: group.anchor.attach(program), since: new Date().toISOString(), users: 0 };
      } catch (e) {
        this.#dropGroupIfEmpty(group);
        throw e;
      }
      group.links.set(program, shared);
    }
    shared.users++;
    this.#attached.add(program);
    return shared.since;
  }

  /**
   * Release this handle's attachment of a program it attached: a link of its own is
   * destroyed; on a shared object the link is destroyed when no other handle holds it (so a
   * program another engine uses keeps running for it). {@link LoadedBpfObject.attach} can attach it again.
   * @param program - program name
   * @throws {@link @bpfscope/core!ConfigError} when this handle has not attached it
   */
  detach(program: string): void {
    if (!this.#attached.delete(program)) throw new ConfigError('detach', program, 'a program this handle attached');
    if (this.#sharedKey === null) {
      const i = this.#own.findIndex((l) => l.program === program);
      if (i >= 0) this.#own.splice(i, 1)[0]!.destroy();
      return;
    }
    const group = sharedLinks.get(this.#sharedKey);
    const shared = group?.links.get(program);
    if (group === undefined || shared === undefined || --shared.users > 0) return;
    shared.link.destroy();
    group.links.delete(program);
    this.#dropGroupIfEmpty(group);
  }

  /**
   * Subscribe to a ring buffer of the object. On a shared object one consumer (unref'd: it
   * does not keep the process alive) serves every handle, and each gets every batch.
   * @param map - the ring buffer map's name
   * @param options - consumer options (those of the first subscriber apply)
   * @returns the subscription; closed with the handle
   * @throws what {@link BpfObject.ringBuffer} throws
   */
  subscribeRing(map: string, options: RingBufferOptions = {}): RingSubscription {
    let consumer: RingBufferConsumer;
    let ring: SharedRing | undefined;
    if (this.#sharedKey === null) {
      consumer = this.object.ringBuffer(map, options);
    } else {
      const group = this.#group(this.#sharedKey);
      ring = group.rings.get(map);
      if (ring === undefined) {
        try {
          ring = { consumer: group.anchor.ringBuffer(map, options), users: 0 };
        } catch (e) {
          this.#dropGroupIfEmpty(group);
          throw e;
        }
        group.rings.set(map, ring);
      }
      ring.users++;
      consumer = ring.consumer;
    }
    consumer.unref();
    const removers: Array<() => void> = [];
    let closed = false;
    const sub: RingSubscription = {
      onBatch: (listener) => void removers.push(consumer.onBatch(listener)),
      onError: (listener) => void removers.push(consumer.onError(listener)),
      stats: () => consumer.stats(),
      close: () => {
        if (closed) return;
        closed = true;
        for (const r of removers.splice(0)) r();
        if (ring === undefined) consumer.close();
        else if (--ring.users === 0) {
          consumer.close();
          const group = sharedLinks.get(this.#sharedKey ?? '');
          group?.rings.delete(map);
          if (group) this.#dropGroupIfEmpty(group);
        }
      },
    };
    this.#rings.push(sub);
    return sub;
  }

  /**
   * The struct layouts of the object's BTF: from the BTF the object parsed for its constants
   * (one parse per object), else from the bytes the loader already read (no second read of
   * the file).
   * @returns each struct by name, as {@link readStructLayouts} gives them
   * @throws {@link @bpfscope/core!LoadFailed} when the object has no usable BTF
   */
  structLayouts(): Map<string, StructLayout> {
    this.#layouts ??= this.object.structLayouts() ?? readStructLayouts(this.image, this.object.name);
    return this.#layouts;
  }

  /** Names of the programs this handle attached whose link is gone (destroyed outside this handle). */
  detachedPrograms(): string[] {
    // Asked at every reading: nothing is allocated while every link is attached.
    let gone: string[] | null = null;
    for (const l of this.#own) if (!l.attached) (gone ??= []).push(l.program);
    const group = this.#sharedKey === null ? undefined : sharedLinks.get(this.#sharedKey);
    if (group !== undefined) for (const p of this.#attached) if (group.links.get(p)?.link.attached === false) (gone ??= []).push(p);
    return gone ?? [];
  }

  /** Names of the programs this handle attached (and that are still attached). */
  attachedPrograms(): string[] {
    return [...this.#attached];
  }

  /** Release the handle: its own links are destroyed, shared ones when their last user closes. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const r of this.#rings.splice(0)) r.close();
    for (const l of this.#own.splice(0)) l.destroy();
    const group = this.#sharedKey === null ? undefined : sharedLinks.get(this.#sharedKey);
    if (group !== undefined) {
      for (const program of this.#attached) {
        const shared = group.links.get(program);
        if (shared !== undefined && --shared.users === 0) {
          shared.link.destroy();
          group.links.delete(program);
        }
      }
      this.#dropGroupIfEmpty(group);
    }
    this.#attached.clear();
    this.object.close();
    this.onClose();
  }

  #group(key: string): SharedLinks {
    let group = sharedLinks.get(key);
    if (group === undefined) {
      group = { anchor: BpfObject.share(this.object, () => undefined), links: new Map(), rings: new Map() };
      sharedLinks.set(key, group);
    }
    return group;
  }

  #dropGroupIfEmpty(group: SharedLinks): void {
    if (group.links.size > 0 || group.rings.size > 0 || this.#sharedKey === null) return;
    if (sharedLinks.get(this.#sharedKey) !== group) return;
    sharedLinks.delete(this.#sharedKey);
    group.anchor.close();
  }
}
