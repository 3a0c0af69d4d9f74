import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Bytes a fetch or push moved.
 *
 * Fetched: the size of the packs the fetch added to the cache. Fetches keep every pack they
 * receive (`fetch.unpackLimit=1`: git would otherwise explode a pack of fewer than 100 objects
 * into loose ones) and run no automatic repack of their own (that runs after the count, see
 * FETCH_CONFIG), so the new `.pack` files are exactly what came in — for a thin pack, plus
 * the base objects git appends to complete it. A listing of one folder and a few `stat`s.
 *
 * Pushed: git's own progress on stderr (`--progress`), "Writing objects: 100% (n/n), 9.30
 * KiB | …": the pack sent, without protocol framing, rounded by git to two decimals of its
 * unit (exact below 1 KiB, within 0.5 % above). 0 when no pack went out.
 */

/** Configuration of every fetch into a cache, for the count above. */
export const FETCH_CONFIG: ReadonlyArray<readonly [string, string]> = [
  ['fetch.unpackLimit', '1'],
  ['gc.auto', '0'],
  ['maintenance.auto', 'false'],
];

/** The cache's packs: file name → size in bytes. */
export async function packSizes(cacheDir: string): Promise<Map<string, number>> {
  const folder = join(cacheDir, 'objects', 'pack');
  const names = await readdir(folder).catch(() => [] as string[]);
  const sizes = new Map<string, number>();
  for (const name of names.filter((n) => n.endsWith('.pack'))) {
    const size = await stat(join(folder, name)).then(
      (s) => s.size,
      () => undefined,
    );
    if (size !== undefined) sizes.set(name, size);
  }
  return sizes;
}

/** Bytes of the packs in `after` that were not in `before`. */
export function newPackBytes(before: Map<string, number>, after: Map<string, number>): number {
  let bytes = 0;
  for (const [name, size] of after) if (!before.has(name)) bytes += size;
  return bytes;
}

const UNITS: Record<string, number> = {
  bytes: 1,
  byte: 1,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
};
const WRITTEN = /^Writing objects: [^\n]*?, ([\d.]+) (bytes?|[KMG]iB)\b/;

/** Bytes a push sent; 0 when it sent no pack (only ref updates or deletions). */
export function bytesWritten(stderr: string): number {
  // Progress rewrites one line with carriage returns; the remote's own lines start `remote:`.
  let size = 0;
  for (const line of stderr.split(/[\r\n]+/)) {
    const match = WRITTEN.exec(line);
    if (match?.[1] && match[2]) size = Math.round(Number(match[1]) * (UNITS[match[2]] ?? 0));
  }
  return size;
}
