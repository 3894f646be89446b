import { accountOf, roleNameOf } from '../domain/arn.js';
import type { Check, RepositoryVerdict } from '../domain/checks/model.js';
import type { PolicyDocument } from '../domain/policy/document.js';
import { registryPolicyModel } from '../domain/policy/registry-policy.js';
import { isUnknown, type Known, type ProposedDocument, type ProposedState, type Replacement } from '../domain/proposed.js';
import type { NamedPolicy } from '../adapters/aws/iam.js';
import type { PullerFacts } from './puller.js';
import type { RepositoryState } from './repositories.js';
import type { SurveyFacts } from './survey.js';

/**
 * A proposed state laid over what the run read (docs/iac.md): each document the change touches is
 * replaced by its state after the change, everything else stays as AWS holds it, and the verdict is
 * judged again. What the plan leaves unknown until apply cannot be judged: the cells it touches are
 * made "conditional", naming the unknown attribute. Pure: facts in, facts out.
 */

/** What stays unknown after the overlay, by the side of the pull it touches. */
export interface ProposedUnknowns {
  /** By puller name: the addresses its identity side depends on ('*': every puller's). */
  identity: Map<string, string[]>;
  /** By repository name: the addresses its repository side depends on ('*': every repository's). */
  grant: Map<string, string[]>;
}

const ALL = '*';

function add(map: Map<string, string[]>, key: string, address: string): void {
  map.set(key, [...new Set([...(map.get(key) ?? []), address])]);
}

const known = <T>(value: Known<T> | undefined): value is T => value !== undefined && !isUnknown(value);
const addressOf = (value: unknown, fallback: string): string => (isUnknown(value) ? value.unknown : fallback);

/**
 * The pullers a replacement that names a role applies to. Plans name roles by name only: a name that
 * two pullers in different accounts share could be either, so it is applied to neither and both are
 * conditional on it. A lone document for the allowlist layer is the puller the settings named.
 */
function pullersNamed(
  pullers: PullerFacts[],
  roleName: Known<string> | undefined,
  target: string | undefined,
): { apply: PullerFacts[]; unknown: PullerFacts[] } {
  if (target !== undefined) return { apply: pullers.filter((puller) => puller.settings.roleArn === target), unknown: [] };
  if (roleName === undefined) return { apply: pullers.slice(0, 1), unknown: [] };
  if (!known(roleName)) return { apply: [], unknown: pullers };
  const named = pullers.filter((puller) => roleNameOf(puller.roleArn) === roleName || roleNameOf(puller.settings.roleArn) === roleName);
  const accounts = new Set(named.map((puller) => accountOf(puller.settings.roleArn)));
  return accounts.size > 1 ? { apply: [], unknown: named } : { apply: named, unknown: [] };
}

/** A managed policy's document, when the same proposed state carries it. */
function managedDocument(state: ProposedState, policyArn: string): ProposedDocument | undefined {
  for (const replacement of state.replacements) {
    if (replacement.kind === 'managed-policy' && known(replacement.policyArn) && replacement.policyArn === policyArn) return replacement.document;
  }
  return undefined;
}

/** One puller's identity documents and role after one replacement; what stays unknown is recorded. */
function overlayPuller(puller: PullerFacts, replacement: Replacement, state: ProposedState, unknowns: ProposedUnknowns): PullerFacts {
  const name = puller.settings.name;
  const documents = (change: (documents: NamedPolicy[]) => NamedPolicy[]): PullerFacts => ({ ...puller, documents: change(puller.documents) });
  switch (replacement.kind) {
    case 'inline-policy': {
      if (!known(replacement.policyName)) {
        add(unknowns.identity, name, replacement.policyName.unknown);
        return puller;
      }
      const policyName = replacement.policyName;
      const without = (list: NamedPolicy[]): NamedPolicy[] => list.filter((policy) => policy.inlineName !== policyName);
      if (replacement.document === 'deleted') return documents(without);
      if (isUnknown(replacement.document)) {
        add(unknowns.identity, name, replacement.document.unknown);
        return puller;
      }
      const document: PolicyDocument = replacement.document;
      return documents((list) => [...without(list), { name: `inline policy ${policyName} (proposed)`, inlineName: policyName, document }]);
    }
    case 'managed-policy-attachment': {
      if (!known(replacement.policyArn)) {
        add(unknowns.identity, name, replacement.policyArn.unknown);
        return puller;
      }
      const arn = replacement.policyArn;
      const label = `managed policy ${arn}`;
      const without = (list: NamedPolicy[]): NamedPolicy[] => list.filter((policy) => policy.name !== label && policy.name !== `${label} (proposed)`);
      if (replacement.action === 'detach') return documents(without);
      const document = managedDocument(state, arn);
      const attached = puller.documents.find((policy) => policy.name === label);
      if (document === undefined || isUnknown(document) || document === 'deleted') {
        // Attaching a policy whose document the change does not carry: the live one, if already attached; else unknown.
        if (!attached)
          add(unknowns.identity, name, isUnknown(document) ? document.unknown : `${replacement.from} (the document of ${arn} is not in the proposed state)`);
        return puller;
      }
      return documents((list) => [...without(list), { name: `${label} (proposed)`, document }]);
    }
    case 'managed-policy': {
      if (!known(replacement.policyArn)) return puller;
      const label = `managed policy ${replacement.policyArn}`;
      // The permissions boundary is a managed policy too: a change to its document changes the boundary.
      const boundary = puller.role?.boundary;
      if (puller.role && boundary?.name.startsWith(`permissions boundary ${replacement.policyArn}`)) {
        if (replacement.document === 'deleted' || isUnknown(replacement.document)) {
          add(unknowns.identity, name, isUnknown(replacement.document) ? replacement.document.unknown : replacement.from);
          return puller;
        }
        const document: PolicyDocument = replacement.document;
        return { ...puller, role: { ...puller.role, boundary: { name: `permissions boundary ${replacement.policyArn} (proposed)`, document } } };
      }
      if (!puller.documents.some((policy) => policy.name === label)) return puller;
      if (replacement.document === 'deleted') return documents((list) => list.filter((policy) => policy.name !== label));
      if (isUnknown(replacement.document)) {
        add(unknowns.identity, name, replacement.document.unknown);
        return puller;
      }
      const document: PolicyDocument = replacement.document;
      return documents((list) => list.map((policy) => (policy.name === label ? { name: `${label} (proposed)`, document } : policy)));
    }
    case 'boundary': {
      if (!puller.role) return puller;
      if (replacement.policyArn === 'removed') return { ...puller, role: { ...puller.role, boundary: undefined } };
      if (!known(replacement.policyArn)) {
        add(unknowns.identity, name, replacement.policyArn.unknown);
        return puller;
      }
      const document = managedDocument(state, replacement.policyArn);
      if (document === undefined || isUnknown(document) || document === 'deleted') {
        add(
          unknowns.identity,
          name,
          isUnknown(document) ? document.unknown : `${replacement.from} (the boundary ${replacement.policyArn} is not in the proposed state)`,
        );
        return puller;
      }
      return { ...puller, role: { ...puller.role, boundary: { name: `permissions boundary ${replacement.policyArn} (proposed)`, document } } };
    }
    case 'role-tags': {
      if (!puller.role) return puller;
      if (isUnknown(replacement.tags)) {
        add(unknowns.identity, name, replacement.tags.unknown);
        return puller;
      }
      return { ...puller, role: { ...puller.role, tags: replacement.tags.values } };
    }
    case 'role':
      if (replacement.action === 'delete')
        return { ...puller, problem: { kind: 'role-not-found', roleArn: puller.roleArn, readAccount: puller.access.account } };
      // A role the change creates: what it will hold is the rest of the change, but its ID, tags and trust are not known yet.
      // Created over a role that exists: a replacement, with a new unique ID (grants naming the old one go stale)
      // and without the inline policies and attachments the old one held: both sides are unknown until apply.
      add(unknowns.identity, name, replacement.from);
      if (puller.problem?.kind !== 'role-not-found') add(unknowns.grant, ALL, `${replacement.from} (replaces the role: a new unique ID)`);
      return puller;
    default:
      return puller;
  }
}

/**
 * One policy both written and deleted by different addresses (a rename without a `moved` block):
 * Terraform applies them concurrently, so which lands last is not determined. Unknown, not guessed.
 */
function raced(state: ProposedState, unknowns: ProposedUnknowns): void {
  const seen = new Map<string, { writes: boolean; deletes: boolean; from: string[] }>();
  const note = (key: string, deletes: boolean, from: string): void => {
    const entry = seen.get(key) ?? { writes: false, deletes: false, from: [] };
    seen.set(key, { writes: entry.writes || !deletes, deletes: entry.deletes || deletes, from: [...entry.from, from] });
  };
  for (const replacement of state.replacements) {
    if (replacement.kind === 'inline-policy' && known(replacement.roleName) && known(replacement.policyName))
      note(`role\u0000${replacement.roleName}\u0000${replacement.policyName}`, replacement.document === 'deleted', replacement.from);
    if (replacement.kind === 'repository-policy' && known(replacement.repository))
      note(`repository\u0000${replacement.repository}`, replacement.document === 'deleted', replacement.from);
  }
  for (const [key, entry] of seen) {
    if (!entry.writes || !entry.deletes) continue;
    const address = `${entry.from.join(' and ')} (written and deleted in one apply: the order is not determined)`;
    if (key.startsWith('role')) add(unknowns.identity, ALL, address);
    else add(unknowns.grant, key.split('\u0000')[1], address);
  }
}

/** After the overlay, a named allowlist policy that now exists (or no longer does) changes the role's problem. */
function withProblem(puller: PullerFacts): PullerFacts {
  const policyName = puller.settings.policyName;
  if (!puller.role || puller.problem?.kind === 'role-not-found' || !policyName) return puller;
  const inlineNames = puller.documents.flatMap((policy) => (policy.inlineName ? [policy.inlineName] : []));
  if (inlineNames.includes(policyName)) return { ...puller, problem: undefined };
  return { ...puller, problem: { kind: 'policy-not-found', roleArn: puller.roleArn, policyName, inlineNames, readAccount: puller.access.account } };
}

function repositoryDocument(document: ProposedDocument): PolicyDocument | undefined {
  return document === 'deleted' || isUnknown(document) ? undefined : document;
}

/** The facts as they would be once the proposed state is applied, and what stays unknown until then. */
export function overlayProposed(
  facts: SurveyFacts,
  state: ProposedState,
  options: { roleArn?: string } = {},
): { facts: SurveyFacts; unknowns: ProposedUnknowns } {
  const unknowns: ProposedUnknowns = { identity: new Map(), grant: new Map() };
  raced(state, unknowns);
  let pullerFacts = facts.pullerFacts;
  let states = facts.states;
  let home = facts.home;
  for (const replacement of state.replacements) {
    // An ECR policy change for another registry or region is not this run's; one whose region the plan leaves open could be.
    if ((replacement.kind === 'repository-policy' || replacement.kind === 'registry-policy') && replacement.where) {
      const { region, registryId } = replacement.where;
      if ((registryId !== undefined && registryId !== facts.registryId) || (typeof region === 'string' && region !== home.registry.region)) continue;
      if (isUnknown(region)) {
        const key = replacement.kind === 'repository-policy' && known(replacement.repository) ? replacement.repository : ALL;
        add(unknowns.grant, key, region.unknown);
        continue;
      }
    }
    switch (replacement.kind) {
      case 'repository-policy': {
        const targets = known(replacement.repository) ? [replacement.repository] : [...states.keys()];
        if (!known(replacement.repository)) add(unknowns.grant, ALL, replacement.repository.unknown);
        if (isUnknown(replacement.document)) for (const repository of targets) add(unknowns.grant, repository, replacement.document.unknown);
        const next = new Map(states);
        for (const repository of targets) {
          const current = next.get(repository);
          if (current) next.set(repository, { ...current, policy: repositoryDocument(replacement.document) } satisfies RepositoryState);
        }
        states = next;
        break;
      }
      case 'registry-policy': {
        const document = replacement.document;
        const read = document === 'deleted' ? { status: 'none' as const } : isUnknown(document) ? undefined : { status: 'read' as const, value: document };
        if (!read) add(unknowns.grant, ALL, addressOf(document, replacement.from));
        home = {
          ...home,
          registry: {
            ...home.registry,
            policy: read
              ? registryPolicyModel(
                  facts.registryId,
                  read,
                  home.registry.policy.status === 'read' ? { status: 'read', value: home.registry.policy.scope } : undefined,
                )
              : {
                  status: 'unread',
                  label: `the registry policy of ${facts.registryId} (proposed)`,
                  reason: `${addressOf(document, replacement.from)} is known only after apply`,
                },
          },
        };
        break;
      }
      case 'unmodelled': {
        const address = `${replacement.from} (${replacement.type}: not modelled)`;
        if (replacement.type.startsWith('aws_iam_') || replacement.type.startsWith('aws_organizations_')) add(unknowns.identity, ALL, address);
        if (!replacement.type.startsWith('aws_iam_')) add(unknowns.grant, ALL, address);
        break;
      }
      default: {
        const roleName = 'roleName' in replacement ? replacement.roleName : undefined;
        const named = replacement.kind === 'managed-policy' ? { apply: pullerFacts, unknown: [] } : pullersNamed(pullerFacts, roleName, options.roleArn);
        for (const puller of named.unknown)
          add(
            unknowns.identity,
            puller.settings.name,
            isUnknown(roleName) ? roleName.unknown : `${replacement.from} (role ${String(roleName)} is in several accounts)`,
          );
        const touched = new Set(named.apply.map((puller) => puller.settings.name));
        pullerFacts = pullerFacts.map((puller) => (touched.has(puller.settings.name) ? overlayPuller(puller, replacement, state, unknowns) : puller));
      }
    }
  }
  return { facts: { ...facts, pullerFacts: pullerFacts.map(withProblem), states, home }, unknowns };
}

/** A check the proposed state leaves undecidable: conditional on the attributes only apply knows. A Deny that stays, stays. */
function conditionalOn(check: Check | undefined, addresses: string[], layer: Check['layer']): Check | undefined {
  if (!check || addresses.length === 0 || check.status === 'denied') return check;
  return { status: 'conditional', action: check.action, layer, deciding: [], unknownKeys: addresses };
}

/** The proposed verdicts, with every cell an unknown touches made conditional (and so drift: never a pass). */
export function withUnknowns(verdicts: RepositoryVerdict[], unknowns: ProposedUnknowns): RepositoryVerdict[] {
  return verdicts.map((verdict) => {
    const identity = [...(unknowns.identity.get(ALL) ?? []), ...(verdict.puller ? (unknowns.identity.get(verdict.puller) ?? []) : [])];
    const grant = [...(unknowns.grant.get(ALL) ?? []), ...(unknowns.grant.get(verdict.repository) ?? [])];
    if (identity.length === 0 && grant.length === 0) return verdict;
    const next = { ...verdict, identity: conditionalOn(verdict.identity, identity, 'identity'), grant: conditionalOn(verdict.grant, grant, 'resource') };
    return { ...next, drift: next.drift || identity.length > 0 || grant.length > 0 };
  });
}
