// Where the fs family's fixtures are, for its tests.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Absolute path of a fixture, e.g. `debian12-vm/proc/diskstats`. */
export const fixturePath = (rel: string): string => fileURLToPath(new URL(`./fixtures/${rel}`, import.meta.url));

/** A fixture's text. */
export const fixture = (rel: string): string => readFileSync(fixturePath(rel), 'utf8');
