import { describe, expect, it } from 'vitest';
import { bytesReceived, bytesWritten } from '../../../src/git/git-transfer.js';

describe("bytes moved, from git's progress", () => {
  it('takes the last size of the receiving line, whatever its unit, and ignores the remote', () => {
    const stderr = [
      'remote: Enumerating objects: 5, done.',
      'remote: Writing objects: 100% (5/5), 9.00 MiB | 1 MiB/s, done.',
      'Receiving objects:  40% (2/5)\rReceiving objects: 100% (5/5)\rReceiving objects: 100% (5/5), 9.30 KiB | 9.30 MiB/s, done.',
      'Resolving deltas: 100% (1/1), done.',
    ].join('\n');
    expect(bytesReceived(stderr)).toBe(Math.round(9.3 * 1024));
    expect(bytesWritten(stderr)).toBe(0);
    expect(bytesReceived('Unpacking objects: 100% (3/3), 250 bytes | 250.00 KiB/s, done.')).toBe(
      250,
    );
    expect(bytesReceived('Receiving objects: 100% (9/9), 1.50 GiB | 20 MiB/s, done.')).toBe(
      1.5 * 1024 ** 3,
    );
  });

  it('reads a push from its writing line, and 0 when no pack went out', () => {
    expect(bytesWritten('Writing objects: 100% (5/5), 1.00 MiB | 9.30 MiB/s, done.\nTotal 5')).toBe(
      1024 ** 2,
    );
    expect(bytesWritten('Everything up-to-date')).toBe(0);
    expect(bytesReceived('')).toBe(0);
  });
});
