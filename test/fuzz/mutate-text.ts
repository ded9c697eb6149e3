// Mutations of a procfs/sysfs text file: digits changed, fields and lines removed
// or added, numbers made huge, negative or fractional, bytes that are not UTF-8,
// whitespace changed, the file emptied or cut. The result is decoded as UTF-8,
// as readProcFile decodes what the kernel gives.
import { flipBytes, splice, truncate } from './mutate-bytes.js';
import type { Prng } from './prng.js';

const HUGE = ['18446744073709551615', '18446744073709551616', '99999999999999999999999999', '9007199254740993', '-1', '-9223372036854775808', '1e400', '0x7fffffff', 'NaN', 'Infinity', '-0', '1.5', '00000000000000000000001', '4294967296'];
const JUNK_FIELDS = ['', ' ', 'x', '-', ':', '0', '(', ')', 'cpu', 'some', 'avg10=', 'total=', '\t'];
const NON_UTF8 = [[0xff], [0xfe, 0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0x80], [0xe2, 0x82], [0x00]];

const enc = new TextEncoder();
const lines = (t: string): string[] => t.split('\n');

/** Replaces one number in the text by a huge, negative, fractional or non-number one, or changes one digit. */
function editNumber(rng: Prng, text: string): string {
  const numbers = [...text.matchAll(/-?\d+(\.\d+)?/g)];
  if (numbers.length === 0) return text;
  const m = rng.pick(numbers);
  const at = m.index ?? 0;
  let repl: string;
  if (rng.chance(0.5)) {
    const digits = m[0].split('');
    const i = rng.below(digits.length);
    digits[i] = rng.pick(['0', '1', '9', 'a', '', '.', '-', ' ', String(rng.below(10))]);
    repl = digits.join('');
  } else {
    repl = rng.pick(HUGE);
  }
  return text.slice(0, at) + repl + text.slice(at + m[0].length);
}

/** Removes, duplicates or adds a whitespace-separated field on one line. */
function editField(rng: Prng, text: string): string {
  const ls = lines(text);
  const li = rng.below(ls.length);
  const fields = (ls[li] ?? '').split(/(\s+)/);
  const fi = rng.below(fields.length + 1);
  const op = rng.below(3);
  if (op === 0) fields.splice(fi, 2);
  else if (op === 1) fields.splice(fi, 0, fields[fi] ?? '', ' ');
  else fields.splice(fi, 0, rng.chance(0.5) ? rng.pick(JUNK_FIELDS) : rng.pick(HUGE), ' ');
  ls[li] = fields.join('');
  return ls.join('\n');
}

/** Removes, duplicates, swaps, adds or empties lines. */
function editLines(rng: Prng, text: string): string {
  const ls = lines(text);
  const i = rng.below(ls.length);
  switch (rng.below(5)) {
    case 0: ls.splice(i, rng.between(1, 3)); break;
    case 1: ls.splice(i, 0, ls[i] ?? ''); break;
    case 2: { const j = rng.below(ls.length); [ls[i], ls[j]] = [ls[j] ?? '', ls[i] ?? '']; break; }
    case 3: ls.splice(i, 0, rng.pick(['', ' ', 'garbage', ':', 'key', 'key 1 2 3', '0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0', 'x'.repeat(5000)])); break;
    default: ls[i] = ''; break;
  }
  return ls.join('\n');
}

/** Changes whitespace: tabs for spaces, doubled separators, CRLF line ends, no final newline. */
function editWhitespace(rng: Prng, text: string): string {
  switch (rng.below(4)) {
    case 0: return text.replace(/ /g, '\t');
    case 1: return text.replace(/ +/g, '  ');
    case 2: return text.replace(/\n/g, '\r\n');
    default: return text.replace(/\n+$/, '');
  }
}

/** Bytes that are not UTF-8 inserted somewhere (the decoder turns them into U+FFFD or NUL). */
function nonUtf8(rng: Prng, bytes: Uint8Array): Uint8Array {
  const ins = Uint8Array.from(rng.pick(NON_UTF8));
  const at = rng.below(bytes.length + 1);
  const out = new Uint8Array(bytes.length + ins.length);
  out.set(bytes.subarray(0, at));
  out.set(ins, at);
  out.set(bytes.subarray(at), at + ins.length);
  return out;
}

/**
 * 1–3 mutations of `original`; `donor` (another fixture) is spliced from.
 * @returns the text a parser would get, and what was done
 */
export function mutateText(rng: Prng, original: Uint8Array, donor: Uint8Array): { text: string; steps: string[] } {
  let bytes = original;
  const steps: string[] = [];
  const asText = (f: (t: string) => string): void => {
    bytes = enc.encode(f(new TextDecoder().decode(bytes)));
  };
  for (let n = rng.between(1, 3); n > 0; n--) {
    const op = rng.below(20);
    if (op < 6) { asText((t) => editNumber(rng, t)); steps.push('number'); }
    else if (op < 9) { asText((t) => editField(rng, t)); steps.push('field'); }
    else if (op < 12) { asText((t) => editLines(rng, t)); steps.push('lines'); }
    else if (op === 12) { asText((t) => editWhitespace(rng, t)); steps.push('whitespace'); }
    else if (op === 13) { bytes = nonUtf8(rng, bytes); steps.push('non-UTF-8'); }
    else if (op === 14) { bytes = new Uint8Array(0); steps.push('empty'); }
    else if (op === 15) { bytes = truncate(rng, bytes); steps.push('truncated'); }
    else if (op === 16) { bytes = flipBytes(rng, bytes); steps.push('byte flips'); }
    else if (op === 17) { bytes = splice(rng, bytes, donor); steps.push('splice'); }
    else { asText((t) => editNumber(rng, editNumber(rng, t))); steps.push('two numbers'); }
  }
  return { text: new TextDecoder().decode(bytes), steps };
}
