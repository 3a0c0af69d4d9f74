/**
 * Bytes a fetch or push moved, read from git's own progress on stderr (`--progress`):
 * the receiving side's "Receiving objects: 100% (n/n), 9.30 KiB | …, done." (or
 * "Unpacking objects: …" when git explodes a small pack into loose objects), the sending
 * side's "Writing objects: …". The size is the pack git moved, without protocol framing.
 * It costs nothing extra (no second process, no scan of the cache). Git rounds to two
 * decimals of its unit, so the number is exact below 1 KiB and within 0.5 % above.
 */

const UNITS: Record<string, number> = {
  bytes: 1,
  byte: 1,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
};

const RECEIVED = /^(?:Receiving|Unpacking) objects: [^\n]*?, ([\d.]+) (bytes?|[KMG]iB)\b/;
const WRITTEN = /^Writing objects: [^\n]*?, ([\d.]+) (bytes?|[KMG]iB)\b/;

/** Bytes received by a fetch or clone; 0 when git received no pack (nothing was new). */
export function bytesReceived(stderr: string): number {
  return lastSize(stderr, RECEIVED);
}

/** Bytes a push sent; 0 when it sent no pack (only ref updates or deletions). */
export function bytesWritten(stderr: string): number {
  return lastSize(stderr, WRITTEN);
}

function lastSize(stderr: string, pattern: RegExp): number {
  // Progress rewrites one line with carriage returns; the remote's own lines start `remote:`.
  let size = 0;
  for (const line of stderr.split(/[\r\n]+/)) {
    const match = pattern.exec(line);
    if (match?.[1] && match[2]) size = Math.round(Number(match[1]) * (UNITS[match[2]] ?? 0));
  }
  return size;
}
