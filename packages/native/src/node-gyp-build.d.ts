// node-gyp-build ships no types. Only what the loader uses is declared.
declare module 'node-gyp-build' {
  interface NodeGypBuild {
    /** Requires the best build found below `dir`. */
    (dir: string): unknown;
    /** The path of the build that `load(dir)` would require; throws when none fits. */
    path(dir: string): string;
  }
  const load: NodeGypBuild;
  export default load;
}
