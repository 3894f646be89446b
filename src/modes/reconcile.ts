import { roleNameOf } from '../adapters/aws/iam.js';
import { planHasChanges, planReconcile, type ReconcilePlan } from '../domain/plan.js';
import { iamPolicyLength, samePolicyMeaning, type PolicyDocument } from '../domain/policy/document.js';
import { UserError } from '../errors.js';
import { log } from '../log.js';
import { roleProblemText } from '../report/findings.js';
import { emptyReport, type PolicyChange, type RunReport, type Warning } from '../report/model.js';
import { formatPlan } from '../report/plan-text.js';
import { writeAllowlist } from '../services/allowlist.js';
import { applyGrant, restoreGrants } from '../services/grant.js';
import { survey, type Survey } from '../services/survey.js';
import type { ReconcileSettings } from '../settings/settings.js';
import { FailedRun, finish } from './result.js';

/** The minimal change that makes every expected repository pullable, from what the survey read. Pure. */
function planFor(settings: ReconcileSettings, surveyed: Survey): ReconcilePlan {
  const { policyName } = settings.puller;
  const allowlist = surveyed.staging.documents.find((policy) => policy.inlineName === policyName);
  return planReconcile({
    region: settings.registry.region,
    registryId: surveyed.registryId,
    verdicts: surveyed.verdicts,
    role: surveyed.staging.role,
    grantPlans: new Map([...surveyed.states].map(([repository, state]) => [repository, state?.grantPlan])),
    extra: surveyed.extra,
    prune: settings.prune,
    pullActions: settings.grant.actions,
    allowlistDocument: allowlist?.document,
    policies: surveyed.staging.documents.map((policy) => ({ name: policy.name, document: policy.document })),
    otherInlineLength: surveyed.inlineLength - (allowlist ? iamPolicyLength(allowlist.document) : 0),
    policyName,
  });
}

/**
 * Writes the plan: each grant, then the allowlist. A failed write must not leave the run
 * half-applied: the grants already written are put back, and the error says so.
 */
async function apply(
  settings: ReconcileSettings,
  surveyed: Survey,
  plan: ReconcilePlan,
  report: RunReport,
): Promise<{ changes: PolicyChange[]; policyDeleted: boolean }> {
  const propagation = { timeoutMs: settings.propagationTimeoutMs, log: log.info };
  const changes: PolicyChange[] = [];
  const granted: { repository: string; before: PolicyDocument | undefined }[] = [];
  const { roleArn } = surveyed.staging;
  const { policyName } = settings.puller;
  try {
    for (const { repository, plan: grantPlan } of plan.grants) {
      const state = surveyed.states.get(repository);
      if (!state) continue;
      const { change } = await applyGrant(surveyed.readers.ecr, settings.grant, surveyed.registryId, state, propagation);
      if (change) changes.push(change);
      granted.push({ repository, before: grantPlan.before });
    }
    const edit = plan.allowlist;
    if (edit.add.length === 0 && edit.remove.length === 0 && !edit.addLogin) return { changes, policyDeleted: false };
    const { iam, who } = surveyed.staging.access;
    const written = await writeAllowlist(iam, who, roleArn, policyName, edit, settings.grant.actions, {
      ...propagation,
      settleMs: Math.min(1500, settings.propagationTimeoutMs),
    });
    const target = { kind: 'inline-policy' as const, roleName: roleNameOf(roleArn), policyName };
    changes.push({ target, before: written.before ?? null, after: written.after ?? null, written: !samePolicyMeaning(written.before, written.after) });
    return { changes, policyDeleted: written.after === undefined };
  } catch (error) {
    const notRestored = await restoreGrants(surveyed.readers.ecr, surveyed.registryId, granted);
    const restored = granted.length - notRestored.length;
    const undo =
      notRestored.length > 0
        ? `Could not roll back ${notRestored.join(', ')}: restore them by hand from the report's policyChanges.`
        : restored > 0
          ? `The ${restored} grant(s) already written were rolled back; nothing changed.`
          : 'Nothing was changed.';
    const failure = new UserError(error instanceof UserError ? error.what : error instanceof Error ? error.message : String(error), undo);
    const rolledBack = changes.map((change) =>
      change.target.kind === 'repository' && !notRestored.includes(change.target.repository) ? { ...change, rolledBack: true } : change,
    );
    // The report then holds only what was written (and put back), so it can be undone by hand.
    throw rolledBack.length > 0 ? new FailedRun(failure, { ...report, registryId: surveyed.registryId, policyChanges: rolledBack }) : failure;
  }
}

/** reconcile: survey, plan, apply the minimal change, then re-read and re-verify. `dry-run` stops after the plan. */
export async function reconcile(settings: ReconcileSettings): Promise<RunReport> {
  const surveyed = await survey(settings);
  const problem = surveyed.staging.role.problem;
  if (problem?.kind === 'role-not-found') throw new UserError(`staging-role-arn: ${roleProblemText(problem)} Reconcile does not create roles.`);
  const plan = planFor(settings, surveyed);
  const named = { plan, policyName: settings.puller.policyName, roleName: roleNameOf(surveyed.staging.roleArn) };
  log.info(formatPlan(plan, named.policyName, named.roleName));
  // Extras prune may not remove are a person's to fix: said as warnings too, not only in the plan.
  const unfixable: Warning[] = plan.unfixable.filter((item) => item.kind === 'extra-elsewhere').map((item) => ({ kind: 'unfixable', item }));
  const report: RunReport = { ...emptyReport('reconcile', settings.registry.region), plan: named, warnings: unfixable };

  if (settings.dryRun || !planHasChanges(plan)) {
    const dryRun: Warning[] = settings.dryRun && planHasChanges(plan) ? [{ kind: 'dry-run' }] : [];
    return finish(report, settings, surveyed, { warnings: dryRun });
  }

  const applied = await log.group('Apply', () => apply(settings, surveyed, plan, report));
  // Re-read everything and judge again: the verdict is what AWS holds now, not what we meant to write.
  // A policy prune deleted on purpose is not "missing": judge the role by what it still has.
  const puller = applied.policyDeleted ? { ...settings.puller, policyName: undefined } : settings.puller;
  const again = await survey({ ...settings, puller }, surveyed.readers);
  const deleted: Warning[] = applied.policyDeleted ? [{ kind: 'policy-deleted', policyName: named.policyName, roleName: named.roleName }] : [];
  const granted = new Set(plan.grants.map((grant) => grant.repository));
  const added = new Set(plan.allowlist.add);
  const verdicts = again.verdicts.map((verdict) => ({
    ...verdict,
    grantWritten: granted.has(verdict.repository) && verdict.grant?.status === 'allowed',
    allowlistAdded: verdict.identity?.status === 'allowed' && added.has(verdict.arn),
  }));
  return finish({ ...report, policyChanges: applied.changes }, settings, again, { warnings: deleted, verdicts });
}
