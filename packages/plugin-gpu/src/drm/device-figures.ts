import { isBpfscopeError, type BpfscopeError } from '@bpfscope/core';
import type { GpuDeviceField } from '../records.js';
import { failureReason } from './drm-files.js';

/**
 * The figures of one device being read: each read on its own, so that a file that fails
 * (EIO, malformed) leaves that figure null with its reason, and the others are still read.
 * @internal
 */
export class DeviceFigures {
  readonly unavailable: Partial<Record<GpuDeviceField, string>> = {};
  /** The first taxonomy error met. */
  error: BpfscopeError | null = null;

  /**
   * One figure.
   * @param field - where its reason goes
   * @param read - the value, or null when the driver does not have it
   * @param absent - why, when `read` gives null (a function: asked after the read)
   */
  take<T>(field: GpuDeviceField, read: () => T | null, absent: string | (() => string)): T | null {
    try {
      const v = read();
      if (v === null) this.none(field, typeof absent === 'string' ? absent : absent());
      return v;
    } catch (e) {
      if (!isBpfscopeError(e)) throw e;
      this.error ??= e;
      this.none(field, failureReason(e));
      return null;
    }
  }

  /** A figure this driver does not have; a second reason for one field (the clocks) is added to the first. */
  none(field: GpuDeviceField, reason: string): null {
    const had = this.unavailable[field];
    this.unavailable[field] = had === undefined ? reason : `${had}; ${reason}`;
    return null;
  }
}
