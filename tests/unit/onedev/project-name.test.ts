import { describe, expect, it } from 'vitest';
import { isValidOneDevName, toOneDevName } from '../../../src/onedev/project-name.js';

describe('toOneDevName', () => {
  it.each([
    ['hello-world', 'hello-world'],
    ['.github', '_.github'],
    ['-foo', '_-foo'],
    ['_private', '__private'],
    ['dotfiles.git', 'dotfiles.git_'],
    ['x.git_', 'x.git__'],
    ['Repo.GIT', 'Repo.GIT_'],
    ['.x.git', '_.x.git_'],
  ])('%s → %s', (github, onedev) => {
    expect(toOneDevName(github)).toBe(onedev);
    expect(isValidOneDevName(toOneDevName(github))).toBe(true);
  });

  it('never maps two GitHub names to one OneDev name (case-insensitively)', () => {
    const alphabet = ['a', '.', '-', '_', 'git', '.git', '_'];
    const names = new Set<string>();
    for (const a of alphabet)
      for (const b of alphabet) for (const c of alphabet) names.add(a + b + c);
    const seen = new Map<string, string>();
    for (const name of names) {
      if (name === '.' || name === '..') continue;
      const mapped = toOneDevName(name).toLowerCase();
      const previous = seen.get(mapped);
      if (previous !== undefined) expect(previous.toLowerCase()).toBe(name.toLowerCase());
      seen.set(mapped, name);
      expect(isValidOneDevName(toOneDevName(name))).toBe(true);
    }
  });
});
