/** ANSI styles for the human output, or none. @internal */
export interface Paint {
  bold(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  dim(s: string): string;
}

const style = (open: number, close: number) => (s: string): string => `\u001b[${open}m${s}\u001b[${close}m`;
const plain = (s: string): string => s;

/** Styles that add nothing. @internal */
export const NO_PAINT: Paint = { bold: plain, red: plain, green: plain, yellow: plain, dim: plain };
const PAINT: Paint = { bold: style(1, 22), red: style(31, 39), green: style(32, 39), yellow: style(33, 39), dim: style(2, 22) };

/**
 * Whether to colour output written to `stream`: only on a terminal, never when
 * `NO_COLOR` is set to a non-empty value (no-color.org) or `TERM` is `dumb`.
 * @internal
 */
export function useColour(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

/** The styles to use. @internal */
export function paint(colour: boolean): Paint {
  return colour ? PAINT : NO_PAINT;
}
