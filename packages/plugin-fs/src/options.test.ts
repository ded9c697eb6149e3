import { ConfigError } from '@bpfscope/core';
import { describe, expect, it } from 'vitest';
import { resolveFsOptions, withFamilyOptions } from './options.js';

const paths = { blockObjectPath: '/b.o', fileObjectPath: '/f.o' };

describe('fs options', () => {
  it('defaults: no file part (processes and files off), 100 files and processes listed', () => {
    expect(resolveFsOptions({}, paths)).toMatchObject({ files: false, processes: false, maxFiles: 100, topK: 100, topProcesses: 5, maxTrackedFiles: 10_240, slowIoThresholdUs: 10_000, watchPaths: [] });
  });

  it('processes follows files unless given, also when the config overrides files', () => {
    expect(resolveFsOptions({ files: true }, paths).processes).toBe(true);
    expect(resolveFsOptions({ files: true, processes: false }, paths).processes).toBe(false);
    expect(withFamilyOptions(resolveFsOptions({}, paths), { files: true }).processes).toBe(true);
    expect(withFamilyOptions(resolveFsOptions({ processes: false }, paths), { files: true }).processes).toBe(false);
    expect(withFamilyOptions(resolveFsOptions({ files: true }, paths), { processes: false }).processes).toBe(false);
  });

  it('bad values are ConfigErrors naming the option, under families.fs when they come from the config', () => {
    expect(() => resolveFsOptions({ maxTrackedFiles: 65_537 }, paths)).toThrow(ConfigError);
    expect(() => resolveFsOptions({ watchPaths: ['relative/path'] }, paths)).toThrow(/fs\.watchPaths\[0\]/);
    expect(() => withFamilyOptions(resolveFsOptions({}, paths), { topK: -1 })).toThrow(/families\.fs\.topK/);
  });
});
