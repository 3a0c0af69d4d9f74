import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ListRecord } from './graphql-lists.js';
import {
  type AddRepoOptions,
  isoSeconds,
  type RepoPatch,
  type RepoRecord,
  type Star,
  type UserRecord,
} from './types.js';

export * from './types.js';

/**
 * The double's world: users, repositories (each backed by a real bare repo on disk) and stars.
 * Everything is synchronous so tests can set up state with plain calls before hitting the server.
 */

const key = (s: string) => s.toLowerCase();

export class GitHubState {
  readonly users = new Map<string, UserRecord>();
  readonly repos = new Map<number, RepoRecord>();
  /** Lower-cased old `owner/name` → repo id, for GitHub's rename/transfer redirects. */
  readonly moved = new Map<string, number>();
  readonly stars = new Map<string, Star[]>();
  /** Lower-cased login → the user's Star Lists (`graphql-lists.ts`). */
  readonly lists = new Map<string, ListRecord[]>();
  private nextRepoId = 100_001;
  private nextUserId = 5_001;
  private seq = 0;

  constructor(readonly reposDir: string) {}

  user(login: string, type: UserRecord['type'] = 'User'): UserRecord {
    let u = this.users.get(key(login));
    if (!u) {
      u = { login, id: this.nextUserId++, type };
      this.users.set(key(login), u);
    }
    return u;
  }

  repoPath(owner: string, name: string): string {
    return join(this.reposDir, owner, `${name}.git`);
  }

  addRepo(opts: AddRepoOptions): RepoRecord {
    if (this.find(opts.owner, opts.name)) throw new Error(`${opts.owner}/${opts.name} exists`);
    const id = opts.id ?? this.freshRepoId();
    if (this.repos.has(id)) throw new Error(`repo id ${id} already used`);
    this.user(opts.owner, opts.ownerType);
    const defaultBranch = opts.defaultBranch ?? 'main';
    const path = this.repoPath(opts.owner, opts.name);
    mkdirSync(dirname(path), { recursive: true });
    // --initial-branch makes HEAD point at the default branch, as on GitHub, even while empty.
    execFileSync('git', ['init', '--bare', '--quiet', `--initial-branch=${defaultBranch}`, path]);
    const now = isoSeconds();
    const rec: RepoRecord = {
      id,
      owner: opts.owner,
      name: opts.name,
      fullName: `${opts.owner}/${opts.name}`,
      private: opts.private ?? false,
      defaultBranch,
      description: opts.description ?? null,
      fork: opts.fork ?? opts.parent !== undefined,
      parent: opts.parent,
      archived: opts.archived ?? false,
      disabled: opts.disabled ?? false,
      createdAt: now,
      updatedAt: now,
      path,
      hasWiki: opts.hasWiki ?? true,
      ...(opts.wiki ? { wikiPath: createWiki(path) } : {}),
    };
    this.repos.set(id, rec);
    // A new repo with a moved repo's old name takes over that name, and the redirect breaks.
    this.moved.delete(key(rec.fullName));
    return rec;
  }

  /** A live repository by `owner/name`, case-insensitively (no redirects). */
  find(owner: string, name: string): RepoRecord | undefined {
    const k = key(`${owner}/${name}`);
    for (const r of this.repos.values()) if (key(r.fullName) === k) return r;
    return undefined;
  }

  /** Like `find`, but also follows old names: `{ repo, moved: true }` means "answer 301". */
  resolve(owner: string, name: string): { repo: RepoRecord; moved: boolean } | undefined {
    const live = this.find(owner, name);
    if (live) return { repo: live, moved: false };
    const id = this.moved.get(key(`${owner}/${name}`));
    const repo = id === undefined ? undefined : this.repos.get(id);
    return repo ? { repo, moved: true } : undefined;
  }

  get(fullName: string): RepoRecord {
    const [owner = '', name = ''] = fullName.split('/');
    const r = this.find(owner, name);
    if (!r) throw new Error(`no repository ${fullName}`);
    return r;
  }

  /** Rename (`'new-name'`) or transfer (`'new-owner/new-name'`); moves the bare repo on disk. */
  rename(fullName: string, to: string): RepoRecord {
    const r = this.get(fullName);
    const [owner, name] = to.includes('/') ? to.split('/') : [r.owner, to];
    if (!owner || !name) throw new Error(`bad new name ${to}`);
    const existing = this.find(owner, name);
    if (existing && existing !== r) throw new Error(`${owner}/${name} exists`);
    this.moved.set(key(r.fullName), r.id);
    this.user(owner);
    const path = this.repoPath(owner, name);
    if (path !== r.path) {
      mkdirSync(dirname(path), { recursive: true });
      renameSync(r.path, path);
      if (r.wikiPath) renameSync(r.wikiPath, wikiPathOf(path));
    }
    const wikiPath = r.wikiPath ? wikiPathOf(path) : undefined;
    Object.assign(r, {
      owner,
      name,
      fullName: `${owner}/${name}`,
      path,
      wikiPath,
      updatedAt: isoSeconds(),
    });
    this.moved.delete(key(r.fullName));
    return r;
  }

  /** A first wiki page is saved: `<name>.wiki.git` appears (and `has_wiki` is on). */
  addWiki(fullName: string): RepoRecord {
    const r = this.get(fullName);
    r.hasWiki = true;
    r.wikiPath ??= createWiki(r.path);
    return r;
  }

  update(fullName: string, patch: RepoPatch): RepoRecord {
    const r = this.get(fullName);
    if (patch.defaultBranch && patch.defaultBranch !== r.defaultBranch) {
      execFileSync('git', ['symbolic-ref', 'HEAD', `refs/heads/${patch.defaultBranch}`], {
        cwd: r.path,
      });
    }
    Object.assign(r, patch, { updatedAt: isoSeconds() });
    return r;
  }

  deleteRepo(fullName: string): void {
    const r = this.get(fullName);
    this.repos.delete(r.id);
    for (const [k, id] of this.moved) if (id === r.id) this.moved.delete(k);
    for (const list of this.stars.values()) {
      const i = list.findIndex((s) => s.repoId === r.id);
      if (i >= 0) list.splice(i, 1);
    }
    rmSync(r.path, { recursive: true, force: true });
    if (r.wikiPath) rmSync(r.wikiPath, { recursive: true, force: true });
  }

  /** Starring twice keeps the first `starred_at`, as GitHub's idempotent PUT does. */
  star(login: string, fullName: string, starredAt?: Date | string): Star {
    const r = this.get(fullName);
    this.user(login);
    const list = this.stars.get(key(login)) ?? [];
    this.stars.set(key(login), list);
    const existing = list.find((s) => s.repoId === r.id);
    if (existing) return existing;
    const star = { repoId: r.id, starredAt: isoSeconds(starredAt), seq: this.seq++ };
    list.push(star);
    return star;
  }

  unstar(login: string, fullName: string): boolean {
    const r = this.get(fullName);
    const list = this.stars.get(key(login)) ?? [];
    const i = list.findIndex((s) => s.repoId === r.id);
    if (i >= 0) list.splice(i, 1);
    return i >= 0;
  }

  starsOf(login: string): Array<Star & { repo: RepoRecord }> {
    const out: Array<Star & { repo: RepoRecord }> = [];
    for (const s of this.stars.get(key(login)) ?? []) {
      const repo = this.repos.get(s.repoId);
      if (repo) out.push({ ...s, repo });
    }
    return out;
  }

  private freshRepoId(): number {
    while (this.repos.has(this.nextRepoId)) this.nextRepoId++;
    return this.nextRepoId++;
  }
}

/** `<owner>/<name>.git` → `<owner>/<name>.wiki.git`, where GitHub keeps a repository's wiki. */
function wikiPathOf(repoPath: string): string {
  return repoPath.replace(/\.git$/, '.wiki.git');
}

/**
 * A wiki as GitHub makes it when its first page is saved: a bare repository whose one
 * branch, `master`, holds `Home.md`.
 */
function createWiki(repoPath: string): string {
  const wiki = wikiPathOf(repoPath);
  execFileSync('git', ['init', '--bare', '--quiet', '--initial-branch=master', wiki]);
  const env = {
    ...process.env,
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'GitHub Wiki',
    GIT_AUTHOR_EMAIL: 'wiki@github.invalid',
    GIT_COMMITTER_NAME: 'GitHub Wiki',
    GIT_COMMITTER_EMAIL: 'wiki@github.invalid',
  };
  const run = (args: string[], input?: string) =>
    execFileSync('git', args, { cwd: wiki, env, input, encoding: 'utf8' }).trim();
  const blob = run(['hash-object', '-w', '--stdin'], '# Home\n\nWelcome to the wiki.\n');
  const tree = run(['mktree'], `100644 blob ${blob}\tHome.md\n`);
  const commit = run(['commit-tree', tree, '-m', 'Initial Home page']);
  run(['update-ref', 'refs/heads/master', commit]);
  return wiki;
}
