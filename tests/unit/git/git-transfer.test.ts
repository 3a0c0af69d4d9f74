import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bytesWritten, newPackBytes, packSizes } from '../../../src/git/git-transfer.js';

describe('bytes moved', () => {
  it('counts the packs a fetch added, not those the cache had', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'transfer-'));
    try {
      const folder = join(cache, 'objects', 'pack');
      expect(await packSizes(cache)).toEqual(new Map());
      mkdirSync(folder, { recursive: true });
      writeFileSync(join(folder, 'pack-old.pack'), Buffer.alloc(5_000));
      writeFileSync(join(folder, 'pack-old.idx'), Buffer.alloc(300));
      const before = await packSizes(cache);
      writeFileSync(join(folder, 'pack-new.pack'), Buffer.alloc(1_234));
      writeFileSync(join(folder, 'pack-new.idx'), Buffer.alloc(100));
      expect(newPackBytes(before, await packSizes(cache))).toBe(1_234);
      expect(newPackBytes(new Map(), await packSizes(cache))).toBe(6_234);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it("reads a push from git's writing line, whatever its unit, and 0 when no pack went out", () => {
    const stderr = [
      'Writing objects:  40% (2/5)\rWriting objects: 100% (5/5), 1.00 MiB | 9.30 MiB/s, done.',
      'Total 5 (delta 0), reused 0 (delta 0), pack-reused 0',
      'remote: Writing objects: 100% (5/5), 9.00 GiB, done.',
    ].join('\n');
    expect(bytesWritten(stderr)).toBe(1024 ** 2);
    expect(bytesWritten('Writing objects: 100% (3/3), 250 bytes | 250.00 KiB/s, done.')).toBe(250);
    expect(bytesWritten('Writing objects: 100% (9/9), 9.30 KiB | 1 MiB/s, done.')).toBe(
      Math.round(9.3 * 1024),
    );
    expect(bytesWritten('Everything up-to-date')).toBe(0);
  });
});
