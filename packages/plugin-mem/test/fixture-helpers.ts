// Shared by this package's procfs parser tests.
import { fileURLToPath } from 'node:url';

export { caught } from '../../../test/caught.js';

/** Absolute path of a file under this package's test/fixtures. */
export const fixture = (rel: string): string => fileURLToPath(new URL(`./fixtures/${rel}`, import.meta.url));
