import { ValidationError } from '../shared/errors.js';

/** A GitHub repository named by validated parts. */
export interface RepoName {
  owner: string;
  name: string;
}

// GitHub's rules (docs/reference/github.md#name-rules): owners are alphanumeric with single inner
// hyphens, up to 39 characters; repository names are [A-Za-z0-9._-], up to 100.
const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const NAME = /^[A-Za-z0-9._-]{1,100}$/;

/** Why a name is refused, or undefined when it is a valid GitHub owner/name. */
export function repoNameProblem(owner: string, name: string): string | undefined {
  if (!OWNER.test(owner)) return `"${printable(owner)}" is not a valid GitHub owner`;
  if (!NAME.test(name) || name === '.' || name === '..') {
    return `"${printable(name)}" is not a valid GitHub repository name`;
  }
  if (/\.git$/i.test(name)) return `"${printable(name)}" must not end in .git`;
  return undefined;
}

/** Parses `owner/name` (a trailing `.git` is tolerated and removed). */
export function parseFullName(fullName: string): RepoName {
  const parts = fullName
    .trim()
    .replace(/\.git$/i, '')
    .split('/');
  if (parts.length !== 2) {
    throw new ValidationError(
      `"${printable(fullName)}" is not owner/name (for example octocat/hello-world)`,
    );
  }
  const [owner, name] = parts as [string, string];
  const problem = repoNameProblem(owner, name);
  if (problem) throw new ValidationError(problem);
  return { owner, name };
}

export function fullNameOf(repo: RepoName): string {
  return `${repo.owner}/${repo.name}`;
}

/** The key under which names compare: GitHub names are case-insensitive. */
export function fullNameKey(repo: RepoName): string {
  return fullNameOf(repo).toLowerCase();
}

/**
 * What an operator typed to add a repository, as `owner/name`: a page address on the
 * configured GitHub (`https://github.com/owner/name`, `.git` or a trailing slash allowed) is
 * reduced to its owner and name, and only those are used — the clone URL is still built
 * from the configured base (docs/reference/bad-inputs.md#r06). Anything else is returned
 * as typed, for the owner/name rules (and their refusal of other URLs) to judge.
 */
export function repositoryFromInput(input: string, githubWebUrl: string | undefined): string {
  const text = input.trim();
  if (!githubWebUrl || !/^https?:\/\//i.test(text)) return text;
  let url: URL;
  let base: URL;
  try {
    url = new URL(text);
    base = new URL(githubWebUrl);
  } catch {
    return text;
  }
  const basePath = base.pathname.replace(/\/+$/, '');
  const clean = url.username === '' && url.password === '' && !url.search && !url.hash;
  if (!clean || url.origin !== base.origin || !url.pathname.startsWith(`${basePath}/`)) {
    return text;
  }
  const rest = url.pathname.slice(basePath.length + 1).replace(/\/$/, '');
  return rest.split('/').length === 2 ? rest : text;
}

/** The clone URL, built only from a configured base and validated parts. */
export function cloneUrl(gitBaseUrl: string, repo: RepoName): string {
  const problem = repoNameProblem(repo.owner, repo.name);
  if (problem) throw new ValidationError(problem);
  return `${gitBaseUrl}/${repo.owner}/${repo.name}.git`;
}

/** Control characters and very long input are not echoed back verbatim. */
function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is replaced
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > 120 ? `${clean.slice(0, 117)}...` : clean;
}
