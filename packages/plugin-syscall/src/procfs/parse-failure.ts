import { EventProcessingFailed } from '@bpfscope/core';

/**
 * The error every parser of this package throws for malformed or truncated input: it names
 * the file and the 1-based line, and keeps the first 120 characters of the line.
 * @param path - the file's path
 * @param lineNo - 1-based line number
 * @param line - the offending line
 * @param why - what is wrong with it
 * @internal
 */
export function parseFailure(path: string, lineNo: number, line: string, why: string): EventProcessingFailed {
  return new EventProcessingFailed(`${path} line ${lineNo}: ${why}`, { details: { path, line: lineNo, content: line.slice(0, 120) } });
}
