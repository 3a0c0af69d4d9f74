import { createHash, randomBytes } from 'node:crypto';
import type { DbHandle } from '../db/database.js';
import type { Clock } from '../shared/clock.js';
import {
  deleteExpiredSessions,
  deleteSession,
  findSession,
  insertSession,
  setFlash,
} from './sessions.repo.js';

export interface DashboardSession {
  /** The database key (a hash of the cookie value). */
  key: string;
  csrfToken: string;
  flash: string | null;
  expiresAt: string;
}

/** 12 hours: an operator signs in at most twice a day; a stolen cookie dies the same day. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

const keyOf = (token: string) => createHash('sha256').update(token).digest('hex');

/** Random 256-bit values, URL-safe. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Server-side dashboard sessions: the cookie carries a random token, the database the rest. */
export interface SessionStore {
  /** A brand-new session (never a reused id: fixation is impossible) and its cookie value. */
  start(): Promise<{ token: string; session: DashboardSession }>;
  /** The live session for a cookie value, or undefined (unknown, ended or expired). */
  find(token: string | undefined): Promise<DashboardSession | undefined>;
  /** Ends a session (sign-out). */
  end(session: DashboardSession): Promise<void>;
  /** Sets (or clears, with null) the one-time message shown on the next page. */
  flash(session: DashboardSession, message: string | null): Promise<void>;
  /** How long a session lives, in milliseconds. */
  ttlMs: number;
}

/** Server-side sessions: the cookie carries a random token, the database the session. */
export function createSessionStore(deps: {
  handle: DbHandle;
  clock: Clock;
  ttlMs?: number;
}): SessionStore {
  const db = deps.handle.db;
  const ttlMs = deps.ttlMs ?? SESSION_TTL_MS;

  /** A brand-new session (never a reused id: fixation is impossible). Returns the cookie value. */
  async function start(): Promise<{ token: string; session: DashboardSession }> {
    const now = deps.clock.now();
    await deleteExpiredSessions(db, now.toISOString());
    const token = randomToken();
    const row = {
      id: keyOf(token),
      csrf_token: randomToken(),
      flash: null,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + ttlMs).toISOString(),
    };
    await insertSession(db, row);
    return { token, session: toSession(row) };
  }

  /** The live session for a cookie value, or undefined (unknown, ended or expired). */
  async function find(token: string | undefined): Promise<DashboardSession | undefined> {
    if (!token || token.length > 100) return undefined;
    const row = await findSession(db, keyOf(token));
    if (!row || row.expires_at <= deps.clock.now().toISOString()) return undefined;
    return toSession(row);
  }

  return {
    start,
    find,
    end: (session: DashboardSession) => deleteSession(db, session.key),
    flash: (session: DashboardSession, message: string | null) =>
      setFlash(db, session.key, message),
    ttlMs,
  };
}

function toSession(row: {
  id: string;
  csrf_token: string;
  flash: string | null;
  expires_at: string;
}): DashboardSession {
  return { key: row.id, csrfToken: row.csrf_token, flash: row.flash, expiresAt: row.expires_at };
}
