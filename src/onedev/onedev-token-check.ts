import { coerceError } from '../shared/errors.js';
import type { TokenReport } from './token-report.js';

export interface OneDevTarget {
  url: string;
  token: string;
  /** Where mirrors go (`github`), or '' for top-level projects. */
  rootProject: string;
}

interface Answer {
  status: number;
  text: string;
}

type Call = (method: 'GET' | 'POST', path: string, body?: unknown) => Promise<Answer>;

/** What the checks found, gathered as they run. */
interface Findings {
  can: string[];
  cannot: string[];
  unchecked: string[];
  how: string[];
}

const ROOT_RIGHT =
  'it needs "has owner permissions" on the token, and an owner who is an administrator or in a group allowed to create root projects';

/**
 * Asks OneDev what the token may do where Starbridge puts mirrors. Creating projects is tested
 * without creating anything: the check asks to create a project whose name is already taken at that
 * place, and OneDev checks the permission (403) before the name (500 "already used"),
 * docs/reference/onedev.md#create-checks. Only if that project vanished in between could the
 * request create one.
 */
export async function checkOneDevToken(
  target: OneDevTarget,
  fetchImpl: typeof fetch,
): Promise<TokenReport> {
  const call = caller(target, fetchImpl);
  try {
    const version = await call('GET', '/~api/version/server');
    if (version.status === 401) return rejected();
    const me = await call('GET', '/~api/users/me');
    if (me.status === 401) return rejected();
    const server = version.status === 200 ? `OneDev ${version.text.trim()}` : 'OneDev';
    const found: Findings = { can: [], cannot: [], unchecked: [], how: [] };
    found.how.push("read the server version and the token's user (/~api/users/me)");
    const limited = me.status === 403;
    const owner = me.status === 200 ? nameOf(me.text) : undefined;
    if (owner) found.can.push(`act as ${owner}, with its owner's permissions`);
    if (limited) {
      found.cannot.push(
        'act with its owner\'s permissions ("has owner permissions" is off): only in projects it was authorized for',
      );
    }
    await checkPlacement(call, target.rootProject, limited, found);
    const who = owner ? `the token of ${owner}` : 'the token';
    return {
      ok: !blocksMirroring(found),
      summary: `${server} accepts ${who}${limited ? ', without owner permissions' : ''}`,
      can: found.can,
      cannot: found.cannot,
      unchecked: found.unchecked,
      how: `Checked by: ${found.how.join('; ')}.`,
    };
  } catch (error) {
    return {
      ok: false,
      summary: `OneDev is unreachable: ${coerceError(error).message}`,
      can: [],
      cannot: [],
    };
  }
}

/** Mirrors cannot be created when the one right they need is missing. */
function blocksMirroring(found: Findings): boolean {
  return found.cannot.some((line) => line.startsWith('create '));
}

/** Can the token create projects where mirrors go: under the root project, or at the top? */
async function checkPlacement(
  call: Call,
  root: string,
  limited: boolean,
  found: Findings,
): Promise<void> {
  if (!root) {
    await checkRootCreation(
      call,
      'create root projects (each GitHub owner becomes one)',
      limited,
      found,
    );
    return;
  }
  const ids = await call(
    'GET',
    `/~api/projects/ids/${root.split('/').map(encodeURIComponent).join('/')}`,
  );
  found.how.push(`looked up '${root}'`);
  if (ids.status !== 200) {
    found.unchecked.push(`see '${root}': it does not exist yet, or the token may not see it`);
    await checkRootCreation(
      call,
      `create the project '${root}' that mirrors go under`,
      limited,
      found,
    );
    return;
  }
  found.can.push(`see '${root}'`);
  const child = await firstProject(call, `children of "${root}"`);
  const what = `create projects under '${root}'`;
  if (!child) {
    found.unchecked.push(
      `${what}: no project under it is visible to the token, and checking otherwise would create one`,
    );
    return;
  }
  const answer = await call('POST', '/~api/projects', createBody(child, Number(ids.text.trim())));
  found.how.push(`asked to create '${child}' under '${root}' again (a name already taken there)`);
  judge(
    answer,
    what,
    'it needs the Owner role (or "create child projects") on that project',
    found,
  );
}

async function checkRootCreation(
  call: Call,
  what: string,
  limited: boolean,
  found: Findings,
): Promise<void> {
  if (limited) {
    // docs/reference/onedev.md#token-permissions: such a token never has system permissions; no
    // call needed.
    found.cannot.push(`${what}: ${ROOT_RIGHT}`);
    return;
  }
  const existing = await firstProject(call, 'roots');
  if (!existing) {
    found.unchecked.push(
      `${what}: no top-level project is visible to test against without creating one`,
    );
    return;
  }
  const answer = await call('POST', '/~api/projects', createBody(existing));
  found.how.push(
    `asked to create the top-level project '${existing}' again (a name already taken)`,
  );
  judge(answer, what, ROOT_RIGHT, found);
}

/** 403: refused. 500 "already used": the permission passed and only the name stopped it. */
function judge(answer: Answer, what: string, need: string, found: Findings): void {
  if (answer.status === 403) found.cannot.push(`${what}: ${need}`);
  else if (answer.status === 500 && /already used/i.test(answer.text)) found.can.push(what);
  else if (answer.status === 200)
    found.can.push(
      `${what} (the project used for the check was created: it had just been removed)`,
    );
  else found.unchecked.push(`${what}: OneDev answered ${answer.status} ${excerpt(answer.text)}`);
}

async function firstProject(call: Call, query: string): Promise<string | undefined> {
  const answer = await call(
    'GET',
    `/~api/projects?query=${encodeURIComponent(query)}&offset=0&count=1`,
  );
  if (answer.status !== 200) return undefined;
  const list = safeJson(answer.text);
  const first = Array.isArray(list) ? (list[0] as { name?: unknown } | undefined) : undefined;
  return typeof first?.name === 'string' ? first.name : undefined;
}

function createBody(name: string, parentId?: number) {
  return {
    name,
    ...(parentId === undefined ? {} : { parentId }),
    gitPackConfig: {},
    codeAnalysisSetting: {},
  };
}

/**
 * One request with a timeout; never follows a redirect with the token
 * (docs/reference/bad-inputs.md#r07, #o17).
 */
function caller(target: OneDevTarget, fetchImpl: typeof fetch): Call {
  return async (method, path, body) => {
    const response = await fetchImpl(`${target.url}${path}`, {
      method,
      headers: {
        accept: 'application/json',
        authorization: `Bearer ${target.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      redirect: 'manual',
      signal: AbortSignal.timeout(10_000),
    });
    return { status: response.status, text: await response.text() };
  };
}

function rejected(): TokenReport {
  return {
    ok: false,
    summary: 'OneDev rejected the token (401): it is wrong, expired or its owner is disabled',
    can: [],
    cannot: ['mirror anything into OneDev'],
  };
}

function nameOf(text: string): string {
  return String((safeJson(text) as { name?: unknown } | undefined)?.name ?? 'unknown');
}

function excerpt(text: string): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  return clean.length > 120 ? `${clean.slice(0, 117)}...` : clean;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
