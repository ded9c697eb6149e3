import { BpfscopeError, isBpfscopeError } from '../errors/bpfscope-error.js';
import { EventProcessingFailed } from '../errors/taxonomy.js';

/**
 * Turn anything thrown into a {@link BpfscopeError}, keeping the original as `cause`.
 * @internal
 */
export function asBpfscopeError(value: unknown, context: string): BpfscopeError {
  if (isBpfscopeError(value)) return value as BpfscopeError;
  const message = value instanceof Error ? value.message : String(value);
  return new EventProcessingFailed(`${context}: ${message}`, { cause: value });
}

/** Codes worth another init attempt: the condition may pass. @internal */
export function isTransient(e: BpfscopeError): boolean {
  return e.code === 'TIMEOUT' || e.code === 'MAP_OPERATION_FAILED';
}
