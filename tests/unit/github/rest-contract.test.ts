import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { REST_READS, type RestRead, repoItem } from '../../../src/github/rest-shapes.js';
import { GITHUB_API_VERSION } from '../../../src/github/transport.js';
import {
  answerSchema,
  type Description,
  fieldPaths,
  fieldSchema,
  itemsOf,
  loadDescription,
  missingFields,
  versionsIn,
} from '../../support/github-openapi.js';

/** The described schema a read applies to: the answer, or one item of a list answer. */
function describedFor(description: Description, read: RestRead) {
  const answer = answerSchema(description, read.path, read.method, read.mediaType);
  if (!answer) return undefined;
  return read.list ? itemsOf(description, answer) : answer;
}

describe(`GitHub REST contract at API version ${GITHUB_API_VERSION}`, () => {
  let pinned: Description;
  let base: Description;
  beforeAll(() => {
    pinned = loadDescription(GITHUB_API_VERSION);
    base = loadDescription('0000-00-00');
  });

  it('pins a version the published description knows', () => {
    expect(versionsIn(pinned)).toContain(GITHUB_API_VERSION);
  });

  it.each(REST_READS.map((read) => [`${read.method.toUpperCase()} ${read.path}`, read] as const))(
    '%s still has every field Starbridge reads',
    (_name, read) => {
      const described = describedFor(pinned, read);
      expect(described, `${read.path} answers ${read.mediaType}`).toBeDefined();
      if (!described) return;
      expect(missingFields(pinned, read.schema, described)).toEqual([]);
      if (read.itemsIn) {
        const list = fieldSchema(pinned, described, read.itemsIn.field);
        const items = list && itemsOf(pinned, list);
        expect(items, `${read.path} lists ${read.itemsIn.field}`).toBeDefined();
        expect(missingFields(pinned, read.itemsIn.schema, items ?? {})).toEqual([]);
      }
    },
  );

  it('covers the repository fields a mirror is made from', () => {
    const repository = REST_READS.find((read) => read.path === '/repos/{owner}/{repo}');
    expect(fieldPaths(repository?.schema ?? z.object({}))).toEqual(
      expect.arrayContaining([
        'id',
        'name',
        'owner.login',
        'private',
        'default_branch',
        'archived',
      ]),
    );
  });

  it('finds a field the pinned version removed (the check is not vacuous)', () => {
    const readsRemoved = repoItem.extend({ master_branch: z.string(), has_downloads: z.boolean() });
    const read: RestRead = {
      method: 'get',
      path: '/user/starred',
      mediaType: 'application/vnd.github.v3.star+json',
      schema: z.object({ repo: readsRemoved }),
      list: true,
    };
    const inBase = describedFor(base, read);
    const inPinned = describedFor(pinned, read);
    expect(missingFields(base, read.schema, inBase ?? {})).toEqual([]);
    expect(missingFields(pinned, read.schema, inPinned ?? {})).toEqual([
      'repo.master_branch',
      'repo.has_downloads',
    ]);
  });
});
