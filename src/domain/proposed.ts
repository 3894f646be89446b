import { UserError } from '../errors.js';
import { inert, quoted } from '../util/inert.js';
import { JsonTextError, parseJsonText } from '../util/json.js';
import { roleNameOf } from './arn.js';
import { parsePolicy, type PolicyDocument } from './policy/document.js';

/**
 * A proposed state (docs/iac.md): policy documents, or a Terraform/OpenTofu plan in JSON, read as the
 * replacements they make to the live documents. Pure: the file is read by adapters/proposed-file.ts.
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
  | { kind: 'inline-policy'; from: string; roleName: Known<string> | undefined; policyName: Known<string>; document: ProposedDocument }
  | { kind: 'managed-policy-attachment'; from: string; roleName: Known<string>; policyArn: Known<string>; action: 'attach' | 'detach' }
  | { kind: 'managed-policy'; from: string; policyArn: Known<string>; policyName: Known<string>; document: ProposedDocument }
  | { kind: 'boundary'; from: string; roleName: Known<string>; policyArn: Known<string> | 'removed' }
  /** A role's tags after the change (its principal tags, for aws:PrincipalTag conditions): `tags_all`, default tags included. */
  | { kind: 'role-tags'; from: string; roleName: Known<string>; tags: { values: Record<string, string> } | Unknown }
  /** A role created or deleted (a deleted role takes its inline policies, attachments and boundary with it). */
  | { kind: 'role'; from: string; roleName: Known<string>; action: 'create' | 'delete' }
  | { kind: 'repository-policy'; from: string; repository: Known<string>; document: ProposedDocument; where?: EcrWhere }
  /** The registry policy of the region the plan's provider writes to. */
  | { kind: 'registry-policy'; from: string; document: ProposedDocument; where?: EcrWhere }
  /** A change to a resource that can decide a pull but is not modelled here: every verdict it may touch is conditional on it. */
  | { kind: 'unmodelled'; from: string; type: string };

/**
 * Which registry an ECR policy change writes to, as far as the plan says: its provider configuration's
 * region (a constant), and the registry_id it reports (known on update). Undefined fields: the plan does
 * not say (the default provider, whose region is the environment's: taken as the run's region).
 */
export interface EcrWhere {
  region?: Known<string>;
  registryId?: string;
}

export interface ProposedState {
  from: 'policy-document' | 'plan';
  replacements: Replacement[];
}

/** Which layer a policy document given on its own replaces (a plan says so itself). */
export type ProposedLayer = { layer: 'allowlist'; roleArn?: string; policyName: string } | { layer: 'repository'; repository: string } | { layer: 'registry' };

export function isUnknown(value: unknown): value is Unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { unknown?: unknown }).unknown === 'string';
}

/** Every attribute the proposed state leaves unknown until apply: empty, the verdict on it is unconditional. */
export function unknownsOf(state: ProposedState): string[] {
  const found = new Set<string>();
  for (const replacement of state.replacements) for (const value of Object.values(replacement)) if (isUnknown(value)) found.add(value.unknown);
  return [...found].sort();
}

/** The JSON output format's major versions read here: 0.x (Terraform 0.12–0.15) and 1.x (Terraform ≥ 1.0, OpenTofu); the format says to reject any other. */
const KNOWN_MAJORS = new Set([0, 1]);
/**
 * Deeper than the manifest's 64: a plan nests each module three levels (module_calls, name, module)
 * and holds every attribute of every resource in it (WAF rules nest statements in statements), yet
 * far below the few thousand levels at which JSON.stringify overflows the stack.
 */
const MAX_DEPTH = 256;
const EXPECTED = 'an IAM policy document (an object with a Statement) or a Terraform/OpenTofu plan in JSON (`terraform show -json plan.tfplan`)';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

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

export function parseProposed(text: string, input: { file: string; layer?: ProposedLayer }): ProposedState {
  const shown = quoted(input.file, 120);
  let parsed: unknown;
  try {
    parsed = parseJsonText(text.replace(/^\uFEFF/, ''), { maxDepth: MAX_DEPTH });
  } catch (error) {
    if (error instanceof JsonTextError) throw new UserError(`proposed: ${shown} is not valid JSON (${error.message}). Give ${EXPECTED}.`);
    throw error;
  }
  if (isObject(parsed) && 'format_version' in parsed) return { from: 'plan', replacements: readPlan(parsed, shown) };
  if (isObject(parsed) && 'Statement' in parsed) return { from: 'policy-document', replacements: [readDocument(text, input.file, input.layer)] };
  throw new UserError(`proposed: ${shown} is not ${EXPECTED}.`);
}

function readDocument(text: string, file: string, layer: ProposedLayer | undefined): Replacement {
  const shown = quoted(file, 120);
  if (!layer)
    throw new UserError(`proposed: ${shown} is a policy document; say which policy it replaces (the allowlist, a repository's policy or the registry policy).`);
  const document = parsePolicy(text.replace(/^\uFEFF/, ''), `proposed: the policy document in ${shown}`);
  const from = file;
  if (layer.layer === 'allowlist')
    return { kind: 'inline-policy', from, roleName: layer.roleArn ? roleNameOf(layer.roleArn) : undefined, policyName: layer.policyName, document };
  if (layer.layer === 'repository') return { kind: 'repository-policy', from, repository: layer.repository, document };
  return { kind: 'registry-policy', from, document };
}

function readPlan(plan: Json, shown: string): Replacement[] {
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
  return changes.flatMap((change: unknown, index) =>
    readChange(change, index, malformed, resolver).map((replacement) =>
      (replacement.kind === 'repository-policy' || replacement.kind === 'registry-policy') && isObject(change)
        ? { ...replacement, where: ecrWhere(plan, change) }
        : replacement,
    ),
  );
}

/**
 * The region and registry an ECR resource writes to: its provider configuration's `region` when that is
 * a constant (an alias such as `aws.west`), else unknown (a variable); the registry_id the plan reports.
 * https://developer.hashicorp.com/terraform/internals/json-format#configuration-representation
 */
function ecrWhere(plan: Json, change: Json): EcrWhere {
  const body = isObject(change.change) ? change.change : {};
  const values = isObject(body.after) ? body.after : isObject(body.before) ? body.before : {};
  const registryId = typeof values.registry_id === 'string' && values.registry_id !== '' ? values.registry_id : undefined;
  const key = resourceConfig(plan, change)?.provider_config_key;
  const providers = isObject(plan.configuration) && isObject(plan.configuration.provider_config) ? plan.configuration.provider_config : {};
  const provider = typeof key === 'string' ? providers[key] : undefined;
  const aliased = typeof key === 'string' && key.includes('.');
  if (!isObject(provider)) return aliased ? { region: { unknown: `${String(change.address)} (provider ${key})` }, registryId } : { registryId };
  const region = isObject(provider.expressions) && isObject(provider.expressions.region) ? provider.expressions.region : undefined;
  if (region === undefined) return aliased ? { region: { unknown: `${String(change.address)} (provider ${key}: no region)` }, registryId } : { registryId };
  return typeof region.constant_value === 'string'
    ? { region: region.constant_value, registryId }
    : { region: { unknown: `${String(change.address)} (provider ${key}: region known only at apply)` }, registryId };
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
const UNMODELLED = new Set([
  'aws_iam_role_policies_exclusive',
  'aws_iam_role_policy_attachments_exclusive',
  'aws_ecr_repository',
  'aws_ecr_replication_configuration',
  'aws_ecr_repository_creation_template',
  'aws_organizations_policy',
  'aws_organizations_policy_attachment',
  'aws_ecr_account_setting',
]);

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
): Replacement[] {
  if (!isObject(change)) throw malformed(`resource_changes[${index}] is not an object`);
  // Data sources are read, not written; a deposed object is the old half of a replacement, whose new half is the current object.
  if (change.mode === 'data' || change.deposed !== undefined) return [];
  const reader = typeof change.type === 'string' && Object.hasOwn(READERS, change.type) ? READERS[change.type] : undefined;
  const unmodelled = typeof change.type === 'string' && UNMODELLED.has(change.type);
  if (!reader && !unmodelled) return [];
  const address = change.address;
  if (typeof address !== 'string') throw malformed(`resource_changes[${index}] has no address`);
  if (!reader) {
    const actions = isObject(change.change) && Array.isArray(change.change.actions) ? (change.change.actions as unknown[]) : [];
    // A repository's own settings change nothing of a pull; only its deletion (or replacement: a new, empty policy) does.
    const changes =
      change.type === 'aws_ecr_repository' ? actions.includes('delete') : actions.some((action) => ['create', 'update', 'delete'].includes(String(action)));
    return changes ? [{ kind: 'unmodelled', from: address, type: String(change.type) }] : [];
  }
  const where = quoted(address, 120);
  const body = change.change;
  if (!isObject(body) || !Array.isArray(body.actions) || !body.actions.every((action) => typeof action === 'string'))
    throw malformed(`the change of ${where} has no list of actions`);
  const actions = body.actions as string[];
  const writes = actions.includes('create') || actions.includes('update');
  const deletes = actions.includes('delete');
  if (!writes && !deletes) return []; // no-op, read, forget: nothing changes in AWS
  const side = (values: unknown, marks: unknown, name: string): Side | undefined => {
    if (values === null || values === undefined) return undefined;
    if (!isObject(values)) throw malformed(`the change of ${where} has a "${name}" that is not an object`);
    return { values, marks, address };
  };
  const before = side(body.before, undefined, 'before');
  const written = writes ? side(body.after, body.after_unknown, 'after') : undefined;
  const after = written && { ...written, resolve: (attribute: string) => resolver(change, attribute) };
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
  return reader({ before, after, deletes }, context);
}
