import { ValidationError } from '../shared/errors.js';

/**
 * Per-mirror options that override the global settings. Each is one row of
 * `mirror_options` (key, JSON value, who, when), so a new option is a new entry here, not a
 * new column. Values are checked here, once, for the dashboard and the admin API alike.
 */
export interface OptionSpec {
  /** The global setting it overrides, for people. */
  overrides: string;
  /** The stored JSON value from what a person typed or an API sent; throws ValidationError. */
  parse(input: unknown): unknown;
}

/**
 * An on/off override: true/false from the API, `on`/`off` from the dashboard's select; empty
 * (handled by the caller) returns to the global setting.
 */
function parseSwitch(input: unknown, what: string, global: string): boolean {
  if (typeof input === 'boolean') return input;
  const text = typeof input === 'string' ? input.trim().toLowerCase() : '';
  if (text === 'on' || text === 'true') return true;
  if (text === 'off' || text === 'false') return false;
  throw new ValidationError(
    `${what} must be on or off (true or false); leave it empty to use ${global}`,
  );
}

const MINUTE = 60_000;
const REFRESH_MIN_MS = MINUTE;
const REFRESH_MAX_MS = 7 * 24 * 60 * MINUTE;

export const MIRROR_OPTIONS = {
  /** Milliseconds between two `git ls-remote` checks of this mirror. */
  refreshIntervalMs: {
    overrides: 'REFRESH_INTERVAL',
    parse(input: unknown): number {
      const minutes = typeof input === 'string' ? Number(input.trim()) : Number.NaN;
      const ms = typeof input === 'number' ? input : minutes * MINUTE;
      if (!Number.isInteger(ms) || ms < REFRESH_MIN_MS || ms > REFRESH_MAX_MS) {
        throw new ValidationError(
          'the refresh interval must be a whole number of minutes from 1 to 10080 (7 days); leave it empty to use REFRESH_INTERVAL',
        );
      }
      return ms;
    },
  },
  /** Mirror LFS objects (true) or refs only (false); still needs git-lfs installed. */
  lfs: {
    overrides: 'MIRROR_LFS',
    parse: (input: unknown): boolean => parseSwitch(input, 'LFS mirroring', 'MIRROR_LFS'),
  },
  /** Follow the repository's GitHub wiki into `<project>/wiki` after each sync. */
  wiki: {
    overrides: 'MIRROR_WIKIS',
    parse: (input: unknown): boolean => parseSwitch(input, 'wiki mirroring', 'MIRROR_WIKIS'),
  },
} as const satisfies Record<string, OptionSpec>;

export type MirrorOptionKey = keyof typeof MIRROR_OPTIONS;

/** One option as set on a mirror: its value and who set it when. */
export interface MirrorOptionValue {
  value: unknown;
  updatedBy: string;
  updatedAt: string;
}

/** The options set on one mirror; an absent key means the global setting applies. */
export type MirrorOptions = Partial<Record<MirrorOptionKey, MirrorOptionValue>>;

export function isOptionKey(key: string): key is MirrorOptionKey {
  return Object.hasOwn(MIRROR_OPTIONS, key);
}

/** A boolean option's effect: the mirror's own value when set, else the global setting. */
export function switchOn(
  options: MirrorOptions,
  key: 'lfs' | 'wiki',
  globallyOn: boolean,
): boolean {
  const value = options[key]?.value;
  return typeof value === 'boolean' ? value : globallyOn;
}
