import { readlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DataUnavailable, isMissingPath, listNumberedSys, parseSysInteger, readOptionalSysAttr, type ProcfsReader } from '@bpfscope/core';

/**
 * Why a DRM or hwmon attribute could not be read, for the codes GPU drivers return from
 * their show() callbacks: amdgpu returns EPERM while the device is in reset or runtime
 * suspended and EOPNOTSUPP for a sensor its power firmware does not have; hwmon drivers
 * return ENODATA for a disabled channel (Documentation/hwmon/sysfs-interface), EIO when
 * the device's read failed.
 * @internal
 */
export const GPU_READ_REASONS: Readonly<Record<string, string>> = Object.freeze({
  EIO: 'the driver could not read it (EIO: the device is off, asleep or its read failed)',
  EPERM: 'the driver refused the read (EPERM: amdgpu answers so while the GPU is in reset or runtime-suspended)',
  EOPNOTSUPP: 'the driver does not support this sensor on this GPU (EOPNOTSUPP)',
  ENODATA: 'the sensor is disabled (ENODATA)',
  ENXIO: 'the device is gone or not ready (ENXIO)',
  EAGAIN: 'the driver had no reading ready (EAGAIN)',
  EINVAL: 'the driver refused the read (EINVAL)',
  ETIMEDOUT: 'the device did not answer in time (ETIMEDOUT)',
  EBUSY: 'the device was busy (EBUSY)',
});

/** The text of one sysfs attribute, trimmed; a read failure is a {@link DataUnavailable}. @internal */
export function readAttr(sys: ProcfsReader, rel: string): string {
  return sys.readSys(rel, GPU_READ_REASONS).trim();
}

/** Whether a read failed because the path does not exist. @internal */
export function isMissing(e: unknown): boolean {
  return isMissingPath(e);
}

/** Like {@link readAttr}, but null when the file does not exist (an attribute the driver may lack). @internal */
export function readOptionalAttr(sys: ProcfsReader, rel: string): string | null {
  return readOptionalSysAttr(sys, rel, GPU_READ_REASONS);
}

/**
 * A non-negative integer attribute (bytes, percent, µW, MHz, millidegrees may be negative:
 * `signed`). Empty or non-numeric text is an EventProcessingFailed naming the file.
 * @internal
 */
export function parseInteger(sys: ProcfsReader, rel: string, text: string, signed = false): number {
  return parseSysInteger(`${sys.sysRoot}/${rel}`, text, signed);
}

/** An integer attribute that must exist. @internal */
export function readInteger(sys: ProcfsReader, rel: string, signed = false): number {
  return parseInteger(sys, rel, readAttr(sys, rel), signed);
}

/** An integer attribute; null when the file does not exist. @internal */
export function readOptionalInteger(sys: ProcfsReader, rel: string, signed = false): number | null {
  const t = readOptionalAttr(sys, rel);
  return t === null ? null : parseInteger(sys, rel, t, signed);
}

const LINK_REASONS: Readonly<Record<string, string>> = { ENOENT: 'the link does not exist', ENOTDIR: 'a directory on its path does not exist', EINVAL: 'it is not a symbolic link' };

/**
 * The last component of a symbolic link's target below the sysfs root: the PCI address of
 * `device`, the driver's name of `device/driver`. The engine's reader has no readlink, so
 * the link is read below its `sysRoot`, which is where the reader reads too.
 * @throws {@link DataUnavailable} when it is not there or not a link
 * @internal
 */
export function linkName(sys: ProcfsReader, rel: string): string {
  const path = join(sys.sysRoot, rel);
  try {
    return basename(readlinkSync(path));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const reason = err.code === undefined ? undefined : LINK_REASONS[err.code];
    if (reason === undefined) throw e;
    throw new DataUnavailable(path, reason, { cause: e, errno: err.errno === undefined ? undefined : Math.abs(err.errno), details: { path, code: err.code } });
  }
}

/** The entries of a directory whose names match `<prefix><N>`, by N. @internal */
export function listNumbered(sys: ProcfsReader, rel: string, prefix: string): number[] {
  return listNumberedSys(sys, rel, prefix);
}

/** A reason string for a figure whose file failed: the error's code and message. @internal */
export function failureReason(e: { code: string; message: string }): string {
  return `${e.code}: ${e.message}`;
}
