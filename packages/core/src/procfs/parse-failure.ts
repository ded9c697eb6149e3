import { EventProcessingFailed } from '../errors/taxonomy.js';

/**
 * The error a procfs or sysfs parser throws for malformed or truncated input: an
 * {@link EventProcessingFailed} naming the file and the 1-based line, keeping the first 120
 * characters of the line in `details.content`.
 * @param path - the file's path
 * @param lineNo - 1-based line number
 * @param line - the offending line
 * @param why - what is wrong with it
 * @returns the error, to throw or to keep beside the data
 */
export function parseFailure(path: string, lineNo: number, line: string, why: string): EventProcessingFailed {
  return new EventProcessingFailed(`${path} line ${lineNo}: ${why}`, { details: { path, line: lineNo, content: line.slice(0, 120) } });
}
