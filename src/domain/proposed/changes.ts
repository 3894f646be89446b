import type { PolicyDocument } from '../policy/document.js';

/**
 * The change model of a proposed state (docs/iac.md): the replacements a change makes to the live
 * documents, where each writes, and what it leaves unknown until apply. Pure data: the Terraform plan
 * reader (terraform-plan.ts) and a lone policy document (../proposed.ts) both read into it.
 */

/** A value the plan leaves unknown until apply, naming the attribute that holds it (`aws_iam_role_policy.pull.policy`): the verdict on it is conditional. */
export interface Unknown {
  unknown: string;
}
export type Known<T> = T | Unknown;
export type ProposedDocument = PolicyDocument | 'deleted' | Unknown;

/**
 * One replacement of a live fact. `from` says where it was read: the plan resource's address, or
 * the file for a policy document. Roles are named by name (as plans name them), repositories by name.
 */
export type Replacement =
  /** `roleName` undefined: a document given for the allowlist layer without a role, i.e. the pulling role the run judges. */
  | { kind: 'inline-policy'; from: string; roleName: Known<string> | undefined; policyName: Known<string>; document: ProposedDocument; where?: Where }
  | { kind: 'managed-policy-attachment'; from: string; roleName: Known<string>; policyArn: Known<string>; action: 'attach' | 'detach'; where?: Where }
  | { kind: 'managed-policy'; from: string; policyArn: Known<string>; policyName: Known<string>; document: ProposedDocument; where?: Where }
  | { kind: 'boundary'; from: string; roleName: Known<string>; policyArn: Known<string> | 'removed'; where?: Where }
  /** A role's tags after the change (its principal tags, for aws:PrincipalTag conditions): `tags_all`, default tags included. */
  | { kind: 'role-tags'; from: string; roleName: Known<string>; tags: { values: Record<string, string> } | Unknown; where?: Where }
  /** A role created or deleted (a deleted role takes its inline policies, attachments and boundary with it). */
  | { kind: 'role'; from: string; roleName: Known<string>; action: 'create' | 'delete'; where?: Where }
  /**
   * A role whose whole set of inline policies (`inline_policy`) or managed attachments (`managed_policy_arns`)
   * is exclusive and known only after apply: any policy it holds may go. `set` names the unknown attribute.
   */
  | { kind: 'exclusive-set'; from: string; roleName: Known<string>; set: Unknown; where?: Where }
  | { kind: 'repository-policy'; from: string; repository: Known<string>; document: ProposedDocument; where?: Where }
  /** The registry policy of the region the plan's provider writes to. */
  | { kind: 'registry-policy'; from: string; document: ProposedDocument; where?: Where }
  /** A change to a resource that can decide a pull but is not modelled here: every verdict it may touch is conditional on it. */
  | { kind: 'unmodelled'; from: string; type: string; where?: Where };

/**
 * Where a plan's change writes, as far as the plan proves it: its provider configuration
 * (`provider_config_key` → `configuration.provider_config[key]`). Undefined fields: the plan does not
 * say, and the provider is the default one (no alias): its region is the environment's (taken as the
 * run's region) and its account is taken to be the account of what it names (the puller's role, the
 * registry). An aliased provider whose region or account is not a constant in the plan leaves them
 * Unknown: every cell the write could touch is conditional on it.
 */
export interface Where {
  /** The provider configuration key (`aws`, `aws.west`, `module.x:aws`). */
  provider?: string;
  /** The account: `assume_role.role_arn` (a constant ARN) or a single constant `allowed_account_ids`. */
  account?: Known<string>;
  region?: Known<string>;
  /** The registry_id an ECR resource reports (known on update). */
  registryId?: string;
  /**
   * The attribute (`aws_iam_role_policy.x.role`) the plan leaves unknown whose name was read through the
   * configuration's references: the name is what the reference holds, but the plan's JSON does not say
   * whether a function (`trimsuffix(…)`) changes it on the way, so a write there could land on any role.
   */
  resolvedFrom?: string;
}
/** @deprecated the same as Where (kept for callers of the earlier name). */
export type EcrWhere = Where;

export interface ProposedState {
  from: 'policy-document' | 'plan';
  /** The changes of the resources' current objects. */
  replacements: Replacement[];
  /**
   * The deletes of deposed objects (`resource_changes[].deposed`: the old half of a replacement, or one
   * left by a failed apply): each is a delete in AWS (DeleteRolePolicy, …) that the current object's no-op does not undo.
   */
  deposed?: Replacement[];
}

/** Which layer a policy document given on its own replaces (a plan says so itself). */
export type ProposedLayer = { layer: 'allowlist'; roleArn?: string; policyName: string } | { layer: 'repository'; repository: string } | { layer: 'registry' };

export function isUnknown(value: unknown): value is Unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { unknown?: unknown }).unknown === 'string';
}

/** Every attribute the proposed state leaves unknown until apply: empty, the verdict on it is unconditional. */
export function unknownsOf(state: ProposedState): string[] {
  const found = new Set<string>();
  for (const replacement of [...state.replacements, ...(state.deposed ?? [])]) {
    for (const value of Object.values(replacement)) if (isUnknown(value)) found.add(value.unknown);
    const where = replacement.where;
    if (where?.resolvedFrom) found.add(where.resolvedFrom);
    for (const value of [where?.account, where?.region]) if (isUnknown(value)) found.add(value.unknown);
  }
  return [...found].sort();
}
