import { describe, expect, it } from 'vitest';
import type { ListedRepo } from '../../../src/github/stars.api.js';
import {
  describePlan,
  type KnownMirror,
  planReconcile,
} from '../../../src/sources/reconcile.plan.js';

const listed = (id: number, name = `r${id}`, patch: Partial<ListedRepo> = {}): ListedRepo => ({
  githubId: id,
  owner: 'o',
  name,
  private: false,
  defaultBranch: 'main',
  archived: false,
  starredAt: null,
  ...patch,
});
const known = (id: number, patch: Partial<KnownMirror> = {}): [number, KnownMirror] => [
  id,
  { githubId: id, fullName: `o/r${id}`, held: true, released: false, archived: false, ...patch },
];

describe('planReconcile', () => {
  it('adds the new, keeps the held, unstars what a complete listing lacks', () => {
    const plan = planReconcile([listed(1), listed(2)], new Map([known(2), known(3)]), {
      complete: true,
    });
    expect(describePlan(plan)).toEqual({
      toAdd: [{ githubId: 1, fullName: 'o/r1' }],
      deferred: [],
      toUnstar: [{ githubId: 3, fullName: 'o/r3' }],
      renamed: [],
      unchanged: 1,
      removalsConsidered: true,
    });
  });

  it.each([
    ['partial', [listed(2)], false],
    ['empty', [], true],
  ])('never unstars from a %s listing', (_kind, items, complete) => {
    const plan = planReconcile(items, new Map([known(2), known(3)]), { complete });
    expect(plan.toUnstar).toEqual([]);
    expect(plan.removalsConsidered).toBe(false);
  });

  it('caps new mirrors per run; re-stars of existing mirrors are not capped', () => {
    const plan = planReconcile(
      [listed(1), listed(2), listed(3), listed(4)],
      new Map([known(4, { held: false })]),
      { complete: true, maxNew: 2 },
    );
    expect(plan.toAdd.map((r) => r.githubId)).toEqual([1, 2, 4]);
    expect(plan.deferred.map((r) => r.githubId)).toEqual([3]);
  });

  it('sees renames, archiving and re-stars of released mirrors', () => {
    const plan = planReconcile(
      [listed(1, 'new-name', { archived: true }), listed(2)],
      new Map([known(1), known(2, { released: true })]),
      { complete: true },
    );
    expect(plan.renamed).toEqual([
      { repo: expect.objectContaining({ githubId: 1 }), from: 'o/r1' },
    ]);
    expect(plan.archivedChanged.map((r) => r.githubId)).toEqual([1]);
    expect(plan.toAdd.map((r) => r.githubId)).toEqual([2]);
    expect(plan.toUnstar).toEqual([]);
  });

  it('ignores a repository listed twice (the list shifted between pages)', () => {
    const plan = planReconcile([listed(1), listed(1)], new Map(), { complete: true });
    expect(plan.toAdd).toHaveLength(1);
  });

  it('regroups a mirror whose Star List (or parent) changed, only when lists choose', () => {
    const tools = { list: 'tools', parent: null };
    const work = { list: 'work', parent: 'work-mirrors' };
    const items = [
      { ...listed(1), group: work },
      { ...listed(2), group: tools },
      { ...listed(3), group: tools },
    ];
    const mirrors = new Map([
      known(1, { list: 'tools', parent: null }),
      known(2, { list: 'tools', parent: null }),
      known(3),
    ]);
    const plan = planReconcile(items, mirrors, { complete: true, groups: true });
    expect(plan.regrouped.map((r) => [r.repo.githubId, r.group])).toEqual([
      [1, work],
      [3, tools],
    ]);
    expect(planReconcile(items, mirrors, { complete: true }).regrouped).toEqual([]);
    // Lists no longer choose: a mirror of a list goes back to the root.
    const plain = planReconcile([listed(2)], mirrors, { complete: true, groups: true });
    expect(plain.regrouped.map((r) => r.group)).toEqual([{ list: null, parent: null }]);
  });

  it('releases from an empty but whole listing only when told it is whole (every chosen list empty)', () => {
    const mirrors = new Map([known(2)]);
    expect(planReconcile([], mirrors, { complete: true }).toUnstar).toEqual([]);
    const whole = planReconcile([], mirrors, { complete: true, emptyIsWhole: true });
    expect(whole.toUnstar.map((m) => m.githubId)).toEqual([2]);
    expect(planReconcile([], mirrors, { complete: false, emptyIsWhole: true }).toUnstar).toEqual(
      [],
    );
  });
});
