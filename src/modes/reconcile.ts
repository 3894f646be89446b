import { log } from '../log.js';
import type { IAMClient } from '@aws-sdk/client-iam';
import { deleteInlinePolicy, putInlinePolicy, readInline, roleNameOf } from '../adapters/aws/iam.js';
import { restoreRepositoryPolicy } from '../adapters/aws/repository-policy.js';
import { cancellableSleep, waitForPropagation, type PropagationOptions } from '../util/retry.js';
import { applyGrant, finishVerdicts } from './cross-account.js';
import { formatPlan, planHasChanges, planReconcile, unfixableText, type ReconcilePlan } from '../domain/plan.js';
import { UserError } from '../errors.js';
import type { Inputs } from '../action/inputs.js';
import { allowlistShows, editAllowlist, type AllowlistEdit } from '../domain/policy/allowlist.js';
import { iamPolicyLength, samePolicyMeaning, type PolicyDocument } from '../domain/policy/document.js';
import type { RunReport } from '../report/model.js';
import type { RunnerContext } from '../action/runner-context.js';
import { reportSurvey } from './survey.js';
import { roleProblemText } from '../report/findings.js';
import { surveyTargets, type SurveyContext } from './verify.js';

/** How many times a lost update (another reconcile wrote over ours) is merged and written again. */
const MAX_MERGE_ATTEMPTS = 8;

function plan(inputs: Inputs, context: SurveyContext, policyName: string): ReconcilePlan {
  const allowlist = context.staging.documents.find((policy) => policy.inlineName === policyName);
  const otherInlineLength = context.survey.inlineLength - (allowlist ? iamPolicyLength(allowlist.document) : 0);
  return planReconcile({
    region: inputs.region,
    registryId: context.registryId,
    verdicts: context.survey.verdicts,
    role: context.staging.role,
    grantPlans: new Map([...context.survey.states].map(([repository, state]) => [repository, state?.grantPlan])),
    extra: context.survey.extra,
    prune: inputs.prune,
    pullActions: inputs.pullActions,
    allowlistDocument: allowlist?.document,
    policies: context.staging.documents.map((policy) => ({ name: policy.name, document: policy.document })),
    otherInlineLength,
    policyName,
  });
}

/**
 * IAM has no conditional write, so: re-read, merge our edit into what is there now, write, wait
 * until IAM shows it, let a racing writer's write land, and read again. If our entries are gone,
 * another reconcile wrote over them: merge and write again.
 */
async function writeAllowlist(
  iam: IAMClient,
  who: string,
  roleArn: string,
  policyName: string,
  edit: AllowlistEdit,
  pullActions: string[],
  propagation: PropagationOptions & { settleMs: number },
): Promise<{ before: PolicyDocument | undefined; after: PolicyDocument | undefined }> {
  const roleName = roleNameOf(roleArn);
  const read = async (): Promise<PolicyDocument | undefined> => (await readInline(iam, roleName, policyName, who))?.document;
  const sleep = propagation.sleep ?? ((ms: number) => cancellableSleep(ms, `iam:GetRolePolicy ${policyName}`));
  let firstBefore: PolicyDocument | undefined;
  for (let attempt = 1; attempt <= MAX_MERGE_ATTEMPTS; attempt++) {
    const current = await read();
    if (attempt === 1) firstBefore = current;
    if (allowlistShows(current, edit, pullActions)) return { before: firstBefore, after: current };
    const next = editAllowlist(current, edit, pullActions);
    // Prune took the last statement: IAM refuses a policy without one, so the policy itself goes.
    if (next.Statement.length === 0) {
      await deleteInlinePolicy(iam, roleArn, policyName, who);
      log.info(`Deleted inline policy ${policyName} of role ${roleName}: prune left nothing in it (attempt ${attempt}).`);
    } else {
      await putInlinePolicy(iam, roleArn, policyName, next, who);
      log.info(`Wrote inline policy ${policyName} of role ${roleName} (attempt ${attempt}).`);
    }
    // Still the old document: IAM has not caught up yet. Anything else: another writer was here.
    const outcome = await waitForPropagation(
      `iam:GetRolePolicy ${policyName}`,
      async () => {
        const seen = await read();
        if (allowlistShows(seen, edit, pullActions)) return { done: true as const, value: 'visible' };
        if (!samePolicyMeaning(seen, current)) return { done: true as const, value: 'overwritten' };
        return { done: false as const, reason: 'IAM does not show the change yet' };
      },
      propagation,
    );
    if (!outcome.done) {
      throw new UserError(
        `reconcile: IAM still did not show the change to ${policyName} after ${Math.round(propagation.timeoutMs / 1000)}s. Re-run reconcile (it is idempotent), or raise propagation-timeout.`,
      );
    }
    if (outcome.value === 'visible') {
      await sleep(propagation.settleMs);
      const settled = await read();
      if (allowlistShows(settled, edit, pullActions)) return { before: firstBefore, after: settled };
    }
    log.info(`Another writer replaced inline policy ${policyName} after our write; merging again (attempt ${attempt + 1} of ${MAX_MERGE_ATTEMPTS}).`);
  }
  throw new UserError(
    `reconcile: inline policy ${policyName} of role ${roleName} kept losing our changes to other writers after ${MAX_MERGE_ATTEMPTS} attempts. Stop the other reconciles and run again.`,
  );
}

/** A failed write must not leave the run half-applied: put back the grants already written, then fail. */
async function rollBack(
  context: SurveyContext,
  granted: { repository: string; before: PolicyDocument | undefined }[],
  error: unknown,
  report: RunReport,
): Promise<never> {
  const cause = error instanceof Error ? error.message : String(error);
  const notRestored: string[] = [];
  for (const { repository, before } of granted.reverse()) {
    try {
      await restoreRepositoryPolicy(context.ecr, context.registryId, repository, before);
      const change = report.policyChanges.find((candidate) => candidate.target === `repository:${repository}`);
      if (change) change.rolledBack = true;
      log.info(`Rolled back the repository policy of ${repository}.`);
    } catch {
      notRestored.push(repository);
    }
  }
  const restored = granted.length - notRestored.length;
  const undo =
    notRestored.length > 0
      ? ` Could not roll back ${notRestored.join(', ')}: restore them by hand from the report's policyChanges.`
      : restored > 0
        ? ` The ${restored} grant(s) already written were rolled back; nothing changed.`
        : ' Nothing was changed.';
  throw new UserError(`${cause.replace(/ Nothing after this call was written\.$/, '')}${undo}`);
}

/** reconcile: plan, then apply the minimal change, then re-read and re-verify. `dry-run` stops after the plan. */
export async function reconcile(inputs: Inputs, runner: RunnerContext, report: RunReport): Promise<void> {
  if (!inputs.stagingPolicyName) {
    throw new UserError(
      'staging-policy-name: required in reconcile mode. Name the inline policy that holds the allowlist, e.g. WorkspaceTemplatePrimaryECRPull.',
    );
  }
  const policyName = inputs.stagingPolicyName;
  const context = await surveyTargets(inputs, runner);
  report.registryId = context.registryId;
  const roleArn = context.staging.roleArn;
  const problem = context.staging.role.problem;
  if (problem?.kind === 'role-not-found') throw new UserError(`staging-role-arn: ${roleProblemText(problem)} Reconcile does not create roles.`);
  const reconcilePlan = plan(inputs, context, policyName);
  const planText = formatPlan(reconcilePlan, policyName, roleNameOf(roleArn));
  log.info(planText);
  report.plan = { changes: planHasChanges(reconcilePlan), text: planText.split('\n') };
  // Extras prune may not remove are a person's to fix: said as warnings too, not only in the plan.
  for (const item of reconcilePlan.unfixable) if (item.kind === 'extra-elsewhere') report.warnings.push(unfixableText(item));

  if (inputs.dryRun || !planHasChanges(reconcilePlan)) {
    reportSurvey(inputs, context.survey, report, context.manifestMode);
    if (inputs.dryRun && planHasChanges(reconcilePlan))
      report.warnings.push('dry-run: nothing was written. Run reconcile without dry-run to apply the plan above.');
    finishVerdicts(inputs, context.staging, report);
    return;
  }

  const propagation = { timeoutMs: inputs.propagationTimeoutMs, log: log.info };
  let policyDeleted = false;
  await log.group('Apply', async () => {
    const granted: { repository: string; before: PolicyDocument | undefined }[] = [];
    try {
      for (const { repository, plan: grantPlan } of reconcilePlan.grants) {
        await applyGrant(context.ecr, inputs, context.registryId, context.survey.states.get(repository)!, report, propagation);
        granted.push({ repository, before: grantPlan.before });
      }
      const edit = reconcilePlan.allowlist;
      if (edit.add.length > 0 || edit.remove.length > 0 || edit.addLogin) {
        const written = await writeAllowlist(context.staging.access.iam, context.staging.access.who, roleArn, policyName, edit, inputs.pullActions, {
          ...propagation,
          settleMs: Math.min(1500, inputs.propagationTimeoutMs),
        });
        report.policyChanges.push({
          target: `role:${roleNameOf(roleArn)}/${policyName}`,
          before: written.before ?? null,
          after: written.after ?? null,
          written: !samePolicyMeaning(written.before, written.after),
        });
        policyDeleted = written.after === undefined;
      }
    } catch (error) {
      await rollBack(context, granted, error, report);
    }
  });

  // Re-read everything and judge again: the verdict is what AWS holds now, not what we meant to write.
  // A policy prune deleted on purpose is not "missing": judge the role by what it still has.
  const again = await surveyTargets(policyDeleted ? { ...inputs, stagingPolicyName: undefined } : inputs, runner, context.readers);
  if (policyDeleted)
    report.warnings.push(
      `inline policy ${policyName} of role ${roleNameOf(roleArn)} was deleted: prune left nothing in it. A later run with staging-policy-name: ${policyName} reports it missing; drop that input, or let reconcile create it again with the expected repositories.`,
    );
  const granted = new Set(reconcilePlan.grants.map((grant) => grant.repository));
  const added = new Set(reconcilePlan.allowlist.add);
  for (const verdict of again.survey.verdicts) {
    verdict.grantWritten = granted.has(verdict.repository) && verdict.grant?.status === 'allowed';
    verdict.allowlistAdded = verdict.identity?.status === 'allowed' && added.has(verdict.arn);
  }
  reportSurvey(inputs, again.survey, report, again.manifestMode);
  finishVerdicts(inputs, again.staging, report);
}
