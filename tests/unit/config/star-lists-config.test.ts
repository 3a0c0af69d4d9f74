import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';

const env = (lists: string) => ({ GITHUB_TOKEN: 'ghp_x', GITHUB_STAR_LISTS: lists });

describe('GITHUB_STAR_LISTS', () => {
  it('is off by default: every star is mirrored', () => {
    expect(loadConfig({}).github.starLists).toEqual([]);
    expect(loadConfig(env('  ')).github.starLists).toEqual([]);
  });

  it('takes lists in order, each with an optional OneDev parent after "="', () => {
    expect(
      loadConfig(env('tools, Work Stuff = work-mirrors ,x=team/sub.dir')).github,
    ).toMatchObject({
      starLists: [
        { list: 'tools' },
        { list: 'Work Stuff', parent: 'work-mirrors' },
        { list: 'x', parent: 'team/sub.dir' },
      ],
    });
  });

  it.each([
    ['tools,,work', /an empty entry/],
    ['tools,Tools', /the list "Tools" is named twice/],
    ['=parent', /names no list before "="/],
    ['a=b=c', /more than one "="/],
    ['work=', /"" \(the parent of list "work"\) is not a OneDev project path/],
    ['work=../up', /"\.\.\/up" \(the parent of list "work"\) is not a OneDev project path/],
    ['work=a//b', /is not a OneDev project path/],
  ])('refuses %j, saying why', (value, message) => {
    expect(() => loadConfig(env(value))).toThrow(message);
  });

  it('needs a token: lists are read through GraphQL', () => {
    expect(() => loadConfig({ GITHUB_STARS_USER: 'alice', GITHUB_STAR_LISTS: 'tools' })).toThrow(
      /GITHUB_STAR_LISTS: needs GITHUB_TOKEN/,
    );
  });
});
