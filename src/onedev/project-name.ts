/**
 * OneDev's project name rule (docs/reference/onedev.md#project-name-rule). Its REST layer does not
 * enforce it (docs/reference/onedev.md#name-rule-not-enforced), so Starbridge must never send a
 * name that fails it.
 */
export const ONEDEV_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/**
 * Maps a GitHub repository name to a valid OneDev project name, deterministically and
 * without collisions between two GitHub names of one owner:
 * - a name starting with `.`, `-` or `_` gets a `_` prefix (`.github` → `_.github`,
 *   `_x` → `__x`), so a single leading `_` before `.`/`-` can only come from escaping;
 * - a name ending in `.git` followed by any underscores gets one more `_` (`a.git` →
 *   `a.git_`), because OneDev would read `a.git` as the project `a`
 *   (docs/reference/onedev.md#project-name-rule).
 * Every other GitHub name is already valid and maps to itself.
 */
export function toOneDevName(githubName: string): string {
  let name = githubName;
  if (/^[._-]/.test(name)) name = `_${name}`;
  if (/\.git_*$/i.test(name)) name = `${name}_`;
  return name;
}

export function isValidOneDevName(name: string): boolean {
  return ONEDEV_NAME.test(name) && !/\.git$/i.test(name);
}
