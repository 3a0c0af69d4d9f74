import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { z } from 'zod';

/**
 * GitHub's published REST description (the `@octokit/openapi` package), read as a given API
 * version sees it. The package ships the base description with each later version's
 * changes attached where they apply (`x-github-breaking-changes`: a JSON merge patch and
 * the version it belongs to); applying every change up to a version gives that version.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export interface Description {
  paths: JsonObject;
  components: JsonObject;
}

const BREAKING = 'x-github-breaking-changes';

export function loadDescription(version: string): Description {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('@octokit/openapi/package.json'));
  const text = readFileSync(join(root, 'generated', 'api.github.com.json'), 'utf8');
  const description = JSON.parse(text) as JsonObject;
  applyChanges(description, version);
  return description as unknown as Description;
}

/** The API versions the description carries changes for, oldest first. */
export function versionsIn(description: Description): string[] {
  const found = new Set<string>();
  walk(description as unknown as JsonObject, (node) => {
    for (const change of changesOf(node)) found.add(change.version);
  });
  return [...found].sort();
}

function changesOf(node: JsonObject): Array<{ version: string; patch: Json }> {
  const changes = node[BREAKING];
  return Array.isArray(changes) ? (changes as Array<{ version: string; patch: Json }>) : [];
}

function walk(node: Json, visit: (node: JsonObject) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, visit);
  } else if (node && typeof node === 'object') {
    visit(node);
    for (const [key, value] of Object.entries(node)) if (key !== BREAKING) walk(value, visit);
  }
}

function applyChanges(description: JsonObject, version: string): void {
  walk(description, (node) => {
    for (const change of changesOf(node)) {
      if (change.version <= version) mergePatch(node, change.patch);
    }
  });
}

/** RFC 7386: null removes a member, an object merges, anything else replaces. */
function mergePatch(target: JsonObject, patch: Json): void {
  if (!patch || typeof patch !== 'object' || Array.isArray(patch)) return;
  for (const [key, value] of Object.entries(patch)) {
    const current = target[key];
    if (value === null) delete target[key];
    else if (isObject(value) && isObject(current)) mergePatch(current, value);
    else target[key] = value;
  }
}

function isObject(value: Json | undefined): value is JsonObject {
  return Boolean(value) && typeof value === 'object' && !Array.isArray(value);
}

/** The schema of an operation's 200 answer in a media type, or undefined. */
export function answerSchema(
  description: Description,
  path: string,
  method: string,
  mediaType: string,
): JsonObject | undefined {
  const operation = (description.paths[path] as JsonObject | undefined)?.[method] as
    | JsonObject
    | undefined;
  const ok = resolve(description, (operation?.responses as JsonObject | undefined)?.['200']);
  const content = ok?.content as JsonObject | undefined;
  return resolve(description, (content?.[mediaType] as JsonObject | undefined)?.schema);
}

function resolve(description: Description, node: Json | undefined): JsonObject | undefined {
  if (!isObject(node)) return undefined;
  const ref = node.$ref;
  if (typeof ref !== 'string') return node;
  const [, section, name] = /^#\/components\/([^/]+)\/(.+)$/.exec(ref) ?? [];
  const target = (description.components[section ?? ''] as JsonObject | undefined)?.[name ?? ''];
  return resolve(description, target);
}

/** The alternatives a schema stands for: itself, or each member of allOf/anyOf/oneOf. */
function variants(description: Description, schema: JsonObject): JsonObject[] {
  const out: JsonObject[] = [schema];
  for (const key of ['allOf', 'anyOf', 'oneOf']) {
    const members = schema[key];
    if (!Array.isArray(members)) continue;
    for (const member of members) {
      const resolved = resolve(description, member);
      if (resolved) out.push(...variants(description, resolved));
    }
  }
  return out;
}

/** A property's schema, found in the schema or any of its variants. */
function property(
  description: Description,
  schema: JsonObject,
  name: string,
): JsonObject | undefined {
  for (const variant of variants(description, schema)) {
    const found = (variant.properties as JsonObject | undefined)?.[name];
    if (found !== undefined) return resolve(description, found);
  }
  return undefined;
}

/** The item schema of a list schema (in any variant). */
export function itemsOf(description: Description, schema: JsonObject): JsonObject | undefined {
  for (const variant of variants(description, schema)) {
    const items = resolve(description, variant.items);
    if (items) return items;
  }
  return undefined;
}

/** A property of a described object, by name; undefined when the description has none. */
export function fieldSchema(
  description: Description,
  schema: JsonObject,
  name: string,
): JsonObject | undefined {
  return property(description, schema, name);
}

/**
 * Every field a zod object reads (nested objects as `owner.login`) that the described
 * schema lacks. Empty when the description carries every one.
 */
export function missingFields(
  description: Description,
  reads: z.ZodObject,
  described: JsonObject,
  prefix = '',
): string[] {
  const missing: string[] = [];
  for (const [name, field] of Object.entries(reads.shape)) {
    const at = `${prefix}${name}`;
    const found = property(description, described, name);
    if (!found) {
      missing.push(at);
      continue;
    }
    const nested = objectIn(field as z.ZodType);
    if (nested) missing.push(...missingFields(description, nested, found, `${at}.`));
  }
  return missing;
}

/** The object schema behind optional/nullable wrappers, if the field is an object. */
function objectIn(field: z.ZodType): z.ZodObject | undefined {
  let current: z.ZodType = field;
  while (current instanceof z.ZodOptional || current instanceof z.ZodNullable) {
    current = current.unwrap() as z.ZodType;
  }
  return current instanceof z.ZodObject ? current : undefined;
}

/** Every field path a zod object reads, for reporting what the contract covers. */
export function fieldPaths(reads: z.ZodObject, prefix = ''): string[] {
  return Object.entries(reads.shape).flatMap(([name, field]) => {
    const nested = objectIn(field as z.ZodType);
    return [`${prefix}${name}`, ...(nested ? fieldPaths(nested, `${prefix}${name}.`) : [])];
  });
}
