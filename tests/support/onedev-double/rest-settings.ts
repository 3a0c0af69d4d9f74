import { HttpError, sendEmpty, sendJson } from './http-util.js';
import { loadProject, longParam, type RestContext, requirePermission } from './rest-context.js';
import type { Route } from './rest-router.js';
import type { DoubleState } from './state.js';
import type { BranchProtectionRule, Project, TagProtectionRule } from './types.js';
import { parseUserMatch, UserMatchError } from './user-match.js';

/**
 * `GET`/`POST /~api/projects/{id}/setting` (docs/reference/onedev.md#project-setting): the whole
 * ProjectSetting out, a full replacement in. The POST validates the body (a violation is an
 * ExplicitException: 500 `<propertyPath>: <message>`) *before* it checks ManageProject; both
 * methods answer 403 `Not authorized` without it. Unknown JSON properties are refused with 400,
 * as Jackson does everywhere in OneDev's REST API.
 */

const SETTING_CLASS = 'io.onedev.server.rest.resource.ProjectResource$ProjectSetting';
const BRANCH_CLASS = 'io.onedev.server.model.support.code.BranchProtection';
const TAG_CLASS = 'io.onedev.server.model.support.code.TagProtection';

/** A new BranchProtection as its field initialisers make it. */
const BRANCH_DEFAULTS = {
  enabled: true,
  branches: null,
  userMatch: 'anyone',
  preventForcedPush: true,
  preventDeletion: true,
  preventCreation: true,
  commitSignatureRequired: false,
  commitMessageChecker: null,
  maxCommitMessageLineLength: null,
  disallowedFileTypes: [],
  reviewRequirement: null,
  jobNames: [],
  fileProtections: [],
  requireStrictBuilds: false,
};

const TAG_DEFAULTS = {
  enabled: true,
  tags: null,
  userMatch: 'anyone',
  preventUpdate: true,
  preventDeletion: true,
  preventCreation: true,
  commitSignatureRequired: false,
  disallowedFileTypes: [],
};

/** The other parts of ProjectSetting; the double keeps them as sent. */
const OTHER_PARTS: Record<string, unknown> = {
  issueSetting: {},
  buildSetting: {},
  packSetting: {},
  pullRequestSetting: {},
  workspaceSetting: {},
  namedCommitQueries: [],
  namedCodeCommentQueries: [],
  webHooks: [],
  contributedSettings: [],
};

type Json = Record<string, unknown>;

function unrecognized(key: string, javaClass: string, known: string[]): HttpError {
  return new HttpError(
    400,
    `Unrecognized field "${key}" (class ${javaClass}), not marked as ignorable (${known.length} known properties: ${known.map((k) => `"${k}"`).join(', ')}])`,
  );
}

function object(value: unknown, javaClass: string, known: string[]): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new HttpError(400, `Cannot construct instance of \`${javaClass}\``);
  }
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) throw unrecognized(key, javaClass, known);
  }
  return value as Json;
}

function rules<T>(value: unknown, javaClass: string, defaults: Json): T[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new HttpError(400, `Cannot deserialize \`${javaClass}\` list`);
  return value.map((item) => {
    const given = object(item, javaClass, Object.keys(defaults));
    // OneDev's module turns blank strings into null.
    const cleaned = Object.fromEntries(
      Object.entries(given).map(([k, v]) => [k, typeof v === 'string' && !v.trim() ? null : v]),
    );
    return { ...defaults, ...cleaned } as T;
  });
}

export interface ProjectSettingJson extends Json {
  branchProtections: Array<BranchProtectionRule & Json>;
  tagProtections: Array<TagProtectionRule & Json>;
}

/** Deserialises a POSTed ProjectSetting (Jackson, field names, unknown fields refused). */
function parseSetting(body: string): ProjectSettingJson {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new HttpError(400, 'Unexpected character: the body is not JSON');
  }
  const known = ['branchProtections', 'tagProtections', ...Object.keys(OTHER_PARTS)];
  const given = object(parsed, SETTING_CLASS, known);
  const other = Object.fromEntries(
    Object.keys(OTHER_PARTS).map((k) => [k, given[k] ?? OTHER_PARTS[k]]),
  );
  return {
    ...other,
    branchProtections: rules(given.branchProtections, BRANCH_CLASS, BRANCH_DEFAULTS),
    tagProtections: rules(given.tagProtections, TAG_CLASS, TAG_DEFAULTS),
  };
}

/** Bean validation of the protections: the first violation is the message. */
function validate(state: DoubleState, setting: ProjectSettingJson): void {
  const users = new Set(state.users.keys());
  const check = (path: string, rule: Json, patternField: string) => {
    if (rule[patternField] === null)
      throw violation(`${path}.${patternField}`, 'must not be empty');
    if (rule.userMatch === null) throw violation(`${path}.userMatch`, 'may not be empty');
    try {
      parseUserMatch(String(rule.userMatch), users);
    } catch (error) {
      if (error instanceof UserMatchError) throw violation(`${path}.userMatch`, error.message);
      throw error;
    }
  };
  setting.branchProtections.forEach((rule, i) => {
    check(`branchProtections[${i}]`, rule, 'branches');
    checkReviewRequirement(`branchProtections[${i}]`, rule.reviewRequirement, users);
  });
  setting.tagProtections.forEach((rule, i) => {
    check(`tagProtections[${i}]`, rule, 'tags');
  });
}

/** `ReviewRequirement.parse`: space-separated `user(x)` / `group(x)` / `group(x):n`. */
function checkReviewRequirement(path: string, value: unknown, users: Set<string>): void {
  if (value === null || value === undefined) return;
  for (const part of String(value).trim().split(/ +/)) {
    const m = /^(user|group)\(((?:\\.|[^\\()])+)\)(?::[1-9][0-9]*)?$/.exec(part);
    if (!m) throw violation(`${path}.reviewRequirement`, 'Malformed review requirement');
    const name = (m[2] ?? '').replace(/\\(.)/g, '$1');
    if (m[1] === 'user' && !users.has(name))
      throw violation(`${path}.reviewRequirement`, `Unable to find user '${name}'`);
    if (m[1] === 'group')
      throw violation(`${path}.reviewRequirement`, `Unable to find group '${name}'`);
  }
}

function violation(path: string, message: string): HttpError {
  return new HttpError(500, `${path}: ${message}`);
}

/** `ProjectSetting.from(project)`. */
export function settingOf(project: Project): ProjectSettingJson {
  return {
    branchProtections: project.branchProtections.map((r) => ({ ...BRANCH_DEFAULTS, ...r })),
    tagProtections: project.tagProtections.map((r) => ({ ...TAG_DEFAULTS, ...r })),
    ...OTHER_PARTS,
    ...project.otherSettings,
  } as ProjectSettingJson;
}

function getSetting(ctx: RestContext): void {
  const project = loadProject(ctx, longParam(ctx.params[0]));
  requirePermission(ctx, project, 'manage');
  sendJson(ctx.res, settingOf(project));
}

function updateSetting(ctx: RestContext): void {
  const setting = parseSetting(ctx.body);
  validate(ctx.state, setting);
  const project = loadProject(ctx, longParam(ctx.params[0]));
  requirePermission(ctx, project, 'manage');
  const { branchProtections, tagProtections, ...other } = setting;
  project.branchProtections = branchProtections;
  project.tagProtections = tagProtections;
  project.otherSettings = other;
  sendEmpty(ctx.res);
}

export const SETTING_ROUTES: Route[] = [
  {
    pattern: /^\/projects\/([^/]+)\/setting\/?$/,
    methods: { GET: { handler: getSetting }, POST: { handler: updateSetting } },
  },
];
