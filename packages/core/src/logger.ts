/** Log levels, from quietest to loudest. */
export type LogLevel = 'silent' | 'error' | 'warn' | 'info' | 'debug';

/** The logger bpfscope writes to. Pass your own (pino, winston, console) through `createEngine({ logger })`. */
export interface Logger {
  /** Logs a failure the engine survived, e.g. a source whose `close()` threw; `fields` holds structured context. */
  error(message: string, fields?: Record<string, unknown>): void;
  /** Logs a degradation, e.g. a source rejected at init in favour of the next one; `fields` holds structured context. */
  warn(message: string, fields?: Record<string, unknown>): void;
  /** Logs a normal lifecycle event, e.g. which source a family selected; `fields` holds structured context. */
  info(message: string, fields?: Record<string, unknown>): void;
  /** Logs detail useful only when diagnosing bpfscope itself; `fields` holds structured context. */
  debug(message: string, fields?: Record<string, unknown>): void;
}

const ORDER: Record<LogLevel, number> = { silent: 0, error: 1, warn: 2, info: 3, debug: 4 };

/**
 * A logger writing JSON lines to stderr at or above `level`.
 * @param level - the loudest level written
 * @returns the logger
 */
export function createConsoleLogger(level: LogLevel = 'warn'): Logger {
  const write = (at: Exclude<LogLevel, 'silent'>) => (message: string, fields?: Record<string, unknown>): void => {
    if (ORDER[at] > ORDER[level]) return;
    process.stderr.write(`${JSON.stringify({ level: at, message, ...fields })}\n`);
  };
  return { error: write('error'), warn: write('warn'), info: write('info'), debug: write('debug') };
}
