import type { Executor } from '../db/executor.js';
import { giveBackAttempts } from '../mirrors/mirror-lease.repo.js';
import { UpstreamError } from '../shared/upstream-error.js';
import { isUpstreamFault, upstreamOf } from '../shared/upstream-fault.js';
import { type HeldRun, recordUpstreamWait } from './run-outcome.js';
import type { UpstreamGate } from './upstream-gate.js';

/**
 * Settles a failed sync with the upstream circuits before the retry policy sees it: a fault
 * of an upstream whose circuit is (or now becomes) open spends no attempt, and the mirrors
 * whose faults opened it get theirs back. Undefined: the retry policy decides as usual.
 */
export async function waitForUpstream(
  db: Executor,
  gate: UpstreamGate,
  run: HeldRun,
  error: Error,
  now: string,
): Promise<{ result: 'retrying'; errorCode: string } | undefined> {
  const upstream = upstreamOf(error);
  if (!upstream) return undefined;
  if (!isUpstreamFault(error)) {
    // It answered, with a refusal of this mirror: not an outage.
    gate.answered([upstream]);
    return undefined;
  }
  const { github_id: githubId, attempts: attemptsBefore } = run.mirror;
  const verdict = gate.fault(upstream, { githubId, attemptsBefore, message: error.message });
  if (!verdict.waiting) return undefined;
  const code = error instanceof UpstreamError ? error.reason : `${upstream}_network`;
  const wait = { attempts: verdict.attempts, message: verdict.message, code };
  await recordUpstreamWait(db, run, wait, now);
  for (const mirror of verdict.giveBack) {
    if (mirror.githubId === githubId) continue;
    await giveBackAttempts(db, mirror.githubId, { ...mirror, message: verdict.message }, now);
  }
  return { result: 'retrying', errorCode: code };
}

/**
 * After the retry policy counted a fault: another worker's fault may have opened the circuit
 * while this one was being recorded, and then this mirror's attempts are given back too.
 * True when they were: the mirror waits (`retrying`) whatever the policy decided.
 */
export async function giveBackIfOpened(
  db: Executor,
  gate: UpstreamGate,
  run: HeldRun,
  error: Error,
  now: string,
): Promise<boolean> {
  const upstream = upstreamOf(error);
  if (!upstream || !isUpstreamFault(error)) return false;
  const back = gate.giveBackFor(upstream, run.mirror.github_id);
  return back !== undefined && (await giveBackAttempts(db, run.mirror.github_id, back, now));
}
