import type { BpfscopeError } from '../errors/bpfscope-error.js';
import { Timeout } from '../errors/taxonomy.js';
import { familyTimeouts, type ResolvedConfig } from '../config/schema.js';
import type { Logger } from '../logger.js';
import type { Source } from '../types.js';
import { asBpfscopeError, isTransient } from './as-error.js';
import { runWithDeadline } from './deadline.js';

/** The {@link Timeout} of a family's init or read, with the setting that raises it. @internal */
export function familyTimeout(family: string, operation: string, key: 'initTimeoutMs' | 'readTimeoutMs', ms: number): Timeout {
  return new Timeout(operation, ms, {
    remedy: `Raise families.${family}.${key} (or the top-level ${key === 'initTimeoutMs' ? 'initTimeoutMs' : 'operationTimeoutMs'}) in the config, or look for a stalled file system or an overloaded machine.`,
    details: { family },
  });
}

/** What {@link SourceInit} needs of its family's runtime. @internal */
export interface SourceInitHost {
  readonly family: string;
  /** The family's validated options, or null when the plugin declares no schema for it. */
  readonly options: Readonly<Record<string, unknown>> | null;
  readonly config: ResolvedConfig;
  readonly logger: Logger;
  /** Whether `source` is the family's selected source now. */
  isSelected(source: Source): boolean;
  /** Counts one init attempt. */
  countAttempt(): void;
  /** Counts one init that passed its time limit. */
  countTimeout(): void;
  /** Closes a source, logging (not throwing) a failure. */
  closeQuietly(source: Source): Promise<void>;
}

/**
 * The inits of one family's sources: up to `initAttempts` tries of a source within the
 * family's init limit, and the cleanup of an init that settles after its abort. @internal
 */
export class SourceInit {
  /** Inits started per source: a late init result is cleaned up only if no newer init of that source began. */
  readonly #generation = new Map<Source, number>();

  constructor(private readonly host: SourceInitHost) {}

  /** @returns null when `source` initialised, else the last error. */
  async tryInit(source: Source): Promise<BpfscopeError | null> {
    const { family, config, logger } = this.host;
    const options = this.host.options ?? config.families[family] ?? {};
    const limit = familyTimeouts(config, family).initMs;
    let last: BpfscopeError | null = null;
    for (let attempt = 1; attempt <= config.initAttempts; attempt++) {
      this.host.countAttempt();
      const generation = (this.#generation.get(source) ?? 0) + 1;
      this.#generation.set(source, generation);
      let hung = false;
      try {
        await runWithDeadline(limit, () => familyTimeout(family, `${source.name} init`, 'initTimeoutMs', limit), (signal) => source.init({ config, options, logger, signal }), {
          onOverrun: async ({ settled, pending }) => {
            this.host.countTimeout();
            hung = !settled;
            // An init that ignored the abort may still make things (an object whose load
            // resolves later): close the source again when it settles, unless it was
            // initialised anew since.
            const late = (): void => {
              if (this.#generation.get(source) === generation && !this.host.isSelected(source)) void this.host.closeQuietly(source);
            };
            if (hung) pending.then(late, late);
          },
        });
        return null;
      } catch (e) {
        last = asBpfscopeError(e, `${source.name} init`);
        await this.host.closeQuietly(source);
        // A source that ignored the abort is still busy: another init now would race it.
        if (hung || !isTransient(last)) break;
      }
    }
    return last;
  }
}
