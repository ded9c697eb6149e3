import { DataUnavailable, isBpfscopeError, systemClock, type Clock, type ProcfsReader } from '@bpfscope/core';
import type { GpuDeviceReader, GpuReaderInfo } from '../parts.js';
import type { GpuDevice } from '../records.js';
import { describeCard, readCard, requireCards, vendorOf, type DrmCard } from './drm-cards.js';
import { DeviceFigures } from './device-figures.js';
import { readDrmHwmon } from './read-drm-hwmon.js';
import { readAmdgpu, readIntel, type DriverFigures } from './read-drivers.js';

const NO_PROCESSES = 'DRM sysfs does not list the processes using a GPU (per-client usage is in /proc/<pid>/fdinfo, which this source does not read)';

/**
 * GPUs from the DRM class in sysfs (below the engine's `sysRoot`): each `cardN` whose
 * driver is amdgpu, i915 or xe, with what its driver's files say. A figure whose file is
 * missing, unreadable or malformed is null with its reason in `unavailable` (the first
 * such error is the device's `error`); the other figures are still read.
 * @internal
 */
export class DrmReader implements GpuDeviceReader {
  readonly kind = 'sysfs' as const;
  #cards: number[] | null = null;
  #summary = '';
  /** Each card's energy counter at the previous reading, for power from its rate. */
  readonly #energy = new Map<number, { uj: number; ns: bigint }>();

  /**
   * @param sys - reads below the engine's sysfs root
   * @param clock - monotonic time of the energy readings
   */
  constructor(private readonly sys: ProcfsReader, private readonly clock: Pick<Clock, 'monotonicNs'> = systemClock) {}

  open(): void {
    const inv = requireCards(this.sys);
    this.#cards = inv.cards.map((c) => c.index);
    const skipped = inv.skipped.length > 0 ? `; skipped ${inv.skipped.map((s) => `card${s.card.index} (${s.card.driver ?? 'driver unknown'})`).join(', ')}` : '';
    this.#summary = `DRM sysfs below ${this.sys.sysRoot}: ${inv.cards.map(describeCard).join(', ')}${skipped}`;
  }

  read(): GpuDevice[] {
    const cards = this.#cards;
    if (cards === null) throw new DataUnavailable('DRM sysfs', 'the reader is not open');
    return cards.map((n) => this.#readDevice(readCard(this.sys, n)));
  }

  #readDevice(card: DrmCard): GpuDevice {
    const f = new DeviceFigures();
    const d: GpuDevice = {
      id: `drm:card${card.index}`, index: card.index, name: null, vendor: vendorOf(card), busId: card.busId, driver: card.driver,
      utilizationPercent: null, memoryUsedBytes: null, memoryTotalBytes: null, powerMilliwatts: null, temperatureCelsius: null,
      clocks: { graphicsMhz: null, smMhz: null, memoryMhz: null }, fanPercent: null, computeUnitsActive: null, processes: null,
      source: 'sysfs', unavailable: f.unavailable, error: null,
    };
    if (card.busIdUnavailable !== null) f.none('busId', card.busIdUnavailable);
    const driver = card.driver;
    if (driver !== 'amdgpu' && driver !== 'i915' && driver !== 'xe') {
      // The card went away, or its driver changed, since open: nothing of it is read.
      d.error = card.error ?? new DataUnavailable(`${this.sys.sysRoot}/${card.dir}`, `the card's driver is now ${driver ?? 'unknown'}`);
      return d;
    }
    // Each figure is read on its own (DeviceFigures); what throws here is a directory that
    // cannot be listed: the device went away mid-read.
    try {
      const { noHwmon, ...own }: DriverFigures = driver === 'amdgpu' ? readAmdgpu(this.sys, card.dir, f) : readIntel(this.sys, card.dir, driver, f);
      Object.assign(d, own);
      Object.assign(d, readDrmHwmon(this.sys, card.dir, f, noHwmon, (uj, counter) => this.#energyRate(card.index, uj, counter)));
    } catch (e) {
      if (!isBpfscopeError(e)) throw e;
      d.error = e;
      return d;
    }
    f.none('processes', NO_PROCESSES);
    d.error = card.error ?? f.error;
    return d;
  }

  /** µJ over ns since the previous reading of this card's counter (`counter`, its file), as mW; or why not. */
  #energyRate(card: number, uj: number, counter: string): number | string {
    const ns = this.clock.monotonicNs();
    const prev = this.#energy.get(card);
    this.#energy.set(card, { uj, ns });
    if (prev === undefined) return `power is the rate of the hwmon ${counter} counter between two readings: this is the first reading`;
    if (uj < prev.uj) return `${counter} went back since the previous reading (the counter was reset): power is measured again from the next reading`;
    if (uj === prev.uj || ns <= prev.ns) return `${counter} did not move since the previous reading (read again too soon): no rate`;
    return (uj - prev.uj) / (Number(ns - prev.ns) / 1e9) / 1000;
  }

  info(): GpuReaderInfo {
    return { kind: 'sysfs', summary: this.#summary };
  }

  close(): void {
    this.#cards = null;
    this.#energy.clear();
  }
}
