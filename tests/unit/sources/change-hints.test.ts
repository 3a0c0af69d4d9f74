import { describe, expect, it } from 'vitest';
import type { PushedPage, PushedRepo } from '../../../src/github/pushes.api.js';
import { createBudget } from '../../../src/sources/change-hints/budget.js';
import { pushedSince } from '../../../src/sources/change-hints/detector.js';
import {
  type BatchTarget,
  buildQueries,
  readAnswer,
} from '../../../src/sources/change-hints/graphql-batch.js';
import {
  pastStop,
  stopPoint,
  walkPushedStars,
} from '../../../src/sources/change-hints/stars-walk.js';

const star = (id: number, pushedAt: string | null): PushedRepo => ({
  githubId: id,
  nodeId: null,
  owner: 'o',
  name: `r${id}`,
  pushedAt,
});

function clockAt(start: number) {
  let now = start;
  return { now: () => new Date(now), advance: (ms: number) => (now += ms) };
}

/** Pages of stars, newest push first, as GitHub would send them; records what was asked. */
function pages(list: PushedRepo[][], etag = '"e2"') {
  const asked: Array<{ url?: string; etag?: string }> = [];
  const fetchPage = async (o: { url?: string; etag?: string }): Promise<PushedPage> => {
    asked.push(o);
    if (!o.url && o.etag === etag) return { notModified: true };
    const index = o.url ? Number(o.url) : 0;
    const next = index + 1 < list.length ? String(index + 1) : undefined;
    return { notModified: false, items: list[index] ?? [], etag, next };
  };
  return { fetchPage, asked };
}

describe('the star walk', () => {
  const T = (minute: number) => new Date(Date.UTC(2026, 0, 1, 12, minute)).toISOString();

  it('stops at the high-water mark minus the overlap, or at the floor on the first walk', () => {
    expect(stopPoint({ mark: T(30) }, T(0), 10 * 60_000)).toBe(Date.parse(T(20)));
    expect(stopPoint({}, T(5), 60_000)).toBe(Date.parse(T(4)));
    expect(stopPoint({}, undefined, 60_000)).toBeUndefined();
    expect(pastStop(star(1, T(19)), Date.parse(T(20)))).toBe(true);
    expect(pastStop(star(1, T(20)), Date.parse(T(20)))).toBe(false);
    expect(pastStop(star(1, null), undefined)).toBe(true);
  });

  it('walks pages until a star is older than the stop point, and raises the mark', async () => {
    const { fetchPage, asked } = pages([
      [star(1, T(50)), star(2, T(45))],
      [star(3, T(40)), star(4, T(10))],
      [star(5, T(5))],
    ]);
    const budget = createBudget(10, clockAt(0));
    const result = await walkPushedStars(
      fetchPage,
      budget,
      { etag: '"e1"', mark: T(30) },
      Date.parse(T(20)),
    );
    expect(result.items.map((s) => s.githubId)).toEqual([1, 2, 3]);
    expect(result.complete).toBe(true);
    expect(result.next).toEqual({ etag: '"e2"', mark: T(50) });
    expect(asked).toEqual([{ etag: '"e1"' }, { url: '1' }]);
    expect(budget.spentTotal().rest).toBe(2);
  });

  it('costs nothing on a 304, and ends incomplete when the budget runs out', async () => {
    const { fetchPage } = pages([[star(1, T(50))], [star(2, T(45))]]);
    const budget = createBudget(1, clockAt(0));
    const same = await walkPushedStars(fetchPage, budget, { etag: '"e2"', mark: T(1) }, 0);
    expect(same.notModified).toBe(true);
    expect(budget.spentTotal().rest).toBe(0);
    const cut = await walkPushedStars(fetchPage, budget, { etag: '"old"', mark: T(1) }, 0);
    expect(cut.complete).toBe(false);
    expect(cut.items.map((s) => s.githubId)).toEqual([1]);
    expect(cut.next).toEqual({ etag: '"old"', mark: T(1) });
  });

  it('says a mirror changed only when GitHub’s pushed_at is later than the last seen', () => {
    expect(pushedSince(T(2), T(1))).toBe(true);
    expect(pushedSince(T(1), T(1))).toBe(false);
    expect(pushedSince(T(1), null)).toBe(true);
    expect(pushedSince(null, T(1))).toBe(false);
  });
});

describe('GraphQL batches', () => {
  const targets = (n: number, withIds: boolean): BatchTarget[] =>
    Array.from({ length: n }, (_, i) => ({
      githubId: i + 1,
      owner: 'o',
      name: `r${i + 1}`,
      nodeId: withIds ? `R_${i + 1}` : null,
    }));

  it('puts 100 ids in a nodes field and several fields in one query', () => {
    const queries = buildQueries(targets(1_050, true), 5);
    expect(queries).toHaveLength(3);
    expect(queries.map((q) => q.slots.length)).toEqual([5, 5, 1]);
    expect(queries[0]!.variables.n0).toHaveLength(100);
    expect(queries[2]!.slots[0]!.targets).toHaveLength(50);
    expect(queries[0]!.query).toContain('n4: nodes(ids: $n4)');
    expect(queries[0]!.query).toContain('rateLimit { cost remaining resetAt }');
  });

  it('asks by name when no id is known, and reads found, missing and left-out repositories', () => {
    const [query] = buildQueries(
      [...targets(2, true), ...targets(3, false).map((t) => ({ ...t, githubId: t.githubId + 10 }))],
      5,
    );
    expect(query!.query).toContain('r1_2: repository(owner: "o", name: "r3")');
    const outcomes = readAnswer(query!, {
      data: {
        n0: [{ id: 'R_1', pushedAt: 'p1' }, null],
        r1_0: { id: 'R_11', pushedAt: null },
        r1_1: null,
        r1_2: null,
      },
      errors: [
        { type: 'NOT_FOUND', message: 'gone', path: ['n0', 1] },
        { type: 'NOT_FOUND', message: 'gone', path: ['r1_1'] },
        { type: 'FORBIDDEN', message: 'no', path: ['r1_2'] },
      ],
      rateLimit: null,
    });
    expect(outcomes).toEqual([
      { githubId: 1, found: true, nodeId: 'R_1', pushedAt: 'p1' },
      { githubId: 2, found: false },
      { githubId: 11, found: true, nodeId: 'R_11', pushedAt: null },
      { githubId: 12, found: false },
    ]);
  });
});

describe('the budget', () => {
  it('refuses past the hour’s points and refills over the hour', () => {
    const clock = clockAt(0);
    const budget = createBudget(4, clock);
    expect(budget.take(3, 'rest')).toBe(true);
    budget.settle(1, 2, 'graphql'); // a query cost one more than guessed
    expect(budget.available()).toBe(0);
    expect(budget.take(1, 'rest')).toBe(false);
    clock.advance(15 * 60_000);
    expect(budget.take(1, 'rest')).toBe(true);
    expect(budget.spentLastHour()).toBe(5);
    clock.advance(60 * 60_000);
    expect(budget.spentLastHour()).toBe(0);
    expect(budget.available()).toBe(4);
    expect(budget.spentTotal()).toEqual({ rest: 4, graphql: 1 });
  });
});
