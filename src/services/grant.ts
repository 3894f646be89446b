import type { ECRClient } from '@aws-sdk/client-ecr';
import { readRepositoryPolicy, restoreRepositoryPolicy, writeRepositoryPolicy } from '../adapters/aws/repository-policy.js';
import { samePolicyMeaning, type PolicyDocument } from '../domain/policy/document.js';
import { grantStatement, planGrant, type GrantPlan } from '../domain/policy/repository-grant.js';
import type { UndoOutcome } from '../domain/plan.js';
import { UserError } from '../errors.js';
import { log } from '../log.js';
import type { PolicyChange } from '../domain/results.js';
import type { GrantSettings } from '../domain/pullers.js';
import { waitForPropagation, type PropagationOptions } from '../util/retry.js';
import type { RepositoryState } from './repositories.js';

/**
 * Writes the grant when its meaning differs from what is stored. Returns the policy the pull is
 * judged by and the change (before/after, so it can be undone by hand).
 */
export async function applyGrant(
  ecr: ECRClient,
  grant: GrantSettings,
  registryId: string,
  state: RepositoryState,
  propagation: PropagationOptions,
): Promise<{ policy: PolicyDocument | undefined; change?: PolicyChange }> {
  const plan = state.grantPlan;
  if (!plan) return { policy: state.policy };
  const target = { kind: 'repository' as const, repository: state.repository };
  if (!plan.changes) {
    log.info(`The repository policy of ${state.repository} already grants pull to ${state.principals.join(', ')}: no write.`);
    return { policy: plan.after, change: { target, before: plan.before ?? null, after: plan.after, written: false } };
  }
  const after = await writeGrantUntilVisible(ecr, { ...grant, principals: state.principals }, registryId, state.repository, plan, propagation);
  return { policy: after, change: { target, before: plan.before ?? null, after, written: true } };
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
  grant: GrantSettings,
  registryId: string,
  repository: string,
  first: GrantPlan,
  propagation: PropagationOptions,
): Promise<PolicyDocument> {
  let plan = first;
  for (let attempt = 1; attempt <= MAX_GRANT_WRITES; attempt++) {
    await writeRepositoryPolicy(ecr, registryId, repository, plan.after, grant.principals, propagation);
    log.info(`Wrote statement "${grant.sid}" to the repository policy of ${repository} (other statements kept).`);
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
    plan = planGrant(outcome.value.seen, grantStatement(grant.sid, grant.principals, grant.actions), repository);
    if (!plan.changes) return plan.after;
    log.info(
      `Another writer changed the repository policy of ${repository} after our write; merging our statement again (attempt ${attempt + 1} of ${MAX_GRANT_WRITES}).`,
    );
  }
  throw new UserError(
    `ecr:SetRepositoryPolicy on ${repository}: the policy kept losing our statement to other writers after ${MAX_GRANT_WRITES} attempts. Stop the other writers and run again.`,
  );
}

/**
 * Undoes one grant write of a run that failed later (or in it): re-read first, since a write whose
 * answer was lost may have landed all the same; put back what landed. A failed re-read is no proof
 * either way, so the policy is put back all the same.
 */
/**
 * What is known of a write being undone: it returned (it landed), AWS refused it (it changed nothing),
 * or its answer was lost (a 5xx, the network: it may have landed).
 */
export type WriteFate = 'returned' | 'refused' | 'lost';

export async function undoGrant(
  ecr: ECRClient,
  registryId: string,
  repository: string,
  before: PolicyDocument | undefined,
  write: WriteFate = 'lost',
): Promise<{ outcome: UndoOutcome; seen?: PolicyDocument }> {
  let seen: PolicyDocument | undefined;
  let readAsBefore = false;
  try {
    seen = await readRepositoryPolicy(ecr, registryId, repository);
    readAsBefore = samePolicyMeaning(seen, before);
  } catch {
    // Unknown whether it landed: a refused write did not; any other is restored below.
    if (write === 'refused') return { outcome: 'not-landed' };
  }
  if (write === 'refused' && readAsBefore) return { outcome: 'not-landed' };
  // Otherwise restored even when the read shows the policy as it was: one read may be older than a
  // write whose answer was lost, and only a restore that AWS accepts proves the policy is as before.
  try {
    await restoreRepositoryPolicy(ecr, registryId, repository, before);
  } catch {
    // The restore failed too (AWS keeps failing): for a write whose answer was lost, what the read showed is all there is to say.
    return write === 'lost' && readAsBefore ? { outcome: 'not-landed' } : { outcome: 'not-rolled-back', seen };
  }
  if (write === 'lost' && readAsBefore) return { outcome: 'not-landed' };
  log.info(`Rolled back the repository policy of ${repository}.`);
  return { outcome: 'rolled-back', seen };
}
