/** One entry of GITHUB_STAR_LISTS: a list (name or slug) and, optionally, its OneDev parent. */
export interface StarListChoice {
  /** As written: matched against a list's slug or name, case-insensitively. */
  list: string;
  /** A path below ONEDEV_ROOT_PROJECT (`work-mirrors`, `team/tools`); undefined = the root. */
  parent?: string;
}

const ONEDEV_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const VARIABLE = 'GITHUB_STAR_LISTS';

/**
 * GITHUB_STAR_LISTS: comma-separated entries, each `list` or `list=parent`. A list is named by
 * its name or slug as GitHub shows it; the parent is a OneDev path below the root project
 * (segments separated by `/`). Returns the choices in order (the first list that holds a
 * repository wins) and every problem found, each naming the variable.
 */
export function parseStarLists(raw: string | undefined): {
  choices: StarListChoice[];
  problems: string[];
} {
  const choices: StarListChoice[] = [];
  const problems: string[] = [];
  if (!raw?.trim()) return { choices, problems };
  const seen = new Set<string>();
  for (const entry of raw.split(',')) {
    const text = entry.trim();
    if (!text) {
      problems.push(`${VARIABLE}: an empty entry (two commas in a row, or a trailing comma)`);
      continue;
    }
    const [list = '', parent, ...extra] = text.split('=').map((s) => s.trim());
    if (extra.length > 0) {
      problems.push(`${VARIABLE}: "${text}" has more than one "="; write list=parent`);
      continue;
    }
    if (!list) {
      problems.push(`${VARIABLE}: "${text}" names no list before "="`);
      continue;
    }
    if (seen.has(list.toLowerCase())) {
      problems.push(`${VARIABLE}: the list "${list}" is named twice`);
      continue;
    }
    seen.add(list.toLowerCase());
    if (parent === undefined) {
      choices.push({ list });
      continue;
    }
    const segments = parent.split('/');
    if (!parent || segments.some((s) => !ONEDEV_NAME.test(s))) {
      problems.push(
        `${VARIABLE}: "${parent}" (the parent of list "${list}") is not a OneDev project path: names of letters, digits, _ . - (not starting with . or -), separated by /`,
      );
      continue;
    }
    choices.push({ list, parent });
  }
  return { choices, problems };
}
