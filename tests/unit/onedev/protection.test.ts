import { describe, expect, it } from 'vitest';
import { guardRules, withGuard } from '../../../src/onedev/protection.js';

/**
 * The guard's rules in a project setting (docs/reference/onedev.md#protection-rules): first,
 * once, next to a person's rules; everything else in the setting is sent back as it came.
 */

const ours = guardRules('starbridge');
const personal = { enabled: true, branches: 'release', userMatch: 'user(alice)' };
const personalTag = { enabled: true, tags: 'v*', userMatch: 'anyone' };

describe('withGuard', () => {
  it('puts both rules first in an empty setting and keeps the other parts untouched', () => {
    const setting = { branchProtections: [], tagProtections: [], webHooks: [{ postUrl: 'x' }] };
    const { setting: next, changed } = withGuard(setting, 'starbridge');
    expect(changed).toBe(true);
    expect(next.branchProtections).toEqual([ours.branch]);
    expect(next.tagProtections).toEqual([ours.tag]);
    expect(next.webHooks).toEqual([{ postUrl: 'x' }]);
    expect(ours.branch).toMatchObject({
      branches: '**',
      userMatch: 'anyone except user(starbridge)',
      reviewRequirement: 'user(starbridge)',
      preventCreation: true,
      preventDeletion: true,
      preventForcedPush: true,
    });
  });

  it("keeps a person's rules after ours, in their order", () => {
    const setting = { branchProtections: [personal], tagProtections: [personalTag] };
    const { setting: next } = withGuard(setting, 'starbridge');
    expect(next.branchProtections).toEqual([ours.branch, personal]);
    expect(next.tagProtections).toEqual([ours.tag, personalTag]);
  });

  it('changes nothing when the rules are in place (OneDev answers every field of a rule)', () => {
    const full = {
      ...ours.branch,
      jobNames: [],
      fileProtections: [],
      commitSignatureRequired: false,
    };
    const setting = { branchProtections: [full, personal], tagProtections: [ours.tag] };
    expect(withGuard(setting, 'starbridge')).toEqual({ setting, changed: false });
  });

  it('moves its rule back to the front and repairs it, never adding a second one', () => {
    const weakened = { ...ours.branch, preventForcedPush: false };
    const setting = {
      branchProtections: [personal, weakened],
      tagProtections: [personalTag, ours.tag],
    };
    const { setting: next, changed } = withGuard(setting, 'starbridge');
    expect(changed).toBe(true);
    expect(next.branchProtections).toEqual([ours.branch, personal]);
    expect(next.tagProtections).toEqual([ours.tag, personalTag]);
  });

  it("escapes OneDev's user-match characters in the login", () => {
    expect(guardRules('a(b)\\c').branch.userMatch).toBe('anyone except user(a\\(b\\)\\\\c)');
  });
});
