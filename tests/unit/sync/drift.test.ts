import { describe, expect, it } from 'vitest';
import { describeDrift, findDrift } from '../../../src/sync/drift.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

describe('findDrift', () => {
  it('is empty when OneDev holds exactly what was pushed', () => {
    expect(findDrift({ 'refs/heads/main': A }, { 'refs/heads/main': A })).toEqual([]);
  });

  it('names each ref added, moved or deleted in OneDev, expected → found, in name order', () => {
    const pushed = { 'refs/heads/main': A, 'refs/tags/v1': A, 'refs/heads/old': A };
    const onedev = { 'refs/heads/main': A, 'refs/tags/v1': B, 'refs/heads/stray': B };
    const drift = findDrift(pushed, onedev);
    expect(drift).toEqual([
      { ref: 'refs/heads/old', kind: 'deleted', expected: A, found: null },
      { ref: 'refs/heads/stray', kind: 'added', expected: null, found: B },
      { ref: 'refs/tags/v1', kind: 'moved', expected: A, found: B },
    ]);
    expect(describeDrift(drift, 2)).toBe(
      'refs/heads/old deleted, refs/heads/stray added and 1 more',
    );
  });
});
