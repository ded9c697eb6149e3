import { DataUnavailable, isBpfscopeError, type BpfscopeError, type ProcfsReader } from '@bpfscope/core';
import type { GpuVendor } from '../records.js';
import { failureReason, isMissing, linkName, listNumbered, readAttr } from './drm-files.js';

/** Where the DRM class is below the sysfs root. @internal */
export const DRM_CLASS = 'class/drm';

/** The drivers whose sysfs figures the DRM reader knows (amdgpu: Documentation/gpu/amdgpu; i915 and xe: their drivers' sysfs code). @internal */
export const KNOWN_DRIVERS: readonly string[] = Object.freeze(['amdgpu', 'i915', 'xe']);

/** One `cardN` of the DRM class, as its links and ids say. @internal */
export interface DrmCard {
  /** N of `cardN`. */
  index: number;
  /** `class/drm/cardN`. */
  dir: string;
  /** The kernel driver (`device/driver` link), or null when unreadable. */
  driver: string | null;
  /** `device/vendor`, e.g. `0x1002`; null when unreadable. */
  vendorId: string | null;
  /** `device/device`, e.g. `0x73bf`; null when unreadable. */
  deviceId: string | null;
  /** PCI address from the `device` link's target, or null (a platform device, or unreadable). */
  busId: string | null;
  /** Why `busId` is null. */
  busIdUnavailable: string | null;
  /** The first error met reading the identity files. */
  error: BpfscopeError | null;
}

const PCI_ADDRESS = /^[0-9a-f]{4,}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/;
const VENDORS: Readonly<Record<string, GpuVendor>> = { '0x10de': 'nvidia', '0x1002': 'amd', '0x8086': 'intel' };
const DRIVER_VENDORS: Readonly<Record<string, GpuVendor>> = { amdgpu: 'amd', radeon: 'amd', i915: 'intel', xe: 'intel', nouveau: 'nvidia', nvidia: 'nvidia' };

/** The vendor from the PCI vendor id, else from the driver. @internal */
export function vendorOf(card: Pick<DrmCard, 'vendorId' | 'driver'>): GpuVendor {
  return (card.vendorId !== null ? VENDORS[card.vendorId] : undefined) ?? (card.driver !== null ? DRIVER_VENDORS[card.driver] : undefined) ?? 'other';
}

/**
 * The `cardN` entries of the DRM class: not the connectors (`card0-DP-1`), not the render
 * nodes (`renderD128`). Empty with the reason when the class is not there.
 * @internal
 */
export function listCards(sys: ProcfsReader): { cards: number[]; missing: string | null } {
  try {
    return { cards: listNumbered(sys, DRM_CLASS, 'card'), missing: null };
  } catch (e) {
    if (!isMissing(e)) throw e;
    return { cards: [], missing: `${sys.sysRoot}/${DRM_CLASS} does not exist (no DRM driver is loaded, or no display or GPU device)` };
  }
}

/** Read one card's identity: driver, PCI ids and address. Each failure leaves its part null. @internal */
export function readCard(sys: ProcfsReader, index: number): DrmCard {
  const dir = `${DRM_CLASS}/card${index}`;
  const card: DrmCard = { index, dir, driver: null, vendorId: null, deviceId: null, busId: null, busIdUnavailable: null, error: null };
  const keep = <T>(read: () => T): T | null => {
    try {
      return read();
    } catch (e) {
      if (!isBpfscopeError(e)) throw e;
      card.error ??= e;
      return null;
    }
  };
  card.driver = keep(() => linkName(sys, `${dir}/device/driver`));
  card.vendorId = keep(() => readAttr(sys, `${dir}/device/vendor`).toLowerCase());
  card.deviceId = keep(() => readAttr(sys, `${dir}/device/device`).toLowerCase());
  try {
    const target = linkName(sys, `${dir}/device`);
    if (PCI_ADDRESS.test(target)) card.busId = target;
    else card.busIdUnavailable = `the device (${target}) is not on a PCI bus`;
  } catch (e) {
    if (!isBpfscopeError(e)) throw e;
    card.busIdUnavailable = failureReason(e);
  }
  return card;
}

/** A card in a line: `card0 amdgpu 0x1002:0x73bf at 0000:0b:00.0` (a platform device has no PCI ids). @internal */
export function describeCard(c: DrmCard): string {
  const ids = c.vendorId === null && c.deviceId === null ? '' : ` ${c.vendorId ?? '?'}:${c.deviceId ?? '?'}`;
  return `card${c.index} ${c.driver ?? '(driver unknown)'}${ids}${c.busId ? ` at ${c.busId}` : ''}`;
}

/** The cards of a known driver, and the others with why they are skipped. @internal */
export interface DrmInventory {
  /** Cards whose driver the reader knows. */
  cards: DrmCard[];
  /** Cards left out: a display-only or unknown driver (simpledrm, virtio_gpu, bochs-drm, nvidia's own). */
  skipped: Array<{ card: DrmCard; reason: string }>;
  /** Why the DRM class is missing, or null. */
  missing: string | null;
}

/** Find the cards. @internal */
export function takeDrmInventory(sys: ProcfsReader): DrmInventory {
  const { cards, missing } = listCards(sys);
  const inv: DrmInventory = { cards: [], skipped: [], missing };
  for (const n of cards) {
    const c = readCard(sys, n);
    if (c.driver !== null && KNOWN_DRIVERS.includes(c.driver)) inv.cards.push(c);
    else inv.skipped.push({ card: c, reason: c.driver === null ? `its driver is unknown (${c.error ? failureReason(c.error) : 'no device/driver link'})` : `driver ${c.driver} has no GPU figures in sysfs that this reader knows (it reads ${KNOWN_DRIVERS.join(', ')})` });
  }
  return inv;
}

/**
 * Fail unless a card of a known driver is there.
 * @throws {@link DataUnavailable} naming what was looked for
 * @internal
 */
export function requireCards(sys: ProcfsReader): DrmInventory {
  const inv = takeDrmInventory(sys);
  if (inv.cards.length > 0) return inv;
  const why =
    inv.missing ??
    (inv.skipped.length === 0
      ? `no card* below ${sys.sysRoot}/${DRM_CLASS}`
      : `no card of a driver this reader knows below ${sys.sysRoot}/${DRM_CLASS}: ${inv.skipped.map((s) => `${describeCard(s.card)}: ${s.reason}`).join('; ')}`);
  throw new DataUnavailable('DRM sysfs', why, {
    details: { sysRoot: sys.sysRoot, lookedFor: [`${DRM_CLASS}/card* with driver ${KNOWN_DRIVERS.join('|')}`] },
    remedy: 'Nothing to fix on a machine without an AMD or Intel GPU. Otherwise load its driver (amdgpu, i915, xe); with config.sysRoot set, check that it points at sysfs.',
  });
}
