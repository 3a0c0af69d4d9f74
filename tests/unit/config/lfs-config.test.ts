import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';

describe('LFS configuration', () => {
  it('mirrors LFS by default, without a size cap', () => {
    expect(loadConfig({}).lfs).toEqual({ enabled: true, maxBytes: undefined });
  });

  it('takes MIRROR_LFS=false and LFS_MAX_BYTES in bytes or with a binary unit', () => {
    expect(loadConfig({ MIRROR_LFS: 'false' }).lfs.enabled).toBe(false);
    expect(loadConfig({ LFS_MAX_BYTES: '1048576' }).lfs.maxBytes).toBe(1048576);
    expect(loadConfig({ LFS_MAX_BYTES: '500M' }).lfs.maxBytes).toBe(500 * 1024 ** 2);
    expect(loadConfig({ LFS_MAX_BYTES: '1.5GiB' }).lfs.maxBytes).toBe(1.5 * 1024 ** 3);
  });

  it('refuses other values, saying what it takes', () => {
    expect(() => loadConfig({ MIRROR_LFS: 'yes' })).toThrow(/MIRROR_LFS.*must be true or false/s);
    expect(() => loadConfig({ LFS_MAX_BYTES: 'lots' })).toThrow(
      /LFS_MAX_BYTES.*not a size: give bytes \(1048576\) or a number with K, M, G or T/s,
    );
    expect(() => loadConfig({ LFS_MAX_BYTES: '0' })).toThrow(/LFS_MAX_BYTES/);
  });
});
