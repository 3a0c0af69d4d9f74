import type { PlanSummary } from './reconcile.plan.js';
import type { GitHubSources } from './sources.service.js';

export interface ReconcileCommandDeps {
  sources: Pick<GitHubSources, 'reconcile' | 'status'>;
  out: (line: string) => void;
}

/**
 * `starbridge reconcile [--dry-run]`: a full listing of the stars now. With --dry-run it
 * prints the plan and changes nothing (check a first run against hundreds of stars);
 * without, new mirrors are queued for the service's workers. Exit 0; 1 failed; 64 usage.
 */
export async function reconcileCommand(args: string[], deps: ReconcileCommandDeps) {
  const dryRun = args.includes('--dry-run');
  if (args.some((a) => a !== '--dry-run')) {
    deps.out('usage: starbridge reconcile [--dry-run]');
    return 64;
  }
  const { sources } = deps;
  try {
    const outcome = await sources.reconcile({ dryRun });
    if (outcome.plan) printPlan(outcome.plan, dryRun, deps.out);
    if (!dryRun) deps.out(`reconcile: ${outcome.result ?? 'done'}`);
    if (outcome.result === 'paused') {
      const reason = (await sources.status()).starsPoll.pausedReason;
      if (reason) deps.out(`starbridge reconcile: ${reason}`);
    }
    return outcome.result?.startsWith('failed') || outcome.result === 'paused' ? 1 : 0;
  } catch (error) {
    deps.out(`starbridge reconcile: ${(error as Error).message}`);
    return 1;
  }
}

function printPlan(plan: PlanSummary, dryRun: boolean, out: (line: string) => void): void {
  out(dryRun ? 'plan (dry run, nothing changed):' : 'reconciled:');
  out(`  to add:    ${plan.toAdd.length}`);
  for (const repo of plan.toAdd) out(`    + ${repo.fullName}`);
  if (plan.deferred.length > 0)
    out(`  deferred (over STARS_MAX_NEW_PER_RUN): ${plan.deferred.length}`);
  out(`  to unstar: ${plan.toUnstar.length}`);
  for (const repo of plan.toUnstar) out(`    - ${repo.fullName}`);
  for (const repo of plan.renamed) out(`    ~ ${repo.from} → ${repo.fullName}`);
  for (const repo of plan.regrouped ?? []) {
    const where = repo.parent ? ` (OneDev parent ${repo.parent})` : '';
    out(`    > ${repo.fullName} → list ${repo.list ?? '(none)'}${where}`);
  }
  out(`  unchanged: ${plan.unchanged}`);
  if (!plan.removalsConsidered)
    out('  (the listing was partial or empty: nothing would be unstarred)');
}
