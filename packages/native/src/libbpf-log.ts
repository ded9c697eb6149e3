// libbpf's own messages (object parsing, CO-RE relocation, verifier summaries)
// routed to a logger. The native print callback queues them; they arrive here
// on the event loop, never on the thread that printed.
import type { Logger } from '@bpfscope/core';
import { loadNative } from './loader.js';

/** The levels libbpf prints at, quietest first. */
export type LibbpfLogLevel = 'warn' | 'info' | 'debug';

/** The logger methods libbpf's messages go to. */
export type LibbpfLogger = Pick<Logger, 'warn' | 'info' | 'debug'>;

const LEVELS: readonly LibbpfLogLevel[] = ['warn', 'info', 'debug'];

/**
 * Routes libbpf's messages at `level` and quieter to `logger` (`null` stops).
 * Each message arrives as `logger[level]('libbpf: <text>', { source: 'libbpf' })`,
 * asynchronously on this thread's event loop. A logger that throws is ignored
 * for that message. Messages are still captured into {@link @bpfscope/core!LoadFailed}
 * errors as before. libbpf's print hook is process-wide: with worker threads,
 * each thread's logger receives the messages of every thread.
 *
 * @param logger - where messages go, or null
 * @param level - the loudest level delivered; default `warn`
 * @throws TypeError for an unknown level
 * @throws {@link @bpfscope/core!NativeUnavailable} when the addon cannot be loaded
 * @example
 * ```ts
 * setLibbpfLogger(createConsoleLogger('debug'), 'info');
 * ```
 */
export function setLibbpfLogger(logger: LibbpfLogger | null, level: LibbpfLogLevel = 'warn'): void {
  const native = loadNative();
  if (logger === null) {
    native.setLibbpfLogSink(null);
    return;
  }
  const max = LEVELS.indexOf(level);
  if (max < 0) throw new TypeError(`setLibbpfLogger: level must be one of ${LEVELS.join(', ')}, got ${JSON.stringify(level)}`);
  native.setLibbpfLogSink((n, text, dropped) => {
    const at = LEVELS[n] ?? 'debug';
    try {
      if (dropped > 0) logger.warn(`libbpf: ${dropped} message(s) could not be queued and were lost`, { source: 'libbpf', dropped });
      logger[at](`libbpf: ${text.replace(/^libbpf: /, '').trimEnd()}`, { source: 'libbpf' });
    } catch {
      // A failing logger must not turn a log line into an uncaught exception.
    }
  }, max);
}

let holders = 0;

/**
 * Routes libbpf's messages to an engine's logger for as long as some eBPF source
 * holds the route: plugins call it at init with the engine's logger and level, and
 * the returned release at close; the last release stops the routing. The engine's
 * `silent` level routes nothing.
 *
 * @param logger - the engine's logger
 * @param level - the engine's `logLevel`
 * @returns a release function (idempotent)
 * @example
 * ```ts
 * const release = routeLibbpfLog(context.logger, context.config.logLevel);
 * // ... at close:
 * release();
 * ```
 */
export function routeLibbpfLog(logger: LibbpfLogger, level: 'silent' | 'error' | 'warn' | 'info' | 'debug'): () => void {
  if (level === 'silent') return () => undefined;
  setLibbpfLogger(logger, level === 'debug' ? 'debug' : level === 'info' ? 'info' : 'warn');
  holders++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--holders === 0) setLibbpfLogger(null);
  };
}
