import { createHmac } from 'node:crypto';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';

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
    const { body, headers } = render(notification);
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
        if (response.ok) return;
        log.warn(
          { status: response.status, kind: notification.kind, attempt },
          'notification refused',
        );
      } catch (error) {
        log.warn({ err: error, kind: notification.kind, attempt }, 'notification not delivered');
      }
      if (attempt < attempts) await sleep((options.retryDelayMs ?? 1_000) * 2 ** (attempt - 1));
    }
    log.error({ kind: notification.kind }, 'notification given up after retries');
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
