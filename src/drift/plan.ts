import { UserError } from '../errors.js';
import { editAllowlist, INLINE_POLICIES_LIMIT, repositoryArn, type AllowlistEdit } from '../policy/allowlist.js';
import { iamPolicyLength, type PolicyDocument } from '../policy/document.js';
import type { GrantPlan } from '../policy/repository-grant.js';
import type { RepositoryRow } from '../report/report.js';

export interface ReconcilePlan {
  grants: { repository: string; plan: GrantPlan }[];
  allowlist: AllowlistEdit;
  allowlistBefore: PolicyDocument | undefined;
  allowlistAfter: PolicyDocument | undefined;
  /** What reconcile cannot fix on its own (a Deny, a Condition, a grant with no pull-principals). */
  unfixable: string[];
  size: { used: number; limit: number };
}

export interface PlanInput {
  region: string;
  registryId: string;
  rows: RepositoryRow[];
  grantPlans: Map<string, GrantPlan | undefined>;
  extra: string[];
  prune: boolean;
  loginMissing: boolean;
  pullActions: string[];
  allowlistDocument: PolicyDocument | undefined;
  /** Lengths (whitespace not counted) of the role's other inline policies. */
  otherInlineLength: number;
  policyName: string;
}

/** The minimal change that makes every expected repository pullable: pure, printed before applying. */
export function planReconcile(input: PlanInput): ReconcilePlan {
  const grants: ReconcilePlan['grants'] = [];
  const add: string[] = [];
  const unfixable: string[] = [];
  for (const row of input.rows) {
    const plan = input.grantPlans.get(row.repository);
    if (row.grant === 'missing') {
      if (plan?.changes) grants.push({ repository: row.repository, plan });
      else unfixable.push(`${row.repository}: the repository policy does not grant pull and pull-principals is empty, so reconcile cannot add the grant. Set pull-principals.`);
    } else if (row.grant === 'stale principal') {
      // Our own statement is rewritten with current ARNs; a foreign one is left for a person.
      if (plan?.changes) grants.push({ repository: row.repository, plan });
      else unfixable.push(`${row.repository}: a statement this action does not own names a deleted role by its unique ID; replace it by hand.`);
    } else if (row.grant === 'denied' || row.grant === 'conditional' || row.grant === 'no repository') {
      unfixable.push(`${row.repository}: repository side is "${row.grant}"; reconcile does not override that. See the findings.`);
    }
    if (row.identity === 'missing') add.push(repositoryArn(input.region, input.registryId, row.repository));
    else if (row.identity === 'denied' || row.identity === 'conditional') {
      unfixable.push(`${row.repository}: identity side is "${row.identity}"; reconcile does not override a Deny or a Condition. See the findings.`);
    }
  }
  const remove = input.prune ? input.extra.map((name) => repositoryArn(input.region, input.registryId, name)) : [];
  const allowlist: AllowlistEdit = { add: add.sort(), remove: remove.sort(), addLogin: input.loginMissing };
  const changesAllowlist = allowlist.add.length > 0 || allowlist.remove.length > 0 || allowlist.addLogin;
  const allowlistAfter = changesAllowlist ? editAllowlist(input.allowlistDocument, allowlist, input.pullActions) : input.allowlistDocument;
  const used = input.otherInlineLength + (allowlistAfter ? iamPolicyLength(allowlistAfter) : 0);
  if (changesAllowlist && used > INLINE_POLICIES_LIMIT) {
    throw new UserError(
      `reconcile: the inline policies of the role would be ${used} characters (whitespace not counted), over IAM's ${INLINE_POLICIES_LIMIT}. Replace explicit ARNs in ${input.policyName} with a name-prefix wildcard (e.g. arn:aws:ecr:${input.region}:${input.registryId}:repository/molecule-ai/workspace-template-*), prune extras (prune: true), or move the allowlist to a managed policy (6,144 each, up to 10 per role). Nothing was written.`,
    );
  }
  return { grants, allowlist, allowlistBefore: input.allowlistDocument, allowlistAfter, unfixable, size: { used, limit: INLINE_POLICIES_LIMIT } };
}

export function planHasChanges(plan: ReconcilePlan): boolean {
  return plan.grants.length > 0 || plan.allowlist.add.length > 0 || plan.allowlist.remove.length > 0 || plan.allowlist.addLogin;
}

/** The plan as a person reads it, like `terraform plan`. */
export function formatPlan(plan: ReconcilePlan, policyName: string, roleName: string): string {
  const lines: string[] = [];
  for (const { repository } of plan.grants) lines.push(`  + grant      ${repository}: pull statement on its repository policy`);
  for (const arn of plan.allowlist.add) lines.push(`  + allowlist  ${arn}`);
  for (const arn of plan.allowlist.remove) lines.push(`  - allowlist  ${arn}`);
  if (plan.allowlist.addLogin) lines.push(`  + statement  ecr:GetAuthorizationToken on * (docker login)`);
  const percent = Math.round((plan.size.used / plan.size.limit) * 100);
  const header = planHasChanges(plan)
    ? `Plan: ${plan.grants.length} grant(s) to add, ${plan.allowlist.add.length} allowlist ARN(s) to add, ${plan.allowlist.remove.length} to remove (inline policy ${policyName} of role ${roleName}).`
    : 'Plan: no changes. Both sides already allow every expected repository.';
  lines.unshift(header);
  lines.push(`Inline policy size after the change: ${plan.size.used} of ${plan.size.limit} characters (${percent} %), room for about ${Math.max(0, Math.floor((plan.size.limit - plan.size.used) / 85))} more repository ARNs.`);
  for (const problem of plan.unfixable) lines.push(`  ! ${problem}`);
  return lines.join('\n');
}
