import type { RequestContext } from '../policy/context.js';
import { evaluate, evaluateLayers, worse, type Caller, type LayeredEvaluation, type LayerPolicies, type PolicySource } from '../policy/evaluate.js';
import { asList, type Statement } from '../policy/document.js';
import { mentionsResourceTags, withResourceTags, type Readable } from '../policy/request-context.js';
import type { Check, CheckStatus } from './model.js';

/**
 * What every `docker pull` calls on the repository, whatever the grant writes (ECR User Guide,
 * "Private repository policies": pulling needs ecr:BatchGetImage and ecr:GetDownloadUrlForLayer).
 * ecr:BatchCheckLayerAvailability is what a push checks layers with; pull policies conventionally
 * include it (the default pull-actions grants it) but a pull never calls it, so the verdict does not
 * require it: failing on it would fail on an allow AWS gives.
 */
export const PULL_NEEDS = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'];

/**
 * The registry policy of the registry pulled from. Under scope V2 (the default for registries since
 * December 2024) ECR enforces it in every request: its Deny denies a pull. Under V1 it covers only
 * replication, pull-through cache and create-on-push, and says nothing about a pull.
 */
export type RegistryPolicyModel =
  { status: 'read'; policy: PolicySource; scope: 'V1' | 'V2' } | { status: 'none' } | { status: 'unread'; label: string; reason: string };

/** SCP or RCP levels (account, each OU upward, the root), each of which must allow. */
export type ControlLevels = { label: string; policies: PolicySource[] }[];

/**
 * Everything AWS weighs when a session of the staging role pulls, except the repository policy
 * (which differs per repository): read once per run.
 */
export interface AccessModel {
  caller: Caller;
  context: RequestContext;
  /** The login's context (its resource keys are the caller's own); the pull's when not given. */
  loginContext?: RequestContext;
  identity: PolicySource[];
  boundary?: PolicySource;
  /** SCPs over the staging account; undefined when not read (or not applicable: the management account). */
  scp?: ControlLevels;
  /** RCPs over the registry account, where AWS applies them to ECR; undefined when not read. */
  rcp?: ControlLevels;
  /** The registry policy; undefined: not part of this model (then nothing is said of it). */
  registryPolicy?: RegistryPolicyModel;
}

/** A repository's tags (aws:ResourceTag/…, ecr:ResourceTag/…): undefined when no policy asks for them. */
export type RepositoryTags = Readable<Record<string, string>> | undefined;

/**
 * Does any policy a pull is judged by, apart from the repository's own, mention a resource tag? Then
 * every repository's tags are read; otherwise only those whose repository policy mentions one.
 */
export function runPoliciesMentionResourceTags(model: AccessModel | undefined, registryPolicy: RegistryPolicyModel | undefined): boolean {
  const levels = (control: ControlLevels | undefined): PolicySource[] => (control ?? []).flatMap((level) => level.policies);
  const policies = [
    ...(model?.identity ?? []),
    ...(model?.boundary ? [model.boundary] : []),
    ...levels(model?.scp),
    ...levels(model?.rcp),
    ...(registryPolicy?.status === 'read' ? [registryPolicy.policy] : []),
  ];
  return mentionsResourceTags(policies);
}

const STATUS: Record<LayeredEvaluation['decision'], CheckStatus> = {
  allowed: 'allowed',
  'implicitly-denied': 'missing',
  'explicitly-denied': 'denied',
  conditional: 'conditional',
};

function toCheck(action: string, evaluation: LayeredEvaluation): Check {
  return {
    status: STATUS[evaluation.decision],
    action: evaluation.decision === 'allowed' ? undefined : action,
    layer: evaluation.layer,
    level: evaluation.level,
    deciding: evaluation.deciding,
    unknownKeys: evaluation.unknownKeys,
  };
}

/** Every action must be allowed: the check is the worst of them. */
function worstOver(actions: string[], judge: (action: string) => LayeredEvaluation): Check {
  let worst: { action: string; decision: LayeredEvaluation['decision']; evaluation: LayeredEvaluation } | undefined;
  for (const action of actions) {
    const evaluation = judge(action);
    worst = worse(worst, { action, decision: evaluation.decision, evaluation });
  }
  return worst ? toCheck(worst.action, worst.evaluation) : { status: 'allowed', deciding: [], unknownKeys: [] };
}

function controlLayer(layer: 'scp' | 'rcp', levels: ControlLevels | undefined, kind: 'identity' | 'resource'): LayerPolicies[] {
  return levels ? [{ layer, levels, kind }] : [];
}

/** The staging side: identity policies, and the permissions boundary and SCPs when there are any. */
function callerLayers(model: AccessModel): LayerPolicies[] {
  return [
    { layer: 'identity', levels: [{ label: 'identity policies', policies: model.identity }], kind: 'identity' },
    ...(model.boundary
      ? [{ layer: 'boundary' as const, levels: [{ label: model.boundary.name, policies: [model.boundary] }], kind: 'identity' as const }]
      : []),
    ...controlLayer('scp', model.scp, 'identity'),
  ];
}

/** Identity side of pulling one repository. Cross-account, a resource policy never makes up for it. */
export function judgeIdentitySide(repositoryArn: string, model: AccessModel, actions: string[] = PULL_NEEDS, tags?: RepositoryTags): Check {
  const layers = callerLayers(model);
  const context = withResourceTags(model.context, tags);
  return worstOver(actions, (action) => evaluateLayers(layers, { action, resource: repositoryArn, caller: model.caller, context }));
}

function registryLayer(registry: RegistryPolicyModel | undefined): LayerPolicies[] {
  if (registry?.status !== 'read' || registry.scope === 'V1') return [];
  return [{ layer: 'registry', levels: [{ label: registry.policy.name, policies: [registry.policy] }], kind: 'resource', denyOnly: true }];
}

/**
 * Repository side: the repository policy must name the role (or its account), no Deny of the
 * registry policy (scope V2) may apply, and the RCPs must allow. A registry policy that could not be
 * read leaves a pull the rest allows "conditional": a Deny there cannot be ruled out.
 */
export function judgeGrantSide(
  repositoryArn: string,
  repositoryPolicy: PolicySource,
  model: AccessModel,
  actions: string[] = PULL_NEEDS,
  tags?: RepositoryTags,
  /** Only the repository policy's Denies count (within one account its Allow is not required). */
  resourceDenyOnly = false,
): Check {
  const layers: LayerPolicies[] = [
    {
      layer: 'resource',
      levels: [{ label: repositoryPolicy.name, policies: [repositoryPolicy] }],
      kind: 'resource',
      ...(resourceDenyOnly ? { denyOnly: true } : {}),
    },
    ...registryLayer(model.registryPolicy),
    ...controlLayer('rcp', model.rcp, 'resource'),
  ];
  const context = withResourceTags(model.context, tags);
  const request = (action: string) => ({ action, resource: repositoryArn, caller: model.caller, context });
  const judged = worstOver(actions, (action) => evaluateLayers(layers, request(action)));
  // The registry's own Denies, whatever else decided: reconcile must know them even when another layer is worse.
  const registryOnly = registryLayer(model.registryPolicy);
  const registryDenies = registryOnly.length > 0 ? worstOver(actions, (action) => evaluateLayers(registryOnly, request(action))) : undefined;
  const check = registryDenies && registryDenies.status !== 'allowed' ? { ...judged, registryDenies } : judged;
  const registry = model.registryPolicy;
  if (check.status === 'allowed' && registry?.status === 'unread') {
    return {
      status: 'conditional',
      action: actions[0],
      layer: 'registry',
      level: registry.label,
      deciding: [],
      unknownKeys: [`${registry.label} (not read: ${registry.reason})`],
    };
  }
  // A registry-level Allow is never counted as the grant, but a person should hear that it is there.
  if (check.status === 'missing' && check.layer === 'resource' && registry?.status === 'read' && registry.scope === 'V2' && check.action) {
    const registryAllow = evaluate([registry.policy], request(check.action), 'resource');
    if (registryAllow.decision === 'allowed') return { ...check, registryAllows: registryAllow.deciding };
  }
  return check;
}

/** docker login: ecr:GetAuthorizationToken on "*" (no resource policy takes part). */
export function judgeLogin(model: AccessModel): Check {
  const layers = callerLayers(model);
  return worstOver(['ecr:GetAuthorizationToken'], (action) =>
    evaluateLayers(layers, { action, resource: '*', caller: model.caller, context: model.loginContext ?? model.context }),
  );
}

/**
 * How a same-account resource policy's Allow reaches a session of the role (IAM User Guide, "Policy
 * evaluation for requests within a single account"): `role` names the role (its ARN or unique ID),
 * which "are limited by an implicit deny in a permissions boundary"; `direct` names the session itself
 * (assumed-role ARN) or everyone with an aws:PrincipalArn condition (`*`, "Permissions boundaries and
 * session policies do not limit permissions granted using the aws:PrincipalArn condition key with a
 * wildcard(*) in the Principal element"), which no implicit deny limits (a bare `*`: see wildcardKind); an account (root ARN or ID) "delegates authority to the
 * account" (IAM User Guide, "AWS JSON policy elements: Principal"): its identity policies must still
 * allow, so it adds nothing to them. An Allow with NotPrincipal is counted as the account kind (adds
 * nothing): AWS does not say how it combines with a boundary, and the gate never passes on a guess.
 */
type GrantKind = 'role' | 'direct';

function principalKind(value: string, wildcard: GrantKind): GrantKind | 'account' {
  if (value === '*') return wildcard;
  if (value.includes(':assumed-role/')) return 'direct';
  if (/^\d{12}$/.test(value) || value.endsWith(':root')) return 'account';
  return 'role';
}

/**
 * A wildcard principal escapes the boundary only with an aws:PrincipalArn condition: that is the one
 * case AWS's text names ("with a wildcard(*) in the Principal element"). A bare `*` is counted as a
 * grant to the role, limited by the boundary: a pass on what AWS does not say would be a guess.
 */
function wildcardKind(statement: Statement): GrantKind {
  // Only a condition that names whom it grants (a positive match: not ArnNotEquals, StringNotLike, Null).
  const naming = Object.entries(statement.Condition ?? {})
    .filter(([operator]) => !/Not|^Null$/i.test(operator))
    .flatMap(([, block]) => Object.keys(block ?? {}));
  return naming.some((key) => key.toLowerCase() === 'aws:principalarn') ? 'direct' : 'role';
}

/** The repository policy with its Allows narrowed to the principals of one kind (its Denies kept whole). */
function allowsOfKind(policy: PolicySource, kind: GrantKind): PolicySource {
  const statements = policy.statements.flatMap((statement): Statement[] => {
    if (statement.Effect !== 'Allow') return [statement];
    if (statement.Principal === undefined || statement.Principal === null) return [];
    const wildcard = wildcardKind(statement);
    if (statement.Principal === '*') return kind === wildcard ? [statement] : [];
    const values = asList(statement.Principal.AWS).filter((value) => principalKind(String(value), wildcard) === kind);
    return values.length > 0 ? [{ ...statement, Principal: { AWS: values } }] : [];
  });
  return { ...policy, statements };
}

const BEST: Record<LayeredEvaluation['decision'], number> = { allowed: 0, conditional: 1, 'implicitly-denied': 2, 'explicitly-denied': 3 };

/** Either path allowing is enough: the better of two evaluations. */
function better(a: LayeredEvaluation, b: LayeredEvaluation): LayeredEvaluation {
  return BEST[b.decision] < BEST[a.decision] ? b : a;
}

/**
 * Both sides of a pull within one account (the role and the repository in the same account). IAM
 * User Guide, "Policy evaluation for requests within a single account": an Allow in the identity
 * policies *or* in the resource policy is enough; an explicit Deny anywhere, the SCPs and RCPs still
 * apply. ECR User Guide, "Private repository policies" says the same of repository policies. So:
 * - the identity side alone allows (policies ∩ boundary ∩ SCPs): the repository's Allow is not
 *   needed, only its (and the registry policy's) Denies and the RCPs count (`coveredBy: 'identity'`);
 * - else the repository policy may stand in for the identity policies' Allow: naming the role (then
 *   the boundary must allow: "Resource-based policies that grant permissions to an IAM role ARN are
 *   limited by an implicit deny in a permissions boundary"), or the session / everyone (then no
 *   implicit deny limits it); the identity policies' and boundary's Denies and the SCPs still apply
 *   (`coveredBy: 'resource'` on the identity side);
 * - else the identity side is what fails (reconcile's allowlist fixes it), and the grant is not needed.
 */
export function judgeSameAccount(
  repositoryArn: string,
  repositoryPolicy: PolicySource,
  model: AccessModel,
  actions: string[] = PULL_NEEDS,
  tags?: RepositoryTags,
): { grant: Check; identity: Check } {
  const identityAlone = judgeIdentitySide(repositoryArn, model, actions, tags);
  const grantAlone = judgeGrantSide(repositoryArn, repositoryPolicy, model, actions, tags);
  const constraints = judgeGrantSide(repositoryArn, repositoryPolicy, model, actions, tags, true);
  const notNeeded: Check = constraints.status === 'allowed' ? { ...constraints, coveredBy: 'identity' } : constraints;
  if (identityAlone.status === 'allowed') return { identity: identityAlone, grant: grantAlone.status === 'allowed' ? grantAlone : notNeeded };
  if (identityAlone.status === 'denied') return { identity: identityAlone, grant: grantAlone.status === 'allowed' ? grantAlone : notNeeded };
  const context = withResourceTags(model.context, tags);
  const resourceLayer = (kind: GrantKind): LayerPolicies => ({
    layer: 'resource',
    levels: [{ label: repositoryPolicy.name, policies: [allowsOfKind(repositoryPolicy, kind)] }],
    kind: 'resource',
  });
  const identityDenies: LayerPolicies = {
    layer: 'identity',
    levels: [{ label: 'identity policies', policies: model.identity }],
    kind: 'identity',
    denyOnly: true,
  };
  const boundary = (denyOnly: boolean): LayerPolicies[] =>
    model.boundary
      ? [{ layer: 'boundary', levels: [{ label: model.boundary.name, policies: [model.boundary] }], kind: 'identity', ...(denyOnly ? { denyOnly } : {}) }]
      : [];
  const scp = controlLayer('scp', model.scp, 'identity');
  const rolePath = [identityDenies, resourceLayer('role'), ...boundary(false), ...scp];
  const directPath = [identityDenies, ...boundary(true), resourceLayer('direct'), ...scp];
  const viaGrant = worstOver(actions, (action) => {
    const request = { action, resource: repositoryArn, caller: model.caller, context };
    return better(evaluateLayers(rolePath, request), evaluateLayers(directPath, request));
  });
  if (viaGrant.status === 'allowed') return { identity: { ...viaGrant, coveredBy: 'resource' }, grant: grantAlone };
  // A grant that may let it pull, depending on what only the pull knows: said with its key (the cell fails either way).
  return { identity: identityAlone, grant: grantAlone.status === 'allowed' || viaGrant.status === 'conditional' ? grantAlone : notNeeded };
}
