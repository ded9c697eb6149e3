export { main } from './main.js';
export type { CliInput, CliIo } from './io.js';
