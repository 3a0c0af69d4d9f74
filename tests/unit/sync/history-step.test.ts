import { describe, expect, it } from 'vitest';
import { historyRefName, planHistory, refTime } from '../../../src/sync/history-step.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);
const AT = new Date('2026-12-07T18:57:07.123Z');

describe('history step', () => {
  it('names kept tips by ref and UTC time, as valid ref names', () => {
    expect(refTime(AT)).toBe('20261207T185707Z');
    expect(historyRefName('refs/heads/feature/x', AT)).toBe(
      'refs/starbridge/history/heads/feature/x/20261207T185707Z',
    );
    expect(historyRefName('refs/tags/v1', AT)).toBe(
      'refs/starbridge/history/tags/v1/20261207T185707Z',
    );
  });

  it.each([
    ['a fast-forward', { 'refs/heads/main': A }, { 'refs/heads/main': B }, true, []],
    ['a new ref', {}, { 'refs/heads/main': B }, false, []],
    ['an unchanged ref', { 'refs/tags/v1': A }, { 'refs/tags/v1': A }, false, []],
    [
      'a force push',
      { 'refs/heads/main': A },
      { 'refs/heads/main': B },
      false,
      [['refs/heads/main', 'force-push', B]],
    ],
    ['a deleted branch', { 'refs/heads/x': A }, {}, false, [['refs/heads/x', 'deleted', null]]],
    ['a deleted tag', { 'refs/tags/v1': A }, {}, false, [['refs/tags/v1', 'deleted', null]]],
    // A tag that moves is kept even when the new commit contains the old one.
    [
      'a moved tag',
      { 'refs/tags/v1': A },
      { 'refs/tags/v1': C },
      true,
      [['refs/tags/v1', 'tag-moved', C]],
    ],
  ] as const)('%s', async (_name, before, after, ancestor, expected) => {
    const plan = await planHistory(before, after, async () => ancestor, AT);
    expect(plan.map((s) => [s.ref, s.reason, s.newSha])).toEqual(expected);
    for (const s of plan) {
      expect(s.oldSha).toBe(A);
      expect(s.keptRef).toBe(historyRefName(s.ref, AT));
      expect(s).toMatchObject({ location: 'ref', bundlePath: null });
    }
  });
});
