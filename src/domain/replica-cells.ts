import { partitionOf, repositoryArn } from './arn.js';
import type { Check, NotChecked, ReplicaPlace, RepositoryVerdict } from './checks/model.js';
import { judgeReplica, unreachableVerdict, type ReplicaFacts } from './checks/verdict.js';
import type { CellFacts, Destination, ReadingSession, RegistryPlace, ReplicaSource, Replicas } from './facts.js';
import { pullerAt, type PullerAtPlace } from './puller-at-place.js';
import { pullerNeeds, type GrantSettings } from './pullers.js';
import { judgeReplicationPermission, replicaDestinations, templateFor, type Registry } from './replication.js';
import { ownedOf } from './repository-state.js';

/**
 * Cells in other regions than the registry's: ECR replication copies images to other regions and
 * accounts, not repository policies (a replica gets the policy of its destination's creation template
 * when it is created, or none; ECR User Guide, "Private image replication" and "Private repository
 * creation templates"). A puller that pulls in another region pulls the replica there, judged as a
 * repository of its own. Pure.
 */

/** How places are keyed: one registry (account) in one region. */
export const placeKey = (registry: Registry): string => `${registry.registryId}/${registry.region}`;

/** Where a puller pulling in `region` gets `repository` from. */
export function replicaSource<Place extends RegistryPlace>(
  replicas: Replicas<Place>,
  home: Registry,
  region: string,
  repository: string,
): ReplicaSource<Place> {
  const { replication } = replicas;
  if (!replication || replication.status !== 'read') {
    return { kind: 'unknown', reason: replication?.status === 'unread' ? replication.reason : 'the replication configuration was not read' };
  }
  const registries = replicaDestinations(replication.rules, home, repository).filter((destination) => destination.region === region);
  if (registries.length === 0) return { kind: 'not-replicated' };
  // Each destination is a cell of its own: one that could not be read fails only its own.
  const destinations = registries.map((registry): Destination<Place> => {
    const place = replicas.places.get(placeKey(registry));
    return place ? { kind: 'read', place } : { kind: 'not-checked', registry, reason: replicas.unreadable.get(placeKey(registry)) ?? 'not read' };
  });
  return { kind: 'destinations', destinations };
}

/** The creation template a replica still to be created will get (or none), or why that is unknown. */
export function templateOf(place: RegistryPlace, repository: string): ReplicaFacts['template'] {
  if (!place.templates) return { status: 'unread', reason: 'the creation templates were not read' };
  if (place.templates.status === 'unread') return place.templates;
  const template = templateFor(place.templates.templates, repository, 'REPLICATION');
  return { status: 'read', prefix: template?.prefix, policy: template ? template.repositoryPolicy : { status: 'none' } };
}

/** The login of a puller in a region (ecr:GetAuthorizationToken is asked of that region's endpoint). */
export interface RegionLogin {
  region: string;
  login: Check | undefined;
}

/**
 * Every (puller, other region, repository) cell: the replica there judged as a repository of its own,
 * or why there is none to judge; and each puller's login in each region it pulls in. Pure.
 */
export function judgeReplicaCells(
  facts: CellFacts<ReadingSession>,
  home: Registry,
  grant: GrantSettings,
): { verdicts: RepositoryVerdict[]; notChecked: NotChecked[]; logins: Map<string, RegionLogin[]> } {
  const { replicas, repositories } = facts;
  const verdicts: RepositoryVerdict[] = [];
  const notChecked: NotChecked[] = [];
  const logins = new Map<string, RegionLogin[]>();
  for (const puller of facts.pullerFacts) {
    const atPlace = new Map<string, PullerAtPlace>();
    const placedAt = (place: RegistryPlace): PullerAtPlace => {
      const known = atPlace.get(placeKey(place)) ?? pullerAt(puller, place.facts);
      if (!atPlace.has(placeKey(place))) notChecked.push(...known.notChecked);
      atPlace.set(placeKey(place), known);
      return known;
    };
    const name = puller.settings.name;
    const own: RegionLogin[] = [];
    for (const region of puller.settings.regions.filter((pulledIn) => pulledIn !== home.region)) {
      let login: Check | undefined;
      for (const repository of repositories.filter((candidate) => pullerNeeds(puller.settings, candidate))) {
        const source = replicaSource(replicas, home, region, repository);
        const sourceRegion = home.region;
        const unreachable = (arn: string, replica: ReplicaPlace): void => void verdicts.push(unreachableVerdict(repository, arn, name, replica));
        if (!facts.states.get(repository)) {
          unreachable(repositoryArn(region, home.registryId, repository), { kind: 'no-source', sourceRegion });
          continue;
        }
        if (source.kind === 'not-replicated') {
          unreachable(repositoryArn(region, home.registryId, repository), { kind: 'not-replicated', sourceRegion });
          continue;
        }
        if (source.kind === 'unknown') {
          unreachable(repositoryArn(region, home.registryId, repository), { kind: 'not-checked', sourceRegion, reason: source.reason, what: 'replication' });
          continue;
        }
        for (const destination of source.destinations) {
          if (destination.kind === 'not-checked') {
            const arn = repositoryArn(region, destination.registry.registryId, repository);
            unreachable(arn, { kind: 'not-checked', sourceRegion, reason: destination.reason, what: 'destination' });
            continue;
          }
          const { place } = destination;
          const placed = placedAt(place);
          login ??= placed.role.login;
          const state = place.states.get(repository);
          const arn = state?.arn ?? repositoryArn(place.region, place.registryId, repository);
          verdicts.push(
            judgeReplica(
              {
                repository,
                arn,
                sourceRegion,
                existing: state
                  ? { policy: state.policy, tags: facts.replicaTags.get(placeKey(place))?.get(state.arn), owned: ownedOf(grant, state) }
                  : undefined,
                template: state ? undefined : templateOf(place, repository),
                // Across accounts, the destination's registry policy must let the source registry replicate.
                ...(place.registryId !== home.registryId
                  ? {
                      replication: judgeReplicationPermission(
                        place.facts.registry.policy,
                        home,
                        { region: place.region, registryId: place.registryId },
                        repository,
                        state !== undefined,
                        partitionOf(arn),
                      ),
                    }
                  : {}),
              },
              placed,
            ),
          );
        }
      }
      own.push({ region, login });
    }
    logins.set(name, own);
  }
  for (const place of replicas.places.values())
    if (place.templates?.status === 'unread') notChecked.push({ what: 'creation-templates', reason: place.templates.reason });
  return { verdicts, notChecked, logins };
}
