import { inert } from '../util/inert.js';
import { planHasChanges, type ReconcilePlan, type Unfixable, type UndoneWrite } from '../domain/plan.js';

/** Reconcile's plan in words, like `terraform plan`: the only place that phrases it. */

const LAYER_NAMES: Record<string, string> = {
  identity: 'its identity policies',
  boundary: 'its permissions boundary',
  scp: 'a service control policy',
  resource: 'the repository policy',
  registry: 'the registry policy',
  rcp: 'a resource control policy',
};

export function unfixableText(item: Unfixable): string {
  const layer = 'layer' in item && item.layer ? (LAYER_NAMES[item.layer] ?? item.layer) : 'a policy';
  // An extra's name is read from the stored allowlist: outside text.
  if ('repository' in item) item = { ...item, repository: inert(item.repository, 256) };
  switch (item.kind) {
    case 'grant-needs-principals':
      return `${item.repository}: the repository policy does not grant pull and pull-principals is empty, so reconcile cannot add the grant. Set pull-principals.`;
    case 'own-statement-needs-principals':
      return `${item.repository}: statement "${inert(item.sid, 100)}", this action's own, was widened (see the findings), and pull-principals is empty, so reconcile does not know whom it should name. Set pull-principals (or pullers), or restore it by hand.`;
    case 'foreign-stale-principal':
      return `${item.repository}: a statement this action does not own names a deleted role by its unique ID; replace it by hand.`;
    case 'no-repository':
      return `${item.repository}: the repository does not exist; reconcile does not create repositories. Publish it first.`;
    case 'grant-side': {
      const named = item.statements.length > 0 ? ` (statement ${item.statements.map((sid) => `"${inert(sid, 100)}"`).join(', ')})` : '';
      return `${item.repository}: repository side is "${item.status}" because of ${layer}${named}; reconcile does not override a Deny, a Condition or an RCP. See the findings.`;
    }
    case 'registry-deny': {
      const named = item.statements.length > 0 ? ` (statement ${item.statements.map((sid) => `"${inert(sid, 100)}"`).join(', ')})` : '';
      return item.status === 'denied'
        ? `${item.repository}: the registry policy${named} denies the pull; reconcile does not edit the registry policy, so it writes nothing for this repository. Narrow that statement by hand.`
        : `${item.repository}: the registry policy${named} may deny the pull, depending on what only the pull knows; reconcile does not edit the registry policy. See the findings.`;
    }
    case 'identity-side':
      return `${item.repository}: identity side is "${item.status}" because of ${layer}; reconcile edits only the allowlist, not a Deny, a Condition, a boundary or an SCP. See the findings.`;
    case 'extra-elsewhere':
      return `${item.repository}: an extra, but held by ${item.heldBy.length > 0 ? item.heldBy.map((held) => `statement "${inert(held.sid ?? '(no Sid)', 100)}" of ${inert(held.policy, 200)}`).join(' and ') : 'a statement or policy reconcile does not own'}, which reconcile does not edit (only its pull-only allowlist statement), so prune cannot remove it. Remove it there by hand.`;
    case 'not-replicated':
      return `${item.repository} in ${item.region}: no replication rule copies it there; reconcile does not edit replication. Add a rule with that destination, or remove the region from the puller.`;
    case 'replica-not-checked':
      return `${item.repository} in ${item.region}: the replica was not read (see the findings), so reconcile writes nothing for it.`;
    case 'replica-template':
      return `${item.repository} in ${item.region}: the replica does not exist yet and ${item.template ? `the creation template "${inert(item.template, 256)}"` : 'no creation template for REPLICATION'} in registry ${item.registryId} gives it no grant ("${item.status}"); reconcile does not edit templates. Add the grant to ${item.template ? 'that template' : 'a template'}'s repository policy.`;
    case 'replication-permission':
      return `${item.repository} in ${item.region}: the registry policy of ${item.registryId} does not let the source registry ${item.action} ("${item.status}"), so ECR cannot replicate it there; reconcile does not edit registry policies. See the findings for the statement to add.`;
    case 'login':
      return `docker login is "${item.status}" because of ${layer}; reconcile adds ecr:GetAuthorizationToken only to the allowlist policy. See the findings.`;
  }
}

/** The plan as a person reads it, like `terraform plan`. */
export function formatPlan(plan: ReconcilePlan, policyName: string, roleName: string): string {
  const lines: string[] = [];
  for (const { repository, replicaIn } of plan.grants)
    lines.push(`  + grant      ${inert(repository)}${replicaIn ? ` (the replica in ${replicaIn})` : ''}: pull statement on its repository policy`);
  if (plan.ownStatement) {
    const wider =
      plan.ownStatement.wider.length > 0
        ? `: statement(s) ${plan.ownStatement.wider.map((sid) => `"${inert(sid, 100)}"`).join(', ')} also allow more than pull, so reconcile does not extend them`
        : '';
    lines.push(`  + statement  ${inert(plan.ownStatement.sid, 100)}: a pull-only allowlist statement in ${policyName}${wider}`);
  }
  // ARNs to remove are read from the stored allowlist: outside text, one line each whatever they hold.
  for (const arn of plan.allowlist.add) lines.push(`  + allowlist  ${inert(arn)}`);
  for (const arn of plan.allowlist.remove) lines.push(`  - allowlist  ${inert(arn)}`);
  if (plan.emptied)
    lines.push(
      plan.emptied.deletePolicy
        ? `  - policy     ${policyName}: prune leaves nothing in it (statement "${inert(plan.emptied.sid, 100)}" had only these ARNs), so reconcile deletes the inline policy (iam:DeleteRolePolicy)`
        : `  - statement  "${inert(plan.emptied.sid, 100)}": prune leaves no ARN in it, so reconcile removes the statement`,
    );
  if (plan.allowlist.addLogin) lines.push(`  + statement  ecr:GetAuthorizationToken on * (docker login)`);
  const percent = Math.round((plan.size.used / plan.size.limit) * 100);
  const header = planHasChanges(plan)
    ? `Plan: ${plan.grants.length} grant(s) to add, ${plan.allowlist.add.length} allowlist ARN(s) to add, ${plan.allowlist.remove.length} to remove (inline policy ${policyName} of role ${roleName}).`
    : plan.unfixable.length > 0
      ? 'Plan: no changes reconcile can make; what is left for a person is below.'
      : 'Plan: no changes. Both sides already allow every expected repository.';
  lines.unshift(header);
  lines.push(
    `Inline policy size after the change: ${plan.size.used} of ${plan.size.limit} characters (${percent} %), room for about ${Math.max(0, Math.floor((plan.size.limit - plan.size.used) / 85))} more repository ARNs.`,
  );
  for (const problem of plan.unfixable) lines.push(`  ! ${unfixableText(problem)}`);
  return lines.join('\n');
}

/** Names a failed run's writes: each repository (with its registry and region) or inline policy, at most `most`. */
function writesNamed(writes: UndoneWrite[], most = 20): string {
  const names = writes
    .slice(0, most)
    .map(({ target }) =>
      target.kind === 'grant'
        ? `the grant on ${inert(target.repository, 256)} (${target.replica ? 'the replica in ' : ''}registry ${target.registryId}, ${target.region})`
        : `inline policy ${inert(target.policyName, 128)} of role ${inert(target.roleName, 128)}`,
    );
  return writes.length > most ? `${names.join(', ')} and ${writes.length - most} more (see the report's policyChanges)` : names.join(', ');
}

/** What a failed reconcile did with the writes it had sent: what landed and was undone, what did not land, what is left for a person. */
export function undoText(writes: UndoneWrite[]): string {
  const of = (outcome: UndoneWrite['outcome']): UndoneWrite[] => writes.filter((write) => write.outcome === outcome);
  const [rolledBack, notLanded, left] = [of('rolled-back'), of('not-landed'), of('not-rolled-back')];
  const sentences: string[] = [];
  if (rolledBack.length > 0) sentences.push(`Written, then rolled back: ${writesNamed(rolledBack)}.`);
  if (notLanded.length > 0) sentences.push(`Not applied by AWS: ${writesNamed(notLanded)}.`);
  if (left.length > 0) {
    sentences.push(`Could not roll back ${writesNamed(left)}: restore them by hand from the report's policyChanges (each holds the policy as it was before).`);
    return sentences.join(' ');
  }
  const count = (kind: 'grant' | 'allowlist'): number => rolledBack.filter((write) => write.target.kind === kind).length;
  const restored = [...(count('grant') > 0 ? [`${count('grant')} grant(s)`] : []), ...(count('allowlist') > 0 ? [`${count('allowlist')} allowlist(s)`] : [])];
  sentences.push(restored.length > 0 ? `The ${restored.join(' and ')} already written were rolled back; nothing changed.` : 'Nothing was changed.');
  return sentences.join(' ');
}
