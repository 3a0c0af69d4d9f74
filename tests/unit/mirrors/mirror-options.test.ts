import { describe, expect, it } from 'vitest';
import {
  MIRROR_OPTIONS,
  type MirrorOptions,
  switchOn,
} from '../../../src/mirrors/mirror-options.js';
import { ValidationError } from '../../../src/shared/errors.js';

const set = (value: unknown) => ({ value, updatedBy: 'dashboard (ada)', updatedAt: 'now' });

describe('on/off mirror options', () => {
  it.each(['lfs', 'wiki'] as const)(
    '%s takes booleans from the API and on/off from a form',
    (key) => {
      const { parse } = MIRROR_OPTIONS[key];
      expect([true, false, 'on', 'off', ' ON ', 'true', 'false'].map((v) => parse(v))).toEqual([
        true,
        false,
        true,
        false,
        true,
        true,
        false,
      ]);
    },
  );

  it('refuses anything else, naming the option and the global setting', () => {
    expect(() => MIRROR_OPTIONS.lfs.parse('maybe')).toThrow(ValidationError);
    expect(() => MIRROR_OPTIONS.lfs.parse(1)).toThrow(
      'LFS mirroring must be on or off (true or false); leave it empty to use MIRROR_LFS',
    );
    expect(() => MIRROR_OPTIONS.wiki.parse('yes')).toThrow(/wiki mirroring .* MIRROR_WIKIS/);
  });

  it("the mirror's own value wins; absent, the global setting applies", () => {
    const options: MirrorOptions = { lfs: set(true), wiki: set(false) };
    expect(switchOn(options, 'lfs', false)).toBe(true);
    expect(switchOn(options, 'wiki', true)).toBe(false);
    expect(switchOn({}, 'lfs', true)).toBe(true);
    expect(switchOn({}, 'wiki', false)).toBe(false);
  });
});
