// The struct layouts of an object's BTF, each built when it is first asked for. An
// object's BTF holds every struct its programs touch, kernel ones included (task_struct
// and what it nests): up to a few hundred, of which a decoder reads a handful. Building
// them all cost tens of ms per object at start (and kept about 1 MB of layouts for four
// objects); a layout asked for is built as before, with the same nested layouts.
import type { StructLayout } from './btf-layout.js';
import { KIND, type BtfTypes } from './btf-parse.js';

/** Builds the layout of struct type `id`, sharing nested layouts through `memo`. */
export type BuildLayout = (btf: BtfTypes, id: number, memo: Map<number, StructLayout>) => StructLayout;

/**
 * A `Map` of every named struct of parsed BTF by name (the first of equal names), whose
 * layouts are built on first `get`. Anything that sees the whole map (size, iteration,
 * changes) builds the rest first, in type order, so it sees what an eager map holds, in
 * the same order. @internal
 */
export class LazyStructLayouts extends Map<string, StructLayout> {
  #btf: BtfTypes | null;
  readonly #build: BuildLayout;
  /** Struct names not built yet → type id; null once all are built. */
  #pending: Map<string, number> | null = new Map();
  /** All names → type id, in type order. */
  readonly #ids = new Map<string, number>();
  readonly #memo = new Map<number, StructLayout>();

  constructor(btf: BtfTypes, build: BuildLayout) {
    super();
    this.#btf = btf;
    this.#build = build;
    btf.types.forEach((t, id) => {
      if (t === undefined || t.kind !== KIND.STRUCT || t.name === '' || this.#ids.has(t.name)) return;
      this.#ids.set(t.name, id);
      this.#pending!.set(t.name, id);
    });
    if (this.#ids.size === 0) this.#done();
  }

  override get(name: string): StructLayout | undefined {
    const id = this.#pending?.get(name);
    if (id !== undefined) {
      super.set(name, this.#build(this.#btf!, id, this.#memo));
      this.#pending!.delete(name);
      if (this.#pending!.size === 0) this.#all();
    }
    return super.get(name);
  }

  override has(name: string): boolean {
    return this.#pending?.has(name) === true || super.has(name);
  }

  override get size(): number {
    this.#all();
    return super.size;
  }

  override keys(): MapIterator<string> {
    this.#all();
    return super.keys();
  }

  override values(): MapIterator<StructLayout> {
    this.#all();
    return super.values();
  }

  override entries(): MapIterator<[string, StructLayout]> {
    this.#all();
    return super.entries();
  }

  override [Symbol.iterator](): MapIterator<[string, StructLayout]> {
    return this.entries();
  }

  override forEach(fn: (value: StructLayout, key: string, map: Map<string, StructLayout>) => void, thisArg?: unknown): void {
    this.#all();
    super.forEach(fn, thisArg);
  }

  override set(name: string, layout: StructLayout): this {
    // Map's constructor calls set() before the fields exist only when given entries (never here).
    this.#all();
    return super.set(name, layout);
  }

  override delete(name: string): boolean {
    this.#all();
    return super.delete(name);
  }

  override clear(): void {
    this.#all();
    super.clear();
  }

  /** Build what is left and put every name in type order (as an eager map has them). */
  #all(): void {
    if (this.#pending === null) return;
    const built = new Map(super.entries());
    super.clear();
    for (const [name, id] of this.#ids) super.set(name, built.get(name) ?? this.#build(this.#btf!, id, this.#memo));
    this.#done();
  }

  #done(): void {
    this.#pending = null;
    this.#btf = null;
  }
}
