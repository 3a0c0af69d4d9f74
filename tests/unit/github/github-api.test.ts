import { describe, expect, it } from 'vitest';
import { observeHeaders, parseLink } from '../../../src/github/github-api.js';
import { createLogger } from '../../../src/shared/logger.js';
import { createGitHubWatch } from '../../../src/sources/github-watch.js';
import { createSourcesEvents } from '../../../src/sources/sources.events.js';

describe('GitHub answer headers', () => {
  it('parses Link relations', () => {
    const link =
      '<https://api.github.com/user/starred?page=2>; rel="next", <https://api.github.com/user/starred?page=3>; rel="last"';
    expect(parseLink(link)).toEqual({
      next: 'https://api.github.com/user/starred?page=2',
      last: 'https://api.github.com/user/starred?page=3',
    });
    expect(parseLink(undefined)).toEqual({});
  });

  it('reads the rate limit, and warns once ahead of the token expiry', () => {
    const now = new Date('2024-05-01T00:00:00Z');
    const events = createSourcesEvents();
    const alerts: string[] = [];
    events.on('alert', (a) => alerts.push(a.kind));
    const watch = createGitHubWatch({
      clock: { now: () => now },
      log: createLogger({ level: 'silent' }),
      events,
    });
    const headers = {
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      'x-ratelimit-reset': '1714521600',
      'github-authentication-token-expiration': '2024-05-03 12:00:00 UTC',
    };
    observeHeaders(headers, watch.observer);
    observeHeaders(headers, watch.observer);
    expect(watch.rateLimit()).toEqual({
      limit: 5000,
      remaining: 4999,
      resetAt: '2024-05-01T00:00:00.000Z',
    });
    expect(watch.tokenExpiresAt()?.toISOString()).toBe('2024-05-03T12:00:00.000Z');
    expect(alerts).toEqual(['github_token_expiring']);
  });

  it('does not warn about an expiry far away', () => {
    const events = createSourcesEvents();
    const alerts: string[] = [];
    events.on('alert', (a) => alerts.push(a.kind));
    const watch = createGitHubWatch({
      clock: { now: () => new Date('2024-01-01T00:00:00Z') },
      log: createLogger({ level: 'silent' }),
      events,
    });
    observeHeaders(
      { 'github-authentication-token-expiration': '2024-05-03 12:00:00 UTC' },
      watch.observer,
    );
    expect(alerts).toEqual([]);
  });
});
