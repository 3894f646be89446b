import { UserError } from '../../errors.js';
import { inert, quoted } from '../../util/inert.js';
import { parsePolicy } from '../policy/document.js';
import { isUnknown, type Known, type ProposedDocument, type Replacement, type Unknown, type Where } from './changes.js';

/**
 * A proposed state (docs/iac.md): policy documents, or a Terraform/OpenTofu plan in JSON, read as the
 * replacements they make to the live documents. This is the plan reader. Pure: the file is read by adapters/proposed-file.ts.
 *
 * The plan format is HashiCorp's "JSON Output Format" (`terraform show -json plan.tfplan`,
 * https://developer.hashicorp.com/terraform/internals/json-format; OpenTofu's is the same,
 * https://opentofu.org/docs/internals/json-format/): `resource_changes[]` of
 * `{address, mode, type, name, deposed?, change: {actions, before, after, after_unknown}}`.
 * The attributes read per resource type are the AWS provider's
 * (https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/<type without aws_>):
 * aws_iam_role_policy (role, name, policy), aws_iam_role_policy_attachment (role, policy_arn),
 * aws_iam_policy_attachment (roles, policy_arn),
 * aws_iam_policy (name, arn, policy), aws_iam_role (name, permissions_boundary, inline_policy {name,
 * policy}, managed_policy_arns), aws_ecr_repository_policy (repository, policy), aws_ecr_registry_policy (policy).
 */

/** The JSON output format's major versions read here: 0.x (Terraform 0.12–0.15) and 1.x (Terraform ≥ 1.0, OpenTofu); the format says to reject any other. */
const KNOWN_MAJORS = new Set([0, 1]);

export type Json = Record<string, unknown>;
export const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
/** One side of a change: the attribute values, which of them are unknown (after_unknown), and the resource's address. */
interface Side {
  values: Json;
  marks: unknown;
  address: string;
  /** The name an unknown attribute will have, when the configuration says it is another resource's name (see `nameResolver`). */
  resolve?: (attribute: string) => string | undefined;
}

/** after_unknown mirrors the value with `true` at unknown leaves (or above them). */
function unknownAt(marks: unknown, path: (string | number)[]): boolean {
  let at = marks;
  for (const step of path) {
    if (at === true) return true;
    if (typeof at !== 'object' || at === null) return false;
    at = (at as Record<string | number, unknown>)[step];
  }
  return at === true;
}

function pathText(address: string, path: (string | number)[]): string {
  return path.reduce<string>((text, step) => (typeof step === 'number' ? `${text}[${step}]` : `${text}.${step}`), address);
}
export function readPlan(plan: Json, shown: string): { replacements: Replacement[]; deposed: Replacement[] } {
  const malformed = (problem: string): UserError =>
    new UserError(
      `proposed: ${shown} is not a plan this action can read: ${problem}. Give the output of \`terraform show -json plan.tfplan\` (or \`tofu show -json\`).`,
    );
  const version = plan.format_version;
  const major = typeof version === 'string' && /^\d+\.\d+/.test(version) ? Number(version.split('.')[0]) : undefined;
  if (major === undefined)
    throw malformed(
      `its format_version is ${typeof version === 'string' ? quoted(version, 20) : inert(JSON.stringify(version) ?? 'missing', 20)}, not "major.minor"`,
    );
  if (!KNOWN_MAJORS.has(major))
    throw new UserError(
      `proposed: ${shown} is in the plan JSON format version ${quoted(version, 20)}; this action reads versions 0.x and 1.x. Produce it with a Terraform or OpenTofu release whose \`show -json\` writes 1.x, or update publish-image.`,
    );
  // State (`terraform show -json` of a state file) has the same format_version but no changes: refuse it rather than read "no change".
  if (!('resource_changes' in plan) && !('planned_values' in plan))
    throw malformed('it has no resource_changes or planned_values (is it the JSON of a state rather than of a plan?)');
  const changes = plan.resource_changes ?? [];
  if (!Array.isArray(changes)) throw malformed('its resource_changes is not a list');
  const resolver = nameResolver(plan, changes);
  const read = (deposed: boolean): Replacement[] =>
    changes.flatMap((change: unknown, index) => {
      if (isObject(change) && (change.deposed !== undefined) !== deposed) return [];
      const { replacements, resolvedFrom } = readChange(change, index, malformed, resolver);
      const where = isObject(change) ? { ...whereOf(plan, change), ...(resolvedFrom ? { resolvedFrom } : {}) } : {};
      return replacements.map((replacement) => ({ ...replacement, where }));
    });
  return { replacements: read(false), deposed: read(true) };
}

/**
 * Where a resource writes: its provider configuration's alias, region and account (constants only), and
 * the registry_id an ECR resource reports. https://developer.hashicorp.com/terraform/internals/json-format#configuration-representation;
 * the provider's arguments (region, assume_role.role_arn, allowed_account_ids):
 * https://registry.terraform.io/providers/hashicorp/aws/latest/docs#argument-reference
 */
function whereOf(plan: Json, change: Json): Where {
  const body = isObject(change.change) ? change.change : {};
  const values = isObject(body.after) ? body.after : isObject(body.before) ? body.before : {};
  const registryId = typeof values.registry_id === 'string' && values.registry_id !== '' ? values.registry_id : undefined;
  const config = resourceConfig(plan, change);
  const key = typeof config?.provider_config_key === 'string' ? config.provider_config_key : undefined;
  const providers = isObject(plan.configuration) && isObject(plan.configuration.provider_config) ? plan.configuration.provider_config : {};
  const address = String(change.address);
  if (key !== undefined) return { ...providerWhere(key, providers[key], address), registryId };
  const keys = Object.keys(providers).filter((candidate) => candidate === 'aws' || candidate.startsWith('aws.') || /:aws(\.|$)/.test(candidate));
  // No configuration at all (a plan cut down to its resource_changes): the default provider.
  if (!isObject(plan.configuration) || keys.length === 0) return registryId ? { registryId } : {};
  // A resource removed from the configuration is destroyed through a provider configuration that is still there
  // (Terraform needs it), but the plan does not say which: what every candidate agrees on is proven, the rest open.
  const candidates = keys.map((candidate) => providerWhere(candidate, providers[candidate], address));
  const agreed = (pick: (where: Where) => Known<string> | undefined): Known<string> | undefined => {
    const values = new Set(candidates.map((where) => JSON.stringify(pick(where) ?? null)));
    if (values.size === 1) return pick(candidates[0]);
    return { unknown: `${address} (removed from the configuration: destroyed through one of the providers ${keys.join(', ')}, the plan does not say which)` };
  };
  const where: Where = { registryId };
  const region = agreed((candidate) => candidate.region);
  const account = agreed((candidate) => candidate.account);
  if (region !== undefined) where.region = region;
  if (account !== undefined) where.account = account;
  return where;
}

function providerWhere(key: string, provider: unknown, address: string): Where {
  const open = (what: string): Unknown => ({ unknown: `${address} (provider ${key}: ${what})` });
  const aliased = key.includes('.') || (isObject(provider) && typeof provider.alias === 'string');
  if (!isObject(provider)) return { provider: key, account: open('not in the plan'), region: open('not in the plan') };
  const expressions = isObject(provider.expressions) ? provider.expressions : {};
  const region = isObject(expressions.region) ? expressions.region : undefined;
  const where: Where = { provider: key };
  if (region !== undefined) where.region = typeof region.constant_value === 'string' ? region.constant_value : open('region known only at apply');
  else if (aliased) where.region = open('no region');
  const account = providerAccount(expressions);
  if (account !== undefined) where.account = account === 'open' ? open('account known only at apply') : account;
  else if (aliased) where.account = open('no assume_role role_arn or allowed_account_ids says which account');
  return where;
}

/** The account a provider configuration proves: its assume_role's constant role_arn, or a single constant allowed_account_ids. */
function providerAccount(expressions: Json): string | 'open' | undefined {
  const assume = Array.isArray(expressions.assume_role) ? expressions.assume_role : isObject(expressions.assume_role) ? [expressions.assume_role] : [];
  if (assume.length > 0) {
    const arn = isObject(assume[0]) && isObject(assume[0].role_arn) ? assume[0].role_arn.constant_value : undefined;
    const account = typeof arn === 'string' ? /^arn:aws[a-z-]*:iam::(\d{12}):role\//.exec(arn)?.[1] : undefined;
    return account ?? 'open';
  }
  const allowed = isObject(expressions.allowed_account_ids) ? expressions.allowed_account_ids : undefined;
  if (allowed === undefined) return undefined;
  const ids = allowed.constant_value;
  return Array.isArray(ids) && ids.length === 1 && typeof ids[0] === 'string' && /^\d{12}$/.test(ids[0]) ? ids[0] : 'open';
}

/** Attributes that name a role or a repository, and the resource type whose `id` and `name` are that name. */
const NAMED_BY: Record<string, string> = { role: 'aws_iam_role', repository: 'aws_ecr_repository' };
const MODULE_STEP = /^module\.([A-Za-z_][A-Za-z0-9_-]*)(?:\[(?:\d+|"(?:[^"\\]|\\.)*")\])?(?:\.|$)/;

/** The configuration block of a resource: its module path (module_address without instance keys) walked through module_calls. */
function resourceConfig(plan: Json, change: Json): Json | undefined {
  let module = isObject(plan.configuration) ? plan.configuration.root_module : undefined;
  let rest = typeof change.module_address === 'string' ? change.module_address : '';
  while (rest !== '') {
    const step = MODULE_STEP.exec(rest);
    if (!step || !isObject(module) || !isObject(module.module_calls)) return undefined;
    const call = module.module_calls[step[1]];
    module = isObject(call) ? call.module : undefined;
    rest = rest.slice(step[0].length);
  }
  const resources = isObject(module) && Array.isArray(module.resources) ? module.resources : [];
  return resources.find(
    (resource: unknown) => isObject(resource) && resource.mode === 'managed' && resource.type === change.type && resource.name === change.name,
  );
}

/**
 * `role = aws_iam_role.puller.id` leaves the role unknown in a plan that creates the role (its `id`
 * is computed), though its name is configured: the configuration's references
 * (https://developer.hashicorp.com/terraform/internals/json-format#expression-representation) say
 * which role, and that role's planned `name` is known. Resolved only when every reference is that
 * one resource instance in the same module instance (no count/for_each on it, no other value that
 * could change the text); anything else stays unknown.
 */
function nameResolver(plan: Json, changes: unknown[]): (change: Json, attribute: string) => string | undefined {
  const names = new Map<string, string>();
  for (const change of changes) {
    if (!isObject(change) || change.mode === 'data' || change.deposed !== undefined || !Object.values(NAMED_BY).includes(String(change.type))) continue;
    const body = isObject(change.change) ? change.change : {};
    const after = isObject(body.after) ? body.after : {};
    if (typeof change.address === 'string' && typeof after.name === 'string' && after.name !== '' && !unknownAt(body.after_unknown, ['name']))
      names.set(change.address, after.name);
  }
  return (change, attribute) => {
    const type = NAMED_BY[attribute];
    const expression = type ? resourceConfig(plan, change)?.expressions : undefined;
    const references = isObject(expression) && isObject(expression[attribute]) ? expression[attribute].references : undefined;
    if (!Array.isArray(references) || references.length === 0) return undefined;
    const targets = new Set(
      references.map((reference: unknown) => {
        const match = new RegExp(`^${type}\\.([A-Za-z_][A-Za-z0-9_-]*)(?:\\.(?:id|name))?$`).exec(String(reference));
        return match ? match[1] : '';
      }),
    );
    if (targets.size !== 1 || targets.has('')) return undefined;
    const prefix = typeof change.module_address === 'string' && change.module_address !== '' ? `${change.module_address}.` : '';
    return names.get(`${prefix}${type}.${[...targets][0]}`);
  };
}

/** What a reader of one resource type is given: the object before (when it is updated or deleted), after (when created or updated). */
interface Change {
  before: Side | undefined;
  after: Side | undefined;
  deletes: boolean;
}

interface Context {
  /** A string attribute (Unknown when after_unknown says so); an absent one is the plan's fault. */
  required: (side: Side, name: string) => Known<string>;
  /** The policy document a JSON string attribute holds, or Unknown. */
  policy: (side: Side, path: (string | number)[]) => ProposedDocument;
}

type Reader = (change: Change, context: Context) => Replacement[];

/** An optional string attribute: undefined when null or "" (how the provider shows "none"). */
function optional(side: Side, name: string): Known<string> | undefined {
  if (unknownAt(side.marks, [name])) return side.resolve?.(name) ?? { unknown: pathText(side.address, [name]) };
  const value = side.values[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

const sameKey = (a: unknown[], b: unknown[]): boolean => !a.some(isUnknown) && !b.some(isUnknown) && JSON.stringify(a) === JSON.stringify(b);

/**
 * A resource that is one replacement, identified by `key`: written after, and deleted before when it
 * is deleted and not re-created under the same key (a replacement that keeps its role and name).
 */
function keyed(
  key: (side: Side, context: Context) => Known<string>[],
  written: (side: Side, context: Context) => Replacement,
  removed: (side: Side, context: Context) => Replacement,
): Reader {
  return ({ before, after, deletes }, context) => {
    const replacements = after ? [written(after, context)] : [];
    if (deletes && before && (!after || !sameKey(key(before, context), key(after, context)))) replacements.unshift(removed(before, context));
    return replacements;
  };
}

function documentReader(
  key: (side: Side, context: Context) => Known<string>[],
  replacement: (side: Side, context: Context, document: ProposedDocument) => Replacement,
): Reader {
  return keyed(
    key,
    (side, context) => replacement(side, context, context.policy(side, ['policy'])),
    (side, context) => replacement(side, context, 'deleted'),
  );
}

/** The inline_policy blocks of an aws_iam_role: name → policy text (or Unknown); undefined when the whole list is unknown (a role that does not configure them). */
function inlinePolicies(side: Side | undefined, context: Context): Map<string, { name: Known<string>; index: number }> | undefined {
  if (!side) return new Map();
  if (unknownAt(side.marks, ['inline_policy'])) return undefined;
  const blocks = Array.isArray(side.values.inline_policy) ? side.values.inline_policy : [];
  const found = new Map<string, { name: Known<string>; index: number }>();
  blocks.forEach((block: unknown, index) => {
    // The provider shows "no inline policies" as one empty block.
    if (!isObject(block) || ((block.name ?? '') === '' && (block.policy ?? '') === '' && !unknownAt(side.marks, ['inline_policy', index]))) return;
    const name = unknownAt(side.marks, ['inline_policy', index, 'name'])
      ? { unknown: pathText(side.address, ['inline_policy', index, 'name']) }
      : context.required({ values: block, marks: undefined, address: pathText(side.address, ['inline_policy', index]) }, 'name');
    found.set(isUnknown(name) ? `?${index}` : name, { name, index });
  });
  return found;
}

/** A tags map as plain strings, keys sorted (so two equal maps compare equal as text). */
function stringRecord(value: unknown): Record<string, string> {
  if (!isObject(value)) return {};
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .flatMap((key) => (typeof value[key] === 'string' ? [[key, value[key]]] : [])),
  );
}

/** managed_policy_arns of an aws_iam_role; undefined when the whole set is unknown. */
function managedArns(side: Side | undefined): Known<string>[] | undefined {
  if (!side) return [];
  if (unknownAt(side.marks, ['managed_policy_arns'])) return undefined;
  const arns = Array.isArray(side.values.managed_policy_arns) ? side.values.managed_policy_arns : [];
  return arns.flatMap<Known<string>>((arn: unknown, index) =>
    unknownAt(side.marks, ['managed_policy_arns', index])
      ? [{ unknown: pathText(side.address, ['managed_policy_arns', index]) }]
      : typeof arn === 'string'
        ? [arn]
        : [],
  );
}

/**
 * aws_iam_role: created or deleted, and what changes in the policies it holds itself (boundary,
 * inline_policy, managed_policy_arns). Only what differs from before is a replacement, so an
 * aws_iam_role_policy in the same plan is not contradicted by a role showing its prior policies.
 */
const readRole: Reader = ({ before, after, deletes }, context) => {
  const name = (side: Side): Known<string> => context.required(side, 'name');
  const replacements: Replacement[] = [];
  if (deletes && before && (!after || !sameKey([name(before)], [name(after)])))
    replacements.push({ kind: 'role', from: before.address, roleName: name(before), action: 'delete' });
  if (!after) return replacements;
  const from = after.address;
  const roleName = name(after);
  const created = !before || deletes;
  if (created) replacements.push({ kind: 'role', from, roleName, action: 'create' });
  const prior = created ? undefined : before;
  // Tags are principal tags: a condition on aws:PrincipalTag/… may turn on them. tags_all holds the provider's default tags too.
  if (prior) {
    // Wrapped: a tag named "unknown" must not read as a value known only after apply.
    const tags = unknownAt(after.marks, ['tags_all']) ? { unknown: pathText(from, ['tags_all']) } : { values: stringRecord(after.values.tags_all) };
    if (isUnknown(tags) || JSON.stringify(tags.values) !== JSON.stringify(stringRecord(prior.values.tags_all)))
      replacements.push({ kind: 'role-tags', from, roleName, tags });
  }

  const boundary = optional(after, 'permissions_boundary');
  const boundaryBefore = prior && optional(prior, 'permissions_boundary');
  if (isUnknown(boundary) || boundary !== boundaryBefore) replacements.push({ kind: 'boundary', from, roleName, policyArn: boundary ?? 'removed' });

  const inlineAfter = inlinePolicies(after, context);
  const inlineBefore = inlinePolicies(prior, context);
  if (inlineAfter && inlineBefore) {
    for (const [key, { name: policyName, index }] of inlineAfter) {
      const path = ['inline_policy', index, 'policy'];
      const old = inlineBefore.get(key);
      const unchanged =
        old &&
        !unknownAt(after.marks, path) &&
        (prior!.values.inline_policy as Json[])[old.index]?.policy === (after.values.inline_policy as Json[])[index].policy;
      if (!unchanged) replacements.push({ kind: 'inline-policy', from, roleName, policyName, document: context.policy(after, path) });
    }
    for (const [key, { name: policyName }] of inlineBefore)
      if (!inlineAfter.has(key)) replacements.push({ kind: 'inline-policy', from, roleName, policyName, document: 'deleted' });
  }

  // An exclusive set configured with a value known only at apply (a dynamic block over an unknown for_each, a list of
  // ARNs the plan creates): every policy of the set not in it is removed, and which those are is not known.
  if (prior)
    for (const set of ['inline_policy', 'managed_policy_arns'])
      if (unknownAt(after.marks, [set])) replacements.push({ kind: 'exclusive-set', from, roleName, set: { unknown: pathText(from, [set]) } });

  const arnsAfter = managedArns(after);
  const arnsBefore = managedArns(prior);
  if (arnsAfter && arnsBefore) {
    for (const arn of arnsAfter)
      if (isUnknown(arn) || !arnsBefore.includes(arn))
        replacements.push({ kind: 'managed-policy-attachment', from, roleName, policyArn: arn, action: 'attach' });
    for (const arn of arnsBefore)
      if (!isUnknown(arn) && !arnsAfter.includes(arn))
        replacements.push({ kind: 'managed-policy-attachment', from, roleName, policyArn: arn, action: 'detach' });
  }
  return replacements;
};

/** The `roles` of an aws_iam_policy_attachment; one Unknown when the whole set is. */
function attachedRoles(side: Side): Known<string>[] {
  if (unknownAt(side.marks, ['roles'])) return [{ unknown: pathText(side.address, ['roles']) }];
  const roles = Array.isArray(side.values.roles) ? side.values.roles : [];
  return roles.flatMap<Known<string>>((role: unknown, index) =>
    unknownAt(side.marks, ['roles', index]) ? [{ unknown: pathText(side.address, ['roles', index]) }] : typeof role === 'string' && role !== '' ? [role] : [],
  );
}

/**
 * aws_iam_policy_attachment: one policy attached to a set of roles (and users and groups), exclusively
 * across the account. A role leaving the set is detached; one joining it (or any, when the policy changes) attached.
 */
const readPolicyAttachment: Reader = ({ before, after }, context) => {
  const policyArn = (side: Side): Known<string> => context.required(side, 'policy_arn');
  const kept = (side: Side | undefined, other: Side | undefined): ((role: Known<string>) => boolean) => {
    if (!side || !other || !sameKey([policyArn(side)], [policyArn(other)])) return () => false;
    const roles = attachedRoles(other);
    return (role) => !isUnknown(role) && roles.includes(role);
  };
  const replacements: Replacement[] = [];
  const stays = kept(before, after);
  if (before)
    for (const roleName of attachedRoles(before))
      if (!stays(roleName))
        replacements.push({ kind: 'managed-policy-attachment', from: before.address, roleName, policyArn: policyArn(before), action: 'detach' });
  const was = kept(after, before);
  if (after)
    for (const roleName of attachedRoles(after))
      if (!was(roleName))
        replacements.push({ kind: 'managed-policy-attachment', from: after.address, roleName, policyArn: policyArn(after), action: 'attach' });
  return replacements;
};

/**
 * Resources that can decide a pull but whose effect is not modelled here (exclusive policy sets
 * delete what they do not list; a repository's deletion or replacement; replication; organization
 * policies): a change to one makes every verdict conditional on it, never silently ignored.
 */
export const UNMODELLED = new Set([
  'aws_iam_role_policies_exclusive',
  'aws_iam_role_policy_attachments_exclusive',
  'aws_ecr_repository',
  'aws_ecr_replication_configuration',
  'aws_ecr_repository_creation_template',
  'aws_ecr_pull_through_cache_rule',
  'aws_organizations_policy',
  'aws_organizations_policy_attachment',
  // An account moved to another OU, or a policy type enabled or disabled, changes which SCPs and RCPs apply.
  'aws_organizations_account',
  'aws_organizations_organization',
  'aws_ecr_account_setting',
]);

/**
 * `aws_*` types that change something about a registry or a role yet decide no pull permission, so
 * a plan's change to them is left out (docs/iac.md says why for each).
 */
export const NOT_PULL_RELEVANT: Record<string, string> = {
  aws_ecr_registry_scanning_configuration: 'scanning runs on push or on a schedule and never gates a pull',
  aws_ecr_lifecycle_policy: 'it expires images (a pull of one then finds no image), not who may pull',
  aws_kms_key: 'ECR decrypts layers with a grant of its own: the pulling principal needs no KMS permission',
  aws_ecrpublic_repository: 'ECR Public, not the private registry',
  aws_ecrpublic_repository_policy: 'ECR Public, not the private registry',
  aws_organizations_organizational_unit: 'an OU holds no policy itself (its policies are aws_organizations_policy_attachment)',
  aws_organizations_resource_policy: "the organization's delegation policy: who may manage Organizations, not pull",
  aws_organizations_delegated_administrator: 'who may administer a service for the organization, not pull',
};

/** The `aws_*` types whose changes are modelled one by one (READERS): exported for the table test. */
export const modelledTypes = (): string[] => Object.keys(READERS);

const READERS: Record<string, Reader> = {
  aws_iam_role_policy: documentReader(
    (side, { required }) => [required(side, 'role'), required(side, 'name')],
    (side, { required }, document) => ({
      kind: 'inline-policy',
      from: side.address,
      roleName: required(side, 'role'),
      policyName: required(side, 'name'),
      document,
    }),
  ),
  aws_iam_policy: documentReader(
    (side, { required }) => [required(side, 'name')],
    (side, { required }, document) => ({
      kind: 'managed-policy',
      from: side.address,
      policyArn: required(side, 'arn'),
      policyName: required(side, 'name'),
      document,
    }),
  ),
  aws_iam_role_policy_attachment: keyed(
    (side, { required }) => [required(side, 'role'), required(side, 'policy_arn')],
    (side, { required }) => ({
      kind: 'managed-policy-attachment',
      from: side.address,
      roleName: required(side, 'role'),
      policyArn: required(side, 'policy_arn'),
      action: 'attach',
    }),
    (side, { required }) => ({
      kind: 'managed-policy-attachment',
      from: side.address,
      roleName: required(side, 'role'),
      policyArn: required(side, 'policy_arn'),
      action: 'detach',
    }),
  ),
  aws_iam_policy_attachment: readPolicyAttachment,
  aws_iam_role: readRole,
  aws_ecr_repository_policy: documentReader(
    (side, { required }) => [required(side, 'repository')],
    (side, { required }, document) => ({ kind: 'repository-policy', from: side.address, repository: required(side, 'repository'), document }),
  ),
  aws_ecr_registry_policy: documentReader(
    () => [],
    (side, _context, document) => ({ kind: 'registry-policy', from: side.address, document }),
  ),
};

function readChange(
  change: unknown,
  index: number,
  malformed: (problem: string) => UserError,
  resolver: (change: Json, attribute: string) => string | undefined,
): { replacements: Replacement[]; resolvedFrom?: string } {
  if (!isObject(change)) throw malformed(`resource_changes[${index}] is not an object`);
  // Data sources are read, not written.
  if (change.mode === 'data') return { replacements: [] };
  // A deposed object (the old half of a replacement, or one a failed apply left) is only ever destroyed: read as that delete.
  if (change.deposed !== undefined) {
    const actions = isObject(change.change) && Array.isArray(change.change.actions) ? change.change.actions : [];
    if (!actions.includes('delete')) return { replacements: [] };
    const deposed = typeof change.deposed === 'string' ? change.deposed : JSON.stringify(change.deposed);
    const body = { ...(change.change as Json), actions: ['delete'], after: null, after_unknown: {} };
    return readChange(
      { ...change, deposed: undefined, change: body, address: `${String(change.address)} (deposed object ${deposed})` },
      index,
      malformed,
      () => undefined,
    );
  }
  const reader = typeof change.type === 'string' && Object.hasOwn(READERS, change.type) ? READERS[change.type] : undefined;
  const unmodelled = typeof change.type === 'string' && UNMODELLED.has(change.type);
  if (!reader && !unmodelled) return { replacements: [] };
  const address = change.address;
  if (typeof address !== 'string') throw malformed(`resource_changes[${index}] has no address`);
  if (!reader) {
    const actions = isObject(change.change) && Array.isArray(change.change.actions) ? (change.change.actions as unknown[]) : [];
    // A repository's own settings change nothing of a pull; only its deletion (or replacement: a new, empty policy) does.
    const changes =
      change.type === 'aws_ecr_repository' ? actions.includes('delete') : actions.some((action) => ['create', 'update', 'delete'].includes(String(action)));
    return { replacements: changes ? [{ kind: 'unmodelled', from: address, type: String(change.type) }] : [] };
  }
  const where = quoted(address, 120);
  const body = change.change;
  if (!isObject(body) || !Array.isArray(body.actions) || !body.actions.every((action) => typeof action === 'string'))
    throw malformed(`the change of ${where} has no list of actions`);
  const actions = body.actions as string[];
  const writes = actions.includes('create') || actions.includes('update');
  const deletes = actions.includes('delete');
  if (!writes && !deletes) return { replacements: [] }; // no-op, read, forget: nothing changes in AWS
  const side = (values: unknown, marks: unknown, name: string): Side | undefined => {
    if (values === null || values === undefined) return undefined;
    if (!isObject(values)) throw malformed(`the change of ${where} has a "${name}" that is not an object`);
    return { values, marks, address };
  };
  const before = side(body.before, undefined, 'before');
  const written = writes ? side(body.after, body.after_unknown, 'after') : undefined;
  let resolvedFrom: string | undefined;
  const resolve = (attribute: string): string | undefined => {
    const name = resolver(change, attribute);
    if (name !== undefined) resolvedFrom = pathText(address, [attribute]);
    return name;
  };
  const after = written && { ...written, resolve };
  if (writes && !after) throw malformed(`the change of ${where} creates or updates but has no "after"`);
  if (deletes && !before) throw malformed(`the change of ${where} deletes but has no "before"`);
  const context: Context = {
    required: (from, name) => {
      const value = optional(from, name);
      if (value === undefined) throw malformed(`${quoted(pathText(from.address, [name]), 160)} is missing or empty`);
      return value;
    },
    policy: (from, path) => {
      if (unknownAt(from.marks, path)) return { unknown: pathText(from.address, path) };
      const text = path.reduce<unknown>(
        (at, step) => (typeof at === 'object' && at !== null ? (at as Record<string | number, unknown>)[step] : undefined),
        from.values,
      );
      if (typeof text !== 'string' || text === '') throw malformed(`${quoted(pathText(from.address, path), 160)} is not a policy document in a string`);
      return parsePolicy(text, `proposed: ${quoted(pathText(from.address, path), 160)} in the plan`);
    },
  };
  const replacements = reader({ before, after, deletes }, context);
  return { replacements, resolvedFrom };
}
