import { describe, expect, it } from 'vitest';
import {
  checkoutBranch,
  entryTriggered,
  matchingEntries,
  parseRestartLabel,
} from '../../../src/containers/restart-label.js';
import type { RefChange } from '../../../src/sync/run.js';

const moved = (ref: string, kind: RefChange['kind'] = 'updated'): RefChange => ({
  ref,
  kind,
  old: kind === 'created' ? null : 'a'.repeat(40),
  new: kind === 'deleted' ? null : 'b'.repeat(40),
});

describe('restart label', () => {
  it('parses comma-separated entries, trimmed, with optional owner and branch', () => {
    expect(parseRestartLabel(' my-web-app ,acme/gateway, acme/shared-config@main,,')).toEqual({
      follows: [
        { repo: 'my-web-app' },
        { repo: 'acme/gateway' },
        { repo: 'acme/shared-config', branch: 'main' },
      ],
      invalid: [],
    });
  });

  it.each(['*', '*/*', 'acme/*', 'a/b/c', '..', 'acme/..', '/name', 'name@', 'x@a b', 'x y'])(
    'never matches the invalid entry %j',
    (value) => {
      expect(parseRestartLabel(value).follows).toEqual([]);
      expect(matchingEntries({ l: value }, 'l', 'acme/x', [moved('refs/heads/main')])).toEqual([]);
    },
  );

  it.each([
    ['web', 'acme/web', true],
    ['WEB', 'Acme/Web', true],
    ['acme/web', 'ACME/web', true],
    ['other/web', 'acme/web', false],
    ['web', 'acme/website', false],
    ['acme/web', 'acme/web2', false],
  ])('entry %j names %j: %s', (label, fullName, expected) => {
    expect(matchingEntries({ l: label }, 'l', fullName).length > 0).toBe(expected);
  });

  it('an @branch entry triggers only when that branch was created or moved', () => {
    const [entry] = parseRestartLabel('acme/web@release').follows;
    if (!entry) throw new Error('no entry');
    expect(entryTriggered(entry, 'acme/web', [moved('refs/heads/main')])).toBe(false);
    expect(entryTriggered(entry, 'acme/web', [moved('refs/tags/release')])).toBe(false);
    expect(entryTriggered(entry, 'acme/web', [moved('refs/heads/release')])).toBe(true);
    expect(entryTriggered(entry, 'acme/web', [moved('refs/heads/Release', 'forced')])).toBe(true);
    expect(entryTriggered(entry, 'acme/web', [moved('refs/heads/release', 'deleted')])).toBe(false);
  });

  it('a plain entry triggers on any moved ref, and never on nothing moved', () => {
    const [entry] = parseRestartLabel('web').follows;
    if (!entry) throw new Error('no entry');
    expect(entryTriggered(entry, 'acme/web', [moved('refs/tags/v1', 'created')])).toBe(true);
    expect(entryTriggered(entry, 'acme/web', [])).toBe(false);
  });

  it('only the label key configured counts', () => {
    expect(matchingEntries({ other: 'web' }, 'restart-after', 'acme/web')).toEqual([]);
  });

  it('the working copy follows the one branch named, else the default branch', () => {
    expect(checkoutBranch([{ repo: 'web' }], 'main')).toBe('main');
    expect(checkoutBranch([{ repo: 'web', branch: 'prod' }], 'main')).toBe('prod');
    expect(checkoutBranch([{ repo: 'web', branch: 'prod' }, { repo: 'web' }], 'main')).toBe('main');
    expect(checkoutBranch([{ repo: 'web' }], null)).toBeNull();
  });
});
