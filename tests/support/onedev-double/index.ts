import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LfsStore } from '../lfs-store.js';
import { Faults } from './faults.js';
import { type ProjectDataJson, toProjectData } from './project-data.js';
import { defaultBranch, listRefs } from './repo.js';
import { type ProjectSettingJson, settingOf } from './rest-settings.js';
import { addProjectPath } from './seed.js';
import { createRequestHandler } from './server.js';
import type { DoubleState } from './state.js';
import { ProjectStore } from './store.js';
import type {
  BranchProtectionRule,
  Project,
  RequestRecord,
  Role,
  TagProtectionRule,
  TokenSpec,
  UserSpec,
} from './types.js';

/**
 * A OneDev server double for tests, following docs/reference/onedev.md#the-test-double: REST under
 * `/~api`, git smart HTTP backed by real bare repositories, OneDev's auth rules, status codes and
 * text bodies, and switchable faults. Binds to 127.0.0.1 on a random port.
 */

export type { FaultOptions, FaultScope } from './faults.js';
export { Faults } from './faults.js';
export type { ProjectDataJson } from './project-data.js';
export type { ProjectSettingJson } from './rest-settings.js';
export type * from './types.js';

export interface OneDevDoubleOptions {
  tokens?: TokenSpec[];
  users?: UserSpec[];
  /**
   * Reported version and version modes (docs/reference/onedev.md#versions): < 12.0.10 has no
   * `/ids`, 12.0.0 has no `id`.
   */
  version?: string;
  /**
   * v11.6+ Basic forms `<token>:` and `:<token>` (docs/reference/onedev.md#authentication). Off by
   * default: `any:<token>` only.
   */
  tokenAsUserName?: boolean;
  /** Anonymous GETs allowed (docs/reference/onedev.md#anonymous-requests). */
  anonymousAccess?: boolean;
  /** OneDev's maximum LFS object size in bytes; 4096 MB, OneDev's default, unless given. */
  lfsMaxBytes?: number;
  /** Where the bare repositories go; a temporary directory (removed on close) by default. */
  dataDir?: string;
}

export interface OneDevDouble {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  readonly url: string;
  readonly dataDir: string;
  readonly faults: Faults;
  /** Every request, in arrival order. */
  readonly requests: RequestRecord[];
  /** Every `name` the client sent to POST /~api/projects, whatever the outcome. */
  readonly createdNames: string[];
  /** Names sent in creates and updates. */
  readonly sentNames: string[];
  /** Highest number of simultaneous git pack requests seen. */
  readonly maxConcurrentPacks: number;
  /** LFS objects the project holds (docs/reference/onedev.md#lfs). */
  lfs(path: string): LfsStore;
  /** Object ids uploaded over LFS, in arrival order. */
  readonly lfsUploads: string[];
  setLfsMaxBytes(bytes: number): void;
  setVersion(version: string): void;
  setAnonymousAccess(on: boolean): void;
  setTokenAsUserName(on: boolean): void;
  addUser(user: UserSpec): void;
  addToken(token: TokenSpec): void;
  /** Gives a user a role on a project (and so on its descendants). */
  grant(userName: string, path: string, role: Role): void;
  /** Creates missing projects along `path` without HTTP (not recorded); returns the leaf id. */
  addProject(path: string, options?: { owner?: string }): Promise<number>;
  /** ProjectData (with id) of the project at `path`, case-insensitive, or undefined. */
  projectByPath(path: string): ProjectDataJson | undefined;
  /** Absolute directory of the project's bare repository. */
  repoPath(path: string): string;
  /** `refname → object id` of every ref in the project's repository. */
  refs(path: string): Promise<Record<string, string>>;
  /** OneDev's notion of the default branch (null while HEAD is unborn). */
  defaultBranch(path: string): Promise<string | null>;
  /** Replaces the project's branch protections; omitted flags default to true, as for a new rule in OneDev. */
  setBranchProtection(path: string, rules: BranchProtectionRule | BranchProtectionRule[]): void;
  setTagProtection(path: string, rules: TagProtectionRule | TagProtectionRule[]): void;
  /** The project setting as `GET /~api/projects/{id}/setting` returns it. */
  setting(path: string): ProjectSettingJson;
  /**
   * Makes pushes to refs under `prefix` fail as an extra server-side pre-receive hook would (the
   * whole atomic push is refused, framed as OneDev frames its own refusals). OneDev on its own
   * accepts them (docs/reference/onedev.md#other-refs). No argument: accept everything again.
   */
  refuseRefsUnder(prefix?: string): void;
  /** Forgets recorded requests and names. */
  resetRecords(): void;
  close(): Promise<void>;
}

function addUserTo(state: DoubleState, user: UserSpec): void {
  state.users.set(user.name, { ...user });
}

function addTokenTo(state: DoubleState, token: TokenSpec): void {
  if (!state.users.has(token.owner)) addUserTo(state, { name: token.owner });
  state.tokens.set(token.value, { ...token });
}

function mustFind(state: DoubleState, path: string): Project {
  const project = state.store.byPath(path);
  if (!project) throw new Error(`OneDev double: no project at '${path}'`);
  return project;
}

export async function startOneDevDouble(options: OneDevDoubleOptions = {}): Promise<OneDevDouble> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'onedev-double-')));
  const state: DoubleState = {
    users: new Map(),
    tokens: new Map(),
    tokenAsUserName: options.tokenAsUserName ?? false,
    store: new ProjectStore(join(dataDir, 'repos')),
    faults: new Faults(),
    version: options.version ?? '16.5.6',
    anonymousAccess: options.anonymousAccess ?? false,
    baseUrl: '',
    refusedRefPrefixes: [],
    requests: [],
    createdNames: [],
    sentNames: [],
    activePacks: 0,
    maxActivePacks: 0,
    packWaiters: [],
    lfsMaxBytes: options.lfsMaxBytes ?? 4096 * 1024 * 1024,
    lfsUploads: [],
  };
  for (const user of options.users ?? []) addUserTo(state, user);
  for (const token of options.tokens ?? []) addTokenTo(state, token);

  const handler = createRequestHandler(state);
  const server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  state.baseUrl = `http://127.0.0.1:${port}`;

  return {
    url: state.baseUrl,
    dataDir,
    faults: state.faults,
    requests: state.requests,
    createdNames: state.createdNames,
    sentNames: state.sentNames,
    get maxConcurrentPacks() {
      return state.maxActivePacks;
    },
    lfs: (path) => new LfsStore(state.store.repoDir(mustFind(state, path).id)),
    lfsUploads: state.lfsUploads,
    setLfsMaxBytes: (bytes) => {
      state.lfsMaxBytes = bytes;
    },
    setVersion: (version) => {
      state.version = version;
    },
    setAnonymousAccess: (on) => {
      state.anonymousAccess = on;
    },
    setTokenAsUserName: (on) => {
      state.tokenAsUserName = on;
    },
    addUser: (user) => addUserTo(state, user),
    addToken: (token) => addTokenTo(state, token),
    grant: (userName, path, role) => state.store.grant(mustFind(state, path).id, userName, role),
    addProject: (path, opts) => addProjectPath(state.store, path, opts?.owner),
    projectByPath: (path) => {
      const project = state.store.byPath(path);
      return project && toProjectData(state.store, project, true);
    },
    repoPath: (path) => state.store.repoDir(mustFind(state, path).id),
    refs: (path) => listRefs(state.store.repoDir(mustFind(state, path).id)),
    defaultBranch: (path) => defaultBranch(state.store.repoDir(mustFind(state, path).id)),
    setBranchProtection: (path, rules) => {
      mustFind(state, path).branchProtections = [rules].flat().map((r) => ({
        ...r,
        preventCreation: r.preventCreation ?? true,
        preventDeletion: r.preventDeletion ?? true,
        preventForcedPush: r.preventForcedPush ?? true,
      }));
    },
    setTagProtection: (path, rules) => {
      mustFind(state, path).tagProtections = [rules].flat().map((r) => ({
        ...r,
        preventCreation: r.preventCreation ?? true,
        preventDeletion: r.preventDeletion ?? true,
        preventUpdate: r.preventUpdate ?? true,
      }));
    },
    setting: (path) => settingOf(mustFind(state, path)),
    refuseRefsUnder: (prefix) => {
      state.refusedRefPrefixes = prefix ? [prefix] : [];
    },
    resetRecords: () => {
      state.requests.length = 0;
      state.createdNames.length = 0;
      state.sentNames.length = 0;
      state.lfsUploads.length = 0;
    },
    close: async () => {
      state.faults.clear();
      for (const wake of state.packWaiters.splice(0)) wake();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (ownDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
