import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataUnavailable, EventProcessingFailed } from '../errors/taxonomy.js';
import { createProcfsReader } from '../services/procfs-reader.js';
import { isMissingPath, listNumberedSys, parseSysInteger, readOptionalSysAttr } from './sysfs-attributes.js';

const root = mkdtempSync(join(tmpdir(), 'bpfscope-sysattr-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
for (const n of ['hwmon10', 'hwmon9', 'hwmon0', 'hwmonX', 'other1']) mkdirSync(join(root, 'class/hwmon', n), { recursive: true });
writeFileSync(join(root, 'class/hwmon/hwmon0/name'), 'coretemp\n');
const sys = createProcfsReader('/proc', root);

describe('sysfs attribute helpers', () => {
  it('numbered entries in numeric order, others left out', () => {
    expect(listNumberedSys(sys, 'class/hwmon', 'hwmon')).toEqual([0, 9, 10]);
  });

  it('an optional attribute: its trimmed text, null when the file or a directory on its path is missing, and other failures thrown', () => {
    expect(readOptionalSysAttr(sys, 'class/hwmon/hwmon0/name')).toBe('coretemp');
    expect(readOptionalSysAttr(sys, 'class/hwmon/hwmon0/temp1_input')).toBeNull();
    expect(readOptionalSysAttr(sys, 'class/hwmon/hwmon0/name/x')).toBeNull(); // ENOTDIR
    expect(() => readOptionalSysAttr(sys, 'class/hwmon/hwmon0')).toThrow(DataUnavailable); // EISDIR
    let missing: unknown;
    try {
      sys.readSys('class/nothing/here');
    } catch (e) {
      missing = e;
    }
    expect(isMissingPath(missing)).toBe(true);
  });

  it('integers: signed by default, unsigned when asked, bad text an EventProcessingFailed naming the file', () => {
    expect(parseSysInteger('/sys/x', '-5000')).toBe(-5000);
    expect(() => parseSysInteger('/sys/x', '-5000', false)).toThrow(/\/sys\/x.*not a non-negative integer/);
    expect(() => parseSysInteger('/sys/x', '')).toThrow(/the file is empty/);
    expect(() => parseSysInteger('/sys/x', '12a')).toThrow(EventProcessingFailed);
    expect(() => parseSysInteger('/sys/x', '99999999999999999999')).toThrow(/out of range/);
  });
});
