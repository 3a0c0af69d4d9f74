import { describe, expect, it } from 'vitest';
import {
  cloneUrl,
  fullNameKey,
  parseFullName,
  repoNameProblem,
} from '../../../src/github/repo-name.js';

describe('GitHub repository names', () => {
  it('accepts real names, including ones starting with . or -', () => {
    expect(parseFullName('octocat/Hello-World')).toEqual({ owner: 'octocat', name: 'Hello-World' });
    expect(parseFullName('octocat/.github')).toEqual({ owner: 'octocat', name: '.github' });
    expect(parseFullName('alice/-foo')).toEqual({ owner: 'alice', name: '-foo' });
    expect(parseFullName('alice/foo.git')).toEqual({ owner: 'alice', name: 'foo' });
    expect(fullNameKey({ owner: 'OctoCat', name: 'Hello' })).toBe('octocat/hello');
  });

  it.each([
    ['../../x', 'traversal'],
    ['a/-oProxyCommand=x y', 'option smuggling with a space'],
    ['-u/foo', 'owner starting with -'],
    ['a/b/c', 'three parts'],
    ['a/..', 'dot-dot'],
    ['a/.', 'dot'],
    ['a/b\nc', 'newline'],
    ['a/b\u0000', 'NUL'],
    ['a/%2e%2e', 'percent-encoding'],
    ['a/b\\c', 'backslash'],
    [`a/${'x'.repeat(101)}`, 'too long'],
    ['a--b/c', 'double hyphen owner'],
    ['a/héllo', 'non-ASCII'],
  ])('refuses %j (%s)', (input) => {
    expect(() => parseFullName(input)).toThrow(/not|must/);
  });

  it('builds clone URLs only from validated parts', () => {
    expect(cloneUrl('https://github.com', { owner: 'alice', name: '-foo' })).toBe(
      'https://github.com/alice/-foo.git',
    );
    expect(() => cloneUrl('https://github.com', { owner: '--upload-pack=x', name: 'y' })).toThrow();
    expect(repoNameProblem('ok', 'fine')).toBeUndefined();
  });
});
