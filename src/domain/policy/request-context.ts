import { accountOf } from '../arn.js';
import { contextKey, type ContextValue, type RequestContext } from './context.js';

/**
 * What the run read about who pulls and from where, as plain data. Anything it could not read is
 * `unread`: its keys stay unknown (a statement that depends on them is conditional, never a pass).
 */
export type Readable<T> = { status: 'read'; value: T } | { status: 'none' } | { status: 'unread'; reason: string };

export interface PullFacts {
  /** The pulling role, as IAM has it. */
  role: { arn: string; account: string; roleId?: string; tags: Record<string, string>; sessionTagsPossible?: boolean };
  /** The staging account's organization ID (`none`: not in an organization). */
  principalOrgId: Readable<string>;
  /** aws:PrincipalOrgPaths, e.g. ["o-a1b2c3/r-ab12/ou-ab12-11111111/"]. */
  principalOrgPaths: Readable<string[]>;
  registry: { account: string; region: string };
  /** The registry account's organization ID. */
  resourceOrgId: Readable<string>;
}

/**
 * Keys AWS puts into no request made by a role session with its own credentials over HTTPS:
 * these are known to be absent, so `…IfExists`, `Null` and negated operators on them decide.
 */
const ABSENT_FOR_ROLE_SESSIONS = [
  'aws:username',
  'aws:SourceAccount',
  'aws:SourceArn',
  'aws:SourceOrgID',
  'aws:SourceOrgPaths',
  'aws:PrincipalServiceName',
  'aws:PrincipalServiceNamesList',
  'aws:CalledVia',
  'aws:CalledViaFirst',
  'aws:CalledViaLast',
];

/**
 * The request context of a pull by a session of the role. Known: who the principal is (account,
 * role ARN with path, type, unique ID as the start of aws:userid, role tags, organization and OU
 * path), what the resource is (account, organization), and what any pull fixes (region, HTTPS).
 * Unknown, because only the pull itself knows it: source IP/VPC/endpoint, time, the session name,
 * MFA, session tags (and so every principal tag, when the trust policy allows sts:TagSession), the
 * repository's tags until `withResourceTags` adds them. Absent: a tag the role does not carry, when
 * no session can add one.
 */
export function pullRequestContext(facts: PullFacts): RequestContext {
  const known = new Map<string, ContextValue[]>();
  const absent = new Set<string>(ABSENT_FOR_ROLE_SESSIONS.map(contextKey));
  const set = (key: string, ...values: ContextValue[]): void => void known.set(contextKey(key), values);
  const setReadable = (key: string, readable: Readable<string | string[]>): void => {
    if (readable.status === 'read') set(key, ...(Array.isArray(readable.value) ? readable.value : [readable.value]));
    else if (readable.status === 'none') absent.add(contextKey(key));
  };

  set('aws:PrincipalAccount', facts.role.account);
  set('aws:PrincipalArn', facts.role.arn);
  set('aws:PrincipalType', 'AssumedRole');
  set('aws:PrincipalIsAWSService', 'false');
  set('aws:ViaAWSService', 'false');
  set('aws:SecureTransport', 'true');
  set('aws:RequestedRegion', facts.registry.region);
  set('aws:ResourceAccount', facts.registry.account);
  if (facts.role.roleId) set('aws:userid', { prefix: `${facts.role.roleId}:` });
  // A role's tags are the session's principal tags unless its trust policy allows session tags,
  // which override them ("Passing session tags in AWS STS"): then only the pull knows them. When
  // no session can add a tag, a tag the role does not carry is not in the request at all.
  const absentPrefixes: string[] = [];
  if (facts.role.sessionTagsPossible === false) {
    for (const [tag, value] of Object.entries(facts.role.tags)) set(`aws:PrincipalTag/${tag}`, value);
    absentPrefixes.push(PRINCIPAL_TAG_PREFIX);
  }
  setReadable('aws:PrincipalOrgID', facts.principalOrgId);
  setReadable('aws:PrincipalOrgPaths', facts.principalOrgPaths);
  setReadable('aws:ResourceOrgID', facts.resourceOrgId);
  // The registry's OU path is never read (it would need the registry's organization's management
  // account): aws:ResourceOrgPaths stays unknown unless the registry is in no organization.
  if (facts.resourceOrgId.status === 'none') absent.add(contextKey('aws:ResourceOrgPaths'));
  return { known, absent, absentPrefixes };
}

const PRINCIPAL_TAG_PREFIX = contextKey('aws:PrincipalTag/');
/** The repository's tags, under both names ECR's repository resource type supports (Service Authorization Reference for Amazon ECR). */
const RESOURCE_TAG_PREFIXES = ['aws:ResourceTag/', 'ecr:ResourceTag/'].map(contextKey);

/** Does any of these policies mention a resource tag (a condition key or a policy variable)? Only then are a repository's tags worth a read. */
export function mentionsResourceTags(policies: { statements: unknown[] }[]): boolean {
  return policies.some((policy) => {
    const text = JSON.stringify(policy.statements).toLowerCase();
    return RESOURCE_TAG_PREFIXES.some((prefix) => text.includes(prefix));
  });
}

/**
 * The pull's context for one repository: its tags, when read, are known keys, and a tag it does not
 * carry is absent (aws:ResourceTag/<k> and ecr:ResourceTag/<k>). Unread tags stay unknown.
 */
export function withResourceTags(context: RequestContext, tags: Readable<Record<string, string>> | undefined): RequestContext {
  if (tags?.status !== 'read') return context;
  const known = new Map(context.known);
  const unknown = new Set(context.unknown);
  // Condition keys ignore case but ECR tag keys do not: two tags that differ only in case leave the key unknown.
  const byKey = new Map<string, Set<string>>();
  for (const [tag, value] of Object.entries(tags.value)) byKey.set(contextKey(tag), (byKey.get(contextKey(tag)) ?? new Set()).add(value));
  for (const [tag, values] of byKey) {
    for (const prefix of RESOURCE_TAG_PREFIXES) {
      if (values.size === 1) known.set(`${prefix}${tag}`, [...values]);
      else unknown.add(`${prefix}${tag}`);
    }
  }
  return { known, absent: context.absent, absentPrefixes: [...(context.absentPrefixes ?? []), ...RESOURCE_TAG_PREFIXES], unknown };
}

/**
 * The login (ecr:GetAuthorizationToken) is a call to the staging account's own ECR with no resource:
 * its aws:ResourceAccount and aws:ResourceOrgID are the caller's, not the registry's (AWS's
 * resource-perimeter SCP examples rely on this). Inferred, not documented key by key.
 */
export function loginRequestContext(facts: PullFacts): RequestContext {
  const context = pullRequestContext({ ...facts, registry: { ...facts.registry, account: facts.role.account }, resourceOrgId: facts.principalOrgId });
  // ecr:GetAuthorizationToken has no resource type, so no resource tags: those keys are absent.
  return { ...context, absentPrefixes: [...(context.absentPrefixes ?? []), ...RESOURCE_TAG_PREFIXES] };
}

/** A context for callers that read nothing: only what any pull of this repository fixes. */
export function minimalPullFacts(roleArn: string, registry: { account: string; region: string }): PullFacts {
  const unread = { status: 'unread', reason: 'not read' } as const;
  return {
    role: { arn: roleArn, account: accountOf(roleArn), tags: {} },
    principalOrgId: unread,
    principalOrgPaths: unread,
    registry,
    resourceOrgId: unread,
  };
}
