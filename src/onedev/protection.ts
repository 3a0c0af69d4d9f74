import { UpstreamError } from '../shared/upstream-error.js';
import { createOneDevTransport, type OneDevClientOptions } from './onedev-transport.js';

/**
 * The mirror guard's side of OneDev: the token's login and a project's setting, read whole
 * and written back whole (docs/reference/onedev.md#project-setting), and the rule that lets
 * only that login change branches and tags (docs/reference/onedev.md#protection-rules).
 */

/** A project's setting as OneDev answers it; only the protections are looked at. */
export type ProjectSetting = Record<string, unknown> & {
  branchProtections?: Array<Record<string, unknown>>;
  tagProtections?: Array<Record<string, unknown>>;
};

export interface OneDevProtectionApi {
  /** The login the token acts as (`GET /~api/users/me`). */
  currentLogin(signal?: AbortSignal): Promise<string>;
  readSetting(projectId: number, signal?: AbortSignal): Promise<ProjectSetting>;
  writeSetting(projectId: number, setting: ProjectSetting, signal?: AbortSignal): Promise<void>;
}

/** OneDev refused to show or change a project's setting: the token may not manage it. */
export class GuardForbiddenError extends UpstreamError {
  constructor(what: string, excerpt: string) {
    super(
      'onedev_guard_forbidden',
      `OneDev refused ${what} (403 ${excerpt}); grant the token's user the Owner (manage) role on the mirror projects, or set ONEDEV_GUARD=off`,
      { retryable: false },
    );
  }
}

export function createOneDevProtectionApi(options: OneDevClientOptions): OneDevProtectionApi {
  const { call, failure, json } = createOneDevTransport(options);
  const refuse = (answer: { status: number; text: string }, what: string) =>
    answer.status === 403
      ? new GuardForbiddenError(what, answer.text.trim().slice(0, 120))
      : failure({ contentType: 'text/plain', retryAfter: null, ...answer }, what);

  return {
    async currentLogin(signal) {
      const what = "reading the token's user";
      const answer = await call('GET', '/~api/users/me', what, undefined, signal);
      if (answer.status !== 200) throw refuse(answer, what);
      const me = json<{ name?: unknown }>(answer, what);
      if (typeof me?.name !== 'string' || me.name === '')
        throw new UpstreamError('onedev_rejected', `OneDev named no user while ${what}`, {
          retryable: false,
        });
      return me.name;
    },
    async readSetting(projectId, signal) {
      const what = `reading the setting of project ${projectId}`;
      const answer = await call(
        'GET',
        `/~api/projects/${projectId}/setting`,
        what,
        undefined,
        signal,
      );
      if (answer.status !== 200) throw refuse(answer, what);
      return json<ProjectSetting>(answer, what);
    },
    async writeSetting(projectId, setting, signal) {
      const what = `changing the setting of project ${projectId}`;
      const path = `/~api/projects/${projectId}/setting`;
      const answer = await call('POST', path, what, setting, signal);
      if (answer.status !== 200) throw refuse(answer, what);
    },
  };
}

/** `user(<login>)` with OneDev's escaping of `\`, `(` and `)`. */
function userCriteria(login: string): string {
  return `user(${login.replace(/[\\()]/g, '\\$&')})`;
}

/**
 * The guard's two rules. Every flag OneDev checks on a push is on, and a required review by
 * our own login makes even a fast-forward push by anyone else fail
 * (docs/reference/onedev.md#protection-rules). Only fields OneDev knows are sent
 * (docs/reference/onedev.md#rest-conventions).
 */
export function guardRules(login: string): {
  branch: Record<string, unknown>;
  tag: Record<string, unknown>;
} {
  const userMatch = `anyone except ${userCriteria(login)}`;
  return {
    branch: {
      enabled: true,
      branches: '**',
      userMatch,
      preventForcedPush: true,
      preventDeletion: true,
      preventCreation: true,
      reviewRequirement: userCriteria(login),
    },
    tag: {
      enabled: true,
      tags: '**',
      userMatch,
      preventUpdate: true,
      preventDeletion: true,
      preventCreation: true,
    },
  };
}

/** Our rule is the one on every ref (`**`) for everyone but our login; a person's are others. */
function isOurs(rule: Record<string, unknown>, ours: Record<string, unknown>, field: string) {
  return rule.userMatch === ours.userMatch && rule[field] === ours[field];
}

function sameRule(rule: Record<string, unknown> | undefined, ours: Record<string, unknown>) {
  return rule !== undefined && Object.entries(ours).every(([k, v]) => rule[k] === v);
}

/**
 * The setting with the guard in place, and whether anything had to change. OneDev applies
 * the first rule that matches the pusher and the ref (docs/reference/onedev.md#protection-rules),
 * so our rule goes first; the rules a person added are kept, in their order, after it.
 */
export function withGuard(
  setting: ProjectSetting,
  login: string,
): { setting: ProjectSetting; changed: boolean } {
  const rules = guardRules(login);
  const branches = setting.branchProtections ?? [];
  const tags = setting.tagProtections ?? [];
  const inPlace =
    sameRule(branches[0], rules.branch) &&
    !branches.slice(1).some((r) => isOurs(r, rules.branch, 'branches')) &&
    sameRule(tags[0], rules.tag) &&
    !tags.slice(1).some((r) => isOurs(r, rules.tag, 'tags'));
  if (inPlace) return { setting, changed: false };
  return {
    changed: true,
    setting: {
      ...setting,
      branchProtections: [
        rules.branch,
        ...branches.filter((r) => !isOurs(r, rules.branch, 'branches')),
      ],
      tagProtections: [rules.tag, ...tags.filter((r) => !isOurs(r, rules.tag, 'tags'))],
    },
  };
}
