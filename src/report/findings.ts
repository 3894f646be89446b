import type { Check, NotChecked, RepositoryVerdict, RoleProblem, RoleVerdict } from '../domain/checks/model.js';
import { inert } from '../util/inert.js';
import { accountOf, regionOf, roleNameOf } from '../domain/arn.js';
import type { DecidingStatement } from '../domain/policy/evaluate.js';
import { grantStatement, type OwnedStatementDrift, type PublicGrant } from '../domain/policy/repository-grant.js';
import type { Warning } from '../domain/results.js';
import type { TagMutability } from '../domain/publish-plan.js';
import { unfixableText } from './plan-text.js';

/**
 * The typed verdicts in words: what is wrong and the exact fix. The only place that phrases them;
 * the log, annotations, step summary, CLI and the JSON report's `findings` all use these lines.
 */
export interface FixSettings {
  roleArn: string;
  policyName: string | undefined;
  policySid: string;
  pullActions: string[];
}

function describeStatement(deciding: DecidingStatement): string {
  const sid = deciding.statement.Sid ? `statement "${inert(deciding.statement.Sid, 100)}"` : 'a statement without Sid';
  return `${sid} of ${inert(deciding.policy, 200)}`;
}

function keysOf(check: Check): string {
  return check.unknownKeys.map((key) => inert(key, 100)).join(', ');
}

function role(settings: FixSettings): string {
  return `role ${roleNameOf(settings.roleArn)} (account ${accountOf(settings.roleArn)})`;
}

function conditional(check: Check, subject: string): string[] {
  if (check.deciding.length === 0) {
    // No statement decided: what is unknown is a value a proposed change leaves to apply (a Terraform plan's "known after apply").
    return [
      `${check.action ?? 'the pull'} ${subject} depends on ${keysOf(check)}, known only after apply: "conditional", not a pass. Make the plan say it (e.g. a literal or a value known at plan time), or judge again after apply.`,
    ];
  }
  return check.deciding.map(
    (deciding) =>
      `${describeStatement(deciding)} decides ${check.action} ${subject} only depending on ${keysOf(check)}, which only the pull itself knows: "conditional", not a pass. Make it not depend on ${keysOf(check)} for this role, or accept that the gate fails.`,
  );
}

function denied(check: Check, subject: string, fix: string): string[] {
  return check.deciding.map((deciding) => `${describeStatement(deciding)} denies ${check.action} ${subject}. ${fix}`);
}

/** A registry-level Allow the verdict did not count, said beside the missing repository grant. */
function registryAllowNote(check: Check): string {
  if (!check.registryAllows?.length) return '';
  const statements = check.registryAllows.map(describeStatement).join(' and ');
  return ` (${statements} allows it, but ECR does not document registry-level grants for pulls: add the repository grant.)`;
}

/** Repository side: the repository policy, the registry policy, or an RCP over the registry account. */
export function grantFindings(verdict: RepositoryVerdict, check: Check, settings: FixSettings): string[] {
  const registry = accountOf(verdict.arn);
  const subject = `to ${settings.roleArn} on ${verdict.repository}`;
  if (check.layer === 'registry' && check.deciding.length === 0) {
    return [
      `${inert(check.level)} could not be read (${check.unknownKeys.map((key) => inert(key, 300)).join(', ')}), so a Deny there cannot be ruled out for ${verdict.repository}: "conditional", not a pass. Read it with credentials in registry ${registry} that may call ecr:GetRegistryPolicy.`,
    ];
  }
  if (check.status === 'conditional') return conditional(check, subject);
  if (check.layer === 'rcp') {
    return check.status === 'denied'
      ? denied(check, subject, `Narrow that resource control policy (${inert(check.level)}) so it does not apply to this role.`)
      : [
          `the resource control policies at ${inert(check.level)} over registry ${registry} do not allow ${check.action}, so no grant can let ${settings.roleArn} pull ${verdict.repository}. Allow it in an RCP attached there (RCPFullAWSAccess does).`,
        ];
  }
  if (check.layer === 'registry') {
    return denied(
      check,
      subject,
      `ECR enforces the registry policy on every pull (registry policy scope V2), and no repository grant overrides it: narrow that statement (aws ecr put-registry-policy in registry ${registry}) so it does not apply to this role and repository. This action does not edit registry policies.`,
    );
  }
  if (check.status === 'denied') return denied(check, subject, `Narrow or remove that statement in registry ${registry}.`);
  const fixStatement = JSON.stringify({ Sid: settings.policySid, Effect: 'Allow', Principal: { AWS: settings.roleArn }, Action: settings.pullActions });
  return [
    `the repository policy does not let ${settings.roleArn} ${check.action}${registryAllowNote(check)}. Add this statement to the repository policy of ${verdict.repository} (registry ${registry}): ${fixStatement}, or set \`pull-principals\` to that role or its account and run publish or reconcile.`,
  ];
}

/** Identity side: the identity policies, the permissions boundary, or an SCP over the staging account. */
export function identityFindings(verdict: RepositoryVerdict, check: Check, settings: FixSettings): string[] {
  const subject = `on ${verdict.arn} for ${role(settings)}`;
  if (check.status === 'conditional') return conditional(check, subject);
  switch (check.layer) {
    case 'boundary':
      return check.status === 'denied'
        ? denied(check, subject, 'Narrow that Deny in the permissions boundary.')
        : [
            `the permissions boundary ${inert(check.level)} of ${role(settings)} does not allow ${check.action} on ${verdict.arn}, and a boundary caps what the role's policies allow (cross-account, the repository policy cannot make up for it). Add "${verdict.arn}" (or the pull actions on it) to an Allow of the boundary.`,
          ];
    case 'scp':
      return check.status === 'denied'
        ? denied(check, subject, `Narrow that service control policy (${inert(check.level)}) so it does not apply to this role or repository.`)
        : [
            `no service control policy at ${inert(check.level)} over account ${accountOf(settings.roleArn)} allows ${check.action}, and every level of the organization must. Allow it in an SCP attached there (FullAWSAccess does).`,
          ];
    default: {
      if (check.status === 'denied') return denied(check, subject, 'Narrow or remove that Deny.');
      const where = settings.policyName ? `inline policy ${settings.policyName}` : 'the pull allowlist statement of its policies';
      const fix = `${role(settings)} may not ${check.action} ${verdict.arn}. Add "${verdict.arn}" to the Resource list of ${where} on ${role(settings)}, or run mode: reconcile`;
      if (!verdict.sameAccount) return [`${fix}.`];
      // Within one account the repository policy may allow it instead (IAM: "Policy evaluation for requests within a single account").
      const statement = JSON.stringify({ Sid: settings.policySid, Effect: 'Allow', Principal: { AWS: settings.roleArn }, Action: settings.pullActions });
      return [
        `${fix}; or, as the role is in the repository's own account ${accountOf(verdict.arn)}, add ${statement} to the repository policy of ${verdict.repository} (a grant naming the role is still limited by its permissions boundary).`,
      ];
    }
  }
}

export function roleProblemText(problem: RoleProblem): string {
  const account = accountOf(problem.roleArn);
  const where =
    problem.readAccount === undefined || problem.readAccount === account
      ? `account ${account}`
      : `account ${problem.readAccount}, where staging IAM was read — the role is in account ${account}. Set staging-assume-role-arn to a role in ${account} that may read IAM (or run with staging credentials); nothing is known about account ${account} yet`;
  if (problem.kind === 'role-not-found') {
    return problem.readAccount !== undefined && problem.readAccount !== account
      ? `role ${roleNameOf(problem.roleArn)} could not be read: the credentials are in ${where}.`
      : `role ${roleNameOf(problem.roleArn)} does not exist in ${where}, so nothing there can pull. Create it, or fix staging-role-arn.`;
  }
  const has = problem.inlineNames.length > 0 ? problem.inlineNames.map((name) => inert(name, 128)).join(', ') : 'no inline policies';
  return `inline policy ${problem.policyName} is not on role ${roleNameOf(problem.roleArn)} (${where}); it has ${has}. Create it with the pull allowlist (mode: reconcile does), or fix staging-policy-name.`;
}

export function loginFindings(login: Check, settings: FixSettings): string[] {
  if (login.status === 'allowed') return [];
  if (login.status === 'conditional') return conditional(login, `for ${role(settings)} (docker login)`);
  if (login.status === 'denied') return denied(login, `for ${role(settings)}, so docker login fails before any pull`, 'Narrow or remove that Deny.');
  const layer =
    login.layer === 'boundary'
      ? `its permissions boundary ${inert(login.level)}`
      : login.layer === 'scp'
        ? `the service control policies at ${inert(login.level)}`
        : 'its policies';
  return [
    `${role(settings)} may not call ecr:GetAuthorizationToken on "*" (${layer} do not allow it), so docker login fails before any pull and nothing is pullable. Add {"Effect":"Allow","Action":"ecr:GetAuthorizationToken","Resource":"*"} to ${login.layer === 'identity' || !login.layer ? 'one of its policies' : 'that policy'}.`,
  ];
}

/** A pull in another region: no replica there, a replica not read, or one still to be created from a template that does not grant. */
function replicaFindings(verdict: RepositoryVerdict, settings: FixSettings): string[] | undefined {
  const replica = verdict.replica;
  if (!replica) return undefined;
  const region = regionOf(verdict.arn);
  const registry = accountOf(verdict.arn);
  if (replica.kind === 'not-replicated') {
    return [
      `no replication rule of registry ${registry} (${replica.sourceRegion}) copies ${verdict.repository} to ${region}, so a pull there finds no repository. Add a rule with destination ${region} whose filter covers it (aws ecr put-replication-configuration), or remove ${region} from the regions of this puller.`,
    ];
  }
  if (replica.kind === 'no-source') {
    return [
      `the repository does not exist in registry ${registry} (${replica.sourceRegion}), so no replica of it reaches ${region} and there is nothing to pull. Publish it (create-repository: true), or remove it from the manifest.`,
    ];
  }
  if (replica.kind === 'not-checked' && replica.what === 'replication') {
    return [
      `where ${verdict.repository} is replicated is unknown (${inert(replica.reason)}), so a pull in ${region} cannot be judged: "not checked", and the gate cannot pass on it. Allow ecr:DescribeRegistry to the credentials in registry ${registry}.`,
    ];
  }
  if (replica.kind === 'not-checked') {
    return [
      `the replica of ${verdict.repository} in ${region} (registry ${registry}) was not checked: ${inert(replica.reason)}. The gate cannot pass on a pull it could not judge: give a role in account ${registry} in replica-assume-role-arns that may call ecr:GetRepositoryPolicy, ecr:GetRegistryPolicy and ecr:DescribeRepositoryCreationTemplates there.`,
    ];
  }
  if (replica.created || !verdict.grant || verdict.grant.status === 'allowed' || verdict.grant.layer !== 'resource') return undefined;
  const template = replica.template
    ? `the creation template "${inert(replica.template, 256)}"`
    : 'no repository policy (no creation template for REPLICATION matches it)';
  if (verdict.grant.status === 'conditional' && verdict.grant.deciding.length === 0) {
    return [
      `the replica of ${verdict.repository} in ${region} (registry ${registry}) does not exist yet, and the policy it will be created with is unknown (${verdict.grant.unknownKeys.map((key) => inert(key)).join('; ')}): "conditional", not a pass. Allow ecr:DescribeRepositoryCreationTemplates to the credentials in registry ${registry}.`,
    ];
  }
  const statement = JSON.stringify({ Sid: settings.policySid, Effect: 'Allow', Principal: { AWS: settings.roleArn }, Action: settings.pullActions });
  return [
    `the replica of ${verdict.repository} in ${region} (registry ${registry}) does not exist yet; ECR will create it with ${template}, which does not let ${settings.roleArn} ${verdict.grant.action}, and replication does not copy the repository policy. Add ${statement} to the repository policy of ${replica.template ? `that template (aws ecr update-repository-creation-template --prefix ${inert(replica.template, 256)} in ${region})` : `a creation template for REPLICATION in registry ${registry} (${region})`}; reconcile cannot write a replica that does not exist.`,
  ];
}

/**
 * A cross-account replica whose destination registry policy does not let the source registry
 * replicate (ECR User Guide, "Granting registry permissions for cross account replication").
 */
function replicationFindings(verdict: RepositoryVerdict): string[] {
  const replica = verdict.replica;
  if (replica?.kind !== 'replica' || !replica.replication || replica.replication.status === 'allowed') return [];
  const permission = replica.replication;
  const region = regionOf(verdict.arn);
  const destination = accountOf(verdict.arn);
  const source = `registry ${accountOf((permission.fix.Principal as { AWS: string }).AWS)} (${replica.sourceRegion})`;
  const add = `Add this statement to the registry policy of ${destination} in ${region} (aws ecr put-registry-policy there, keeping its other statements): ${JSON.stringify(permission.fix)}`;
  const needs = replica.created ? 'ecr:ReplicateImage' : 'ecr:ReplicateImage and, as the replica does not exist yet, ecr:CreateRepository';
  if (permission.status === 'unread') {
    return [
      `the registry policy of ${destination} (${region}) could not be read (${inert(permission.reason, 300)}), so whether it lets ${source} replicate ${verdict.repository} there (${needs}) is unknown: "conditional", not a pass. Allow ecr:GetRegistryPolicy to the role that reads registry ${destination} (replica-assume-role-arns).`,
    ];
  }
  if (permission.status === 'denied') {
    return denied(
      { status: 'denied', action: permission.action, deciding: permission.deciding, unknownKeys: [] },
      `to ${source} on ${verdict.repository} in registry ${destination} (${region}), so ECR cannot replicate it there and a pull finds no image`,
      `Narrow that statement. ${add}`,
    );
  }
  if (permission.status === 'conditional') {
    return [
      `the registry policy of ${destination} (${region}) lets ${source} ${permission.action} only depending on ${permission.unknownKeys.map((key) => inert(key, 100)).join(', ')}, which only ECR's replication request knows: "conditional", not a pass. ${add}`,
    ];
  }
  return [
    `the registry policy of ${destination} (${region}) does not let ${source} ${permission.action} (replication needs ${needs}; "If neither is done, replication fails"), so ${verdict.repository} is not replicated there and a pull finds no image. ${add}`,
  ];
}

/** A cell a proposed change would break: the headline of a pull request's failed check. */
export function changeBreaksText(verdict: RepositoryVerdict, file: string): string {
  const where = verdict.replica ? ` in ${regionOf(verdict.arn)}` : '';
  const undecided = [verdict.grant, verdict.identity].some((check) => check?.status === 'conditional' && check.deciding.length === 0);
  if (undecided) {
    return `after the proposed change in ${inert(file, 200)}, whether ${inert(verdict.puller ?? 'the puller', 64)} can pull ${verdict.repository}${where} depends on what is known only after apply (it can pull today): "conditional", not a pass. The findings below name what.`;
  }
  return `the proposed change in ${inert(file, 200)} would make ${inert(verdict.puller ?? 'the puller', 64)} fail to pull ${verdict.repository}${where} (HTTP 403 on docker pull): it can pull today. The findings below say what the change removes.`;
}

/** Stored text, listed: each value inert and bounded, at most `most` of them. */
function listed(values: string[], most = 5): string {
  const shown = values.slice(0, most).map((value) => (value === '*' ? '"*" (anyone)' : inert(value, 200)));
  return values.length > most ? `${shown.join(', ')} and ${values.length - most} more` : shown.join(', ');
}

/** The action's own statement, widened or copied: what was widened, and the exact form a write restores. */
export function ownStatementText(repository: string, drift: OwnedStatementDrift): string {
  const what = [
    ...(drift.principals.length > 0 ? [`it names ${listed(drift.principals)}`] : []),
    ...(drift.actions.length > 0 ? [`it allows ${listed(drift.actions)}`] : []),
    ...(drift.elements.length > 0 ? [`it has ${listed(drift.elements)}`] : []),
    ...(drift.copies > 1 ? [`${drift.copies} statements carry this Sid`] : []),
  ];
  const exact =
    drift.form.principals.length > 0
      ? `exactly ${inert(JSON.stringify(grantStatement(drift.form.sid, drift.form.principals, drift.form.actions)), 2000)}`
      : `one statement that names only the pulling roles or accounts (set pull-principals) and allows ${drift.form.actions.join(', ')}`;
  return `your statement "${inert(drift.sid, 100)}" on the repository policy of ${inert(repository, 256)} (this action's own) was widened: ${what.join('; ')}. It must be ${exact}, and no public copy is kept: run publish or reconcile to rewrite it in one write (every other statement is kept), or restore it by hand.`;
}

/** Every finding of one repository row, in the order a person fixes them. */
export function repositoryFindings(verdict: RepositoryVerdict, roleVerdict: RoleVerdict | undefined, settings: FixSettings): string[] {
  const findings: string[] = [];
  const replica = replicaFindings(verdict, settings);
  if (replica && verdict.replica?.kind !== 'replica') return replica;
  findings.push(...replicationFindings(verdict));
  if (replica) findings.push(...replica);
  else if (verdict.grant && verdict.grant.status !== 'allowed') findings.push(...grantFindings(verdict, verdict.grant, settings));
  if (!verdict.exists) {
    findings.push(
      `the repository does not exist in registry ${accountOf(verdict.arn)} (${verdict.arn.split(':')[3]}), so there is nothing to pull. Publish it (create-repository: true), or remove it from the manifest.`,
    );
  }
  for (const stale of verdict.stalePrincipals) {
    const sid = stale.sid ? `statement "${inert(stale.sid, 100)}"` : 'a statement without Sid';
    findings.push(
      `${sid} of the repository policy of ${verdict.repository} names principal ${inert(stale.principal, 100)}, a unique ID: the role it named was deleted (and maybe recreated), so that grant applies to nobody. Replace it with the role's current ARN (publish or reconcile do so for their own statement).`,
    );
  }
  if (verdict.ownStatement) findings.push(ownStatementText(verdict.repository, verdict.ownStatement));
  if (roleVerdict?.problem) findings.push(roleProblemText(roleVerdict.problem));
  else if (verdict.identity && verdict.identity.status !== 'allowed') findings.push(...identityFindings(verdict, verdict.identity, settings));
  if (roleVerdict?.login && roleVerdict.login.status !== 'allowed')
    findings.push(
      `docker login fails for ${roleNameOf(settings.roleArn)} (ecr:GetAuthorizationToken ${roleVerdict.login.status}), so this repository is not pullable.`,
    );
  findings.push(...imageFindings(verdict));
  return findings;
}

/** Which image was judged, in words: the one the `images` input named, or the newest (said, never silent). */
function imageName(verdict: RepositoryVerdict, digest: string | undefined): string {
  const shown = digest ? inert(digest, 80) : 'the image';
  const tag = verdict.imageChecked?.tag ? ` (tag ${inert(verdict.imageChecked.tag, 128)})` : '';
  return verdict.imageChecked?.chosen === 'newest' ? `the newest image ${shown} (no reference in the images input)` : `image ${shown}${tag}`;
}

/** The image layer's findings of a cell (issue 26): why the pull of the image fails and the fix, or what could not be read; then the warnings. */
export function imageFindings(verdict: RepositoryVerdict): string[] {
  const image = verdict.image;
  if (!image) return [];
  const region = regionOf(verdict.arn);
  const registry = accountOf(verdict.arn);
  const name = imageName(verdict, image.digest);
  const repository = inert(verdict.repository, 256);
  const where = `${repository} in registry ${registry} (${region})`;
  const imageId = image.digest ? `imageDigest=${inert(image.digest, 80)}` : 'imageDigest=<digest>';
  const sourceRegion = verdict.replica?.kind === 'replica' ? verdict.replica.sourceRegion : region;
  const findings: string[] = [];
  if (image.status === 'conditional') {
    for (const unread of image.unread)
      findings.push(
        `${name} of ${where} could not be judged: ${inert(unread.reason, 300)} Until ${inert(unread.permission, 80)} is readable the pull is "conditional" and the gate fails.`,
      );
  } else if (image.state !== 'present') {
    const detail = image.detail ? inert(image.detail, 80) : undefined;
    const text: Record<Exclude<typeof image.state, 'present'>, string> = {
      absent: `${name} is not in ${where} (never pushed, expired by a lifecycle rule, or deleted), so a pull fails with "manifest unknown". Push it again.`,
      archived: `${name} is archived in ${where}: archived images cannot be pulled (404). Restore it: aws ecr update-image-storage-class --registry-id ${registry} --region ${region} --repository-name ${repository} --image-id ${imageId} --target-storage-class STANDARD (a restore takes up to 20 minutes).`,
      activating: `${name} is being restored from the archive in ${where} (ACTIVATING): it cannot be pulled until the restore ends (up to 20 minutes). Wait, then run again.`,
      replicating: `${name} is still being replicated to ${where} (IN_PROGRESS): a pull there fails until the copy is COMPLETE. Wait (most copies finish within 30 minutes), or publish with wait-for-replication.`,
      'replication-failed': `the replication of ${name} to ${where} FAILED${detail ? ` (${detail})` : ''}: the replica does not hold it. Fix the cause, then push it again (or run a replication backfill: aws ecr start-replication-backfill --registry-id <source registry> --region ${sourceRegion} --destination region=${region},registryId=${registry}).`,
      'not-replicated': `${name} is not in the replica ${where} and no replication of it is recorded: it was pushed before replication was configured (only images pushed after are replicated). Run a replication backfill: aws ecr start-replication-backfill --region ${sourceRegion} --destination region=${region},registryId=${registry} (or push it again).`,
      'platform-missing': `${name} of ${where} holds no manifest for ${detail ?? "the puller's platform"} (it holds ${
        image.available && image.available.length > 0
          ? image.available
              .map((platform) => inert(platform, 40))
              .slice(0, 10)
              .join(', ')
          : 'none'
      }): a pull there fails with "no matching manifest". Push the platform (docker buildx build --platform ${detail ?? 'linux/amd64'},…), or correct the puller's platforms.`,
      'key-unusable': `the KMS key of ${where} cannot be used by ECR (${detail ?? 'unusable'}), so a pull of ${name} fails (KmsError). ${detail === 'grant-revoked' ? "Give ECR its grant back (recreate the repository's grant to ecr.amazonaws.com, or the repository)." : detail === 'PendingDeletion' ? 'Cancel the key deletion: aws kms cancel-key-deletion --key-id <key>, then enable it: aws kms enable-key --key-id <key>.' : 'Enable the key: aws kms enable-key --key-id <key>.'}`,
    };
    findings.push(text[image.state]);
  } else if (image.fallback) {
    findings.push(`${name} of ${where} has no manifest for the puller's named platform; docker will pull the compatible ${inert(image.fallback, 40)}.`);
  }
  for (const warning of image.warnings) {
    const when = warning.criteriaMetAt
      ? ` (its criteria met at ${inert(warning.criteriaMetAt, 40)}; ECR acts within 24 hours of that)`
      : ' at its next evaluation';
    const act = warning.action === 'expire' ? 'expire (delete)' : 'archive';
    findings.push(
      `lifecycle rule ${warning.rulePriority} of ${where} will ${act} ${name}${when}: a pull of it will then fail. Change lifecycle rule ${warning.rulePriority} (its tagStatus, tag patterns or count), or pin a tag it keeps.`,
    );
  }
  if (image.status === 'judged')
    for (const unread of image.notChecked ?? [])
      findings.push(`whether a lifecycle rule will take ${name} of ${where} was not checked: ${inert(unread.reason, 300)}`);
  return findings;
}

const NOT_CHECKED: Record<NotChecked['what'], string> = {
  organization: "the staging account's organization was not read",
  'org-paths': "the staging account's OU path (aws:PrincipalOrgPaths) was not read",
  'registry-organization': "the registry account's organization (aws:ResourceOrgID) was not read",
  'service-control-policies': 'service control policies not checked',
  'resource-control-policies': 'resource control policies not checked',
  'registry-policy-scope':
    'the registry policy scope (ecr:GetAccountSetting REGISTRY_POLICY_SCOPE) was not read; the registry policy is judged as scope V2 (enforced on pulls)',
  'repository-tags': "some repositories' tags (aws:ResourceTag/…, ecr:ResourceTag/…) were not read",
  'creation-templates': "a replica registry's repository creation templates were not read",
};

const ORGANIZATION_READER =
  ' Set organization-assume-role-arn to a role in the management (or delegated administrator) account that may call organizations:ListParents, ListPoliciesForTarget and DescribePolicy.';
const NOT_CHECKED_FIX: Record<NotChecked['what'], string> = {
  organization: ' Allow organizations:DescribeOrganization to those credentials.',
  'org-paths': ORGANIZATION_READER,
  'registry-organization': ' Allow organizations:DescribeOrganization to those credentials.',
  'service-control-policies': ORGANIZATION_READER,
  'resource-control-policies': ORGANIZATION_READER,
  'registry-policy-scope': ' Allow ecr:GetAccountSetting to the credentials in the registry account.',
  'repository-tags': ' Allow ecr:ListTagsForResource on the repositories to the credentials in the registry account.',
  'creation-templates': ' Allow ecr:DescribeRepositoryCreationTemplates to the credentials that read that registry.',
};

/** Said once per run: what the verdict could not take into account, and how to let it. */
export function notCheckedText(item: NotChecked): string {
  const consequence =
    item.what === 'registry-policy-scope'
      ? '; a Deny there is counted even if the registry is on V1 (where AWS would ignore it for pulls).'
      : '; statements that depend on it count as conditional.';
  return `${NOT_CHECKED[item.what]} (${inert(item.reason)})${consequence}${NOT_CHECKED_FIX[item.what]}`;
}

function publicGrantText(grant: PublicGrant): string {
  const statement = grant.sid ? `statement "${inert(grant.sid, 100)}"` : 'a statement without Sid';
  const where = `${statement} of the repository policy of ${inert(grant.repository)}`;
  if (grant.limits.length > 0) {
    const limits = grant.limits.map((limit) => `${inert(limit.key, 100)} ${limit.values.map((value) => inert(value, 100)).join(' or ')}`);
    return `${where} lets any principal pull, limited to ${limits.join(' and ')}. It is not this action's: check that this is who should pull.`;
  }
  const conditional = grant.conditional ? ' (its Condition limits only how, not who)' : '';
  return `${where} lets anyone pull${conditional}. It is not this action's: review it and remove it if the repository is not meant to be public.`;
}

/** A warning in words. */
export function warningText(warning: Warning): string {
  switch (warning.kind) {
    case 'public-grant':
      return publicGrantText(warning.grant);
    case 'allowlist-size':
      return `the inline policies of the staging role use ${warning.used} of IAM's ${warning.limit} characters (${Math.round((warning.used / warning.limit) * 100)} %), room for about ${Math.floor((warning.limit - warning.used) / 85)} more repository ARNs. Switch to a name-prefix wildcard or a managed policy before it is full.`;
    case 'simulator-failed':
      return `simulate: could not cross-check ${inert(warning.repositoryArn)} with iam:SimulatePrincipalPolicy (${inert(warning.code, 80)}: ${inert(warning.message, 300)}). Allow iam:SimulatePrincipalPolicy on ${inert(warning.roleArn)}, or turn simulate off; the local verdict stands.`;
    case 'simulator-disagrees': {
      const detail = warning.decisions.map((entry) => `${inert(entry.action, 80)}=${inert(entry.decision, 40)}`).join(', ');
      return `simulate: IAM's simulator and the local evaluator disagree on ${inert(warning.repositoryArn)} for ${inert(warning.roleArn)} (simulator: ${detail}; local: ${warning.local}). A permission boundary, an SCP or a condition key may explain it; the local verdict stands.`;
    }
    case 'unfixable':
      return unfixableText(warning.item);
    case 'dry-run':
      return 'dry-run: nothing was written. Run reconcile without dry-run to apply the plan above.';
    case 'latest-left-out':
      return (
        `latest: not pushed, because ${inert(warning.repository)} keeps it immutable (${describeMutability(warning.mutability)}): it could be pushed once, and every later push to the default branch would fail. ` +
        `Pushing ${warning.pushing.map((tag) => inert(tag)).join(', ')}. To keep a moving latest, exclude it: aws ecr put-image-tag-mutability --repository-name ${inert(warning.repository)} --image-tag-mutability IMMUTABLE_WITH_EXCLUSION --image-tag-mutability-exclusion-filters filterType=WILDCARD,filter=latest`
      );
    case 'policy-deleted':
      return `inline policy ${inert(warning.policyName)} of role ${inert(warning.roleName)} was deleted: prune left nothing in it. A later run with staging-policy-name: ${inert(warning.policyName)} reports it missing; drop that input, or let reconcile create it again with the expected repositories.`;
  }
}

/** How the repository's mutability reads in a log line. */
export function describeMutability(mutability: TagMutability): string {
  // Filters are ECR's own (validated WILDCARD patterns), quoted inert all the same.
  const filters = mutability.exclusionFilters.map((filter) => inert(filter, 128)).join(', ');
  switch (mutability.mode) {
    case 'IMMUTABLE':
      return 'tags immutable';
    case 'IMMUTABLE_WITH_EXCLUSION':
      return `tags immutable except ${filters}`;
    case 'MUTABLE_WITH_EXCLUSION':
      return `tags mutable except ${filters}`;
    default:
      return 'tags mutable';
  }
}
