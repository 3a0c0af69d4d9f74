/**
 * Rate limiting and fault injection. The counters behave like GitHub's primary limit (a pool per
 * user, one shared anonymous pool, 304s are free); the fault queue lets a test force the exact
 * failure a client must survive next: a primary limit, a secondary limit, or a 5xx.
 */

export interface RateLimitOptions {
  /** Requests per window for an authenticated user (GitHub: 5000/h for PATs). */
  limit?: number;
  /** Requests per window without a token (GitHub: 60/h per IP). */
  anonymousLimit?: number;
  windowSeconds?: number;
}

export interface RateBucket {
  limit: number;
  remaining: number;
  used: number;
  /** UTC epoch seconds when the window resets. */
  reset: number;
}

const ANONYMOUS = '\0anonymous';

export class RateLimiter {
  private readonly buckets = new Map<string, RateBucket>();

  constructor(private readonly opts: Required<RateLimitOptions>) {}

  /** The caller's pool, starting a fresh window once the old one has reset. */
  bucket(login?: string): RateBucket {
    const k = login?.toLowerCase() ?? ANONYMOUS;
    const now = Math.floor(Date.now() / 1000);
    let b = this.buckets.get(k);
    if (!b || b.reset <= now) {
      const limit = login ? this.opts.limit : this.opts.anonymousLimit;
      b = { limit, remaining: limit, used: 0, reset: now + this.opts.windowSeconds };
      this.buckets.set(k, b);
    }
    return b;
  }

  consume(login?: string): void {
    const b = this.bucket(login);
    b.remaining = Math.max(0, b.remaining - 1);
    b.used = b.limit - b.remaining;
  }

  /** Lets a test start near exhaustion (`remaining: 1`) or move the reset time. */
  set(login: string | undefined, patch: Partial<RateBucket>): RateBucket {
    const b = Object.assign(this.bucket(login), patch);
    if (patch.used === undefined) b.used = b.limit - b.remaining;
    return b;
  }

  static headers(b: RateBucket, override?: Partial<RateBucket>): Record<string, string> {
    const v = { ...b, ...override };
    return {
      'x-ratelimit-limit': String(v.limit),
      'x-ratelimit-remaining': String(v.remaining),
      'x-ratelimit-reset': String(v.reset),
      'x-ratelimit-used': String(v.used),
      'x-ratelimit-resource': 'core',
    };
  }
}

export type Scope = 'rest' | 'git' | 'all';

/** A REST answer as a test may rewrite it (`Faults.alterAnswer`). */
export interface AnswerShape {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Which requests a fault applies to: a test on the path with its query string. */
export interface FaultOptions {
  match?: (url: string) => boolean;
}

export type Fault =
  | { kind: 'primary'; status: 403 | 429 }
  | { kind: 'secondary'; status: 403 | 429; retryAfter: number | null }
  | { kind: 'server'; status: number; scope: Scope }
  | { kind: 'network'; scope: Scope }
  | { kind: 'alter'; change: (answer: AnswerShape) => AnswerShape };

/** Switches consumed by the next N matching requests, in the order they were queued. */
export class Faults {
  private readonly queue: Array<{ fault: Fault; left: number; match?: (url: string) => boolean }> =
    [];
  latencyMs = 0;

  /** 403 (or 429) with `x-ratelimit-remaining: 0` and a reset time: wait until the reset. */
  primaryRateLimit(times = 1, opts: { status?: 403 | 429 } = {}): this {
    return this.push({ kind: 'primary', status: opts.status ?? 403 }, times);
  }

  /**
   * 403 or 429 whose message mentions "secondary rate limit", with `retry-after` (seconds).
   * `retryAfter` defaults to 1 s to keep tests fast (GitHub usually says 60); `null` omits the
   * header, which GitHub also does, and clients should then wait ≥ 60 s.
   */
  secondaryRateLimit(
    times = 1,
    opts: { status?: 403 | 429; retryAfter?: number | null } = {},
  ): this {
    const retryAfter = opts.retryAfter === undefined ? 1 : opts.retryAfter;
    return this.push({ kind: 'secondary', status: opts.status ?? 403, retryAfter }, times);
  }

  /** 5xx from the API (default), from git smart HTTP, or both. */
  serverError(times = 1, opts: { status?: number; scope?: Scope } & FaultOptions = {}): this {
    return this.push(
      { kind: 'server', status: opts.status ?? 502, scope: opts.scope ?? 'rest' },
      times,
      opts.match,
    );
  }

  /** Drops the connection without an answer (the client sees a socket error). */
  networkError(times = 1, opts: { scope?: Scope } & FaultOptions = {}): this {
    return this.push({ kind: 'network', scope: opts.scope ?? 'rest' }, times, opts.match);
  }

  /**
   * Rewrites the next matching REST answers (before ETags and rate-limit headers are added):
   * a short page, a page with no `Link`, an empty list, a link to another host.
   */
  alterAnswer(
    times: number,
    change: (answer: AnswerShape) => AnswerShape,
    opts: FaultOptions = {},
  ): this {
    return this.push({ kind: 'alter', change }, times, opts.match);
  }

  /** Delay before every answer, REST and git alike. */
  latency(ms: number): this {
    this.latencyMs = ms;
    return this;
  }

  reset(): void {
    this.queue.length = 0;
    this.latencyMs = 0;
  }

  get pending(): number {
    return this.queue.reduce((n, e) => n + e.left, 0);
  }

  /** Takes the first queued fault that applies to a request of this kind and URL. */
  take(kind: 'rest' | 'git', url = ''): Fault | undefined {
    const i = this.queue.findIndex(
      (e) => appliesTo(e.fault, kind) && (e.match === undefined || e.match(url)),
    );
    const entry = this.queue[i];
    if (!entry) return undefined;
    if (--entry.left <= 0) this.queue.splice(i, 1);
    return entry.fault;
  }

  private push(fault: Fault, times: number, match?: (url: string) => boolean): this {
    if (times > 0) this.queue.push({ fault, left: times, match });
    return this;
  }
}

function appliesTo(f: Fault, kind: 'rest' | 'git'): boolean {
  if (f.kind === 'primary' || f.kind === 'secondary' || f.kind === 'alter') return kind === 'rest';
  return f.scope === 'all' || f.scope === kind;
}
