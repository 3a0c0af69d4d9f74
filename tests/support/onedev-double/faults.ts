import type { RequestKind } from './types.js';

/**
 * Fault injection (docs/reference/onedev.md#the-test-double;
 * docs/reference/bad-inputs.md#o06, #o07, #o09, #o13, #o15).
 * Every fault can be limited to the next N matching requests (`times`) and to REST or git
 * traffic (`scope`), to every Nth of them (`every`) or a seeded random share of them
 * (`share`), or to requests picked by `match`. `clear()` removes everything.
 */

export type FaultScope = 'rest' | 'git' | 'all';

export interface FaultOptions {
  /** Apply to the next N matching requests only; unlimited when omitted. */
  times?: number;
  /**
   * Apply to every Nth matching request only (the Nth, the 2Nth…), deterministically: 3
   * fails a third of them, 2 half. Each request it lets through counts toward the next.
   */
  every?: number;
  /**
   * Apply to this share of matching requests (0–1), picked by a pseudo-random sequence
   * seeded with `seed` (default 1): the same requests in the same order fail the same way.
   */
  share?: number;
  seed?: number;
  /** Which traffic the fault applies to; default `all`. */
  scope?: FaultScope;
  /**
   * Extra filter on method, path (without query string) and query string (`?…` as sent,
   * empty when none): the two git services share `info/refs` and differ only in the query.
   */
  match?: (request: { method: string; path: string; query: string }) => boolean;
}

/** What the server does with a request before routing it. */
export type FrontFault =
  | { kind: 'serviceUnavailable'; retryAfter?: string }
  | { kind: 'status'; status: number; body: string; retryAfter?: string }
  | { kind: 'redirect'; status: number; location: string }
  | { kind: 'serverError' }
  | { kind: 'badGateway' }
  | { kind: 'loginPage' }
  | { kind: 'hang' }
  | { kind: 'drop' }
  | { kind: 'latency'; ms: number };

/** What the create endpoint does after the project was really created (point 21). */
export type AfterCreateFault = 'respond500' | 'respond409' | 'drop';

/**
 * A fault that may carry OneDev's or a proxy's `Retry-After` header
 * (docs/reference/bad-inputs.md#o06, #o16).
 */
export interface RetryAfterOption {
  retryAfter?: string;
}

interface Armed<T> {
  fault: T;
  remaining: number;
  scope: FaultScope;
  match?: FaultOptions['match'];
  every: number;
  /** Matching requests seen so far (for `every`). */
  seen: number;
  /** Draws in [0, 1) for `share`; absent when every matching request counts. */
  draw?: () => number;
  share: number;
}

export interface RequestInfo {
  method: string;
  path: string;
  /** `?…` as sent; empty when none. */
  query?: string;
  kind: RequestKind;
}

export class Faults {
  private front: Array<Armed<FrontFault>> = [];
  private afterCreate: Array<Armed<AfterCreateFault>> = [];
  /**
   * Maximum concurrent pack requests (OneDev queues at about CPUs/2,
   * docs/reference/onedev.md#pack-queue); undefined = no limit.
   */
  packConcurrency: number | undefined;

  /** 503 `Server not ready`, as while OneDev starts (docs/reference/onedev.md#error-statuses). */
  serviceUnavailable(options: FaultOptions & RetryAfterOption = {}): void {
    this.arm(this.front, { kind: 'serviceUnavailable', retryAfter: options.retryAfter }, options);
  }

  /**
   * Answer `status` with a text/plain `body` instead of handling the request: OneDev's plain 500
   * (docs/reference/bad-inputs.md#o05), a proxy's 409 (docs/reference/bad-inputs.md#o04) or 429
   * with `Retry-After` (docs/reference/bad-inputs.md#o16).
   */
  status(status: number, body: string, options: FaultOptions & RetryAfterOption = {}): void {
    this.arm(this.front, { kind: 'status', status, body, retryAfter: options.retryAfter }, options);
  }

  /**
   * Answer with a redirect to `location` (docs/reference/bad-inputs.md#o17): an http→https redirect
   * or a proxy sending the caller to a login page. Relative locations resolve against the double.
   */
  redirect(location: string, options: FaultOptions & { status?: number } = {}): void {
    this.arm(this.front, { kind: 'redirect', status: options.status ?? 302, location }, options);
  }

  /**
   * 500 `Server Error`, as OneDev answers any unexpected exception
   * (docs/reference/onedev.md#error-statuses).
   */
  serverError(options: FaultOptions = {}): void {
    this.arm(this.front, { kind: 'serverError' }, options);
  }

  /** The HTML 502 page nginx serves when OneDev behind it is down. */
  badGateway(options: FaultOptions = {}): void {
    this.arm(this.front, { kind: 'badGateway' }, options);
  }

  /**
   * 200 with an HTML sign-in page, as a proxy or single sign-on in front of OneDev answers
   * (docs/reference/bad-inputs.md#o07).
   */
  loginPage(options: FaultOptions = {}): void {
    this.arm(this.front, { kind: 'loginPage' }, options);
  }

  /** Accept the request and never answer (until the client gives up or the double closes). */
  hang(options: FaultOptions = {}): void {
    this.arm(this.front, { kind: 'hang' }, options);
  }

  /** Destroy the socket without answering. */
  dropConnection(options: FaultOptions = {}): void {
    this.arm(this.front, { kind: 'drop' }, options);
  }

  /** Delay the request by `ms` before handling it normally. */
  latency(ms: number, options: FaultOptions = {}): void {
    this.arm(this.front, { kind: 'latency', ms }, options);
  }

  /** POST /~api/projects creates the project, then answers 500 `Server Error`. */
  createSucceedsThen500(options: Omit<FaultOptions, 'scope'> = {}): void {
    this.arm(this.afterCreate, 'respond500', { ...options, scope: 'rest' });
  }

  /**
   * POST /~api/projects creates the project, then answers 409 as a proxy or later version might
   * (docs/reference/bad-inputs.md#o04).
   */
  createSucceedsThen409(options: Omit<FaultOptions, 'scope'> = {}): void {
    this.arm(this.afterCreate, 'respond409', { ...options, scope: 'rest' });
  }

  /** POST /~api/projects creates the project, then drops the connection. */
  createSucceedsThenDrop(options: Omit<FaultOptions, 'scope'> = {}): void {
    this.arm(this.afterCreate, 'drop', { ...options, scope: 'rest' });
  }

  /** Limit concurrent git pack requests; extra ones queue as in OneDev's work executor. */
  limitPackConcurrency(max: number | undefined): void {
    this.packConcurrency = max;
  }

  clear(): void {
    this.front = [];
    this.afterCreate = [];
    this.packConcurrency = undefined;
  }

  /** Latency faults first (they add up), then at most one terminal fault. */
  takeFront(request: RequestInfo): { delayMs: number; terminal?: FrontFault } {
    let delayMs = 0;
    for (const armed of this.front) {
      if (armed.fault.kind === 'latency' && this.consume(armed, request)) delayMs += armed.fault.ms;
    }
    const terminal = this.front.find((a) => a.fault.kind !== 'latency' && this.consume(a, request));
    this.front = this.front.filter((a) => a.remaining > 0);
    return { delayMs, terminal: terminal?.fault };
  }

  takeAfterCreate(request: RequestInfo): AfterCreateFault | undefined {
    const armed = this.afterCreate.find((a) => this.consume(a, request));
    this.afterCreate = this.afterCreate.filter((a) => a.remaining > 0);
    return armed?.fault;
  }

  private arm<T>(list: Array<Armed<T>>, fault: T, options: FaultOptions): void {
    list.push({
      fault,
      remaining: options.times ?? Number.POSITIVE_INFINITY,
      scope: options.scope ?? 'all',
      match: options.match,
      every: Math.max(1, Math.floor(options.every ?? 1)),
      seen: 0,
      share: options.share ?? 1,
      draw: options.share === undefined ? undefined : seededRandom(options.seed ?? 1),
    });
  }

  private consume<T>(armed: Armed<T>, request: RequestInfo): boolean {
    if (armed.remaining <= 0) return false;
    if (armed.scope !== 'all' && armed.scope !== request.kind) return false;
    const { method, path, query = '' } = request;
    if (armed.match && !armed.match({ method, path, query })) return false;
    armed.seen++;
    if (armed.seen % armed.every !== 0) return false;
    if (armed.draw && armed.draw() >= armed.share) return false;
    armed.remaining--;
    return true;
  }
}

/** mulberry32: a small, fast pseudo-random generator, so a random share repeats exactly. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export const NGINX_502 =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n' +
  '<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

export const SSO_LOGIN_PAGE =
  '<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>Sign in - Company SSO</title></head>\n' +
  '<body><form method="post" action="/oauth2/start"><input name="username"><input type="password" name="password">' +
  '<button>Sign in</button></form></body>\n</html>\n';
