import { randomUUID } from 'node:crypto';
import type { DbHandle } from '../db/database.js';
import type { Executor } from '../db/executor.js';
import { repoNameProblem } from '../github/repo-name.js';
import type { MirrorService, SourceRepository } from '../mirrors/mirror.service.js';
import type { SyncRequestOutcome } from '../mirrors/mirrors.repo.js';
import type { Clock } from '../shared/clock.js';
import { ValidationError } from '../shared/errors.js';
import { insertDelivery } from './deliveries.repo.js';
import type { WebhookPayload } from './payloads.js';

export interface IncomingDelivery {
  hookId: string;
  deliveryId: string;
  event: string;
  payload: WebhookPayload;
}

export interface DeliveryResult {
  /** Our id of the stored delivery (not GitHub's). */
  delivery: string;
  outcome: string;
  detail?: string;
  duplicate: boolean;
}

type EventOutcome = { outcome: string; detail?: string; syncRequested?: boolean };

/** Thrown inside the delivery's transaction to roll back a delivery already stored. */
const DUPLICATE = Symbol('duplicate delivery');

/** Turns verified webhook deliveries into stored work. */
export interface WebhookService {
  /** Stores the delivery and what it asks for in one transaction; throws when nothing was stored. */
  receive(delivery: IncomingDelivery): Promise<DeliveryResult>;
}

/**
 * Turns a verified webhook delivery into stored work: the delivery row and the mirror's
 * sync request are written in one transaction, so either both are stored or the caller
 * answers 503 and GitHub can redeliver.
 */
export function createWebhookService(deps: {
  handle: DbHandle;
  clock: Clock;
  mirrors: MirrorService;
  starsUser?: string;
  /** The GitHub sources: unstars, renames, deletions, archiving, App installations. */
  sources?: {
    handle(event: string, payload: WebhookPayload, db: Executor): Promise<EventOutcome | undefined>;
    /** OneDev work (project moves) that must not run inside the request's transaction. */
    afterCommit(): void;
    /** Lifts an unstar (and its pending deletion) when the stars user stars it again. */
    restore(githubId: number, db: Executor): Promise<boolean>;
    starsLogin(): string | undefined;
  };
  /** A wiki page was saved (`gollum`): the sync it asks for looks for the wiki again. */
  onWikiEdited?: (githubId: number, db: Executor) => Promise<void>;
  /** GITHUB_STAR_LISTS is set: a star alone mirrors nothing, the chosen lists decide. */
  starListsOnly?: boolean;
}): WebhookService {
  async function receive(delivery: IncomingDelivery): Promise<DeliveryResult> {
    const repository = delivery.payload.repository;
    if (repository) {
      const problem = repoNameProblem(repository.owner.login, repository.name);
      if (problem || repository.full_name !== `${repository.owner.login}/${repository.name}`) {
        throw new ValidationError(
          `payload repository refused: ${problem ?? 'full_name does not match owner and name'}`,
        );
      }
    }
    const id = randomUUID();
    const result = await deps.handle.db
      .transaction()
      .execute(async (trx) => {
        // The event first, then the delivery with its outcome: one statement fewer than
        // storing the delivery and updating its outcome. A delivery already stored (GitHub
        // redelivers) rolls the event's writes back, so a duplicate changes nothing.
        const event = await applyEvent(delivery, trx);
        const stored = await insertDelivery(trx, {
          id,
          hookId: delivery.hookId,
          deliveryId: delivery.deliveryId,
          event: delivery.event,
          action: delivery.payload.action ?? null,
          githubId: repository?.id ?? null,
          repository: repository?.full_name ?? null,
          receivedAt: deps.clock.now().toISOString(),
          outcome: event.outcome,
          detail: event.detail ?? null,
        });
        if (!stored) throw DUPLICATE;
        return event;
      })
      .catch((error: unknown) => {
        if (error === DUPLICATE) return undefined;
        throw error;
      });
    if (!result) return { delivery: id, outcome: 'duplicate', duplicate: true };
    if (result.syncRequested) deps.mirrors.notify('queued');
    deps.sources?.afterCommit();
    return { delivery: id, outcome: result.outcome, detail: result.detail, duplicate: false };
  }

  async function applyEvent(delivery: IncomingDelivery, db: Executor): Promise<EventOutcome> {
    const { event, payload } = delivery;
    const action = payload.action;
    const repo = payload.repository ? toSource(payload.repository) : undefined;
    if (event === 'ping') return { outcome: 'pong', detail: 'webhook configured' };
    if ((event === 'watch' && action === 'started') || (event === 'star' && action === 'created')) {
      if (!repo) return { outcome: 'ignored', detail: 'no repository in payload' };
      const starsUser = deps.starsUser ?? deps.sources?.starsLogin();
      const starred =
        !!starsUser && payload.sender?.login.toLowerCase() === starsUser.toLowerCase();
      if (starred && deps.starListsOnly) {
        const outcome = await deps.mirrors.syncById(repo.githubId, { db });
        if (outcome !== 'not_found') return describe(outcome);
        return { outcome: 'ignored', detail: 'GITHUB_STAR_LISTS is set: the chosen lists decide' };
      }
      if (starred) await deps.sources?.restore(repo.githubId, db);
      const ensured = await deps.mirrors.ensureMirror(repo, 'webhook', { starred, db });
      return describe(
        ensured.created ? 'queued' : ensured.outcome,
        ensured.created ? 'mirror created' : undefined,
      );
    }
    // `gollum`: a wiki page was edited, which a sync follows into the wiki's child project.
    if (event === 'push' || event === 'gollum') {
      if (!repo) return { outcome: 'ignored', detail: 'no repository in payload' };
      if (event === 'gollum') await deps.onWikiEdited?.(repo.githubId, db);
      const outcome = await deps.mirrors.syncById(repo.githubId, { db });
      if (outcome === 'not_found')
        return { outcome: 'ignored', detail: 'repository is not mirrored' };
      return describe(outcome);
    }
    const handled = await deps.sources?.handle(event, payload, db);
    if (handled) return handled;
    if (event === 'star' || event === 'repository' || event.startsWith('installation')) {
      return { outcome: 'recorded' };
    }
    return { outcome: 'ignored', detail: `event ${event} is not used by Starbridge` };
  }

  return { receive };
}

function describe(outcome: SyncRequestOutcome, detail?: string): EventOutcome {
  switch (outcome) {
    case 'queued':
    case 'coalesced':
      return { outcome, detail, syncRequested: true };
    case 'ignored_failed':
      return {
        outcome: 'ignored',
        detail: 'mirror has failed; retry it from the API, dashboard or CLI',
      };
    case 'ignored_paused':
      return { outcome: 'ignored', detail: 'mirror is paused' };
    case 'not_found':
      return { outcome: 'ignored', detail: 'repository is not mirrored' };
  }
}

function toSource(repository: NonNullable<WebhookPayload['repository']>): SourceRepository {
  return {
    githubId: repository.id,
    owner: repository.owner.login,
    name: repository.name,
    private: repository.private ?? false,
    defaultBranch: repository.default_branch ?? null,
  };
}
