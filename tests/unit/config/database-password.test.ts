import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/config.js';
import { withPassword } from '../../../src/db/database.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('DATABASE_PASSWORD', () => {
  const URL_WITHOUT_PASSWORD = 'postgres://starbridge@postgres:5432/starbridge';

  it('is read from DATABASE_PASSWORD_FILE and kept apart from the URL', () => {
    const config = loadConfig(
      { DATABASE_URL: URL_WITHOUT_PASSWORD, DATABASE_PASSWORD_FILE: '/run/secrets/db' },
      (path) => (path === '/run/secrets/db' ? 'p@ss:w/rd?#%\n' : ''),
    );
    expect(config.db).toEqual({
      dialect: 'postgres',
      url: URL_WITHOUT_PASSWORD,
      password: 'p@ss:w/rd?#%',
    });
  });

  it('is refused with a SQLite URL or beside a password in the URL', () => {
    expect(problemsOf({ DATABASE_PASSWORD: 'x' })).toEqual([
      'DATABASE_PASSWORD: only used with a postgres:// DATABASE_URL',
    ]);
    expect(
      problemsOf({ DATABASE_URL: 'postgres://sb:inurl@db/sb', DATABASE_PASSWORD: 'x' }),
    ).toEqual([
      'DATABASE_URL, DATABASE_PASSWORD: the URL has a password too; keep it in one place',
    ]);
  });

  it('reaches the PostgreSQL driver as the exact text, whatever its characters', () => {
    const password = 'p@ss:w/rd?#% ü';
    const url = new URL(withPassword(URL_WITHOUT_PASSWORD, password));
    // pg decodes the userinfo with decodeURIComponent.
    expect(decodeURIComponent(url.password)).toBe(password);
    expect(url.username).toBe('starbridge');
    expect(url.host).toBe('postgres:5432');
    expect(url.pathname).toBe('/starbridge');
    expect(withPassword(URL_WITHOUT_PASSWORD, undefined)).toBe(URL_WITHOUT_PASSWORD);
  });
});
