// Device numbers: the kernel keeps s_dev as MKDEV(major, minor) = major << 20 | minor
// (MINORBITS 20); stat(2) gives st_dev in glibc's encoding (major in bits 8-19 and 32-43,
// minor in bits 0-7 and 20-31). The file table holds the kernel's form.

/** The kernel's `major:minor` text of an s_dev. @internal */
export function kernelDevText(dev: number): string {
  return `${dev >>> 20}:${dev & 0xfffff}`;
}

/** The kernel's s_dev of a device stat(2) reported (st_dev, as `fs.statSync(p, { bigint: true }).dev`). @internal */
export function kernelDevOfStat(stDev: bigint): number {
  const major = Number(((stDev >> 8n) & 0xfffn) | ((stDev >> 32n) & ~0xfffn));
  const minor = Number((stDev & 0xffn) | ((stDev >> 12n) & ~0xffn));
  return ((major << 20) | (minor & 0xfffff)) >>> 0;
}

/** `major:minor` of a st_dev, as `stat -c '%Hd:%Ld'` prints it. @internal */
export function statDevText(stDev: bigint): string {
  return kernelDevText(kernelDevOfStat(stDev));
}
