import { Hono } from 'hono';
import {
  AppError,
  coerceError,
  InvalidJsonError,
  InvalidPayloadError,
  InvalidSignatureError,
  MethodNotAllowedError,
  MissingHeaderError,
  NotConfiguredError,
  PayloadTooLargeError,
  UnavailableError,
  UnsupportedMediaTypeError,
} from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { webhookPayload } from './payloads.js';
import { BodyTooLargeError, readRawBody } from './raw-body.js';
import { verifyGithubSignature } from './signature.js';
import type { WebhookService } from './webhook.service.js';

/** GitHub does not deliver payloads above 25 MB, so nothing larger is a real delivery. */
export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;

/**
 * What became of a delivery that was refused before it was stored: a fixed set, so the
 * metric's `outcome` label stays bounded and a wrong secret or a misconfigured webhook shows
 * up in `starbridge_webhook_deliveries_total` instead of only in the logs.
 */
export type RejectedOutcome =
  | 'rejected_not_configured'
  | 'rejected_content_type'
  | 'rejected_too_large'
  | 'rejected_signature'
  | 'rejected_headers'
  | 'rejected_payload'
  | 'rejected_unavailable';

/** Refuses bytes that are not UTF-8 instead of replacing them; reusable across requests. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * `POST /webhooks/github`. Order matters: content type, size, signature over the raw
 * bytes, headers, then parsing — nothing is parsed or stored before it is authentic,
 * and nothing is answered 2xx before it is stored.
 */
export function githubWebhookRoutes(deps: {
  secret: string | undefined;
  service: WebhookService;
  log: Logger;
  maxBytes?: number;
  /** Told about every delivery, stored or refused (metrics). */
  onDelivery?: (event: string, outcome: string) => void;
}): Hono {
  const app = new Hono();
  const log = deps.log.child({ component: 'webhooks' });
  const maxBytes = deps.maxBytes ?? MAX_WEBHOOK_BYTES;
  // The event header is not authenticated before the signature check; metrics bound it anyway.
  const rejected = (event: string | undefined, outcome: RejectedOutcome) =>
    deps.onDelivery?.(event ?? 'unknown', outcome);

  app.post(
    '/webhooks/github',
    async (c, next) => {
      if (!deps.secret) {
        rejected(c.req.header('x-github-event'), 'rejected_not_configured');
        throw new NotConfiguredError(
          'webhooks are off: set GITHUB_WEBHOOK_SECRET to the secret entered in the GitHub webhook settings',
        );
      }
      const type = c.req.header('content-type') ?? '';
      if (!/^application\/json\s*(;|$)/i.test(type)) {
        rejected(c.req.header('x-github-event'), 'rejected_content_type');
        throw new UnsupportedMediaTypeError(
          'configure the GitHub webhook with content type application/json',
        );
      }
      return next();
    },
    async (c) => {
      let raw: Uint8Array;
      try {
        raw = await readRawBody(c, maxBytes);
      } catch (error) {
        if (!(error instanceof BodyTooLargeError)) throw error;
        log.warn(
          { event: c.req.header('x-github-event'), delivery: c.req.header('x-github-delivery') },
          'webhook body too large; dropped',
        );
        rejected(c.req.header('x-github-event'), 'rejected_too_large');
        throw new PayloadTooLargeError(`webhook bodies are limited to ${maxBytes} bytes`);
      }
      const event = c.req.header('x-github-event');
      const deliveryId = c.req.header('x-github-delivery');
      const signature = c.req.header('x-hub-signature-256');
      if (!signature) {
        const sha1Only = c.req.header('x-hub-signature') !== undefined;
        log.warn({ event, delivery: deliveryId }, 'webhook without X-Hub-Signature-256 refused');
        rejected(event, 'rejected_signature');
        throw new InvalidSignatureError(
          sha1Only
            ? 'only the SHA-1 X-Hub-Signature was sent; Starbridge requires X-Hub-Signature-256'
            : 'missing X-Hub-Signature-256; set a secret on the GitHub webhook',
        );
      }
      if (!verifyGithubSignature(deps.secret as string, raw, signature)) {
        log.warn({ event, delivery: deliveryId }, 'webhook signature mismatch');
        rejected(event, 'rejected_signature');
        throw new InvalidSignatureError(
          'signature does not match; check that GITHUB_WEBHOOK_SECRET equals the webhook secret',
        );
      }
      if (!event || !deliveryId) {
        rejected(event, 'rejected_headers');
        throw new MissingHeaderError('X-GitHub-Event and X-GitHub-Delivery headers are required');
      }
      let json: unknown;
      try {
        json = JSON.parse(UTF8.decode(raw));
      } catch {
        rejected(event, 'rejected_payload');
        throw new InvalidJsonError('the body is not valid JSON');
      }
      const parsed = webhookPayload.safeParse(json);
      if (!parsed.success) {
        rejected(event, 'rejected_payload');
        throw new InvalidPayloadError(
          `payload not understood: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
        );
      }
      try {
        const result = await deps.service.receive({
          hookId: c.req.header('x-github-hook-id') ?? '',
          deliveryId,
          event,
          payload: parsed.data,
        });
        const status = result.duplicate || event === 'ping' ? 200 : 202;
        log.info({ event, delivery: deliveryId, outcome: result.outcome }, 'webhook received');
        deps.onDelivery?.(event, result.outcome);
        return c.json(
          {
            delivery: result.delivery,
            outcome: result.outcome,
            ...(result.detail ? { detail: result.detail } : {}),
          },
          status,
        );
      } catch (thrown) {
        if (thrown instanceof AppError && thrown.status < 500) {
          rejected(event, 'rejected_payload');
          throw thrown;
        }
        // Not stored: 503 makes GitHub show a failed delivery that can be redelivered.
        log.error(
          { err: coerceError(thrown), event, delivery: deliveryId },
          'webhook could not be stored',
        );
        rejected(event, 'rejected_unavailable');
        throw new UnavailableError(
          'the delivery could not be stored; redeliver it from GitHub once Starbridge is healthy',
        );
      }
    },
  );
  app.all('/webhooks/github', () => {
    throw new MethodNotAllowedError('GitHub webhooks are delivered with POST', ['POST']);
  });
  return app;
}
