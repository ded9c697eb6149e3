import { BpfscopeError, isBpfscopeError } from '../errors/bpfscope-error.js';
import { EventProcessingFailed, Timeout } from '../errors/taxonomy.js';

/**
 * Turn anything thrown into a {@link BpfscopeError}, keeping the original as `cause`.
 * @internal
 */
export function asBpfscopeError(value: unknown, context: string): BpfscopeError {
  if (isBpfscopeError(value)) return value as BpfscopeError;
  const message = value instanceof Error ? value.message : String(value);
  return new EventProcessingFailed(`${context}: ${message}`, { cause: value });
}

/**
 * Race `work` against a time limit. On expiry the controller is aborted and the
 * promise rejects with {@link Timeout}.
 * @internal
 */
export async function withTimeout<T>(operation: string, ms: number, work: (signal: AbortSignal) => Promise<T>, outer?: AbortSignal): Promise<T> {
  const controller = new AbortController();
  const onOuter = (): void => controller.abort(outer?.reason);
  outer?.addEventListener('abort', onOuter, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new Timeout(operation, ms);
      controller.abort(err);
      reject(err);
    }, ms);
  });
  try {
    return await Promise.race([work(controller.signal), expiry]);
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onOuter);
  }
}

/** Codes worth another init attempt: the condition may pass. @internal */
export function isTransient(e: BpfscopeError): boolean {
  return e.code === 'TIMEOUT' || e.code === 'MAP_OPERATION_FAILED';
}
