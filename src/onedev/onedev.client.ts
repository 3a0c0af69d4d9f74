import { ValidationError } from '../shared/errors.js';
import type { OneDevApi, OneDevProject, OneDevProjectEditor, ProjectData } from './onedev.port.js';
import { looksLikeHtml, onedevNotJsonError } from './onedev-errors.js';
import {
  type Answer,
  createOneDevTransport,
  type OneDevClientOptions,
} from './onedev-transport.js';
import { isValidOneDevName } from './project-name.js';

export type { OneDevClientOptions } from './onedev-transport.js';

/** The OneDev REST client: the sync's port, the project editor and the version probe. */
export interface OneDevClient extends OneDevApi, OneDevProjectEditor {
  version(): Promise<string>;
}

/**
 * OneDev's REST API (docs/reference/onedev.md). Its quirks are handled here: no create-by-path, a
 * duplicate name answered as HTTP 500, text/plain errors, a default branch set with a
 * JSON-string body, and no name validation on the server (so we validate).
 */
export function createOneDevClient(options: OneDevClientOptions): OneDevClient {
  const { base, call, failure, json } = createOneDevTransport(options);
  /**
   * Creates under one parent run one at a time: OneDev's duplicate check races
   * (docs/reference/onedev.md#create-race).
   */
  const parentLocks = new Map<string, Promise<unknown>>();

  async function findProject(path: string, signal?: AbortSignal): Promise<number | undefined> {
    const what = `looking up project ${path}`;
    const answer = await call(
      'GET',
      `/~api/projects/ids/${path.split('/').map(encodeURIComponent).join('/')}`,
      what,
      undefined,
      signal,
    );
    if (answer.status === 200) return parseId(answer, what);
    if (answer.status === 404 && /^Project not found/i.test(answer.text)) return undefined;
    // OneDev before 12.0.10 has no /ids endpoint (Jersey's plain-text 404): fall back to the
    // query API. A 404 web page is not OneDev's REST API at all.
    if (answer.status === 404 && !looksLikeHtml(answer.contentType, answer.text)) {
      return queryProjectByPath(path, signal);
    }
    throw failure(answer, what);
  }

  async function queryProjectByPath(
    path: string,
    signal?: AbortSignal,
  ): Promise<number | undefined> {
    const what = `querying project ${path}`;
    const query = encodeURIComponent(`"Path" is "${path.replace(/["\\]/g, '\\$&')}"`);
    const answer = await call(
      'GET',
      `/~api/projects?query=${query}&offset=0&count=1`,
      what,
      undefined,
      signal,
    );
    if (answer.status !== 200) throw failure(answer, what);
    const projects = json<Array<{ id?: number; path?: string }>>(answer, what);
    if (!Array.isArray(projects)) {
      throw onedevNotJsonError(answer.status, answer.contentType, answer.text, what);
    }
    const match = projects.find((p) => p.path?.toLowerCase() === path.toLowerCase());
    if (match && typeof match.id !== 'number') {
      throw new ValidationError(
        `OneDev ${path} exists but this OneDev version does not report project ids; upgrade OneDev to 12.0.1 or newer`,
      );
    }
    return match?.id;
  }

  async function createProject(
    name: string,
    parentId: number | null,
    parentPath: string,
    fields: { description?: string; codeManagement: boolean; issueManagement: boolean },
    signal?: AbortSignal,
  ): Promise<number> {
    const path = parentPath ? `${parentPath}/${name}` : name;
    if (!isValidOneDevName(name)) {
      throw new ValidationError(
        `"${name}" is not a valid OneDev project name; nothing was sent to OneDev`,
      );
    }
    const what = `creating project ${path}`;
    let answer: Answer;
    try {
      answer = await call(
        'POST',
        '/~api/projects',
        what,
        {
          name,
          parentId,
          description: fields.description ?? null,
          codeManagement: fields.codeManagement,
          issueManagement: fields.issueManagement,
          gitPackConfig: {},
          codeAnalysisSetting: {},
        },
        signal,
      );
    } catch (error) {
      // A dropped connection or timeout may have created it anyway
      // (docs/reference/bad-inputs.md#o13): look again.
      const existing = await findProject(path, signal).catch(() => undefined);
      if (existing !== undefined) return existing;
      throw error;
    }
    if (answer.status === 200) return parseId(answer, what);
    // A duplicate name comes back as HTTP 500 (docs/reference/bad-inputs.md#o03), and a 409 from a
    // proxy or a later version means the same (docs/reference/bad-inputs.md#o04); any unclear 5xx
    // may also have created it. Resolve again.
    if (answer.status >= 500 || answer.status === 409) {
      const existing = await findProject(path, signal);
      if (existing !== undefined) return existing;
    }
    throw failure(answer, what);
  }

  function underParentLock<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = parentLocks.get(key) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(work);
    parentLocks.set(key, next);
    return next.finally(() => {
      if (parentLocks.get(key) === next) parentLocks.delete(key);
    });
  }

  async function ensureProject(
    path: string,
    opts: {
      description: string;
      codeManagement?: boolean;
      retryLookup?: <T>(lookup: () => Promise<T>) => Promise<T>;
    },
    signal?: AbortSignal,
  ) {
    const look = (at: string) =>
      opts.retryLookup ? opts.retryLookup(() => findProject(at, signal)) : findProject(at, signal);
    const segments = path.split('/').filter(Boolean);
    const existing = await look(segments.join('/'));
    if (existing !== undefined) return { id: existing, path: segments.join('/'), created: false };
    let parentId: number | null = null;
    let parentPath = '';
    let created = false;
    for (const [index, segment] of segments.entries()) {
      const leaf = index === segments.length - 1;
      const current = parentPath ? `${parentPath}/${segment}` : segment;
      const found: number | undefined = leaf ? undefined : await look(current);
      const id: number =
        found ??
        (await underParentLock(parentPath, async () => {
          const again = await look(current);
          if (again !== undefined) return again;
          created = leaf;
          return createProject(
            segment,
            parentId,
            parentPath,
            {
              description: leaf ? opts.description : undefined,
              // Intermediate levels only group mirrors, as OneDev's own importer makes them.
              codeManagement: leaf && opts.codeManagement !== false,
              issueManagement: false,
            },
            signal,
          );
        }));
      parentId = id;
      parentPath = current;
    }
    return { id: parentId as number, path: parentPath, created } satisfies OneDevProject & {
      created: boolean;
    };
  }

  async function getDefaultBranch(
    projectId: number,
    signal?: AbortSignal,
  ): Promise<string | undefined> {
    const what = `reading the default branch of project ${projectId}`;
    const answer = await call(
      'GET',
      `/~api/repositories/${projectId}/default-branch`,
      what,
      undefined,
      signal,
    );
    if (answer.status === 204) return undefined;
    if (answer.status === 200) return answer.text.trim().replace(/^"(.*)"$/, '$1') || undefined;
    throw failure(answer, what);
  }

  async function setDefaultBranch(
    projectId: number,
    branch: string,
    signal?: AbortSignal,
  ): Promise<void> {
    const what = `setting the default branch of project ${projectId} to ${branch}`;
    // The body is a JSON string literal, quotes included (docs/reference/onedev.md#default-branch).
    const answer = await call(
      'POST',
      `/~api/repositories/${projectId}/default-branch`,
      what,
      branch,
      signal,
    );
    if (answer.status !== 200 && answer.status !== 204) throw failure(answer, what);
  }

  async function deleteProject(projectId: number, signal?: AbortSignal): Promise<void> {
    const what = `deleting project ${projectId}`;
    const answer = await call('DELETE', `/~api/projects/${projectId}`, what, undefined, signal);
    if (answer.status !== 200 && answer.status !== 204 && answer.status !== 404)
      throw failure(answer, what);
  }

  async function getProject(projectId: number, signal?: AbortSignal): Promise<ProjectData> {
    const what = `reading project ${projectId}`;
    const answer = await call('GET', `/~api/projects/${projectId}`, what, undefined, signal);
    if (answer.status !== 200) throw failure(answer, what);
    return json<ProjectData>(answer, what);
  }

  /**
   * Full replacement (docs/reference/onedev.md#full-replacement-update): every writable field is
   * overwritten, so send back what was read.
   */
  async function updateProject(projectId: number, data: ProjectData, signal?: AbortSignal) {
    if (!isValidOneDevName(data.name)) {
      throw new ValidationError(`"${data.name}" is not a valid OneDev project name`);
    }
    const what = `updating project ${projectId}`;
    const answer = await call('POST', `/~api/projects/${projectId}`, what, data, signal);
    if (answer.status !== 200 && answer.status !== 204) throw failure(answer, what);
  }

  async function version(): Promise<string> {
    const answer = await call('GET', '/~api/version/server', 'reading the server version');
    if (answer.status !== 200) throw failure(answer, 'reading the server version');
    return answer.text.trim();
  }

  return {
    ensureProject,
    findProject,
    getDefaultBranch,
    setDefaultBranch,
    deleteProject,
    getProject,
    updateProject,
    version,
    gitUrl: (path) => `${base}/${path}.git`,
    gitAuthorization: () => `Bearer ${options.token}`,
  };
}

/** OneDev answers a project id as a bare number. */
function parseId(answer: Answer, what: string): number {
  const id = Number(answer.text.trim());
  if (!Number.isInteger(id) || id <= 0) {
    throw onedevNotJsonError(answer.status, answer.contentType, answer.text, what);
  }
  return id;
}
