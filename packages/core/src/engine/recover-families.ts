import type { FamilyError } from '../types.js';
import type { PluginSet } from './plugin-set.js';

/** What `engine.attemptRecovery()` returns. */
export interface RecoveryResult {
  /** Families that now have a working source (their preferred one, for a family that had fallen back). */
  recovered: string[];
  /** Families for which no source initialised, each with the last error. */
  failing: FamilyError[];
}

/**
 * Recover every family that needs it, in parallel, and update the start errors: a
 * family that recovered loses its error, one still failing gets its last one. @internal
 */
export async function recoverFamilies(plugins: PluginSet, signal: AbortSignal, track: (work: Promise<unknown>) => void): Promise<RecoveryResult> {
  const work = Promise.all(plugins.runtimes().map(async (rt) => ({ rt, outcome: await rt.recover(signal) })));
  // close() waits for a recovery under way, so no source is initialised after it.
  track(work);
  const outcomes = await work;
  const recovered: string[] = [];
  const failing: FamilyError[] = [];
  for (const { rt, outcome } of outcomes) {
    if (!outcome) continue;
    plugins.startErrors = plugins.startErrors.filter((e) => e.family !== rt.family);
    if (outcome.recovered) recovered.push(rt.family);
    else if (!rt.selected && outcome.error) {
      plugins.startErrors.push({ family: rt.family, error: outcome.error });
      failing.push({ family: rt.family, error: outcome.error });
    }
  }
  return { recovered, failing };
}
