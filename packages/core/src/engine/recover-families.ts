import type { BpfscopeError } from '../errors/bpfscope-error.js';
import { DataUnavailable } from '../errors/taxonomy.js';
import type { FamilyError, Source } from '../types.js';
import type { CollectorRuntime } from './collector-runtime.js';
import { sleep } from './deadline.js';
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
  const work = Promise.all(plugins.runtimes().map(async (rt) => ({ rt, outcome: await recoverFamily(rt, signal) })));
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

/**
 * The error of a source that says it is detached (a program's link is gone, from outside
 * or by a failure), or null while it measures: its readings would leave out what the
 * detached programs count. @internal
 */
export function detachedError(source: Source): DataUnavailable | null {
  const detached = source.detached?.() ?? null;
  return detached ? new DataUnavailable(source.name, detached, { remedy: 'engine.attemptRecovery() initialises the family again.' }) : null;
}

/**
 * Why a family needs recovery, or null when it works with its preferred source: it has no
 * source, its source reports it is detached, or it fell back in `auto` mode. @internal
 */
export function recoveryReason(rt: CollectorRuntime): BpfscopeError | null {
  const source = rt.selected;
  if (!source) return rt.failure ?? new DataUnavailable(rt.family, 'no source is initialised');
  const detached = detachedError(source);
  if (detached) return detached;
  if (rt.mode === 'auto' && rt.rejected.length > 0) return rt.rejected[0]!;
  return null;
}

/**
 * Initialise one family again when {@link recoveryReason} gives a reason:
 * up to `recovery.attempts` inits, waiting `baseDelayMs`, then twice as long, ... between
 * them. A family that fell back gets one attempt (it has data meanwhile).
 * @returns null when nothing was needed, else whether it recovered and the last error
 * @internal
 */
export async function recoverFamily(rt: CollectorRuntime, signal?: AbortSignal): Promise<{ recovered: boolean; error: BpfscopeError | null } | null> {
  const reason = recoveryReason(rt);
  if (!reason) return null;
  const fellBack = rt.selected !== null && !rt.selected.detached?.();
  const attempts = fellBack ? 1 : rt.config.recovery.attempts;
  const delays: number[] = [];
  let error: BpfscopeError | null = reason;
  let tried = 0;
  for (let i = 0; i < attempts && !signal?.aborted; i++) {
    if (i > 0) {
      const wait = rt.config.recovery.baseDelayMs * 2 ** (i - 1);
      delays.push(wait);
      await sleep(wait, signal);
      if (signal?.aborted) break;
    }
    tried++;
    await rt.close();
    error = await rt.init();
    if (!error && (!fellBack || rt.rejected.length === 0 || rt.mode === 'fallback')) {
      rt.recordRecovery(reason, tried, delays);
      return { recovered: true, error: null };
    }
    if (!error) break; // fell back again: it has data, try again at the next call
  }
  rt.recordRecovery(null, tried, delays);
  return { recovered: false, error };
}
