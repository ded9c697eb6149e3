import type { DependencyContainer, InjectionToken } from 'tsyringe';
import { ConfigError } from '../errors/taxonomy.js';
import type { ResolvedConfig } from '../config/schema.js';
import type { Logger } from '../logger.js';
import type { Clock } from '../services/clock.js';
import { COLLECTOR, OBJECT_LOADER, familyOptionsToken } from '../tokens.js';
import { validateFamilyOptions } from '../services/family-options.js';
import type { ObjectLoader } from '../services/object-loader.js';
import type { FamilyError, Plugin } from '../types.js';
import { CollectorRuntime } from './collector-runtime.js';
import { compareFamilies } from './read-families.js';

/** One registered plugin, its container and its families' runtimes. @internal */
export interface PluginEntry {
  plugin: Plugin;
  container: DependencyContainer;
  runtimes: CollectorRuntime[];
  /** Filters and aggregators, resolved once when first asked for (stateful ones keep their state). */
  resolved: Map<InjectionToken<unknown>, unknown[]>;
}

/**
 * The engine's plugins: registration into child containers, starting (each family's
 * source selection), the lookup of a family's runtime, the errors recorded while
 * starting, and the resolution of filters and aggregators once per plugin. @internal
 */
export class PluginSet {
  readonly #entries = new Map<string, PluginEntry>();
  /** Moves when a plugin or a family's runtime comes or goes: the lists below are made again only then (they are asked for at every reading). */
  #version = 0;
  #runtimes: { version: number; list: CollectorRuntime[]; byName: number[] } | null = null;
  readonly #resolvedAll = new Map<InjectionToken<unknown>, { version: number; list: unknown[] }>();
  /** The engine's object loader, once a plugin provided one (kept for stats after close). */
  #loader: ObjectLoader | null = null;
  /** Errors of families whose init failed, kept until a recovery replaces them. */
  startErrors: FamilyError[] = [];

  constructor(
    private readonly root: DependencyContainer,
    private readonly config: ResolvedConfig,
    private readonly logger: Logger,
    private readonly clock: Clock,
  ) {}

  get loader(): ObjectLoader | null {
    return this.#loader;
  }

  names(): string[] {
    return [...this.#entries.keys()];
  }

  entries(): IterableIterator<PluginEntry> {
    return this.#entries.values();
  }

  /**
   * Register a plugin in a container of its own below the engine's.
   * @throws {@link ConfigError} for a duplicate name or an option that does not fit the plugin's schema
   */
  add(plugin: Plugin): void {
    if (this.#entries.has(plugin.name)) {
      throw new ConfigError('plugins', plugin.name, 'plugins with distinct names (this one is already registered)');
    }
    const container = this.root.createChildContainer();
    for (const [family, schema] of Object.entries(plugin.optionSchemas ?? {})) {
      const options = validateFamilyOptions(family, schema, this.config.families[family]);
      container.register(familyOptionsToken(family), { useValue: options });
    }
    plugin.register(container);
    // One loader per engine: the first plugin's loader serves every plugin (see OBJECT_LOADER).
    if (container.isRegistered(OBJECT_LOADER, false) && this.#loader === null) {
      this.#loader = container.resolve(OBJECT_LOADER);
      this.root.register(OBJECT_LOADER, { useValue: this.#loader });
    }
    this.#entries.set(plugin.name, { plugin, container, runtimes: [], resolved: new Map() });
    this.#version++;
  }

  /** Forget a plugin; the caller closes what it returns. */
  remove(name: string): PluginEntry | undefined {
    const entry = this.#entries.get(name);
    this.#entries.delete(name);
    this.#version++;
    return entry;
  }

  /** Initialise one plugin and select the source of each of its enabled families. */
  async start(name: string): Promise<void> {
    const entry = this.#entries.get(name);
    if (!entry) return;
    await entry.plugin.initialize?.(entry.container);
    const collectors = entry.container.isRegistered(COLLECTOR, false) ? entry.container.resolveAll(COLLECTOR) : [];
    for (const c of collectors) {
      if (this.runtime(c.family)) throw new ConfigError('plugins', name, `plugins with distinct families (${c.family} is provided twice)`);
      const enabled = this.config.families[c.family]?.enabled ?? true;
      if (!enabled) continue;
      const token = familyOptionsToken(c.family);
      const validated = entry.container.isRegistered(token, false) ? entry.container.resolve(token) : null;
      entry.runtimes.push(new CollectorRuntime(c, this.config, this.logger, this.clock, validated));
      this.#version++;
    }
    const results = await Promise.all(entry.runtimes.map(async (r) => ({ family: r.family, error: await r.init() })));
    for (const { family, error } of results) if (error) this.startErrors.push({ family, error });
  }

  runtime(family: string): CollectorRuntime | undefined {
    for (const e of this.#entries.values()) for (const r of e.runtimes) if (r.family === family) return r;
    return undefined;
  }

  runtimes(): readonly CollectorRuntime[] {
    return this.#kept().list;
  }

  /** The indexes of {@link PluginSet.runtimes} in the order of their family names (`compareFamilies`). */
  runtimesByName(): readonly number[] {
    return this.#kept().byName;
  }

  #kept(): { list: CollectorRuntime[]; byName: number[] } {
    if (this.#runtimes?.version !== this.#version) {
      const list = [...this.#entries.values()].flatMap((e) => e.runtimes);
      const byName = list.map((_, i) => i).sort((a, b) => compareFamilies(list[a]!.family, list[b]!.family));
      this.#runtimes = { version: this.#version, list, byName };
    }
    return this.#runtimes;
  }

  /** The families of the started plugins, for error messages. */
  familyList(): string {
    return this.runtimes().map((r) => r.family).join(', ') || 'none';
  }

  /** The start error of a family, if it has one. */
  startError(family: string): FamilyError['error'] | undefined {
    return this.startErrors.find((e) => e.family === family)?.error;
  }

  /** Every plugin's registrations of `token`, resolved once per plugin. */
  resolveAll<T>(token: InjectionToken<T>): readonly T[] {
    const kept = this.#resolvedAll.get(token);
    if (kept?.version === this.#version) return kept.list as T[];
    const list = [...this.#entries.values()].flatMap((e) => {
      let found = e.resolved.get(token);
      if (found === undefined) {
        found = e.container.isRegistered(token, false) ? e.container.resolveAll<T>(token) : [];
        e.resolved.set(token, found);
      }
      return found as T[];
    });
    this.#resolvedAll.set(token, { version: this.#version, list });
    return list;
  }
}
