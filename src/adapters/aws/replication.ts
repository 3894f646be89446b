import {
  DescribeRegistryCommand,
  paginateDescribeRepositoryCreationTemplates,
  type ECRClient,
  type ReplicationRule as EcrReplicationRule,
} from '@aws-sdk/client-ecr';
import { UserError } from '../../errors.js';
import { parsePolicy, type PolicyDocument } from '../../domain/policy/document.js';
import type { Readable } from '../../domain/policy/request-context.js';
import type { CreationTemplate, ReplicationRule } from '../../domain/replication.js';
import { inert, quoted } from '../../util/inert.js';
import { describeAwsError, isAwsError } from './errors.js';
import type { CreationTemplatesRead, ReplicationRead } from '../../domain/facts.js';

export type { CreationTemplatesRead, ReplicationRead };

/**
 * Both calls read the caller's own registry, whatever registry the caller meant: an answer for another
 * registry than `expected` is not that registry's facts.
 */
function otherRegistry(answered: string | undefined, expected: string | undefined, what: string, who: string): string | undefined {
  if (expected === undefined || answered === expected) return undefined;
  return `${who} read ${what} of registry ${inert(answered ?? 'unknown', 20)}, not of ${inert(expected, 20)} (ECR answers with the caller's own registry), so those of ${inert(expected, 20)} are unknown.`;
}

/**
 * A denial: the error's name says so, or the status is 403 (an emulator may answer with a body the
 * SDK cannot parse, but the status still says it).
 */
function isDenied(error: unknown): boolean {
  return (
    isAwsError(error, 'AccessDenied', 'AccessDeniedException') || (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 403
  );
}

/** The AWS error code; a bare `HTTP 403` when the body was not AWS's (the SDK then names a parse error). */
function codeOf(error: unknown): string {
  const aws = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  const name = aws?.name ?? 'Error';
  if (aws?.$metadata?.httpStatusCode === 403 && !/Exception$|^AccessDenied/.test(name)) return 'HTTP 403';
  return inert(name, 80);
}

/** The reason of a denied read: what stays unknown, and what to allow. */
function deniedReason(error: unknown, permission: string, who: string, what: string): string {
  return `${permission} was denied for ${who} (${codeOf(error)}), so ${what} could not be read and verdicts that depend on it are conditional; allow ${permission} on that identity to read it.`;
}

/** A rule as the domain reads it, or why not: a filter type other than PREFIX_MATCH covers repositories this action cannot tell. */
function ruleOf(rule: EcrReplicationRule, index: number): ReplicationRule | string {
  const destinations: ReplicationRule['destinations'] = [];
  for (const destination of rule.destinations ?? []) {
    if (!destination.region || !destination.registryId) return `rule ${index + 1} has a destination without a region or a registry ID`;
    // Stored text: only what names a registry is taken (it is printed, and it picks credentials).
    if (!/^\d{12}$/.test(destination.registryId) || !/^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/.test(destination.region))
      return `rule ${index + 1} has a destination that is not an account ID and a region (${quoted(destination.registryId, 20)}, ${quoted(destination.region, 30)})`;
    destinations.push({ region: destination.region, registryId: destination.registryId });
  }
  const filters: ReplicationRule['filters'] = [];
  for (const filter of rule.repositoryFilters ?? []) {
    if (filter.filterType !== 'PREFIX_MATCH' || typeof filter.filter !== 'string')
      return `rule ${index + 1} has a repository filter of type ${quoted(filter.filterType ?? 'none')}, which this action does not know (only PREFIX_MATCH)`;
    filters.push({ filter: filter.filter, filterType: 'PREFIX_MATCH' });
  }
  return { destinations, filters };
}

/**
 * The replication rules of the credentials' own registry in the client's region (ecr:DescribeRegistry
 * takes no registry ID: it reads the caller's, one call). No configuration: no rules. A denial, or a
 * rule this action cannot read, leaves the rules unread: which replicas exist is then unknown, never
 * "none". Any other failure is an error naming ecr:DescribeRegistry. `who` says which credentials;
 * `registryId`, when given, is the registry meant: an answer for another is unread.
 */
export async function readReplication(ecr: ECRClient, who: string, registryId?: string): Promise<ReplicationRead> {
  try {
    const response = await ecr.send(new DescribeRegistryCommand({}));
    const other = otherRegistry(response.registryId, registryId, 'the replication configuration', who);
    if (other) return { status: 'unread', reason: other };
    const rules: ReplicationRule[] = [];
    for (const [index, rule] of (response.replicationConfiguration?.rules ?? []).entries()) {
      const read = ruleOf(rule, index);
      if (typeof read === 'string') return { status: 'unread', reason: `the replication configuration read by ${who}: ${read}` };
      rules.push(read);
    }
    return { status: 'read', registryId: response.registryId ?? registryId ?? 'unknown', rules };
  } catch (error) {
    if (isDenied(error)) return { status: 'unread', reason: deniedReason(error, 'ecr:DescribeRegistry', who, 'the replication configuration') };
    throw describeAwsError(error, 'ecr:DescribeRegistry', who);
  }
}

/**
 * A template's stored repository policy: `none` when it has none; `unread` when the stored text is
 * not a policy (ECR validates it when it is written, so this is a stand-in's or a future format's):
 * a replica created with it has a policy this action cannot judge, so its verdict is conditional.
 */
function templatePolicy(text: string | undefined, prefix: string, registryId: string): Readable<PolicyDocument> {
  if (!text) return { status: 'none' };
  try {
    return {
      status: 'read',
      value: parsePolicy(text, `the repository policy of the creation template ${quoted(prefix)} in registry ${inert(registryId, 20)}`),
    };
  } catch (error) {
    if (error instanceof UserError) return { status: 'unread', reason: error.message };
    throw error;
  }
}

/**
 * The repository creation templates of the credentials' own registry in the client's region
 * (ecr:DescribeRepositoryCreationTemplates, every page). A denial leaves them unread: the policy a
 * replica was created with is then unknown. Any other failure is an error naming the permission;
 * `registryId`, when given, is the registry meant: an answer for another is unread.
 */
export async function readCreationTemplates(ecr: ECRClient, who: string, registryId?: string): Promise<CreationTemplatesRead> {
  const templates: CreationTemplate[] = [];
  let answered = registryId;
  try {
    for await (const page of paginateDescribeRepositoryCreationTemplates({ client: ecr }, {})) {
      const other = otherRegistry(page.registryId, registryId, 'the repository creation templates', who);
      if (other) return { status: 'unread', reason: other };
      answered = page.registryId ?? answered;
      for (const template of page.repositoryCreationTemplates ?? []) {
        const prefix = template.prefix ?? '';
        templates.push({
          prefix,
          appliedFor: [...(template.appliedFor ?? [])],
          repositoryPolicy: templatePolicy(template.repositoryPolicy, prefix, page.registryId ?? 'unknown'),
        });
      }
    }
    return { status: 'read', registryId: answered ?? 'unknown', templates };
  } catch (error) {
    if (isDenied(error)) {
      return { status: 'unread', reason: deniedReason(error, 'ecr:DescribeRepositoryCreationTemplates', who, 'the repository creation templates') };
    }
    throw describeAwsError(error, 'ecr:DescribeRepositoryCreationTemplates', who);
  }
}
