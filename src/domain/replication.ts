import type { RegistryPolicyModel } from './checks/judge.js';
import type { ReplicationPermission } from './checks/model.js';
import { UNKNOWN_CONTEXT } from './policy/context.js';
import type { PolicyDocument, Statement } from './policy/document.js';
import { evaluate, worse } from './policy/evaluate.js';
import type { Readable } from './policy/request-context.js';

/** One registry: an account's private registry in one region. */
export interface Registry {
  region: string;
  registryId: string;
}

/** A rule of a registry's replication configuration (ecr:DescribeRegistry), as plain data. */
export interface ReplicationRule {
  destinations: Registry[];
  /** No filters: the rule replicates every repository. */
  filters: { filter: string; filterType: 'PREFIX_MATCH' }[];
}

export type CreationTemplateUse = 'REPLICATION' | 'PULL_THROUGH_CACHE' | 'CREATE_ON_PUSH';

/** A repository creation template (ecr:DescribeRepositoryCreationTemplates), as plain data. */
export interface CreationTemplate {
  /** A namespace such as `prod/team` (matching `prod/team/…`), or `ROOT`. */
  prefix: string;
  appliedFor: string[];
  /**
   * The policy the template gives the repositories it creates: `none` when it gives none; `unread`
   * when the stored text is not a policy this action can read (its reason says why), so that a
   * verdict over a replica it created is conditional, never a pass.
   */
  repositoryPolicy: Readable<PolicyDocument>;
}

/**
 * Whether a rule covers a repository. "If no filters are added, the contents of all repositories
 * are replicated"; PREFIX_MATCH is "a repository name prefix" (ECR API Reference, "RepositoryFilter";
 * ECR User Guide, "Private image replication examples for Amazon ECR": the filter `prod` replicates
 * the repositories whose names start with `prod`). A plain prefix of the name, not a namespace.
 */
function ruleCovers(rule: ReplicationRule, repository: string): boolean {
  return rule.filters.length === 0 || rule.filters.some((filter) => repository.startsWith(filter.filter));
}

const sameRegistry = (a: Registry, b: Registry): boolean => a.region === b.region && a.registryId === b.registryId;

/**
 * The registries a repository of `source` is replicated to, each once, in the order the rules name
 * them. ECR User Guide, "Private image replication in Amazon ECR": the replica keeps the
 * repository's name ("Amazon ECR doesn't support changing the repository name during replication"),
 * in another region of the same account or in another account; so a destination that several rules
 * name holds one replica. The source registry itself is never a destination (PutReplicationConfiguration
 * refuses it: "Replication destination cannot be the same as the source registry"); one stored anyway
 * is skipped rather than judged as a replica of itself.
 */
export function replicaDestinations(rules: readonly ReplicationRule[], source: Registry, repository: string): Registry[] {
  const destinations: Registry[] = [];
  for (const rule of rules) {
    if (!ruleCovers(rule, repository)) continue;
    for (const destination of rule.destinations) {
      if (sameRegistry(destination, source) || destinations.some((known) => sameRegistry(known, destination))) continue;
      destinations.push({ region: destination.region, registryId: destination.registryId });
    }
  }
  return destinations;
}

/** ROOT: "a template to all repositories in your registry that don't have an associated creation template". */
export const ROOT_PREFIX = 'ROOT';

/**
 * Whether a template's prefix covers a repository: "There is always an assumed / applied to the end of
 * the prefix": `prod` covers `prod/…` (and so `prod/team/app`), never `production` nor `prod` itself
 * (ECR API Reference, "CreateRepositoryCreationTemplate", prefix).
 */
function prefixCovers(prefix: string, repository: string): boolean {
  const namespace = prefix.endsWith('/') ? prefix : `${prefix}/`;
  return repository.startsWith(namespace);
}

/**
 * The template ECR applies when it creates `repository` for `appliedFor` in the registry that holds
 * `templates` (for a replica: the destination registry's templates). ECR User Guide, "Templates to
 * control repositories created during a pull through cache or replication action": a template
 * applies only to the uses listed in its appliedFor; `prod` applies to `prod/…`, `prod/team` to
 * `prod/team/…`, and ROOT to every repository no other template matches. Where two prefixes match
 * (`prod` and `prod/team` for `prod/team/app`), the longer one is taken: AWS documents each prefix as
 * applying to its namespace and ROOT as the fallback, not the tie-break, so "most specific wins" is
 * inferred from that fallback rule. Undefined: no template; ECR's defaults apply (no repository policy).
 */
export function templateFor(templates: readonly CreationTemplate[], repository: string, appliedFor: CreationTemplateUse): CreationTemplate | undefined {
  const usable = templates.filter((template) => template.appliedFor.includes(appliedFor));
  const matching = usable.filter((template) => template.prefix !== ROOT_PREFIX && prefixCovers(template.prefix, repository));
  const longest = matching.sort((a, b) => b.prefix.length - a.prefix.length)[0];
  return longest ?? usable.find((template) => template.prefix === ROOT_PREFIX);
}

/**
 * Whether a cross-account destination lets the source registry replicate into it. ECR User Guide,
 * "Granting registry permissions for cross account replication": the destination's registry policy
 * "must grant permission for the ecr:ReplicateImage API action", and ecr:CreateRepository lets ECR
 * create the replica repository "if they don't exist already"; without it the repository must exist
 * — "If neither is done, replication fails". Same-account destinations need no registry policy ("By
 * default, you have permission to configure cross-Region replication within your own registry").
 */
export type { ReplicationPermission };

/** Sid of the statement the fix adds (the name of ECR's own example). */
export const REPLICATION_SID = 'ReplicationAccessCrossAccount';

/**
 * Judges the destination's registry policy as ECR weighs it for replication: a resource policy whose
 * principal is the source registry's account (its root, as in ECR's examples) and whose resource is
 * the replica repository `arn:aws:ecr:<destination region>:<destination account>:repository/<name>`.
 * Its Conditions depend on a request only ECR makes: conditional, never a pass.
 */
export function judgeReplicationPermission(
  registryPolicy: RegistryPolicyModel,
  source: Registry,
  destination: Registry,
  repository: string,
  replicaExists: boolean,
  partition = 'aws',
): ReplicationPermission {
  const actions = replicaExists ? ['ecr:ReplicateImage'] : ['ecr:ReplicateImage', 'ecr:CreateRepository'];
  const sourceRoot = `arn:${partition}:iam::${source.registryId}:root`;
  const resource = `arn:${partition}:ecr:${destination.region}:${destination.registryId}:repository/${repository}`;
  const fix: Statement = {
    Sid: REPLICATION_SID,
    Effect: 'Allow',
    Principal: { AWS: sourceRoot },
    Action: actions,
    Resource: `arn:${partition}:ecr:${destination.region}:${destination.registryId}:repository/*`,
  };
  if (registryPolicy.status === 'unread') return { status: 'unread', action: actions[0], reason: registryPolicy.reason, fix };
  const policies = registryPolicy.status === 'read' ? [registryPolicy.policy] : [];
  const caller = { roleArn: sourceRoot, hasBoundary: false };
  let worst: { action: string; evaluation: ReturnType<typeof evaluate>; decision: ReturnType<typeof evaluate>['decision'] } | undefined;
  for (const action of actions) {
    const evaluation = evaluate(policies, { action, resource, caller, context: UNKNOWN_CONTEXT }, 'resource');
    worst = worse(worst, { action, evaluation, decision: evaluation.decision });
  }
  if (!worst || worst.decision === 'allowed') return { status: 'allowed' };
  const status = worst.decision === 'explicitly-denied' ? 'denied' : worst.decision === 'conditional' ? 'conditional' : 'missing';
  return { status, action: worst.action, deciding: worst.evaluation.deciding, unknownKeys: worst.evaluation.unknownKeys, fix };
}
