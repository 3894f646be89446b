import { accountOf, regionOf } from '../arn.js';
import type { PolicyDocument } from '../policy/document.js';
import { ownedStatementDrift, stalePrincipals, type OwnedForm } from '../policy/repository-grant.js';
import { minimalPullFacts, pullRequestContext, type Readable } from '../policy/request-context.js';
import { judgeGrantSide, judgeIdentitySide, judgeSameAccount, PULL_NEEDS, type AccessModel, type RegistryPolicyModel, type RepositoryTags } from './judge.js';
import type { Check, ReplicaPlace, RepositoryVerdict, RoleVerdict } from './model.js';
import type { ReplicationPermission } from '../replication.js';
import { pullFails, type ImageFinding } from '../image/result.js';

/** What the verdict knows of the pulling role, read once per run. */
export interface PullerModel {
  /** How the run names this puller (its `name:`, else the role's name). */
  name: string;
  /** The role's ARN as IAM has it (with its path), or as given when it could not be read. */
  roleArn: string;
  role: RoleVerdict;
  /** Undefined when the role could not be found. */
  model: AccessModel | undefined;
  registryPolicy: RegistryPolicyModel;
}

/** What was read of one repository that exists. */
export interface RepositoryFacts {
  repository: string;
  arn: string;
  /** The repository policy the pull is judged by (after this run's grant, in publish and reconcile). */
  policy: PolicyDocument | undefined;
  tags?: RepositoryTags;
  digest?: string;
  /** This run wrote the grant. */
  grantWritten?: boolean;
  /** What the action's own statement is, exactly (undefined: not judged). */
  owned?: OwnedForm;
}

/** The model the repository side is judged with: the one read, or (the role was not found) what the ARN alone says. */
function grantModel(puller: PullerModel, repositoryArn: string): AccessModel {
  if (puller.model) return puller.model;
  const facts = minimalPullFacts(puller.roleArn, { account: accountOf(repositoryArn), region: regionOf(repositoryArn) });
  return { caller: { roleArn: puller.roleArn, hasBoundary: false }, context: pullRequestContext(facts), identity: [], registryPolicy: puller.registryPolicy };
}

const MISSING: Check = { status: 'missing', deciding: [], unknownKeys: [] };

/** Identity side: judged by the policies, unless the role or its named allowlist policy was not found. */
function identityCheck(puller: PullerModel, arn: string, tags: RepositoryTags): Check {
  if (puller.role.problem || !puller.model) return MISSING;
  return judgeIdentitySide(arn, puller.model, PULL_NEEDS, tags);
}

/** Not pullable when either side or the login is not allowed, or the grant names a deleted role. */
function drifts(verdict: RepositoryVerdict, puller: PullerModel): boolean {
  const notAllowed = (check: Check | undefined): boolean => check !== undefined && check.status !== 'allowed';
  const loginFails = puller.role.login !== undefined && puller.role.login.status !== 'allowed';
  return (
    !verdict.exists ||
    notAllowed(verdict.grant) ||
    notAllowed(verdict.identity) ||
    verdict.stalePrincipals.length > 0 ||
    verdict.ownStatement !== undefined ||
    loginFails ||
    puller.role.problem !== undefined
  );
}

/**
 * Both sides of the cross-account pull for one repository, for the actions every pull needs
 * (PULL_NEEDS), whatever pull-actions grants. Without a puller only what was written is said.
 */
export function judgeRepository(facts: RepositoryFacts, puller: PullerModel | undefined): RepositoryVerdict {
  const verdict: RepositoryVerdict = {
    repository: facts.repository,
    ...(puller ? { puller: puller.name } : {}),
    arn: facts.arn,
    exists: true,
    stalePrincipals: [],
    grantWritten: facts.grantWritten ?? false,
    allowlistAdded: false,
    digest: facts.digest,
    drift: false,
  };
  if (!puller) return verdict;
  const repositoryPolicy = {
    name: `the repository policy of ${facts.repository}`,
    statements: facts.policy?.Statement ?? [],
    version: facts.policy?.Version ?? '2008-10-17',
  };
  if (accountOf(puller.roleArn) === accountOf(facts.arn) && puller.model) {
    // Within one account either side's Allow is enough (IAM: "Policy evaluation for requests within a single account").
    const sides = judgeSameAccount(facts.arn, repositoryPolicy, puller.model, PULL_NEEDS, facts.tags);
    verdict.sameAccount = true;
    verdict.grant = sides.grant;
    // Its allowlist policy not found: the identity side is missing, as for any puller (reconcile creates it).
    verdict.identity = puller.role.problem ? MISSING : sides.identity;
  } else {
    verdict.grant = judgeGrantSide(facts.arn, repositoryPolicy, grantModel(puller, facts.arn), PULL_NEEDS, facts.tags);
    verdict.identity = identityCheck(puller, facts.arn, facts.tags);
  }
  verdict.stalePrincipals = stalePrincipals(facts.policy);
  const own = ownedStatementDrift(facts.policy, facts.owned);
  if (own) verdict.ownStatement = own;
  verdict.drift = drifts(verdict, puller);
  return verdict;
}

/** A repository the manifest expects that does not exist: drift, and its identity side is still judged. */
export function missingRepositoryVerdict(repository: string, arn: string, puller: PullerModel): RepositoryVerdict {
  return {
    repository,
    puller: puller.name,
    arn,
    exists: false,
    identity: identityCheck(puller, arn, undefined),
    stalePrincipals: [],
    grantWritten: false,
    allowlistAdded: false,
    drift: true,
  };
}

/** What was read of a replica: its repository, or (not created yet) the creation template it will get. */
export interface ReplicaFacts {
  repository: string;
  arn: string;
  sourceRegion: string;
  /** The replica as it is; undefined: not created yet. */
  existing: { policy: PolicyDocument | undefined; tags?: RepositoryTags; owned?: OwnedForm } | undefined;
  /** For a replica not created yet: the template that will apply (none: no policy), or why that is unknown. */
  template: { status: 'read'; prefix: string | undefined; policy: Readable<PolicyDocument> } | { status: 'unread'; reason: string } | undefined;
  /** A destination in another account: what its registry policy lets the source registry do (undefined: same account). */
  replication?: ReplicationPermission;
}

/**
 * A pull of a replica, judged as a repository of its own (its policy, its registry's policy, the
 * RCPs over its account). Not created yet: by the policy its creation template will give it, which
 * AWS fixes at creation; a template that could not be read makes the repository side conditional.
 */
export function judgeReplica(facts: ReplicaFacts, puller: PullerModel): RepositoryVerdict {
  const created = facts.existing !== undefined;
  const read = facts.template?.status === 'read' ? facts.template : undefined;
  const unknown = facts.template?.status === 'unread' ? facts.template.reason : read?.policy.status === 'unread' ? read.policy.reason : undefined;
  const policy = facts.existing ? facts.existing.policy : read?.policy.status === 'read' ? read.policy.value : undefined;
  const verdict = judgeRepository({ repository: facts.repository, arn: facts.arn, policy, tags: facts.existing?.tags, owned: facts.existing?.owned }, puller);
  verdict.replica = {
    kind: 'replica',
    sourceRegion: facts.sourceRegion,
    created,
    ...(read?.prefix ? { template: read.prefix } : {}),
    ...(facts.replication ? { replication: facts.replication } : {}),
  };
  // A replica ECR may not make (or keep in sync) is not pullable as far as the run can prove.
  if (facts.replication && facts.replication.status !== 'allowed') verdict.drift = true;
  if (!created && unknown !== undefined && verdict.grant && verdict.grant.status !== 'denied') {
    // The policy the replica will get is unknown: never a pass, and never a "missing" a reconcile could fix.
    verdict.grant = { status: 'conditional', layer: 'resource', deciding: [], unknownKeys: [unknown] };
    verdict.drift = true;
  }
  return verdict;
}

/** A pull in a region the repository is not replicated to, or whose replica was not read: not pullable as far as the run can tell. */
export function unreachableVerdict(repository: string, arn: string, puller: string, replica: ReplicaPlace): RepositoryVerdict {
  return { repository, puller, arn, exists: false, stalePrincipals: [], grantWritten: false, allowlistAdded: false, replica, drift: true };
}

/**
 * A cell with its image finding: drift when the image cannot be pulled as the puller pulls it, or a
 * fact of it could not be read (conditional); `expires-soon` is a warning, the cell stays as it was.
 */
export function withImage(verdict: RepositoryVerdict, image: ImageFinding, checked: NonNullable<RepositoryVerdict['imageChecked']>): RepositoryVerdict {
  const fails = image.status === 'conditional' || pullFails(image.state);
  return { ...verdict, image, imageChecked: checked, drift: verdict.drift || fails };
}
