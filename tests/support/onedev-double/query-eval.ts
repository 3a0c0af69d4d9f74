import { HttpError } from './http-util.js';
import type { Criteria, ProjectQuery } from './query.js';
import type { ProjectStore } from './store.js';
import type { Project } from './types.js';

/**
 * Evaluates a parsed project query against the store (docs/reference/onedev.md#project-query).
 * Semantic errors are ExplicitExceptions in OneDev → 500 with the message
 * (docs/reference/onedev.md#error-statuses, #versions v16.5.2).
 */

/** `Project.QUERY_FIELDS` with the operators each accepts. */
const FIELD_OPERATORS: Record<string, string[]> = {
  Name: ['is', 'is not'],
  Key: ['is', 'is not'],
  Path: ['is', 'is not'],
  Label: ['is', 'is not'],
  'Service Desk Email Address': ['is', 'is not'],
  Id: ['is', 'is not', 'is greater than', 'is less than'],
  Description: ['contains'],
  'Last Activity Date': ['is since', 'is until'],
};

const ORDER_FIELDS = [
  'Path',
  'Id',
  'Name',
  'Key',
  'Service Desk Email Address',
  'Last Activity Date',
];

function explicit(message: string): HttpError {
  return new HttpError(500, message);
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Ant-style path pattern, case-insensitive: `**` any segments, `*` and `?` within one. */
export function antPathMatches(pattern: string, path: string): boolean {
  const strip = (s: string) => s.replace(/^\/+|\/+$/g, '').toLowerCase();
  const pats = strip(pattern).split('/');
  const segs = strip(path).split('/');
  const segmentRe = (p: string) =>
    new RegExp(
      `^${escapeRegex(p)
        .replace(/\\\*(\\\*)?/g, '.*')
        .replace(/\\\?/g, '.')}$`,
    );
  const match = (pi: number, si: number): boolean => {
    if (pi === pats.length) return si === segs.length;
    if (pats[pi] === '**') return match(pi + 1, si) || (si < segs.length && match(pi, si + 1));
    return (
      si < segs.length &&
      segmentRe(pats[pi] as string).test(segs[si] as string) &&
      match(pi + 1, si + 1)
    );
  };
  return match(0, 0);
}

/** `lower(name) LIKE <value>` with `*` → `%` (NameCriteria): `%` and `_` are wildcards. */
function likeMatches(value: string, name: string): boolean {
  const pattern = value.toLowerCase().replaceAll('*', '%');
  const re = [...pattern]
    .map((c) => (c === '%' ? '.*' : c === '_' ? '.' : escapeRegex(c)))
    .join('');
  return new RegExp(`^${re}$`, 's').test(name.toLowerCase());
}

function parseId(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw explicit(`Invalid number: ${value}`);
  return Number(value);
}

export interface EvalContext {
  store: ProjectStore;
  /** User name of the caller, for `owned by me`. */
  me?: string;
}

function fieldMatches(
  c: Extract<Criteria, { type: 'field' }>,
  p: Project,
  ctx: EvalContext,
): boolean {
  const one = (value: string): boolean => {
    switch (c.field) {
      case 'Name':
        return likeMatches(value, p.name);
      case 'Key':
        return (p.key ?? '').toLowerCase() === value.toLowerCase();
      case 'Path':
        return antPathMatches(value, ctx.store.pathOf(p));
      case 'Label':
        return false;
      case 'Service Desk Email Address':
        return (p.serviceDeskEmailAddress ?? '').toLowerCase() === value.toLowerCase();
      case 'Id':
        if (c.op === 'is greater than') return p.id > parseId(value);
        if (c.op === 'is less than') return p.id < parseId(value);
        return p.id === parseId(value);
      case 'Description':
        return (p.description ?? '').toLowerCase().includes(value.toLowerCase());
      default: {
        const date = Date.parse(value);
        if (Number.isNaN(date)) throw explicit(`Unrecognized date: ${value}`);
        const at = p.lastActivityDate.getTime();
        return c.op === 'is since' ? at >= date : at < date;
      }
    }
  };
  if (c.op === 'is not') return c.values.every((v) => !one(v));
  return c.values.some(one);
}

function matches(c: Criteria, p: Project, ctx: EvalContext): boolean {
  const { store } = ctx;
  switch (c.type) {
    case 'and':
      return matches(c.left, p, ctx) && matches(c.right, p, ctx);
    case 'or':
      return matches(c.left, p, ctx) || matches(c.right, p, ctx);
    case 'not':
      return !matches(c.inner, p, ctx);
    case 'field':
      return fieldMatches(c, p, ctx);
    case 'fuzzy':
      return store.pathOf(p).toLowerCase().includes(c.text.trim().toLowerCase());
    case 'number':
      return p.id === c.id;
    case 'operator':
      if (c.op === 'roots') return p.parentId === null;
      if (c.op === 'leafs') return store.children(p.id).length === 0;
      if (c.op === 'fork roots') return p.forkedFromId === null;
      if (c.op === 'owned by me')
        return ctx.me !== undefined && store.owners(p.id).includes(ctx.me);
      return store.owners(p.id).length === 0;
    case 'operatorValue': {
      const parent = store.parentOf(p);
      const forkedFrom = p.forkedFromId === null ? undefined : store.get(p.forkedFromId);
      return c.values.some((v) => {
        if (c.op === 'children of') return !!parent && antPathMatches(v, store.pathOf(parent));
        if (c.op === 'forks of') return !!forkedFrom && antPathMatches(v, store.pathOf(forkedFrom));
        return store.owners(p.id).includes(v);
      });
    }
  }
}

/** Field names and operators are checked before any project is looked at. */
function validate(c: Criteria): void {
  if (c.type === 'and' || c.type === 'or') {
    validate(c.left);
    validate(c.right);
  } else if (c.type === 'not') validate(c.inner);
  else if (c.type === 'field') {
    const ops = FIELD_OPERATORS[c.field];
    if (!ops) throw explicit(`Field not found: ${c.field}`);
    if (!ops.includes(c.op))
      throw explicit(`Field '${c.field}' is not applicable for operator '${c.op}'`);
  }
}

function sortKey(field: string, p: Project, store: ProjectStore): string | number {
  if (field === 'Path') return store.pathOf(p).toLowerCase();
  if (field === 'Id') return p.id;
  if (field === 'Name') return p.name.toLowerCase();
  if (field === 'Key') return p.key ?? '';
  if (field === 'Service Desk Email Address') return p.serviceDeskEmailAddress ?? '';
  return p.lastActivity;
}

/**
 * Filters and orders; the default order is Last Activity Date descending
 * (docs/reference/onedev.md#project-query).
 */
export function runProjectQuery(
  query: ProjectQuery,
  projects: Project[],
  ctx: EvalContext,
): Project[] {
  if (query.criteria) validate(query.criteria);
  for (const o of query.orders) {
    if (!ORDER_FIELDS.includes(o.field)) throw explicit(`Can not order by field: ${o.field}`);
  }
  const criteria = query.criteria;
  const found = criteria ? projects.filter((p) => matches(criteria, p, ctx)) : [...projects];
  const orders =
    query.orders.length > 0 ? query.orders : [{ field: 'Last Activity Date', direction: 'desc' }];
  return found.sort((a, b) => {
    for (const o of orders) {
      const x = sortKey(o.field, a, ctx.store);
      const y = sortKey(o.field, b, ctx.store);
      if (x !== y) return (x < y ? -1 : 1) * (o.direction === 'desc' ? -1 : 1);
    }
    return 0;
  });
}
