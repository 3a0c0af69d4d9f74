import { HttpError, jacksonDate } from './http-util.js';
import type { ProjectStore } from './store.js';
import type { GitPackConfig, Project, ProjectFields } from './types.js';

/**
 * ProjectData in and out (docs/reference/onedev.md#project-data, #create-checks). Input follows
 * Jackson with FAIL_ON_UNKNOWN_PROPERTIES on (400), OneDev's "blank string → null" module, then
 * bean validation (400): `name` @NotEmpty, `gitPackConfig` and `codeAnalysisSetting` @NotNull. The
 * exact 400 texts are not verified (docs/reference/onedev.md#not-verified); they imitate Jackson's
 * and Hibernate Validator's wording.
 */

const PROJECT_DATA = 'io.onedev.server.rest.resource.ProjectResource$ProjectData';
const PACK_CLASS = 'io.onedev.server.model.support.code.GitPackConfig';
const ANALYSIS_CLASS = 'io.onedev.server.model.support.CodeAnalysisSetting';

const PROJECT_FIELDS = [
  'id',
  'parentId',
  'forkedFromId',
  'name',
  'key',
  'path',
  'description',
  'createDate',
  'codeManagement',
  'packManagement',
  'issueManagement',
  'timeTracking',
  'serviceDeskEmailAddress',
  'gitPackConfig',
  'codeAnalysisSetting',
];
const PACK_FIELDS = ['windowMemory', 'packSizeLimit', 'threads', 'window'];
const MAX_DESCRIPTION_LEN = 15000;

type Json = Record<string, unknown>;

function badRequest(message: string): HttpError {
  return new HttpError(400, message);
}

function asObject(value: unknown, javaClass: string, known: string[]): Json | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'object' || Array.isArray(value)) {
    const kind = Array.isArray(value) ? 'Array' : 'String';
    throw badRequest(`Cannot construct instance of \`${javaClass}\` from ${kind} value`);
  }
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw badRequest(
        `Unrecognized field "${key}" (class ${javaClass}), not marked as ignorable (${known.length} known properties: ${known.map((k) => `"${k}"`).join(', ')}])`,
      );
    }
  }
  return value as Json;
}

/** Jackson coerces scalars into String fields; OneDev's module maps blank strings to null. */
function str(value: unknown, field: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'object') {
    throw badRequest(
      `Cannot deserialize value of type \`java.lang.String\` from Object value (field "${field}")`,
    );
  }
  const text = String(value);
  return text.trim() === '' ? null : text;
}

/** Primitive booleans: absent keeps the default, null becomes false, "true"/"false" coerce. */
function bool(value: unknown, field: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (value === null) return false;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  if (value === 0 || value === 1) return value === 1;
  throw badRequest(
    `Cannot deserialize value of type \`boolean\` from ${typeof value} value (field "${field}")`,
  );
}

function long(value: unknown, field: string): number | null {
  if (value === null || value === undefined) return null;
  const n = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n === 'number' && Number.isInteger(n)) return n;
  throw badRequest(
    `Cannot deserialize value of type \`java.lang.Long\` from ${typeof value} value (field "${field}")`,
  );
}

/**
 * Parses a create/update body. `method` and `arg` name the Java parameter for validation
 * messages, e.g. `createProject.arg0.gitPackConfig: must not be null`.
 */
export function parseProjectData(body: string, method: string, arg: string): ProjectFields {
  let parsed: unknown;
  if (body.trim() !== '') {
    try {
      parsed = JSON.parse(body);
    } catch (error) {
      throw badRequest(`Unexpected character in JSON input: ${(error as Error).message}`);
    }
  }
  const data = asObject(parsed ?? null, PROJECT_DATA, PROJECT_FIELDS);
  if (!data) throw badRequest(`${method}.${arg}: must not be null`);
  const pack = asObject(data.gitPackConfig, PACK_CLASS, PACK_FIELDS);
  const analysis = asObject(data.codeAnalysisSetting, ANALYSIS_CLASS, ['analysisFiles']);
  const fields: ProjectFields = {
    parentId: long(data.parentId, 'parentId'),
    forkedFromId: long(data.forkedFromId, 'forkedFromId'),
    name: str(data.name, 'name') ?? '',
    key: str(data.key, 'key'),
    description: str(data.description, 'description')?.slice(0, MAX_DESCRIPTION_LEN) ?? null,
    codeManagement: bool(data.codeManagement, 'codeManagement', true),
    packManagement: bool(data.packManagement, 'packManagement', true),
    issueManagement: bool(data.issueManagement, 'issueManagement', true),
    timeTracking: bool(data.timeTracking, 'timeTracking', false),
    serviceDeskEmailAddress: str(data.serviceDeskEmailAddress, 'serviceDeskEmailAddress'),
    gitPackConfig: parsePack(pack),
    codeAnalysisSetting: { analysisFiles: str(analysis?.analysisFiles, 'analysisFiles') },
  };
  const violations: string[] = [];
  if (fields.name === '') violations.push(`${method}.${arg}.name: must not be empty`);
  if (!pack) violations.push(`${method}.${arg}.gitPackConfig: must not be null`);
  if (!analysis) violations.push(`${method}.${arg}.codeAnalysisSetting: must not be null`);
  if (violations.length > 0) throw badRequest(violations.join(', '));
  return fields;
}

function parsePack(pack: Json | null): GitPackConfig {
  return {
    windowMemory: str(pack?.windowMemory, 'windowMemory'),
    packSizeLimit: str(pack?.packSizeLimit, 'packSizeLimit'),
    threads: str(pack?.threads, 'threads'),
    window: str(pack?.window, 'window'),
  };
}

/**
 * ProjectData as OneDev writes it (docs/reference/onedev.md#project-data), in declaration order.
 */
export interface ProjectDataJson {
  id?: number;
  parentId: number | null;
  forkedFromId: number | null;
  name: string;
  key: string | null;
  path: string;
  description: string | null;
  createDate: string;
  codeManagement: boolean;
  packManagement: boolean;
  issueManagement: boolean;
  timeTracking: boolean;
  serviceDeskEmailAddress: string | null;
  gitPackConfig: GitPackConfig;
  codeAnalysisSetting: { analysisFiles: string | null };
}

/**
 * `ProjectData.from` (docs/reference/onedev.md#project-data); v12.0.0 lacked `id` (#versions),
 * selected by `withId`.
 */
export function toProjectData(
  store: ProjectStore,
  project: Project,
  withId: boolean,
): ProjectDataJson {
  return {
    ...(withId ? { id: project.id } : {}),
    parentId: project.parentId,
    forkedFromId: project.forkedFromId,
    name: project.name,
    key: project.key,
    path: store.pathOf(project),
    description: project.description,
    createDate: jacksonDate(project.createDate),
    codeManagement: project.codeManagement,
    packManagement: project.packManagement,
    issueManagement: project.issueManagement,
    timeTracking: project.timeTracking,
    serviceDeskEmailAddress: project.serviceDeskEmailAddress,
    gitPackConfig: { ...project.gitPackConfig },
    codeAnalysisSetting: { ...project.codeAnalysisSetting },
  };
}
