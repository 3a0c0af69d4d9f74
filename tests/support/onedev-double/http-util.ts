import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Response helpers that reproduce OneDev's wire format (docs/reference/onedev.md#rest-conventions):
 * errors are single text/plain messages, successful objects are Jackson-pretty JSON,
 * `String` results are raw and `Long` results are bare numbers.
 */

export const CHALLENGE = 'Basic realm="OneDev"';

/**
 * An error that maps to one HTTP answer, as OneDev's ExceptionUtils does
 * (docs/reference/onedev.md#error-statuses).
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** 401 with the Basic challenge: Shiro Unauthenticated/Unauthorized for anonymous callers. */
export function challengeError(message: string): HttpError {
  return new HttpError(401, message, { 'WWW-Authenticate': CHALLENGE });
}

export function sendText(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'Content-Type': 'text/plain', ...headers });
  res.end(body);
}

export function sendError(res: ServerResponse, error: HttpError): void {
  sendText(res, error.status, error.message, error.headers);
}

/** A Java object or collection result: application/json, pretty-printed like Jackson. */
export function sendJson(res: ServerResponse, value: unknown): void {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(jacksonPretty(value));
}

/**
 * A Java `String` result: Jersey writes it raw even under application/json
 * (docs/reference/onedev.md#rest-conventions).
 */
export function sendRawString(res: ServerResponse, value: string): void {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(value);
}

/** `Response.ok().build()`: 200 without a body (docs/reference/onedev.md#endpoints-used). */
export function sendEmpty(res: ServerResponse, status = 200): void {
  res.writeHead(status);
  res.end();
}

export async function readBody(req: IncomingMessage, limit = 16 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) throw new HttpError(413, 'Request entity too large');
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/**
 * Jackson's StdDateFormat with a colon in the zone, in UTC
 * (docs/reference/onedev.md#rest-conventions).
 */
export function jacksonDate(date: Date): string {
  return date.toISOString().replace(/Z$/, '+00:00');
}

/**
 * Jackson's DefaultPrettyPrinter: objects break lines with two-space indents and ` : `
 * separators; arrays stay on one line (`[ a, b ]`); empty containers are `{ }` and `[ ]`.
 */
export function jacksonPretty(value: unknown, depth = 0): string {
  if (value instanceof Date) return JSON.stringify(jacksonDate(value));
  if (Array.isArray(value)) {
    if (value.length === 0) return '[ ]';
    return `[ ${value.map((item) => jacksonPretty(item, depth)).join(', ')} ]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(
      ([, v]) => v !== undefined,
    );
    if (entries.length === 0) return '{ }';
    const inner = '  '.repeat(depth + 1);
    const lines = entries.map(
      ([k, v]) => `${inner}${JSON.stringify(k)} : ${jacksonPretty(v, depth + 1)}`,
    );
    return `{\n${lines.join(',\n')}\n${'  '.repeat(depth)}}`;
  }
  return JSON.stringify(value ?? null);
}

/** Java `String.hashCode`. */
function javaHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/**
 * Iteration order of a small `java.util.HashSet<String>`, so that the 406 texts of
 * ParamCheckFilter (`Missing query params: [offset, count]`) list names as OneDev would.
 */
export function javaSetToString(items: Iterable<string>): string {
  const unique = [...new Set(items)];
  let capacity = 16;
  while (unique.length > capacity * 0.75) capacity *= 2;
  const bucket = (s: string) => {
    const h = javaHash(s);
    return (h ^ (h >>> 16)) & (capacity - 1);
  };
  const ordered = unique
    .map((s, i) => ({ s, i, b: bucket(s) }))
    .sort((a, b) => a.b - b.b || a.i - b.i)
    .map((e) => e.s);
  return `[${ordered.join(', ')}]`;
}
