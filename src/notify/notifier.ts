import { createHmac } from 'node:crypto';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { NotificationAttempt } from './notifications.repo.js';

/** One notification: `text` is what chat receivers display. */
export interface Notification {
  kind: string;
  text: string;
  [field: string]: unknown;
}

export interface NotifierOptions {
  url: string;
  secret?: string;
  /**
   * `json` (default): a JSON object with `text` (Slack, Mattermost) and `content` (Discord)
   * holding the same message, plus `kind` and details. `ntfy`: the message as a plain-text
   * body with a `Title` header, which ntfy shows as is (a JSON body posted to an ntfy topic
   * would be shown as raw JSON).
   */
  format?: 'json' | 'ntfy';
  clock: Clock;
  log: Logger;
  fetch?: typeof fetch;
  /** Attempts per message, and the first delay between them (doubling). */
  attempts?: number;
  retryDelayMs?: number;
  timeoutMs?: number;
  /** The channel's name in the ledger (`webhook`, `ntfy`); never the URL. */
  channel?: string;
  /**
   * Told of every notification once its delivery ended (delivered, or given up), for the
   * notifications ledger. A failure to record is logged and changes nothing else.
   */
  record?: (attempt: NotificationAttempt) => Promise<void>;
}

export interface Notifier {
  /** Queues a message; never throws and never makes the caller wait for delivery. */
  send(notification: Notification): void;
  /** Resolves when every queued message was delivered or given up on. */
  drain(): Promise<void>;
}

/**
 * POSTs JSON to NOTIFY_URL, signed with HMAC-SHA256 of the body in
 * `X-Starbridge-Signature-256: sha256=<hex>` when NOTIFY_SECRET is set (the same scheme as
 * GitHub's webhooks, so receivers can reuse their check). Delivery is retried a few times
 * in the background; failures are logged, never raised into a sync.
 */
export function createNotifier(options: NotifierOptions): Notifier {
  const fetchImpl = options.fetch ?? fetch;
  const attempts = options.attempts ?? 4;
  const log = options.log.child({ component: 'notify' });
  let queue: Promise<void> = Promise.resolve();

  async function deliver(notification: Notification): Promise<void> {
    const error = await attemptAll(notification);
    const repository = notification.repository;
    await options
      .record?.({
        at: options.clock.now().toISOString(),
        kind: notification.kind,
        repository: typeof repository === 'string' ? repository : null,
        channel: options.channel ?? 'webhook',
        result: error === null ? 'delivered' : 'failed',
        error,
      })
      .catch((err: unknown) =>
        log.warn({ err, kind: notification.kind }, 'notification not recorded'),
      );
  }

  /** Null once delivered; else why the last attempt failed (without the URL). */
  async function attemptAll(notification: Notification): Promise<string | null> {
    const { body, headers } = render(notification);
    let lastError = 'not attempted';
    if (options.secret) {
      headers['x-starbridge-signature-256'] =
        `sha256=${createHmac('sha256', options.secret).update(body).digest('hex')}`;
    }
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const response = await fetchImpl(options.url, {
          method: 'POST',
          headers,
          body,
          redirect: 'manual',
          signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        });
        if (response.ok) return null;
        lastError = `HTTP ${response.status}`;
        log.warn(
          { status: response.status, kind: notification.kind, attempt },
          'notification refused',
        );
      } catch (error) {
        lastError = describeError(error);
        log.warn({ err: error, kind: notification.kind, attempt }, 'notification not delivered');
      }
      if (attempt < attempts) await sleep((options.retryDelayMs ?? 1_000) * 2 ** (attempt - 1));
    }
    log.error({ kind: notification.kind }, 'notification given up after retries');
    return lastError;
  }

  /** The error's name and cause, with the URL (a chat webhook's secret) cut out. */
  function describeError(error: unknown): string {
    const e = error instanceof Error ? error : new Error(String(error));
    const cause = e.cause instanceof Error ? `: ${e.cause.message}` : '';
    return `${e.message}${cause}`.split(options.url).join('NOTIFY_URL').slice(0, 300);
  }

  return {
    send(notification) {
      // One at a time, in order: receivers see incidents in the order they happened.
      queue = queue.then(() => deliver(notification)).catch(() => {});
    },
    drain: () => queue,
  };

  function render(notification: Notification): { body: string; headers: Record<string, string> } {
    if (options.format === 'ntfy') {
      return {
        body: notification.text,
        headers: {
          'content-type': 'text/plain; charset=utf-8',
          'user-agent': 'Starbridge',
          title: 'Starbridge',
          'x-starbridge-kind': notification.kind,
        },
      };
    }
    return {
      body: JSON.stringify({
        ...notification,
        content: notification.text,
        at: options.clock.now().toISOString(),
        source: 'starbridge',
      }),
      headers: { 'content-type': 'application/json', 'user-agent': 'Starbridge' },
    };
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
