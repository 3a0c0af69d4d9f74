import { describe, expect, it } from 'vitest';
import type { MirrorRowUpdate } from '../../../src/db/schema/index.js';
import {
  type MirrorEvent,
  type MirrorState,
  type SyncOutcome,
  type Transition,
  transition,
} from '../../../src/mirrors/mirror-state.js';

const NOW = '2026-01-01T12:00:00.000Z';
const EARLIER = '2026-01-01T11:00:00.000Z';
const LATER = '2026-01-01T13:00:00.000Z';

const BASE: MirrorState = {
  status: 'synced',
  next_attempt_at: null,
  attempts: 0,
  resync_requested: 0,
  lease_owner: null,
  lease_expires_at: null,
  full_name: 'alice/old',
  onedev_project_id: 7,
  source: 'star',
  starred: 1,
  installation_id: null,
  unstarred_at: null,
  next_refresh_at: null,
  paused_by: null,
  source_gone_at: null,
  star_list: null,
  onedev_parent: null,
};

const row = (patch: Partial<MirrorState> = {}): MirrorState => ({ ...BASE, ...patch });
const leased = (worker: string, patch: Partial<MirrorState> = {}) =>
  row({ status: 'syncing', lease_owner: worker, lease_expires_at: LATER, ...patch });

const SYNCED: SyncOutcome = {
  status: 'synced',
  attempts: 0,
  nextAttemptAt: null,
  lastError: null,
  lastErrorCode: null,
  lastSyncedAt: NOW,
};
const RETRYING: SyncOutcome = {
  status: 'retrying',
  attempts: 2,
  nextAttemptAt: LATER,
  lastError: 'GitHub answered 502',
  lastErrorCode: 'github_unavailable',
};
const FAILED: SyncOutcome = { ...RETRYING, status: 'failed', nextAttemptAt: null };
const FREE = { lease_owner: null, lease_expires_at: null };

type Case = [name: string, state: MirrorState, event: MirrorEvent, expected: Transition];
const ok = (patch: MirrorRowUpdate, request?: 'queued' | 'coalesced') =>
  ({ ok: true, patch, ...(request ? { request } : {}) }) as Transition;
const refused = (refusal: string) => ({ ok: false, refusal }) as Transition;

const cases: Case[] = [
  // request
  [
    'request: a synced mirror is queued, due now',
    row(),
    { kind: 'request' },
    ok({ status: 'queued', next_attempt_at: NOW, updated_at: NOW }, 'queued'),
  ],
  [
    'request: a queued mirror due later is made due now',
    row({ status: 'queued', next_attempt_at: LATER }),
    { kind: 'request' },
    ok({ status: 'queued', next_attempt_at: NOW, updated_at: NOW }, 'queued'),
  ],
  [
    'request: a queued, due mirror coalesces with nothing to write',
    row({ status: 'queued', next_attempt_at: EARLIER }),
    { kind: 'request' },
    ok({}, 'coalesced'),
  ],
  [
    'request with reset: a queued, due mirror keeps its due time and resets attempts',
    row({ status: 'queued', next_attempt_at: EARLIER }),
    { kind: 'request', resetAttempts: true },
    ok(
      {
        status: 'queued',
        next_attempt_at: EARLIER,
        updated_at: NOW,
        attempts: 0,
        last_error: null,
        last_error_code: null,
      },
      'coalesced',
    ),
  ],
  [
    'request: a syncing mirror gets one follow-up',
    leased('w1'),
    { kind: 'request' },
    ok({ resync_requested: 1, updated_at: NOW }, 'coalesced'),
  ],
  [
    'request with reset: a syncing mirror gets a follow-up and attempts reset',
    leased('w1'),
    { kind: 'request', resetAttempts: true },
    ok({ resync_requested: 1, updated_at: NOW, attempts: 0 }, 'coalesced'),
  ],
  [
    'request: a retrying mirror keeps its backoff',
    row({ status: 'retrying', next_attempt_at: LATER }),
    { kind: 'request' },
    ok({}, 'coalesced'),
  ],
  [
    'request forced: a retrying mirror is due now',
    row({ status: 'retrying', next_attempt_at: LATER }),
    { kind: 'request', force: true },
    ok({ status: 'queued', next_attempt_at: NOW, updated_at: NOW }, 'queued'),
  ],
  [
    'request: refused for a failed mirror',
    row({ status: 'failed' }),
    { kind: 'request' },
    refused('failed'),
  ],
  [
    'request: refused for a paused mirror',
    row({ status: 'paused' }),
    { kind: 'request' },
    refused('paused'),
  ],
  [
    'request forced: a failed mirror is queued',
    row({ status: 'failed' }),
    { kind: 'request', force: true },
    ok({ status: 'queued', next_attempt_at: NOW, updated_at: NOW }, 'queued'),
  ],
  [
    'request forced: a paused mirror is queued',
    row({ status: 'paused' }),
    { kind: 'request', force: true },
    ok({ status: 'queued', next_attempt_at: NOW, updated_at: NOW }, 'queued'),
  ],
  // claim
  ...(['queued', 'retrying'] as const).map(
    (status): Case => [
      `claim: a due ${status} mirror is leased`,
      row({ status, next_attempt_at: EARLIER }),
      { kind: 'claim', worker: 'w1', until: LATER },
      ok({
        status: 'syncing',
        lease_owner: 'w1',
        lease_expires_at: LATER,
        last_attempt_at: NOW,
        updated_at: NOW,
      }),
    ],
  ),
  ...(['synced', 'failed', 'paused', 'syncing'] as const).map(
    (status): Case => [
      `claim: refused for a ${status} mirror`,
      row({ status, next_attempt_at: EARLIER }),
      { kind: 'claim', worker: 'w1', until: LATER },
      refused('not_claimable'),
    ],
  ),
  [
    'claim: refused before the mirror is due',
    row({ status: 'queued', next_attempt_at: LATER }),
    { kind: 'claim', worker: 'w1', until: LATER },
    refused('not_due'),
  ],
  [
    'claim: refused without a due time',
    row({ status: 'retrying', next_attempt_at: null }),
    { kind: 'claim', worker: 'w1', until: LATER },
    refused('not_due'),
  ],
  ...(['failed', 'paused', 'synced'] as const).map(
    (status): Case => [
      `operator claim: a ${status} mirror is leased`,
      row({ status }),
      { kind: 'claim', worker: 'cli', until: LATER, operator: true },
      ok({
        status: 'syncing',
        lease_owner: 'cli',
        lease_expires_at: LATER,
        last_attempt_at: NOW,
        updated_at: NOW,
      }),
    ],
  ),
  [
    'operator claim: taken from a holder whose lease expired',
    leased('w1', { lease_expires_at: EARLIER }),
    { kind: 'claim', worker: 'cli', until: LATER, operator: true },
    ok({
      status: 'syncing',
      lease_owner: 'cli',
      lease_expires_at: LATER,
      last_attempt_at: NOW,
      updated_at: NOW,
    }),
  ],
  [
    'operator claim: refused while another worker holds a live lease',
    leased('w1'),
    { kind: 'claim', worker: 'cli', until: LATER, operator: true },
    refused('held'),
  ],
  // renew
  [
    'renew: the holder extends its lease',
    leased('w1'),
    { kind: 'renew', worker: 'w1', until: '2026-01-01T14:00:00.000Z' },
    ok({ lease_expires_at: '2026-01-01T14:00:00.000Z' }),
  ],
  [
    'renew: refused for another worker',
    leased('w2'),
    { kind: 'renew', worker: 'w1', until: LATER },
    refused('lease_lost'),
  ],
  [
    'renew: refused once the mirror is no longer syncing',
    row({ lease_owner: 'w1' }),
    { kind: 'renew', worker: 'w1', until: LATER },
    refused('lease_lost'),
  ],
  // release
  [
    'release synced: the outcome is written and the lease freed',
    leased('w1'),
    {
      kind: 'release',
      worker: 'w1',
      outcome: { ...SYNCED, pushedRefs: { 'refs/heads/main': 'a1' } },
    },
    ok({
      status: 'synced',
      next_attempt_at: null,
      resync_requested: 0,
      ...FREE,
      attempts: 0,
      last_error: null,
      last_error_code: null,
      updated_at: NOW,
      last_synced_at: NOW,
      pushed_refs: '{"refs/heads/main":"a1"}',
    }),
  ],
  [
    'release synced with a follow-up requested: due again now',
    leased('w1', { resync_requested: 1 }),
    { kind: 'release', worker: 'w1', outcome: SYNCED },
    ok({
      status: 'queued',
      next_attempt_at: NOW,
      resync_requested: 0,
      ...FREE,
      attempts: 0,
      last_error: null,
      last_error_code: null,
      updated_at: NOW,
      last_synced_at: NOW,
    }),
  ],
  [
    'release retrying: waits out the backoff',
    leased('w1'),
    { kind: 'release', worker: 'w1', outcome: RETRYING },
    ok({
      status: 'retrying',
      next_attempt_at: LATER,
      resync_requested: 0,
      ...FREE,
      attempts: 2,
      last_error: 'GitHub answered 502',
      last_error_code: 'github_unavailable',
      updated_at: NOW,
    }),
  ],
  [
    'release failed: stays failed even with a follow-up requested',
    leased('w1', { resync_requested: 1 }),
    { kind: 'release', worker: 'w1', outcome: FAILED },
    ok({
      status: 'failed',
      next_attempt_at: null,
      resync_requested: 0,
      ...FREE,
      attempts: 2,
      last_error: 'GitHub answered 502',
      last_error_code: 'github_unavailable',
      updated_at: NOW,
    }),
  ],
  [
    'release with the OneDev project: recorded with the outcome',
    leased('w1'),
    {
      kind: 'release',
      worker: 'w1',
      outcome: {
        ...SYNCED,
        defaultBranch: 'dev',
        onedev: { name: 'old', path: 'github/alice/old', projectId: 7 },
      },
    },
    ok({
      status: 'synced',
      next_attempt_at: null,
      resync_requested: 0,
      ...FREE,
      attempts: 0,
      last_error: null,
      last_error_code: null,
      updated_at: NOW,
      last_synced_at: NOW,
      default_branch: 'dev',
      onedev_name: 'old',
      onedev_path: 'github/alice/old',
      onedev_project_id: 7,
    }),
  ],
  [
    'release synced: a source marked gone that syncs again (forced) is no longer gone',
    leased('w1', { source_gone_at: EARLIER }),
    { kind: 'release', worker: 'w1', outcome: SYNCED },
    ok({
      status: 'synced',
      next_attempt_at: null,
      resync_requested: 0,
      ...FREE,
      attempts: 0,
      last_error: null,
      last_error_code: null,
      updated_at: NOW,
      last_synced_at: NOW,
      source_gone_at: null,
      source_gone_reason: null,
      paused_reason: null,
    }),
  ],
  [
    'release failed: a source marked gone stays gone',
    leased('w1', { source_gone_at: EARLIER }),
    { kind: 'release', worker: 'w1', outcome: FAILED },
    ok({
      status: 'failed',
      next_attempt_at: null,
      resync_requested: 0,
      ...FREE,
      attempts: 2,
      last_error: 'GitHub answered 502',
      last_error_code: 'github_unavailable',
      updated_at: NOW,
    }),
  ],
  // source gone
  [
    'source gone: a synced mirror stops, with the reason and the date',
    row(),
    { kind: 'source-gone', reason: 'alice/old is gone from GitHub' },
    ok({
      status: 'paused',
      paused_reason: 'alice/old is gone from GitHub',
      source_gone_at: NOW,
      source_gone_reason: 'alice/old is gone from GitHub',
      next_attempt_at: null,
      resync_requested: 0,
      delete_after: null,
      ...FREE,
      updated_at: NOW,
    }),
  ],
  [
    'source gone: a running sync loses its lease; an unstar deletion is cancelled; the first date stays',
    leased('w1', { unstarred_at: EARLIER, source_gone_at: EARLIER }),
    { kind: 'source-gone', reason: 'HTTP 451' },
    ok({
      status: 'paused',
      paused_reason: 'HTTP 451',
      source_gone_at: EARLIER,
      source_gone_reason: 'HTTP 451',
      next_attempt_at: null,
      resync_requested: 0,
      delete_after: null,
      ...FREE,
      updated_at: NOW,
    }),
  ],
  [
    'pause (let go): refused for a source that is gone, whatever the unstar policy',
    row({ starred: 0, status: 'paused', source_gone_at: EARLIER }),
    { kind: 'pause', reason: 'unstarred', letGo: { deleteAfter: LATER } },
    refused('source_gone'),
  ],
  [
    'request: a gone source is not synced unless an operator forces it',
    row({ status: 'paused', source_gone_at: EARLIER }),
    { kind: 'request' },
    refused('paused'),
  ],
  [
    'release: refused for another worker',
    leased('w2'),
    { kind: 'release', worker: 'w1', outcome: SYNCED },
    refused('lease_lost'),
  ],
  [
    'release: refused after a pause took the lease',
    row({ status: 'paused' }),
    { kind: 'release', worker: 'w1', outcome: SYNCED },
    refused('lease_lost'),
  ],
  // reclaim
  [
    'reclaim: an expired lease goes back to the queue, due now',
    leased('w1', { lease_expires_at: EARLIER }),
    { kind: 'reclaim' },
    ok({ ...FREE, status: 'queued', next_attempt_at: NOW, updated_at: NOW }),
  ],
  [
    'reclaim: refused while the lease is live',
    leased('w1'),
    { kind: 'reclaim' },
    refused('lease_live'),
  ],
  ['reclaim: refused for a mirror not syncing', row(), { kind: 'reclaim' }, refused('not_syncing')],
  // reclaim-own
  [
    'reclaim own: a live lease of this instance’s previous run goes back to the queue, due now',
    leased('inst-a/host:1:old'),
    { kind: 'reclaim-own', instanceId: 'inst-a', currentOwner: 'inst-a/host:2:new' },
    ok({ ...FREE, status: 'queued', next_attempt_at: NOW, updated_at: NOW }),
  ],
  [
    'reclaim own: refused for a lease of another instance (a replica), however live',
    leased('inst-b/host:1:old'),
    { kind: 'reclaim-own', instanceId: 'inst-a', currentOwner: 'inst-a/host:2:new' },
    refused('other_instance'),
  ],
  [
    'reclaim own: refused for an instance id that is only a prefix of the owner’s',
    leased('inst-a2/host:1:old'),
    { kind: 'reclaim-own', instanceId: 'inst-a', currentOwner: 'inst-a/host:2:new' },
    refused('other_instance'),
  ],
  [
    'reclaim own: refused for a lease without an instance id (a project move, the CLI)',
    leased('move:host:1'),
    { kind: 'reclaim-own', instanceId: 'inst-a', currentOwner: 'inst-a/host:2:new' },
    refused('other_instance'),
  ],
  [
    'reclaim own: refused for the current run’s own lease',
    leased('inst-a/host:2:new'),
    { kind: 'reclaim-own', instanceId: 'inst-a', currentOwner: 'inst-a/host:2:new' },
    refused('current_run'),
  ],
  [
    'reclaim own: refused for a mirror not syncing',
    row({ lease_owner: null }),
    { kind: 'reclaim-own', instanceId: 'inst-a', currentOwner: 'inst-a/host:2:new' },
    refused('not_syncing'),
  ],
  // hold / unhold
  [
    'hold: a mirror not syncing is held with the lease columns',
    row({ status: 'retrying', next_attempt_at: LATER }),
    { kind: 'hold', holder: 'mover', until: LATER },
    ok({ status: 'syncing', lease_owner: 'mover', lease_expires_at: LATER }),
  ],
  [
    'hold: refused while syncing',
    leased('w1'),
    { kind: 'hold', holder: 'mover', until: LATER },
    refused('syncing'),
  ],
  [
    'unhold: back in the status it had',
    leased('mover'),
    { kind: 'unhold', holder: 'mover', held: { status: 'retrying', next_attempt_at: LATER } },
    ok({
      status: 'retrying',
      next_attempt_at: LATER,
      resync_requested: 0,
      ...FREE,
      updated_at: NOW,
    }),
  ],
  [
    'unhold with a sync requested meanwhile: due now',
    leased('mover', { resync_requested: 1 }),
    { kind: 'unhold', holder: 'mover', held: { status: 'synced', next_attempt_at: null } },
    ok({ status: 'queued', next_attempt_at: NOW, resync_requested: 0, ...FREE, updated_at: NOW }),
  ],
  [
    'unhold: refused when the hold was lost (paused meanwhile)',
    row({ status: 'paused' }),
    { kind: 'unhold', holder: 'mover', held: { status: 'synced', next_attempt_at: null } },
    refused('lease_lost'),
  ],
  // pause / resume
  ...(['queued', 'syncing', 'synced', 'retrying', 'failed', 'paused'] as const).map(
    (status): Case => [
      `pause: a ${status} mirror is paused, any lease cleared`,
      row({ status, lease_owner: status === 'syncing' ? 'w1' : null }),
      { kind: 'pause', reason: 'deleted on GitHub' },
      ok({
        status: 'paused',
        paused_reason: 'deleted on GitHub',
        next_attempt_at: null,
        resync_requested: 0,
        ...FREE,
        updated_at: NOW,
      }),
    ],
  ),
  [
    'pause letting go: records when and the deletion date',
    row({ starred: 0 }),
    { kind: 'pause', reason: 'unstarred', letGo: { deleteAfter: LATER } },
    ok({
      status: 'paused',
      paused_reason: 'unstarred',
      next_attempt_at: null,
      resync_requested: 0,
      ...FREE,
      updated_at: NOW,
      unstarred_at: NOW,
      delete_after: LATER,
    }),
  ],
  [
    'pause letting go: refused when already let go',
    row({ starred: 0, unstarred_at: EARLIER }),
    { kind: 'pause', reason: 'unstarred', letGo: { deleteAfter: null } },
    refused('already_released'),
  ],
  ...(
    [
      ['starred', { starred: 1 }],
      ['added by hand', { starred: 0, source: 'manual' }],
      ['in an installation', { starred: 0, installation_id: 5 }],
    ] as const
  ).map(
    ([what, patch]): Case => [
      `pause letting go: refused while ${what}`,
      row(patch),
      { kind: 'pause', reason: 'unstarred', letGo: { deleteAfter: null } },
      refused('still_held'),
    ],
  ),
  [
    'resume: a released, paused mirror is due now',
    row({ status: 'paused', unstarred_at: EARLIER }),
    { kind: 'resume' },
    ok({
      status: 'queued',
      next_attempt_at: NOW,
      paused_reason: null,
      unstarred_at: null,
      delete_after: null,
      updated_at: NOW,
    }),
  ],
  [
    'resume: a released mirror not paused keeps its status',
    row({ status: 'failed', unstarred_at: EARLIER }),
    { kind: 'resume' },
    ok({ paused_reason: null, unstarred_at: null, delete_after: null, updated_at: NOW }),
  ],
  [
    'resume: refused when not released',
    row({ status: 'paused' }),
    { kind: 'resume' },
    refused('not_released'),
  ],
  // rename and the OneDev move
  [
    'rename: the name follows and the OneDev move is marked pending',
    row(),
    { kind: 'rename', owner: 'alice', name: 'new' },
    ok({
      owner: 'alice',
      name: 'new',
      full_name: 'alice/new',
      full_name_key: 'alice/new',
      onedev_move_pending: 1,
      updated_at: NOW,
    }),
  ],
  [
    'rename without a OneDev project: nothing to move, the first sync creates it',
    row({ onedev_project_id: null }),
    { kind: 'rename', owner: 'Bob', name: 'Tool' },
    ok({
      owner: 'Bob',
      name: 'Tool',
      full_name: 'Bob/Tool',
      full_name_key: 'bob/tool',
      onedev_move_pending: 0,
      onedev_path: null,
      onedev_name: null,
      updated_at: NOW,
    }),
  ],
  [
    'rename: refused when the name is unchanged',
    row(),
    { kind: 'rename', owner: 'alice', name: 'old' },
    refused('unchanged'),
  ],
  // Star Lists: the list and its OneDev parent
  [
    'regroup: a new parent marks the OneDev move pending',
    row({ star_list: 'tools', onedev_parent: null }),
    { kind: 'regroup', list: 'work', parent: 'work-mirrors' },
    ok({
      star_list: 'work',
      onedev_parent: 'work-mirrors',
      onedev_move_pending: 1,
      updated_at: NOW,
    }),
  ],
  [
    'regroup without a OneDev project: the first sync creates it under the new parent',
    row({ onedev_project_id: null }),
    { kind: 'regroup', list: 'work', parent: 'work-mirrors' },
    ok({
      star_list: 'work',
      onedev_parent: 'work-mirrors',
      onedev_move_pending: 0,
      onedev_path: null,
      onedev_name: null,
      updated_at: NOW,
    }),
  ],
  [
    'regroup: another list with the same parent moves nothing',
    row({ star_list: 'tools', onedev_parent: null }),
    { kind: 'regroup', list: 'misc', parent: null },
    ok({ star_list: 'misc', updated_at: NOW }),
  ],
  [
    'regroup: refused when list and parent are unchanged',
    row({ star_list: 'tools', onedev_parent: 'x' }),
    { kind: 'regroup', list: 'tools', parent: 'x' },
    refused('unchanged'),
  ],
  [
    'moved: the new path is recorded and the move is done',
    row(),
    { kind: 'moved', path: 'github/alice/new', name: 'new' },
    ok({
      onedev_path: 'github/alice/new',
      onedev_name: 'new',
      onedev_conflict: null,
      onedev_move_pending: 0,
      updated_at: NOW,
    }),
  ],
  [
    'move refused: the conflict is shown and the move no longer pending',
    row(),
    { kind: 'move-refused', conflict: 'path taken' },
    ok({ onedev_conflict: 'path taken', onedev_move_pending: 0, updated_at: NOW }),
  ],
  // holders and flags
  [
    'unstar: the star flag is cleared',
    row(),
    { kind: 'unstar' },
    ok({ starred: 0, updated_at: NOW }),
  ],
  [
    're-star: the star flag and its date',
    row({ starred: 0 }),
    { kind: 'restar', starredAt: EARLIER },
    ok({ starred: 1, starred_at: EARLIER, updated_at: NOW }),
  ],
  [
    'install: the installation is recorded',
    row(),
    { kind: 'install', installationId: 5 },
    ok({ installation_id: 5, updated_at: NOW }),
  ],
  [
    'uninstall: the installation is cleared',
    row({ installation_id: 5 }),
    { kind: 'install', installationId: null },
    ok({ installation_id: null, updated_at: NOW }),
  ],
  ['archive', row(), { kind: 'archive', archived: true }, ok({ archived: 1, updated_at: NOW })],
  ['unarchive', row(), { kind: 'archive', archived: false }, ok({ archived: 0, updated_at: NOW })],
  [
    'observe: GitHub flags, without touching the queue',
    row({ starred: 0 }),
    { kind: 'observe', private: true, defaultBranch: 'dev', starred: true },
    ok({ private: 1, default_branch: 'dev', starred: 1 }),
  ],
  [
    'observe: an unknown default branch and no star leave them alone',
    row(),
    { kind: 'observe', private: false, defaultBranch: null },
    ok({ private: 0 }),
  ],
  [
    'project: where the OneDev project is, as soon as known',
    row({ onedev_project_id: null }),
    { kind: 'project', name: 'old', path: 'github/alice/old', projectId: 9 },
    ok({
      onedev_name: 'old',
      onedev_path: 'github/alice/old',
      onedev_project_id: 9,
      updated_at: NOW,
    }),
  ],
  [
    'schedule refresh: from the slot read',
    row({ next_refresh_at: EARLIER }),
    { kind: 'schedule-refresh', from: EARLIER, at: LATER },
    ok({ next_refresh_at: LATER }),
  ],
  [
    'schedule refresh: refused when another replica took the slot',
    row({ next_refresh_at: LATER }),
    { kind: 'schedule-refresh', from: EARLIER, at: LATER },
    refused('slot_taken'),
  ],
  // wait-upstream
  [
    'wait upstream: a retrying mirror gets its attempts back and is due now',
    row({ status: 'retrying', attempts: 2, next_attempt_at: LATER }),
    { kind: 'wait-upstream', attempts: 0, message: 'waiting for OneDev' },
    ok({
      status: 'retrying',
      attempts: 0,
      next_attempt_at: NOW,
      last_error: 'waiting for OneDev',
      updated_at: NOW,
    }),
  ],
  [
    'wait upstream: a mirror failed on its last attempt is retrying again',
    row({ status: 'failed', attempts: 4, next_attempt_at: null }),
    { kind: 'wait-upstream', attempts: 1, message: 'waiting for GitHub' },
    ok({
      status: 'retrying',
      attempts: 1,
      next_attempt_at: NOW,
      last_error: 'waiting for GitHub',
      updated_at: NOW,
    }),
  ],
  [
    'wait upstream: refused while a sync holds the mirror',
    leased('w1', { attempts: 2 }),
    { kind: 'wait-upstream', attempts: 0, message: 'waiting for OneDev' },
    refused('not_waiting'),
  ],
  [
    'wait upstream: refused for a mirror that synced meanwhile',
    row({ status: 'synced', attempts: 0 }),
    { kind: 'wait-upstream', attempts: 0, message: 'waiting for OneDev' },
    refused('not_waiting'),
  ],
  [
    'wait upstream: given back once only (never more attempts than it has)',
    row({ status: 'retrying', attempts: 1, next_attempt_at: NOW }),
    { kind: 'wait-upstream', attempts: 1, message: 'waiting for OneDev' },
    refused('unchanged'),
  ],
  // An operator's pause
  [
    'operator pause: out of the queue, with who and when',
    row({ status: 'queued', next_attempt_at: EARLIER }),
    { kind: 'operator-pause', by: 'dashboard (127.0.0.1)' },
    ok({
      status: 'paused',
      next_attempt_at: null,
      resync_requested: 0,
      ...FREE,
      updated_at: NOW,
      paused_reason: 'paused by an operator',
      paused_by: 'dashboard (127.0.0.1)',
      paused_at: NOW,
    }),
  ],
  [
    'operator pause: a running sync loses its lease, so its release cannot undo the pause',
    leased('w1', { resync_requested: 1 }),
    { kind: 'operator-pause', by: 'admin API' },
    ok({
      status: 'paused',
      next_attempt_at: null,
      resync_requested: 0,
      ...FREE,
      updated_at: NOW,
      paused_reason: 'paused by an operator',
      paused_by: 'admin API',
      paused_at: NOW,
    }),
  ],
  [
    'operator pause: refused when already paused by an operator',
    row({ status: 'paused', paused_by: 'admin API' }),
    { kind: 'operator-pause', by: 'dashboard' },
    refused('already_paused'),
  ],
  [
    'request: refused on an operator-paused mirror, even forced',
    row({ status: 'paused', paused_by: 'admin API' }),
    { kind: 'request', force: true },
    refused('paused'),
  ],
  [
    'claim: an operator sync is refused on an operator-paused mirror',
    row({ status: 'paused', paused_by: 'admin API' }),
    { kind: 'claim', worker: 'cli', until: LATER, operator: true },
    refused('paused'),
  ],
  [
    'resume (re-star): an operator pause stays; only the release is lifted',
    row({ status: 'paused', paused_by: 'admin API', unstarred_at: EARLIER }),
    { kind: 'resume' },
    ok({ unstarred_at: null, delete_after: null, updated_at: NOW }),
  ],
  [
    'operator resume: due now, pause cleared',
    row({ status: 'paused', paused_by: 'admin API' }),
    { kind: 'operator-resume' },
    ok({
      status: 'queued',
      next_attempt_at: NOW,
      paused_reason: null,
      paused_by: null,
      paused_at: null,
      updated_at: NOW,
    }),
  ],
  [
    'operator resume: a mirror the unstar policy released stays paused',
    row({ status: 'paused', paused_by: 'admin API', unstarred_at: EARLIER }),
    { kind: 'operator-resume' },
    ok({ paused_by: null, paused_at: null }),
  ],
  [
    'operator resume: refused when no operator paused it',
    row({ status: 'paused' }),
    { kind: 'operator-resume' },
    refused('not_paused_by_operator'),
  ],
];

describe('the mirror state machine', () => {
  it.each(cases)('%s', (_name, state, event, expected) => {
    expect(transition(state, event, NOW)).toEqual(expected);
  });

  it('has a case for every event', () => {
    const kinds = new Set(cases.map(([, , event]) => event.kind));
    expect([...kinds].sort()).toEqual(
      [
        'request',
        'claim',
        'renew',
        'release',
        'reclaim',
        'reclaim-own',
        'hold',
        'unhold',
        'pause',
        'source-gone',
        'resume',
        'operator-pause',
        'operator-resume',
        'rename',
        'regroup',
        'moved',
        'move-refused',
        'unstar',
        'restar',
        'install',
        'archive',
        'observe',
        'project',
        'schedule-refresh',
        'wait-upstream',
      ].sort(),
    );
  });
});
