import type { RegistryPolicyModel, RepositoryTags } from './checks/judge.js';
import type { NotChecked, RoleProblem } from './checks/model.js';
import type { PolicyDocument } from './policy/document.js';
import type { GrantPlan } from './policy/repository-grant.js';
import type { Readable } from './policy/request-context.js';
import type { PullerSettings } from './pullers.js';
import type { CreationTemplate, Registry, ReplicationRule } from './replication.js';

/**
 * The facts a run reads before it judges, as plain data (issue 28, "Facts → judgement → words"):
 * the adapters and services read them, domain/ judges them. A fact that could not be read is
 * `unread` with its reason, never a guess. Clients and credentials are not facts: a type that carries
 * them (the session that read a puller, the registry a place is read with) is a parameter here, filled
 * in by services/.
 */

/** One policy document and how the run names it. */
export interface NamedPolicy {
  /** "inline policy NAME" or "managed policy ARN" */
  name: string;
  inlineName?: string;
  document: PolicyDocument;
}

/**
 * What fixes the request context of any session of one role, as IAM holds it: the ARN with its
 * path (aws:PrincipalArn), the unique ID (aws:userid starts with it), the account
 * (aws:PrincipalAccount), the tags (aws:PrincipalTag/*) and the permissions boundary (the identity
 * side is policies ∩ boundary).
 */
export interface RoleFacts {
  /** As GetRole returns it, with the path (`arn:aws:iam::ACCOUNT:role/tenants/Name`). */
  roleArn: string;
  roleName: string;
  /** `/` when the role has none. */
  path: string;
  account: string;
  /** The role's unique ID (`AROA…`). */
  roleId: string;
  tags: Record<string, string>;
  /**
   * Whether a session of the role may carry session tags: only when its trust policy allows
   * sts:TagSession ("Passing session tags in AWS STS"). Session tags override the role's tags, so
   * then aws:PrincipalTag/* is known only to the pull.
   */
  sessionTagsPossible: boolean;
  /** The default version of the permissions boundary policy; undefined when the role has none. */
  boundary: NamedPolicy | undefined;
}

export type OrganizationFacts =
  { status: 'member'; organizationId: string; managementAccountId?: string } | { status: 'none' } | { status: 'unread'; reason: string };

export interface ControlPolicyLevel {
  /** The account ID, OU ID or root ID the policies are attached to. */
  target: string;
  /** "account 004947743811", "OU ou-ab12-11111111", "root r-ab12" */
  label: string;
  policies: NamedPolicy[];
}

/**
 * `read`: account first, then each OU upward, then the root; at every level something must allow.
 * `disabled`: the policy type is not enabled on the root, so no policy of that kind applies.
 */
export type ControlPolicies = { status: 'read'; levels: ControlPolicyLevel[] } | { status: 'unread'; reason: string } | { status: 'disabled' };

/** `registryId`: the registry ECR answered for (the credentials' own). */
export type ReplicationRead = { status: 'read'; registryId: string; rules: ReplicationRule[] } | { status: 'unread'; reason: string };
export type CreationTemplatesRead = { status: 'read'; registryId: string; templates: CreationTemplate[] } | { status: 'unread'; reason: string };

/** What the registry side contributes: its account, region and organization, and its registry policy. */
export interface RegistryFacts {
  account: string;
  region: string;
  organization: OrganizationFacts;
  policy: RegistryPolicyModel;
  /** Why the registry policy's scope could not be read, when it mattered (it was then judged as V2). */
  scopeUnread?: string;
}

/** What a place pulled from contributes: its registry (policy, organization) and the RCPs over its account. */
export interface PlaceFacts {
  registry: RegistryFacts;
  rcp: ControlPolicies | undefined;
  notChecked: NotChecked[];
}

/** What was read of one repository before anything is written, and what the grant would change. */
export interface RepositoryState {
  repository: string;
  arn: string;
  policy: PolicyDocument | undefined;
  /** Whom its grant names (pull-principals, or the pullers that must pull it here). */
  principals: string[];
  grantPlan: GrantPlan | undefined;
}

/** What the organization side says of the puller's own account: read once per puller. */
export interface PrincipalOrganizationFacts {
  principalOrganization: OrganizationFacts;
  orgPaths: Readable<string[]>;
  scp: ControlPolicies | undefined;
  notChecked: NotChecked[];
}

/** The session that read a puller's IAM, as far as a verdict needs it: who it is, and which account it is in. */
export interface ReadingSession {
  who: string;
  /** Undefined when it could not be told. */
  account: string | undefined;
}

/** Everything read of the pulling role itself, once per puller, whatever it pulls from. `Session`: the session it was read with. */
export interface PullerFacts<Session extends ReadingSession = ReadingSession> {
  settings: PullerSettings;
  access: Session;
  roleArn: string;
  documents: NamedPolicy[];
  problem: RoleProblem | undefined;
  role: RoleFacts | undefined;
  organization: PrincipalOrganizationFacts;
}

/** A registry pulled from, as read: the one the run is about, or a replication destination. */
export interface RegistryPlace extends Registry {
  kind: 'home' | 'replica';
  facts: PlaceFacts;
  /** The repositories read there (undefined: no such repository yet). */
  states: Map<string, RepositoryState | undefined>;
  /** Replica places: the destination's creation templates, read when a replica does not exist yet. */
  templates?: CreationTemplatesRead;
}

/** A destination a (region, repository) may be pulled from: read, or why not. */
export type Destination<Place extends RegistryPlace = RegistryPlace> =
  { kind: 'read'; place: Place } | { kind: 'not-checked'; registry: Registry; reason: string };

/** Where a (region, repository) is pulled from, for a region other than the registry's. */
export type ReplicaSource<Place extends RegistryPlace = RegistryPlace> =
  | { kind: 'destinations'; destinations: Destination<Place>[] }
  | { kind: 'not-replicated' }
  /** The replication configuration itself could not be read: where replicas are is unknown. */
  | { kind: 'unknown'; reason: string };

/** The registry's replication configuration and every destination some puller pulls from. */
export interface Replicas<Place extends RegistryPlace = RegistryPlace> {
  replication: ReplicationRead | undefined;
  places: Map<string, Place>;
  /** Destinations that could not be read (no reader role in their account, or it could not be assumed). */
  unreadable: Map<string, string>;
}

/** Everything read before judging every (puller, region, repository) cell: what a proposed change is laid over. */
export interface CellFacts<Session extends ReadingSession = ReadingSession, Place extends RegistryPlace = RegistryPlace> {
  registryId: string;
  repositories: string[];
  /** The registry's repositories (undefined: no such repository). */
  states: Map<string, RepositoryState | undefined>;
  home: PlaceFacts;
  pullerFacts: PullerFacts<Session>[];
  replicas: Replicas<Place>;
  /** The tags a policy asks for: of the registry's repositories, and of each replica destination's. */
  tags: Map<string, RepositoryTags>;
  replicaTags: Map<string, Map<string, RepositoryTags>>;
  notChecked: NotChecked[];
}
