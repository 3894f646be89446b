import { log } from './log.js';
import type { ECRClient } from '@aws-sdk/client-ecr';
import { readRepositoryPolicy, writeRepositoryPolicy } from './aws/repository-policy.js';
import type { PropagationOptions } from './aws/retry.js';
import { judgeAuthorizationToken, judgeGrant, judgeIdentity, type SideVerdict, type StagingIdentity } from './drift/verdict.js';
import type { Inputs } from './inputs.js';
import { repositoryArn } from './policy/allowlist.js';
import type { PolicyDocument } from './policy/document.js';
import { grantStatement, planGrant, publicGrantFindings, stalePrincipalFindings, type GrantPlan } from './policy/repository-grant.js';
import type { RepositoryRow, RunReport } from './report/report.js';
import type { Staging } from './staging.js';

/** What was read of one repository before anything is written, and what the grant would change. */
export interface RepositoryState {
  repository: string;
  arn: string;
  policy: PolicyDocument | undefined;
  grantPlan: GrantPlan | undefined;
}

/** The state of a repository whose policy is known (undefined: none), with the grant it would need. */
export function repositoryStateFrom(inputs: Inputs, registryId: string, repository: string, policy: PolicyDocument | undefined): RepositoryState {
  const grantPlan =
    inputs.pullPrincipals.length > 0
      ? planGrant(policy, grantStatement(inputs.policySid, inputs.pullPrincipals, inputs.pullActions), repository)
      : undefined;
  return { repository, arn: repositoryArn(inputs.region, registryId, repository), policy, grantPlan };
}

export async function readRepositoryState(ecr: ECRClient, inputs: Inputs, registryId: string, repository: string): Promise<RepositoryState> {
  return repositoryStateFrom(inputs, registryId, repository, await readRepositoryPolicy(ecr, registryId, repository));
}

/** Writes the grant when its meaning differs from what is stored; records before/after in the report. */
export async function applyGrant(
  ecr: ECRClient,
  inputs: Inputs,
  registryId: string,
  state: RepositoryState,
  report: RunReport,
  propagation: PropagationOptions,
): Promise<PolicyDocument | undefined> {
  const plan = state.grantPlan;
  if (!plan) return state.policy;
  if (plan.changes) {
    await writeRepositoryPolicy(ecr, registryId, state.repository, plan.after, inputs.pullPrincipals, propagation);
    log.info(`Wrote statement "${inputs.policySid}" to the repository policy of ${state.repository} (other statements kept).`);
  } else {
    log.info(`The repository policy of ${state.repository} already grants pull to ${inputs.pullPrincipals.join(', ')}: no write.`);
  }
  report.policyChanges.push({ target: `repository:${state.repository}`, before: plan.before ?? null, after: plan.after, written: plan.changes });
  return plan.after;
}

function label(verdict: SideVerdict, okLabel: string): string {
  return verdict.status === 'ok' ? okLabel : verdict.status;
}

/** Both sides of the cross-account pull for one repository, as one row of the report. */
export function judgeRepository(
  inputs: Inputs,
  state: RepositoryState,
  effectivePolicy: PolicyDocument | undefined,
  staging: StagingIdentity | undefined,
  digest: string | undefined,
): RepositoryRow {
  const findings: string[] = [];
  let grant = 'not checked';
  let identity = 'not checked';
  let drift = false;
  if (staging) {
    const grantVerdict = judgeGrant(state.repository, state.arn, effectivePolicy, staging.roleArn, inputs.pullActions, inputs.policySid);
    const identityVerdict = judgeIdentity(state.arn, staging, inputs.pullActions);
    const written = state.grantPlan?.changes && effectivePolicy === state.grantPlan.after;
    grant = label(grantVerdict, written ? 'granted' : 'ok');
    identity = label(identityVerdict, 'allowed');
    const stale = stalePrincipalFindings(effectivePolicy, state.repository);
    findings.push(...grantVerdict.findings, ...stale, ...identityVerdict.findings);
    drift = grantVerdict.status !== 'ok' || identityVerdict.status !== 'ok' || stale.length > 0;
    if (stale.length > 0 && grantVerdict.status === 'ok') grant = 'stale principal';
  } else if (state.grantPlan) {
    grant = state.grantPlan.changes ? 'granted' : 'ok';
  }
  return { repository: state.repository, grant, identity, digest, verdict: drift ? 'drift' : 'ok', findings };
}

/** The role-level check (docker login needs ecr:GetAuthorizationToken), as a row when it fails. */
export function judgeRole(staging: StagingIdentity): RepositoryRow | undefined {
  const verdict = judgeAuthorizationToken(staging);
  if (verdict.status === 'ok' || verdict.findings.length === 0) return undefined;
  return { repository: `(role ${staging.roleArn.slice(staging.roleArn.lastIndexOf('/') + 1)})`, grant: '-', identity: verdict.status, verdict: 'drift', findings: verdict.findings };
}

/** simulate: true — IAM's simulator as a second opinion on the identity side; disagreements warn. */
export async function crossCheckWithSimulator(inputs: Inputs, staging: Staging, rows: { row: RepositoryRow; arn: string }[], report: RunReport): Promise<void> {
  if (!inputs.simulate || staging.identity.problem) return;
  const { simulateIdentity } = await import('./aws/simulate.js');
  for (const { row, arn } of rows) {
    const status = row.identity === 'allowed' ? 'ok' : (row.identity as SideVerdict['status']);
    const warning = await simulateIdentity(staging.access.iam, staging.identity.roleArn, arn, inputs.pullActions, status);
    if (warning) report.warnings.push(warning);
  }
}

export function collectForeignFindings(inputs: Inputs, state: RepositoryState, report: RunReport): void {
  report.warnings.push(...publicGrantFindings(state.policy, inputs.policySid, state.repository));
}

export function finishVerdicts(report: RunReport): void {
  report.missing = [...new Set(report.rows.filter((row) => row.verdict === 'drift' && !row.repository.startsWith('(')).map((row) => row.repository))].sort();
}
