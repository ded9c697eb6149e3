/** Log levels, from quietest to loudest. */
export type LogLevel = 'silent' | 'error' | 'warn' | 'info' | 'debug';

/** The logger bpfscope writes to. Pass your own (pino, winston, console) through `createEngine({ logger })`. */
export interface Logger {
  error(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
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
