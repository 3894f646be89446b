import { accountOf, regionOf, roleNameOf } from '../arn.js';
import type { Check, RepositoryVerdict } from '../checks/model.js';
import type { CellFacts, NamedPolicy, PlaceFacts, PullerFacts, ReadingSession, RegistryPlace, RepositoryState } from '../facts.js';
import type { PolicyDocument } from '../policy/document.js';
import { registryPolicyModel } from '../policy/registry-policy.js';
import { roleProblem } from '../puller-at-place.js';
import { placeKey } from '../replica-cells.js';
import { isUnknown, type Known, type ProposedDocument, type ProposedState, type Replacement, type Where } from './changes.js';

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
  /**
   * By cell: `grantKey(region, repository)`, either part '*' for every one; the region REPLICAS for
   * every region but the registry's own. The addresses its repository side depends on.
   */
  grant: Map<string, string[]>;
  /** The registry's own region: a cell elsewhere is a replica's. */
  homeRegion: string;
}

const ALL = '*';
const REPLICAS = '~replicas';
const grantKey = (region: string, repository: string): string => `${region}\u0000${repository}`;

function add(map: Map<string, string[]>, key: string, address: string): void {
  map.set(key, [...new Set([...(map.get(key) ?? []), address])]);
}

const known = <T>(value: Known<T> | undefined): value is T => value !== undefined && !isUnknown(value);
const addressOf = (value: unknown, fallback: string): string => (isUnknown(value) ? value.unknown : fallback);

/** IAM role names are unique regardless of case ("Role names are not distinguished by case", IAM User Guide, IAM object quotas and names). */
const sameRole = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/**
 * The pullers a replacement that names a role applies to, and those it could touch without the plan
 * proving it (conditional on `why`). Plans name roles by name; the account is the provider's when the
 * plan proves it (assume_role, allowed_account_ids). Through the default provider, a name is taken to be
 * the puller's of that name, unless pullers in several accounts share it (then none: the plan does not say which).
 * A provider whose account the plan leaves open could be any account: conditional for each puller of that name.
 * A name read through references (`where.resolvedFrom`) could have been changed by a function: any puller's.
 * A lone document for the allowlist layer is the puller the settings named.
 */
function pullersNamed<Puller extends PullerFacts>(
  pullers: Puller[],
  roleName: Known<string> | undefined,
  where: Where | undefined,
  target: string | undefined,
): { apply: Puller[]; unknown: Puller[]; why?: string } {
  if (target !== undefined) return { apply: pullers.filter((puller) => puller.settings.roleArn === target), unknown: [] };
  if (roleName === undefined) return { apply: pullers.slice(0, 1), unknown: [] };
  if (where?.resolvedFrom)
    return {
      apply: [],
      unknown: pullers,
      why: `${where.resolvedFrom} (known only after apply: the plan's references name a role, not what an expression makes of it)`,
    };
  if (!known(roleName)) return { apply: [], unknown: pullers, why: roleName.unknown };
  const named = pullers.filter((puller) => sameRole(roleNameOf(puller.roleArn), roleName) || sameRole(roleNameOf(puller.settings.roleArn), roleName));
  const account = where?.account;
  if (isUnknown(account)) return { apply: [], unknown: named, why: account.unknown };
  if (account !== undefined) return { apply: named.filter((puller) => accountOf(puller.settings.roleArn) === account), unknown: [] };
  const accounts = new Set(named.map((puller) => accountOf(puller.settings.roleArn)));
  return accounts.size > 1 ? { apply: [], unknown: named, why: `role ${roleName} is in several accounts` } : { apply: named, unknown: [] };
}

/** A managed policy's document, when the same proposed state carries it. */
function managedDocument(state: ProposedState, policyArn: string): ProposedDocument | undefined {
  for (const replacement of state.replacements) {
    if (replacement.kind === 'managed-policy' && known(replacement.policyArn) && replacement.policyArn === policyArn) return replacement.document;
  }
  return undefined;
}

/** One puller's identity documents and role after one replacement; what stays unknown is recorded. */
function overlayPuller<Puller extends PullerFacts>(puller: Puller, replacement: Replacement, state: ProposedState, unknowns: ProposedUnknowns): Puller {
  const name = puller.settings.name;
  const documents = (change: (documents: NamedPolicy[]) => NamedPolicy[]): Puller => ({ ...puller, documents: change(puller.documents) });
  switch (replacement.kind) {
    case 'inline-policy': {
      if (!known(replacement.policyName)) {
        add(unknowns.identity, name, replacement.policyName.unknown);
        return puller;
      }
      const policyName = replacement.policyName;
      // A policy name the role holds in another letter case: AWS does not document whether IAM takes it as the same policy.
      const other = puller.documents.find(
        (policy) => policy.inlineName !== undefined && policy.inlineName !== policyName && sameRole(policy.inlineName, policyName),
      );
      if (other) {
        add(
          unknowns.identity,
          name,
          `${replacement.from} (policy name ${policyName}; the role holds ${other.inlineName}: whether IAM takes them as one is not documented)`,
        );
        return puller;
      }
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
    case 'exclusive-set':
      add(unknowns.identity, name, `${replacement.set.unknown} (an exclusive set known only after apply: any policy the role holds may go)`);
      return puller;
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
      if (puller.problem?.kind !== 'role-not-found') add(unknowns.grant, grantKey(ALL, ALL), `${replacement.from} (replaces the role: a new unique ID)`);
      return puller;
    default:
      return puller;
  }
}

/**
 * Writers per target: one inline policy (account, role name in lower case, policy name), one
 * attachment, one repository policy, one registry policy. Two writers of one target from different
 * addresses (two resources, a resource and a deposed object, a rename without `moved`): Terraform
 * applies them in an order the plan does not fix, so which lands last is not determined. Unknown, not guessed.
 */
function contested(replacements: Replacement[], unknowns: ProposedUnknowns, homeRegion: string): void {
  const writers = new Map<string, { from: Set<string>; touches: (address: string) => void }>();
  const note = (key: string, from: string, touches: (address: string) => void): void => {
    const entry = writers.get(key) ?? { from: new Set<string>(), touches };
    entry.from.add(from);
    writers.set(key, entry);
  };
  const account = (where: Where | undefined): string => (known(where?.account) ? where.account : (where?.provider ?? 'default'));
  for (const replacement of replacements) {
    const where = replacement.where;
    switch (replacement.kind) {
      case 'inline-policy':
        if (known(replacement.roleName) && known(replacement.policyName))
          note(`role\u0000${account(where)}\u0000${replacement.roleName.toLowerCase()}\u0000${replacement.policyName}`, replacement.from, (address) =>
            add(unknowns.identity, ALL, address),
          );
        break;
      case 'managed-policy-attachment':
        if (known(replacement.roleName) && known(replacement.policyArn))
          note(`attach\u0000${account(where)}\u0000${replacement.roleName.toLowerCase()}\u0000${replacement.policyArn}`, replacement.from, (address) =>
            add(unknowns.identity, ALL, address),
          );
        break;
      case 'repository-policy': {
        if (!known(replacement.repository)) break;
        const repository = replacement.repository;
        const region = known(where?.region) ? where.region : homeRegion;
        note(`repository\u0000${account(where)}\u0000${region}\u0000${repository}`, replacement.from, (address) =>
          add(unknowns.grant, grantKey(region, repository), address),
        );
        break;
      }
      case 'registry-policy': {
        const region = known(where?.region) ? where.region : homeRegion;
        note(`registry\u0000${account(where)}\u0000${region}`, replacement.from, (address) => add(unknowns.grant, grantKey(region, ALL), address));
        break;
      }
      default:
    }
  }
  for (const entry of writers.values())
    if (entry.from.size > 1) entry.touches(`${[...entry.from].join(' and ')} (several writers of one policy in one apply: which lands last is not determined)`);
}

/** After the overlay, a named allowlist policy that now exists (or no longer does) changes the role's problem. */
function withProblem<Puller extends PullerFacts>(puller: Puller): Puller {
  if (!puller.role || puller.problem?.kind === 'role-not-found') return puller;
  const inlineNames = puller.documents.flatMap((policy) => (policy.inlineName ? [policy.inlineName] : []));
  return { ...puller, problem: roleProblem(puller.settings, puller.access.account, puller.role, inlineNames) };
}

function repositoryDocument(document: ProposedDocument): PolicyDocument | undefined {
  return document === 'deleted' || isUnknown(document) ? undefined : document;
}

/** A registry a proposed ECR change may write to: the run's own, or a replica destination read by the survey. */
interface Place {
  key: string;
  region: string;
  registryId: string;
  states: Map<string, RepositoryState | undefined>;
  facts: PlaceFacts;
}

/**
 * The registry an ECR change writes to, from its provider: the region (a constant, or the run's for the
 * default provider), the account (a constant, or the registry's for the default provider) and the
 * registry_id it reports. A write to no registry the run judges is another's ('elsewhere'); one whose
 * region or account the plan leaves open is conditional for every cell it could touch.
 */
function placeOf(places: Place[], where: Where | undefined, home: Place): { place: Place } | { unknown: string; region: string } | 'elsewhere' {
  const region = where?.region ?? home.region;
  if (isUnknown(region)) return { unknown: region.unknown, region: ALL };
  const account = where?.account ?? home.registryId;
  const candidates = places.filter(
    (place) =>
      place.region === region &&
      (where?.registryId === undefined || place.registryId === where.registryId) &&
      (isUnknown(account) || place.registryId === account),
  );
  if (candidates.length === 0) return 'elsewhere';
  if (isUnknown(account) && where?.registryId === undefined) return { unknown: account.unknown, region };
  return { place: candidates[0] };
}

function withRegistryPolicy(place: Place, document: ProposedDocument, from: string): PlaceFacts {
  const read = document === 'deleted' ? { status: 'none' as const } : isUnknown(document) ? undefined : { status: 'read' as const, value: document };
  const registry = place.facts.registry;
  return {
    ...place.facts,
    registry: {
      ...registry,
      policy: read
        ? registryPolicyModel(place.registryId, read, registry.policy.status === 'read' ? { status: 'read', value: registry.policy.scope } : undefined)
        : {
            status: 'unread',
            label: `the registry policy of ${place.registryId} in ${place.region} (proposed)`,
            reason: `${addressOf(document, from)} is known only after apply`,
          },
    },
  };
}

/** The cells a change to an ECR resource that is not modelled could touch, by the region its provider writes to. */
function unmodelledEcrRegion(replacement: Replacement & { kind: 'unmodelled' }, home: Place): string | undefined {
  const region = replacement.where?.region ?? home.region;
  if (isUnknown(region)) return ALL;
  // A replication configuration decides the replicas of the registry it is written in: another region's replicates another registry.
  if (replacement.type === 'aws_ecr_replication_configuration') return region === home.region ? REPLICAS : undefined;
  return region;
}

/** The facts as they would be once the proposed state is applied, and what stays unknown until then. */
export function overlayProposed<Session extends ReadingSession, Pulled extends RegistryPlace>(
  facts: CellFacts<Session, Pulled>,
  state: ProposedState,
  options: { roleArn?: string } = {},
): { facts: CellFacts<Session, Pulled>; unknowns: ProposedUnknowns } {
  const homeRegion = facts.home.registry.region;
  const unknowns: ProposedUnknowns = { identity: new Map(), grant: new Map(), homeRegion };
  const replacements = [...state.replacements, ...(state.deposed ?? [])];
  contested(replacements, unknowns, homeRegion);
  let pullerFacts = facts.pullerFacts;
  const home: Place = { key: 'home', region: homeRegion, registryId: facts.registryId, states: facts.states, facts: facts.home };
  const places: Place[] = [
    home,
    ...[...facts.replicas.places.values()].map((place) => ({
      key: placeKey(place),
      region: place.region,
      registryId: place.registryId,
      states: place.states,
      facts: place.facts,
    })),
  ];
  for (const replacement of replacements) {
    switch (replacement.kind) {
      case 'repository-policy':
      case 'registry-policy': {
        const at = placeOf(places, replacement.where, home);
        if (at === 'elsewhere') break;
        // A repository named through references (`aws_ecr_repository.x.name`) could have been changed by a function: any repository.
        const resolvedFrom = replacement.where?.resolvedFrom;
        if (replacement.kind === 'repository-policy' && resolvedFrom) {
          add(unknowns.grant, grantKey('place' in at ? at.place.region : at.region, ALL), `${resolvedFrom} (known only after apply)`);
          break;
        }
        const repository = replacement.kind === 'repository-policy' && known(replacement.repository) ? replacement.repository : ALL;
        if (!('place' in at)) {
          add(unknowns.grant, grantKey(at.region, repository), at.unknown);
          break;
        }
        const place = at.place;
        if (replacement.kind === 'registry-policy') {
          if (isUnknown(replacement.document)) add(unknowns.grant, grantKey(place.region, ALL), replacement.document.unknown);
          place.facts = withRegistryPolicy(place, replacement.document, replacement.from);
          break;
        }
        const targets = known(replacement.repository) ? [replacement.repository] : [...place.states.keys()];
        if (!known(replacement.repository)) add(unknowns.grant, grantKey(place.region, ALL), replacement.repository.unknown);
        if (isUnknown(replacement.document)) for (const target of targets) add(unknowns.grant, grantKey(place.region, target), replacement.document.unknown);
        const next = new Map(place.states);
        for (const target of targets) {
          const current = next.get(target);
          if (current) next.set(target, { ...current, policy: repositoryDocument(replacement.document) } satisfies RepositoryState);
        }
        place.states = next;
        break;
      }
      case 'unmodelled': {
        const address = `${replacement.from} (${replacement.type}: not modelled)`;
        if (replacement.type.startsWith('aws_iam_') || replacement.type.startsWith('aws_organizations_')) add(unknowns.identity, ALL, address);
        if (replacement.type.startsWith('aws_organizations_')) add(unknowns.grant, grantKey(ALL, ALL), address);
        if (replacement.type.startsWith('aws_ecr_')) {
          const region = unmodelledEcrRegion(replacement, home);
          if (region !== undefined) add(unknowns.grant, grantKey(region, ALL), address);
        }
        break;
      }
      default: {
        const roleName = 'roleName' in replacement ? replacement.roleName : undefined;
        const named =
          replacement.kind === 'managed-policy'
            ? { apply: pullerFacts, unknown: [], why: undefined }
            : pullersNamed(pullerFacts, roleName, replacement.where, options.roleArn);
        for (const puller of named.unknown) add(unknowns.identity, puller.settings.name, named.why ?? replacement.from);
        const touched = new Set(named.apply.map((puller) => puller.settings.name));
        pullerFacts = pullerFacts.map((puller) => (touched.has(puller.settings.name) ? overlayPuller(puller, replacement, state, unknowns) : puller));
      }
    }
  }
  const replicaPlaces = new Map(
    [...facts.replicas.places.entries()].map(([key, place]): [string, Pulled] => {
      const changed = places.find((candidate) => candidate.key === key);
      return [key, changed ? { ...place, states: changed.states, facts: changed.facts } : place];
    }),
  );
  return {
    facts: {
      ...facts,
      pullerFacts: pullerFacts.map(withProblem),
      states: home.states,
      home: home.facts,
      replicas: { ...facts.replicas, places: replicaPlaces },
    },
    unknowns,
  };
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
    const region = regionOf(verdict.arn);
    const regions = [ALL, region, ...(region === unknowns.homeRegion ? [] : [REPLICAS])];
    const grant = [...new Set(regions.flatMap((at) => [ALL, verdict.repository].flatMap((repository) => unknowns.grant.get(grantKey(at, repository)) ?? [])))];
    if (identity.length === 0 && grant.length === 0) return verdict;
    const next = { ...verdict, identity: conditionalOn(verdict.identity, identity, 'identity'), grant: conditionalOn(verdict.grant, grant, 'resource') };
    return { ...next, drift: next.drift || identity.length > 0 || grant.length > 0 };
  });
}
