import type { ECRClient } from '@aws-sdk/client-ecr';
import { readRepositoryPolicy, writeRepositoryPolicy } from '../adapters/aws/repository-policy.js';
import { waitForPropagation, type PropagationOptions } from '../util/retry.js';
import { judgeGrantSide, judgeIdentitySide, PULL_NEEDS, type AccessModel, type RepositoryTags } from '../domain/checks/judge.js';
import type { Check, NotChecked, RepositoryVerdict } from '../domain/checks/model.js';
import { readRepositoryTags } from '../adapters/aws/registry-policy.js';
import { runPoliciesMentionResourceTags } from '../domain/checks/judge.js';
import { mentionsResourceTags } from '../domain/policy/request-context.js';
import { mapPool } from '../util/pool.js';
import { UserError } from '../errors.js';
import type { Inputs } from '../action/inputs.js';
import { log } from '../log.js';
import { accountOf, repositoryArn } from '../domain/arn.js';
import { samePolicyMeaning, type PolicyDocument } from '../domain/policy/document.js';
import { grantStatement, planGrant, publicGrantFindings, stalePrincipals, type GrantPlan } from '../domain/policy/repository-grant.js';
import { minimalPullFacts, pullRequestContext } from '../domain/policy/request-context.js';
import type { RunReport } from '../report/model.js';
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
    inputs.pullPrincipals.length > 0 ? planGrant(policy, grantStatement(inputs.policySid, inputs.pullPrincipals, inputs.pullActions), repository) : undefined;
  return { repository, arn: repositoryArn(inputs.region, registryId, repository), policy, grantPlan };
}

export async function readRepositoryState(ecr: ECRClient, inputs: Inputs, registryId: string, repository: string): Promise<RepositoryState> {
  return repositoryStateFrom(inputs, registryId, repository, await readRepositoryPolicy(ecr, registryId, repository));
}

/**
 * The tags of every repository whose verdict depends on them (a policy it is judged by mentions
 * aws:ResourceTag/ or ecr:ResourceTag/), read in parallel; no call at all when none does. A tags
 * read that fails leaves those keys unknown and is said once.
 */
export async function readTagsWhereAsked(
  ecr: ECRClient,
  staging: Staging | undefined,
  repositories: { arn: string; policy: PolicyDocument | undefined }[],
): Promise<{ tags: Map<string, RepositoryTags>; notChecked: NotChecked[] }> {
  // No puller, no verdict: nothing to read tags for.
  if (!staging) return { tags: new Map(), notChecked: [] };
  const runWide = runPoliciesMentionResourceTags(staging?.model, staging?.registryPolicy);
  const asked = repositories.filter(({ policy }) => runWide || (policy !== undefined && mentionsResourceTags([{ statements: policy.Statement }])));
  const tags = new Map<string, RepositoryTags>();
  await mapPool(asked, TAG_READ_CONCURRENCY, async ({ arn }) => void tags.set(arn, await readRepositoryTags(ecr, arn)));
  const unread = [...tags.entries()].filter((entry): entry is [string, { status: 'unread'; reason: string }] => entry[1]?.status === 'unread');
  const notChecked: NotChecked[] =
    unread.length > 0
      ? [{ what: 'repository-tags', reason: `${unread.length} of ${asked.length} repositories, e.g. ${unread[0][0]}: ${unread[0][1].reason}` }]
      : [];
  return { tags, notChecked };
}

const TAG_READ_CONCURRENCY = 16;

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
  if (!plan.changes) {
    log.info(`The repository policy of ${state.repository} already grants pull to ${inputs.pullPrincipals.join(', ')}: no write.`);
    report.policyChanges.push({ target: `repository:${state.repository}`, before: plan.before ?? null, after: plan.after, written: false });
    return plan.after;
  }
  const after = await writeGrantUntilVisible(ecr, inputs, registryId, state.repository, plan, propagation);
  report.policyChanges.push({ target: `repository:${state.repository}`, before: plan.before ?? null, after, written: true });
  return after;
}

/** How many times a grant overwritten by another writer is merged and written again. */
const MAX_GRANT_WRITES = 5;

/**
 * ECR, like IAM, may serve the old policy for a while after a write: read it back until it shows our
 * statement, so nothing is judged on a stale read. A policy that is neither the old nor ours means
 * another writer was there: merge our statement into it and write again.
 */
async function writeGrantUntilVisible(
  ecr: ECRClient,
  inputs: Inputs,
  registryId: string,
  repository: string,
  first: GrantPlan,
  propagation: PropagationOptions,
): Promise<PolicyDocument> {
  let plan = first;
  for (let attempt = 1; attempt <= MAX_GRANT_WRITES; attempt++) {
    await writeRepositoryPolicy(ecr, registryId, repository, plan.after, inputs.pullPrincipals, propagation);
    log.info(`Wrote statement "${inputs.policySid}" to the repository policy of ${repository} (other statements kept).`);
    const written = plan;
    const outcome = await waitForPropagation(
      `ecr:GetRepositoryPolicy ${repository}`,
      async () => {
        const seen = await readRepositoryPolicy(ecr, registryId, repository);
        if (samePolicyMeaning(seen, written.after)) return { done: true as const, value: { visible: true, seen } };
        if (samePolicyMeaning(seen, written.before)) return { done: false as const, reason: 'ECR does not show the change yet' };
        return { done: true as const, value: { visible: false, seen } };
      },
      propagation,
    );
    if (!outcome.done) {
      throw new UserError(
        `ecr:SetRepositoryPolicy on ${repository}: ECR still did not show the grant after ${Math.round(propagation.timeoutMs / 1000)}s. Re-run (it is idempotent), or raise propagation-timeout.`,
      );
    }
    if (outcome.value.visible) return written.after;
    plan = planGrant(outcome.value.seen, grantStatement(inputs.policySid, inputs.pullPrincipals, inputs.pullActions), repository);
    if (!plan.changes) return plan.after;
    log.info(
      `Another writer changed the repository policy of ${repository} after our write; merging our statement again (attempt ${attempt + 1} of ${MAX_GRANT_WRITES}).`,
    );
  }
  throw new UserError(
    `ecr:SetRepositoryPolicy on ${repository}: the policy kept losing our statement to other writers after ${MAX_GRANT_WRITES} attempts. Stop the other writers and run again.`,
  );
}

/** The model the repository side is judged with: the one read, or (the role was not found) what the ARN alone says. */
function grantModel(staging: Staging, registryId: string, region: string): AccessModel {
  if (staging.model) return staging.model;
  const facts = minimalPullFacts(staging.roleArn, { account: registryId, region });
  return { caller: { roleArn: staging.roleArn, hasBoundary: false }, context: pullRequestContext(facts), identity: [], registryPolicy: staging.registryPolicy };
}

const MISSING: Check = { status: 'missing', deciding: [], unknownKeys: [] };

/** Identity side: judged by the policies, unless the role or its named allowlist policy was not found. */
function identityCheck(staging: Staging, arn: string, tags: RepositoryTags): Check {
  if (staging.role.problem || !staging.model) return MISSING;
  return judgeIdentitySide(arn, staging.model, PULL_NEEDS, tags);
}

/** Not pullable when either side or the login is not allowed, or the grant names a deleted role. */
function drifts(verdict: RepositoryVerdict, staging: Staging): boolean {
  const notAllowed = (check: Check | undefined): boolean => check !== undefined && check.status !== 'allowed';
  const loginFails = staging.role.login !== undefined && staging.role.login.status !== 'allowed';
  return (
    !verdict.exists ||
    notAllowed(verdict.grant) ||
    notAllowed(verdict.identity) ||
    verdict.stalePrincipals.length > 0 ||
    loginFails ||
    staging.role.problem !== undefined
  );
}

/**
 * Both sides of the cross-account pull for one repository, for the actions every pull needs
 * (PULL_NEEDS), whatever pull-actions grants.
 */
export function judgeRepository(
  inputs: Inputs,
  state: RepositoryState,
  effectivePolicy: PolicyDocument | undefined,
  staging: Staging | undefined,
  digest: string | undefined,
  tags?: RepositoryTags,
): RepositoryVerdict {
  const written = state.grantPlan?.changes === true && effectivePolicy === state.grantPlan.after;
  const verdict: RepositoryVerdict = {
    repository: state.repository,
    arn: state.arn,
    exists: true,
    stalePrincipals: [],
    grantWritten: written,
    allowlistAdded: false,
    digest,
    drift: false,
  };
  if (!staging) return verdict;
  const registry = accountOf(state.arn);
  const repositoryPolicy = {
    name: `the repository policy of ${state.repository}`,
    statements: effectivePolicy?.Statement ?? [],
    version: effectivePolicy?.Version ?? '2008-10-17',
  };
  verdict.grant = judgeGrantSide(state.arn, repositoryPolicy, grantModel(staging, registry, inputs.region), PULL_NEEDS, tags);
  verdict.identity = identityCheck(staging, state.arn, tags);
  verdict.stalePrincipals = stalePrincipals(effectivePolicy);
  verdict.drift = drifts(verdict, staging);
  return verdict;
}

/** A repository the manifest expects that does not exist: drift, and its identity side is still judged. */
export function missingRepositoryVerdict(inputs: Inputs, registryId: string, repository: string, staging: Staging): RepositoryVerdict {
  const arn = repositoryArn(inputs.region, registryId, repository);
  return {
    repository,
    arn,
    exists: false,
    identity: identityCheck(staging, arn, undefined),
    stalePrincipals: [],
    grantWritten: false,
    allowlistAdded: false,
    drift: true,
  };
}

/** simulate: true — IAM's simulator as a second opinion on the identity side; disagreements warn. */
export async function crossCheckWithSimulator(inputs: Inputs, staging: Staging, verdicts: RepositoryVerdict[], report: RunReport): Promise<void> {
  if (!inputs.simulate || staging.role.problem) return;
  const { simulateIdentity } = await import('../adapters/aws/simulate.js');
  for (const verdict of verdicts) {
    const warning = await simulateIdentity(staging.access.iam, staging.roleArn, verdict.arn, PULL_NEEDS, verdict.identity?.status ?? 'missing');
    if (warning) report.warnings.push(warning);
  }
}

export function collectForeignFindings(inputs: Inputs, state: RepositoryState, report: RunReport): void {
  report.warnings.push(...publicGrantFindings(state.policy, inputs.policySid, state.repository));
}

/** The settings the fixes are phrased with, and the `missing` output: every repository staging cannot pull. */
export function finishVerdicts(inputs: Inputs, staging: Staging | undefined, report: RunReport): void {
  if (staging) {
    report.role = staging.role;
    report.settings = { roleArn: staging.roleArn, policyName: inputs.stagingPolicyName, policySid: inputs.policySid, pullActions: inputs.pullActions };
    report.notChecked = [...staging.notChecked, ...report.notChecked];
  }
  report.missing = [...new Set(report.repositories.filter((verdict) => verdict.drift).map((verdict) => verdict.repository))].sort();
}
