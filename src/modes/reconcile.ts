import { UserError } from '../errors.js';
import { log } from '../log.js';
import { emptyReport, type RunReport, type Warning } from '../report/model.js';
import { formatPlan, undoText } from '../report/plan-text.js';
import { reconcileText as say } from '../report/reconcile-text.js';
import * as apply from '../services/reconcile-apply.js';
import { survey } from '../services/survey.js';
import type { ReconcileSettings } from '../settings/settings.js';
import { FailedRun, finish } from './result.js';

/** reconcile: survey, plan each puller, apply the minimal change, then re-read and re-verify. `dry-run` stops after the plans. */
export async function reconcile(settings: ReconcileSettings): Promise<RunReport> {
  const surveyed = await survey(settings);
  const plans = surveyed.pullers.map((puller, index) => {
    const policy = settings.pullers[index];
    const problem = puller.placed.role.problem;
    if (problem?.kind === 'role-not-found') throw new UserError(say.roleNotFound(settings.pullers, policy, problem));
    const planned = apply.planPuller(settings, surveyed, puller, policy);
    log.info(formatPlan(planned.named.plan, planned.named.policyName, planned.named.roleName));
    return planned;
  });
  const named = plans.map((item) => item.named);
  const report: RunReport = {
    ...emptyReport('reconcile', settings.registry.region),
    plans: named,
    warnings: apply.unfixableWarnings(named),
    documents: apply.documentsOf(settings, surveyed, named),
  };
  const changes = apply.plansChange(named);

  if (settings.dryRun || !changes) {
    const dryRun: Warning[] = settings.dryRun && changes ? [{ kind: 'dry-run' }] : [];
    return finish(report, settings, surveyed, { warnings: dryRun });
  }

  const applied = await log.group(say.applyStep(), async () => {
    const result = await apply.applyPlans(settings, surveyed, plans);
    if (!result.failed) return result;
    const failure = new UserError(result.failed.what, undoText(result.failed.undone));
    // The report then holds only what was written (and put back, or not), so it can be undone by hand.
    throw result.changes.length > 0 ? new FailedRun(failure, { ...report, registryId: surveyed.registryId, policyChanges: result.changes }) : failure;
  });
  // Re-read everything and judge again: the verdict is what AWS holds now, not what we meant to write.
  const again = await survey({ ...settings, pullers: apply.pullersToReread(settings.pullers, applied.deleted) }, surveyed.readers);
  const verdicts = apply.verdictsAfterApply(again, named);
  return finish({ ...report, policyChanges: applied.changes }, settings, again, { warnings: apply.deletedWarnings(applied.deleted), verdicts });
}
