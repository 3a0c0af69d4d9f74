import { describe, expect, it } from 'vitest';
import {
  cloneUrl,
  fullNameKey,
  parseFullName,
  repoNameProblem,
  repositoryFromInput,
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

describe('repositoryFromInput', () => {
  const base = 'https://github.com';
  it.each([
    ['https://github.com/octocat/Hello-World', 'octocat/Hello-World'],
    ['https://github.com/octocat/Hello-World.git', 'octocat/Hello-World.git'],
    ['  https://github.com/octocat/hello/  ', 'octocat/hello'],
    ['octocat/hello', 'octocat/hello'],
  ])('reduces %j on the configured GitHub to %j', (input, expected) => {
    expect(repositoryFromInput(input, base)).toBe(expected);
  });

  it.each([
    'https://evil.example/octocat/hello',
    'https://github.com.evil.example/octocat/hello',
    'http://github.com/octocat/hello',
    'https://user:pass@github.com/octocat/hello',
    'https://github.com/octocat/hello?x=1',
    'https://github.com/octocat/hello#readme',
    'https://github.com/octocat/hello/tree/main',
    'file:///etc/passwd',
  ])('leaves %j as typed, for the owner/name rules to refuse', (input) => {
    expect(repositoryFromInput(input, base)).toBe(input.trim());
    expect(() => parseFullName(input)).toThrow();
  });

  it('follows a GitHub Enterprise base with a path', () => {
    expect(repositoryFromInput('https://ghe.example/git/acme/app', 'https://ghe.example/git')).toBe(
      'acme/app',
    );
    expect(repositoryFromInput('https://github.com/acme/app', undefined)).toBe(
      'https://github.com/acme/app',
    );
  });
});
