import type { EventStream } from './event-types.js';

/** What an engine stream learns as its source's stream opens. @internal */
export interface OpeningHost<E> {
  /** The source's stream opened; return it at once when the engine stream already ended. */
  opened(inner: EventStream<E>): void;
  /** It failed to open: the engine stream ends, and its first `next()` throws `error`. */
  failed(error: unknown): void;
  /** Whether the engine stream ended (its consumer returned) before the source's stream opened. */
  ended(): boolean;
}

/**
 * Follows the opening of a source's stream for an engine stream (`engine.events()`,
 * `engine.eventBatches()`): `opening` settles with the source's stream, or null when it
 * failed; `ready` with the source's `ready`, or rejects with the failure (never unhandled).
 * @internal
 */
export function openSourceStream<E>(open: Promise<EventStream<E>>, host: OpeningHost<E>): { opening: Promise<EventStream<E> | null>; ready: Promise<void> } {
  let failure: unknown = null;
  const opening = open.then(
    (inner) => {
      host.opened(inner);
      if (host.ended()) void inner.return?.();
      return inner;
    },
    (e: unknown) => {
      failure = e;
      host.failed(e);
      return null;
    },
  );
  const ready = opening.then((inner) => {
    if (inner === null) throw failure;
    return inner.ready;
  });
  ready.catch(() => undefined);
  return { opening, ready };
}
