import { z } from 'zod';
import { parseDuration } from './duration.js';

/** An optional string where blank means "not set". */
export const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

export const duration = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) {
    ctx.addIssue({
      code: 'custom',
      message: `"${text}" is not a duration; use a number with a unit such as 90s, 5m, 1h or 7d`,
    });
    return z.NEVER;
  }
  return ms;
});

export const portNumber = z.string().transform((text, ctx) => {
  const port = Number(text);
  if (!/^\d+$/.test(text.trim()) || port > 65535) {
    ctx.addIssue({
      code: 'custom',
      message: `"${text}" is not a TCP port (0-65535; 0 picks a free one)`,
    });
    return z.NEVER;
  }
  return port;
});

export const positiveInt = z.string().transform((text, ctx) => {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < 1) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a whole number of at least 1` });
    return z.NEVER;
  }
  return value;
});

/** A whole number from 0 to `max`, e.g. a count of retries where 0 turns them off. */
export const boundedCount = (max: number) =>
  z.string().transform((text, ctx) => {
    const value = Number(text);
    if (!/^\d+$/.test(text.trim()) || value > max) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not a whole number from 0 to ${max}` });
      return z.NEVER;
    }
    return value;
  });

export const httpUrl = z.string().transform((text, ctx) => {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'is not a URL; expected https://host[:port][/path]' });
    return z.NEVER;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    ctx.addIssue({ code: 'custom', message: `must be an http or https URL, not ${url.protocol}` });
    return z.NEVER;
  }
  return text;
});

export const databaseUrl = z
  .string()
  .refine((text) => /^(sqlite:.+|postgres(ql)?:\/\/.+)$/.test(text), {
    message:
      'must be sqlite:<path> (for example sqlite:./data/starbridge.db) or postgres://user:password@host:5432/database',
  });

const BYTE_UNITS: Record<string, number> = {
  '': 1,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
};

/** A size in bytes: `1048576`, or with a binary unit, `500M`, `2G`, `1.5GiB` (1 K = 1024 bytes). */
export const byteSize = z.string().transform((text, ctx) => {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?$/i.exec(text.trim());
  const value = m ? Math.floor(Number(m[1]) * (BYTE_UNITS[(m[2] ?? '').toLowerCase()] ?? 1)) : 0;
  if (!m || value < 1) {
    ctx.addIssue({
      code: 'custom',
      message: `"${text}" is not a size: give bytes (1048576) or a number with K, M, G or T (500M, 2G)`,
    });
    return z.NEVER;
  }
  return value;
});
/** A retention: a duration such as `90d`, or `forever` (null: nothing expires). */
export const retention = z.string().transform((text, ctx) => {
  if (text.trim().toLowerCase() === 'forever') return null;
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) {
    ctx.addIssue({
      code: 'custom',
      message: `"${text}" is not a retention; use a duration such as 30d or 12h, or forever`,
    });
    return z.NEVER;
  }
  return ms;
});

/** A duration such as `30d`, or `off` or `0` (null: disabled). */
export const durationOrOff = z.string().transform((text, ctx) => {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === 'off' || trimmed === '0') return null;
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) {
    ctx.addIssue({
      code: 'custom',
      message: `"${text}" is not a duration; use one such as 30d or 12h, or off`,
    });
    return z.NEVER;
  }
  return ms;
});

/** `true` or `false`. */
export const onOff = z
  .enum(['true', 'false'], { error: 'must be true or false' })
  .transform((v) => v === 'true');
