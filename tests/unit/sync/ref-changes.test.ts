import { describe, expect, it } from 'vitest';
import type { RefMap } from '../../../src/git/git.port.js';
import { refChanges, sameRefs } from '../../../src/sync/ref-changes.js';
import type { RefChange } from '../../../src/sync/run.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);
const main = 'refs/heads/main';
const dev = 'refs/heads/dev';
const tag = 'refs/tags/v1';

describe('sameRefs', () => {
  const rows: Array<[string, RefMap, RefMap, boolean]> = [
    ['two empty maps', {}, {}, true],
    ['the same refs at the same commits', { [main]: A, [tag]: B }, { [tag]: B, [main]: A }, true],
    ['a ref at another commit', { [main]: A }, { [main]: B }, false],
    ['a ref only on the left', { [main]: A, [dev]: B }, { [main]: A }, false],
    ['a ref only on the right', { [main]: A }, { [main]: A, [dev]: B }, false],
    ['as many refs, different names', { [main]: A }, { [dev]: A }, false],
    ['empty against one ref', {}, { [main]: A }, false],
  ];
  it.each(rows)('%s', (_, a, b, expected) => {
    expect(sameRefs(a, b)).toBe(expected);
    expect(sameRefs(b, a)).toBe(expected);
  });
});

describe('refChanges', () => {
  /** B descends from A; C does not descend from B (a force push from B to C). */
  const ancestry = new Set([`${A}>${B}`, `${A}>${C}`]);
  const isAncestor = async (old: string, next: string) => ancestry.has(`${old}>${next}`);

  const rows: Array<[string, RefMap, RefMap, RefChange[]]> = [
    ['nothing before or after', {}, {}, []],
    ['nothing moved', { [main]: A }, { [main]: A }, []],
    ['a new branch', {}, { [main]: A }, [{ ref: main, kind: 'created', old: null, new: A }]],
    ['a deleted tag', { [tag]: A }, {}, [{ ref: tag, kind: 'deleted', old: A, new: null }]],
    [
      'a fast-forward',
      { [main]: A },
      { [main]: B },
      [{ ref: main, kind: 'updated', old: A, new: B }],
    ],
    [
      'a rewritten history',
      { [main]: B },
      { [main]: C },
      [{ ref: main, kind: 'forced', old: B, new: C }],
    ],
    [
      'several at once, sorted by ref',
      { [tag]: A, [main]: A, [dev]: C },
      { [main]: B, [dev]: C, 'refs/heads/new': A },
      [
        { ref: main, kind: 'updated', old: A, new: B },
        { ref: 'refs/heads/new', kind: 'created', old: null, new: A },
        { ref: tag, kind: 'deleted', old: A, new: null },
      ],
    ],
  ];
  it.each(rows)('%s', async (_, before, after, expected) => {
    expect(await refChanges(before, after, isAncestor)).toEqual(expected);
  });

  it('asks about ancestry only for refs that moved', async () => {
    const asked: string[] = [];
    await refChanges({ [main]: A, [dev]: A, [tag]: A }, { [main]: B, [dev]: A }, async (o, n) => {
      asked.push(`${o}>${n}`);
      return true;
    });
    expect(asked).toEqual([`${A}>${B}`]);
  });
});
