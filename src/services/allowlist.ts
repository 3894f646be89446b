import type { IAMClient } from '@aws-sdk/client-iam';
import { deleteInlinePolicy, putInlinePolicy, readInline, roleNameOf } from '../adapters/aws/iam.js';
import { allowlistShows, editAllowlist, type AllowlistEdit } from '../domain/policy/allowlist.js';
import { samePolicyMeaning, type PolicyDocument } from '../domain/policy/document.js';
import { UserError } from '../errors.js';
import { log } from '../log.js';
import { cancellableSleep, waitForPropagation, type PropagationOptions } from '../util/retry.js';

/** How many times a lost update (another reconcile wrote over ours) is merged and written again. */
const MAX_MERGE_ATTEMPTS = 8;

/**
 * IAM has no conditional write, so: re-read, merge our edit into what is there now, write, wait
 * until IAM shows it, let a racing writer's write land, and read again. If our entries are gone,
 * another reconcile wrote over them: merge and write again.
 */
export async function writeAllowlist(
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
