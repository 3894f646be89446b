import type { DecidingStatement, Layer } from '../policy/evaluate.js';
import type { OwnedStatementDrift } from '../policy/repository-grant.js';
import type { ImageFinding } from '../image/result.js';
import type { Statement } from '../policy/document.js';

/**
 * The typed verdicts every renderer (log table, step summary, annotations, plan text, CLI, JSON
 * report) turns into words. Code that needs to know whether something drifted reads these fields.
 */
export type CheckStatus = 'allowed' | 'missing' | 'denied' | 'conditional';

/** One side of the pull for one repository (or the login), over every action it needs: the worst outcome. */
export interface Check {
  status: CheckStatus;
  /** The action of the worst outcome (every action was allowed when status is allowed). */
  action?: string;
  /** The policy layer that decided, when not allowed: identity, boundary, scp, resource or rcp. */
  layer?: Layer;
  /** The level of an SCP/RCP layer that decided ("OU ou-…"), or the policy's name. */
  level?: string;
  deciding: DecidingStatement[];
  /** What the decision depends on that only the pull knows (condition keys): conditional only. */
  unknownKeys: string[];
  /**
   * Statements of the registry policy that allow the pull the repository policy does not grant:
   * ECR does not document registry-level grants for pulls, so they are reported, never counted.
   */
  registryAllows?: DecidingStatement[];
  /** The registry policy's own Denies that apply (or may), even when another layer decided the check. */
  registryDenies?: Check;
  /**
   * Within one account (IAM User Guide, "Policy evaluation for requests within a single account"):
   * this side alone does not allow, and need not, because the other side's Allow is enough.
   * `identity`: on the grant side, the identity policies allow; `resource`: on the identity side,
   * the repository policy allows. The status is then `allowed`.
   */
  coveredBy?: 'identity' | 'resource';
}

/** Why the pulling role itself could not be judged. */
export type RoleProblem =
  | { kind: 'role-not-found'; roleArn: string; readAccount: string | undefined }
  | { kind: 'policy-not-found'; roleArn: string; policyName: string; inlineNames: string[]; readAccount: string | undefined };

export interface RepositoryVerdict {
  repository: string;
  /** The puller judged (its name); undefined when no puller was (publish without one). */
  puller?: string;
  /** The repository pulled (its region and registry are the cell's place). */
  arn: string;
  /** False: the repository does not exist in the registry (nothing to pull). */
  exists: boolean;
  /** Repository side (the repository policy and the RCPs over the registry); undefined when not checked. */
  grant?: Check;
  /** Identity side (identity policies ∩ permissions boundary ∩ SCPs); undefined when not checked. */
  identity?: Check;
  /** Principals stored as unique IDs (AROA…): the role they named was deleted. */
  stalePrincipals: { sid: string | undefined; principal: string }[];
  /** The statement with the action's own Sid is not exactly what the action writes (widened, or copied): drift. */
  ownStatement?: OwnedStatementDrift;
  /** This run wrote the grant / added the allowlist entry (shown as "granted" / "added"). */
  grantWritten: boolean;
  allowlistAdded: boolean;
  digest?: string;
  /** The puller's role is in the account of the repository pulled: either side's Allow is enough. */
  sameAccount?: boolean;
  /** A pull in another region than the registry's: from the replica there, or from nowhere. */
  replica?: ReplicaPlace;
  /**
   * The image layer (issue 26): whether the image the puller will pull is there as it pulls it.
   * Undefined: no image to judge (none named, and the repository holds none).
   */
  image?: ImageFinding;
  /** Which image `image` judged: one the `images` input named (`tag` when by tag), the repository's newest (said, never silent), or the digest publish pushed. */
  imageChecked?: { chosen: 'input' | 'newest' | 'pushed'; tag?: string };
  /** Not pullable from staging as things stand (any side not allowed, or the login fails). */
  drift: boolean;
}

/**
 * Where a pull in another region goes. `replica`: the destination's repository (`created: false`: not
 * yet, judged by the creation template it will get, `template` its prefix, none: no policy).
 * `not-replicated`: no replication rule copies it there. `not-checked`: the destination was not read.
 */
export type ReplicaPlace =
  | {
      kind: 'replica';
      sourceRegion: string;
      created: boolean;
      template?: string;
      /** A destination in another account: whether its registry policy lets the source registry replicate (undefined: same account). */
      replication?: ReplicationPermission;
    }
  | { kind: 'not-replicated'; sourceRegion: string }
  /** The repository does not exist in the registry: nothing is replicated anywhere. */
  | { kind: 'no-source'; sourceRegion: string }
  /** `replication`: the replication configuration itself could not be read; `destination`: this replica could not. */
  | { kind: 'not-checked'; sourceRegion: string; reason: string; what: 'replication' | 'destination' };

export interface RoleVerdict {
  roleArn: string;
  problem?: RoleProblem;
  /** ecr:GetAuthorizationToken on "*": without it, docker login fails and nothing is pullable. */
  login?: Check;
}

/** What the run could not read, said once in the report (never silently assumed). */
export interface NotChecked {
  what:
    | 'organization'
    | 'org-paths'
    | 'registry-organization'
    | 'service-control-policies'
    | 'resource-control-policies'
    | 'registry-policy-scope'
    | 'repository-tags'
    | 'creation-templates';
  reason: string;
}

export function sideOk(check: Check | undefined): boolean {
  return check === undefined || check.status === 'allowed';
}

/** Whether the destination's registry policy lets the source replicate (judged in domain/replication.ts). */
export type ReplicationPermission =
  | { status: 'allowed' }
  | {
      status: 'missing' | 'denied' | 'conditional';
      /** The permission the destination's registry policy does not give the source account. */
      action: string;
      /** The statements that decided (a Deny, or an Allow that depends on a condition). */
      deciding: DecidingStatement[];
      unknownKeys: string[];
      /** The statement to add to the destination's registry policy. */
      fix: Statement;
    }
  /** The destination's registry policy could not be read: whether replication may happen is unknown. */
  | { status: 'unread'; action: string; reason: string; fix: Statement };
