import { createHmac, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type { WebhookDefinition } from '@octokit/webhooks-examples';

/**
 * Real webhook bodies from `@octokit/webhooks-examples` (captured from github.com), so tests
 * exercise the shapes GitHub actually sends instead of hand-written guesses.
 *
 * The 4.3 MB JSON is loaded with `createRequire` rather than a JSON import: a JSON import would
 * make `tsc` infer a type for the whole file, which is slow and less precise than the package's
 * own `index.d.ts` (typed through `@octokit/webhooks-types`).
 */
const definitions = createRequire(import.meta.url)(
  '@octokit/webhooks-examples',
) as WebhookDefinition[];

export type WebhookEventName = WebhookDefinition['name'];
export type WebhookPayload<E extends WebhookEventName> = WebhookDefinition<E>['examples'][number];
/** The `action` values a given event's payload type allows (`never` for push, ping, …). */
export type WebhookAction<E extends WebhookEventName> =
  WebhookPayload<E> extends infer P
    ? P extends { action: infer A extends string }
      ? A
      : never
    : never;

/** Every real example of an event (deep copies), optionally filtered by action. */
export function webhookExamples<E extends WebhookEventName>(
  event: E,
  action?: string,
): WebhookPayload<E>[] {
  const def = definitions.find((d) => d.name === event);
  if (!def) throw new Error(`@octokit/webhooks-examples has no "${event}" event`);
  const all = def.examples as unknown as WebhookPayload<E>[];
  const matching =
    action === undefined ? all : all.filter((p) => (p as { action?: string }).action === action);
  return matching.map((p) => structuredClone(p));
}

/**
 * The first real example of `event` (with `action`, matching `predicate`), as a deep copy so a
 * test can mutate it freely. Throws when none exists: the package lacks e.g. `repository.archived`
 * and a `forced: true` push, which tests must then synthesize from a neighbouring example.
 */
export function webhookExample<E extends WebhookEventName>(
  event: E,
  action?: undefined,
  predicate?: (payload: WebhookPayload<E>) => boolean,
): WebhookPayload<E>;
export function webhookExample<E extends WebhookEventName, A extends WebhookAction<E> & string>(
  event: E,
  action: A,
  predicate?: (payload: Extract<WebhookPayload<E>, { action: A }>) => boolean,
): Extract<WebhookPayload<E>, { action: A }>;
export function webhookExample(
  event: WebhookEventName,
  action?: string,
  predicate?: (payload: never) => boolean,
): unknown {
  const found = webhookExamples(event, action).find(
    (p) => !predicate || (predicate as (p: unknown) => boolean)(p),
  );
  if (!found) {
    throw new Error(`no "${event}${action ? `.${action}` : ''}" example matches`);
  }
  return found;
}

export interface RepositoryIdentity {
  id: number;
  owner: string;
  name: string;
  defaultBranch?: string;
  private?: boolean;
  ownerId?: number;
  ownerType?: 'User' | 'Organization';
  /** Replaces `https://github.com` in URLs, e.g. a GitHub double's url. */
  webUrl?: string;
  /** Replaces `https://api.github.com` in URLs. */
  apiUrl?: string;
}

type WithRepo = { repository?: unknown };

/**
 * Points a real example at another repository while keeping its exact shape (push payloads keep
 * their epoch-integer timestamps, `master_branch`, and so on). Identity fields of `repository`
 * are replaced, and every string in the payload that mentions the old `owner/name` (html_url,
 * clone_url, ssh_url, compare, commit URLs…) is rewritten so the payload stays self-consistent.
 * `sender` is left alone: in watch/star it is the starrer, not the repository owner.
 */
export function withRepository<T extends WithRepo>(payload: T, to: RepositoryIdentity): T {
  const repo = payload.repository as Record<string, unknown> | undefined;
  if (!repo || typeof repo !== 'object') throw new Error('payload has no repository');
  const owner = repo.owner as Record<string, unknown>;
  const oldOwner = String(owner.login);
  const oldFull = String(repo.full_name);
  const newFull = `${to.owner}/${to.name}`;

  const rewrite = (s: string): string => {
    let out = s.split(oldFull).join(newFull);
    if (to.webUrl) out = out.split('https://github.com').join(to.webUrl.replace(/\/$/, ''));
    if (to.apiUrl) out = out.split('https://api.github.com').join(to.apiUrl.replace(/\/$/, ''));
    return out;
  };
  const copy = mapStrings(structuredClone(payload), rewrite) as T;
  const r = copy.repository as Record<string, unknown>;
  const o = r.owner as Record<string, unknown>;

  r.id = to.id;
  r.node_id = Buffer.from(`010:Repository${to.id}`).toString('base64');
  r.name = to.name;
  r.full_name = newFull;
  if (to.private !== undefined) {
    r.private = to.private;
    if ('visibility' in r) r.visibility = to.private ? 'private' : 'public';
  }
  if (to.defaultBranch !== undefined) {
    r.default_branch = to.defaultBranch;
    if ('master_branch' in r) r.master_branch = to.defaultBranch;
  }
  // The owner's own URLs (`/users/Codertocat/...`) only contain the login, not `owner/name`.
  const ownerRewritten = mapStrings(o, (s) =>
    s.replace(new RegExp(`(/)${escapeRegExp(oldOwner)}(?=$|[/{?])`, 'g'), `$1${to.owner}`),
  ) as Record<string, unknown>;
  Object.assign(o, ownerRewritten, { login: to.owner });
  if (o.name === oldOwner) o.name = to.owner;
  if (to.ownerId !== undefined) o.id = to.ownerId;
  if (to.ownerType !== undefined) o.type = to.ownerType;
  if (to.ownerId !== undefined || to.ownerType !== undefined) {
    o.node_id = Buffer.from(
      o.type === 'Organization' ? `012:Organization${o.id}` : `04:User${o.id}`,
    ).toString('base64');
  }
  return copy;
}

function mapStrings(value: unknown, fn: (s: string) => string): unknown {
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, fn));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = mapStrings(v, fn);
    return out;
  }
  return value;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `sha256=<hex>`: HMAC-SHA256 of the raw body, exactly what GitHub puts in X-Hub-Signature-256. */
export function signWebhook(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/** Stable default hook id: deduplication keys on (hook id, delivery id), so keep it constant. */
export const DEFAULT_HOOK_ID = '424242';

export interface WebhookRequestOptions {
  event: string;
  /** Serialized with JSON.stringify; pass `body` instead to control the exact bytes. */
  payload?: unknown;
  body?: string;
  secret: string;
  /** X-GitHub-Delivery; GitHub keeps it on redelivery, so pass the same one to simulate that. */
  deliveryId?: string;
  hookId?: string | number;
}

export interface WebhookRequest {
  body: string;
  headers: Record<string, string>;
  deliveryId: string;
}

/** A delivery as GitHub would POST it: raw body plus signed headers. */
export function webhookRequest(opts: WebhookRequestOptions): WebhookRequest {
  const body = opts.body ?? JSON.stringify(opts.payload);
  if (body === undefined) throw new Error('webhookRequest needs payload or body');
  const deliveryId = opts.deliveryId ?? randomUUID();
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'GitHub-Hookshot/test',
    'x-github-event': opts.event,
    'x-github-delivery': deliveryId,
    'x-github-hook-id': String(opts.hookId ?? DEFAULT_HOOK_ID),
    'x-hub-signature-256': signWebhook(opts.secret, body),
  };
  const parsed = opts.payload ?? safeParse(body);
  const target = targetOf(parsed);
  if (target) {
    headers['x-github-hook-installation-target-type'] = target.type;
    headers['x-github-hook-installation-target-id'] = target.id;
  }
  return { body, headers, deliveryId };
}

/** POSTs a delivery to `url` (e.g. the service's webhook endpoint). */
export function sendWebhook(url: string, opts: WebhookRequestOptions): Promise<Response> {
  const { body, headers } = webhookRequest(opts);
  return fetch(url, { method: 'POST', body, headers });
}

function safeParse(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/**
 * Where GitHub says the hook lives. For an App (`integration`) the id is the App id, which most
 * payloads do not carry, so those headers are left out rather than invented.
 */
function targetOf(payload: unknown): { type: string; id: string } | undefined {
  if (!payload || typeof payload !== 'object') return undefined;
  const p = payload as Record<string, { id?: unknown; app_id?: unknown } | undefined>;
  if (p.installation) {
    const appId = p.installation.app_id;
    return appId === undefined ? undefined : { type: 'integration', id: String(appId) };
  }
  if (p.repository?.id !== undefined) return { type: 'repository', id: String(p.repository.id) };
  if (p.organization?.id !== undefined)
    return { type: 'organization', id: String(p.organization.id) };
  return undefined;
}
