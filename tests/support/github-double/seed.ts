import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RepoBuilder } from '../git-repos.js';
import type { GitHubDouble } from './index.js';
import type { RepoRecord } from './types.js';

/**
 * Many repositories with real content, quickly: one template commit is made with git,
 * then its objects and a `main` ref are copied into each new bare repository (spawning
 * git per repository would dominate tests with hundreds of them). `commits` commits on
 * `main` (one by default) and, with `tag`, an annotated tag on its tip.
 */
export async function seedRepos(
  github: GitHubDouble,
  owner: string,
  names: string[],
  options: { private?: boolean; commits?: number; tag?: string } = {},
): Promise<RepoRecord[]> {
  const template = github.addRepo({
    owner: '__template',
    name: `t${Date.now()}${Math.random().toString(36).slice(2, 6)}`,
  });
  const builder = new RepoBuilder(template.path);
  let sha = '';
  for (let i = 0; i < (options.commits ?? 1); i++) sha = await builder.commit('main');
  if (options.tag) await builder.tag(options.tag, 'main', { annotated: true });
  const out: RepoRecord[] = [];
  for (const name of names) {
    const repo = github.addRepo({ owner, name, private: options.private });
    cpSync(join(template.path, 'objects'), join(repo.path, 'objects'), { recursive: true });
    mkdirSync(join(repo.path, 'refs', 'heads'), { recursive: true });
    writeFileSync(join(repo.path, 'refs', 'heads', 'main'), `${sha}\n`);
    if (options.tag) {
      cpSync(join(template.path, 'refs', 'tags'), join(repo.path, 'refs', 'tags'), {
        recursive: true,
      });
    }
    out.push(repo);
  }
  github.deleteRepo(template.fullName);
  return out;
}

/** A new commit on `main` of a seeded repository (the upstream moved). */
export async function pushCommit(repo: RepoRecord, branch = 'main'): Promise<string> {
  const builder = new RepoBuilder(repo.path);
  // Distinct content per call so two repositories never get the same new commit.
  return builder.commit(branch, { files: { 'change.txt': `${repo.fullName} ${Math.random()}\n` } });
}
