/** Pure formatting for the pages: the current time is data, so views stay deterministic. */
import type { SyncPhase } from '../../sync/run.js';

const UNITS: Array<[limitS: number, sizeS: number, unit: string]> = [
  [60, 1, 's'],
  [3600, 60, 'min'],
  [86_400, 3600, 'h'],
  [Number.POSITIVE_INFINITY, 86_400, 'd'],
];

/** "3 min ago", "in 2 h", "just now". */
export function relativeTime(iso: string, now: Date): string {
  const deltaS = Math.round((Date.parse(iso) - now.getTime()) / 1000);
  const abs = Math.abs(deltaS);
  if (Number.isNaN(deltaS)) return iso;
  if (abs < 5) return 'just now';
  const [, size, unit] = UNITS.find(([limit]) => abs < limit) ?? UNITS[UNITS.length - 1]!;
  const amount = Math.floor(abs / size);
  return deltaS < 0 ? `${amount} ${unit} ago` : `in ${amount} ${unit}`;
}

/** "1.2 s", "3 min 4 s". */
export function duration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** A refresh interval for people: "15 min", "2 h", "1 d 12 h". */
export function intervalText(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours < 24) return rest ? `${hours} h ${rest} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

const PHASE_TEXT: Record<SyncPhase, string> = {
  comparing: 'comparing with GitHub',
  fetching: 'fetching from GitHub',
  pushing: 'pushing to OneDev',
  verifying: 'verifying OneDev',
};

/** What a running sync is doing, in words; empty before its first step is recorded. */
export function phaseText(phase: SyncPhase | null): string {
  return phase ? PHASE_TEXT[phase] : '';
}

export function shortSha(sha: string | null): string {
  return sha ? sha.slice(0, 10) : '—';
}

/** A mirror's path segments for URLs: owner and name are validated GitHub names. */
export function mirrorHref(fullName: string, suffix = ''): string {
  const [owner = '', name = ''] = fullName.split('/');
  return `/dashboard/mirrors/${encodeURIComponent(owner)}/${encodeURIComponent(name)}${suffix}`;
}
