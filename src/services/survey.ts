import { regionOf, repositoryArn } from '../domain/arn.js';
import type { RepositoryTags } from '../domain/checks/judge.js';
import type { NotChecked, RepositoryVerdict } from '../domain/checks/model.js';
import { judgeReplica, judgeRepository, missingRepositoryVerdict, unreachableVerdict, type ReplicaFacts } from '../domain/checks/verdict.js';
import { templateFor, type Registry } from '../domain/replication.js';
import { allowlistEntries, coveredBy, INLINE_POLICIES_LIMIT } from '../domain/policy/allowlist.js';
import { iamPolicyLength } from '../domain/policy/document.js';
import { publicGrants } from '../domain/policy/repository-grant.js';
import { log } from '../log.js';
import type { Warning } from '../report/model.js';
import { pullerNeeds } from '../settings/pullers.js';
import type { GrantSettings, PullerSettings, Targets } from '../settings/settings.js';
import { inert } from '../util/inert.js';
import { pullerAt, type PullerFacts, type Staging } from './puller.js';
import { placeKey, readReplicas, replicaSource, type PlaceSurvey, type Replicas } from './replicas.js';
import { openReaders, readHomePlace, readPuller, targetRepositories, type Readers } from './readers.js';
import { readRepositoryStates, readTagsWhereAsked, type RepositoryState } from './repositories.js';

/** One puller as surveyed: what it must pull, how it was judged, and its allowlist's own findings. */
export interface PullerSurvey {
  settings: PullerSettings;
  facts: PullerFacts;
  /** The puller judged at the registry the run is about. */
  staging: Staging;
  /** The expected repositories it must pull. */
  repositories: string[];
  /** One verdict per (region, repository) it must pull. */
  verdicts: RepositoryVerdict[];
  /** Repositories its allowlist names explicitly that nothing expects. */
  extra: string[];
  wildcards: { pattern: string; covers: string[] }[];
  /** Length of every inline policy of the role together (whitespace not counted). */
  inlineLength: number;
}

/** Everything read before judging or writing: both sides of every expected repository, for every puller, judged. */
export interface Survey {
  readers: Readers;
  registryId: string;
  manifestMode: boolean;
  /** The registry's repositories, read once whatever the number of pullers (undefined: no such repository). */
  states: Map<string, RepositoryState | undefined>;
  /** Every registry pulled from: the run's own first, then the replicas read. */
  places: PlaceSurvey[];
  pullers: PullerSurvey[];
  warnings: Warning[];
  /** What this survey could not read, said once. */
  notChecked: NotChecked[];
}

/** What a survey reads with: the registry, the grant it would write, the pullers, the targets. */
export interface SurveySettings {
  registry: { region: string; registryId: string | undefined };
  grant: GrantSettings;
  pullers: PullerSettings[];
  replicaAssumeRoleArns: string[];
  organizationAssumeRoleArn: string | undefined;
  targets: Targets;
  runId: string | undefined;
}

/** Judges what one puller must pull from what was read. Pure but for the log. */
function judgePuller(
  settings: SurveySettings,
  registryId: string,
  facts: PullerFacts,
  staging: Staging,
  expected: string[],
  states: Map<string, RepositoryState | undefined>,
  tags: Map<string, RepositoryTags>,
): Omit<PullerSurvey, 'settings' | 'facts' | 'staging'> & { warnings: Warning[] } {
  const { region } = settings.registry;
  const repositories = expected.filter((repository) => pullerNeeds(facts.settings, repository));
  const verdicts = repositories.map((repository) => {
    const state = states.get(repository);
    if (!state) return missingRepositoryVerdict(repository, repositoryArn(region, registryId, repository), staging);
    return judgeRepository({ repository, arn: state.arn, policy: state.policy, tags: tags.get(state.arn) }, staging);
  });
  const entries = allowlistEntries(
    facts.documents.map((policy) => policy.document),
    region,
    registryId,
    settings.grant.actions,
  );
  const warnings: Warning[] = [];
  const inlineLength = facts.documents.filter((policy) => policy.inlineName).reduce((sum, policy) => sum + iamPolicyLength(policy.document), 0);
  if (inlineLength > 0.8 * INLINE_POLICIES_LIMIT) warnings.push({ kind: 'allowlist-size', used: inlineLength, limit: INLINE_POLICIES_LIMIT });
  const wildcards = entries.wildcards.map((pattern) => ({ pattern, covers: coveredBy(pattern, repositories, region, registryId) }));
  for (const { pattern, covers } of wildcards) {
    log.info(
      `Wildcard ${inert(pattern)} in the allowlist${settings.pullers.length > 1 ? ` of ${inert(facts.settings.name)}` : ''} covers ${covers.length} expected repositor${covers.length === 1 ? 'y' : 'ies'}${covers.length > 0 ? `: ${covers.join(', ')}` : ''}.`,
    );
  }
  // An extra is a repository nothing expects of this puller (another puller's repository is one too).
  const mine = new Set(repositories);
  return { repositories, verdicts, extra: entries.explicit.filter((name) => !mine.has(name)), wildcards, inlineLength, warnings };
}

/**
 * Every (puller, other region, repository) cell: the replica there judged as a repository of its own,
 * or why there is none to judge. Reads the tags a policy asks for, per destination, once.
 */
async function judgeReplicas(
  replicas: Replicas,
  pullers: PullerFacts[],
  home: Registry,
  repositories: string[],
): Promise<{ verdicts: RepositoryVerdict[]; notChecked: NotChecked[] }> {
  const notChecked: NotChecked[] = [];
  const atPlace = new Map<string, Map<string, Staging>>();
  const stagingAt = (facts: PullerFacts, place: PlaceSurvey): Staging => {
    const byPuller = atPlace.get(placeKey(place)) ?? new Map<string, Staging>();
    atPlace.set(placeKey(place), byPuller);
    const known = byPuller.get(facts.settings.name) ?? pullerAt(facts, place.facts);
    byPuller.set(facts.settings.name, known);
    return known;
  };
  const placeTags = new Map<string, Map<string, RepositoryTags>>();
  await Promise.all(
    [...replicas.places.values()].map(async (place) => {
      const withPolicies = [...place.states.values()].flatMap((state) => (state ? [{ arn: state.arn, policy: state.policy }] : []));
      const read = await readTagsWhereAsked(
        place.ecr,
        pullers.map((facts) => stagingAt(facts, place)),
        withPolicies,
      );
      placeTags.set(placeKey(place), read.tags);
      notChecked.push(...read.notChecked);
    }),
  );
  const verdicts: RepositoryVerdict[] = [];
  for (const facts of pullers) {
    for (const region of facts.settings.regions.filter((pulledIn) => pulledIn !== home.region)) {
      for (const repository of repositories.filter((name) => pullerNeeds(facts.settings, name))) {
        const source = replicaSource(replicas, home, region, repository);
        const name = facts.settings.name;
        if (source.kind === 'not-replicated') {
          verdicts.push(
            unreachableVerdict(repository, repositoryArn(region, home.registryId, repository), name, { kind: 'not-replicated', sourceRegion: home.region }),
          );
          continue;
        }
        if (source.kind === 'not-checked') {
          const arn = repositoryArn(region, source.registry?.registryId ?? home.registryId, repository);
          verdicts.push(unreachableVerdict(repository, arn, name, { kind: 'not-checked', sourceRegion: home.region, reason: source.reason }));
          continue;
        }
        for (const place of source.places) {
          const state = place.states.get(repository);
          const arn = state?.arn ?? repositoryArn(place.region, place.registryId, repository);
          verdicts.push(
            judgeReplica(
              {
                repository,
                arn,
                sourceRegion: home.region,
                existing: state ? { policy: state.policy, tags: placeTags.get(placeKey(place))?.get(state.arn) } : undefined,
                template: state ? undefined : templateOf(place, repository),
              },
              stagingAt(facts, place),
            ),
          );
        }
      }
    }
  }
  for (const place of replicas.places.values())
    if (place.templates?.status === 'unread') notChecked.push({ what: 'creation-templates', reason: place.templates.reason });
  return { verdicts, notChecked };
}

/** The creation template a replica still to be created will get (or none), or why that is unknown. */
function templateOf(place: PlaceSurvey, repository: string): ReplicaFacts['template'] {
  if (!place.templates) return { status: 'unread', reason: 'the creation templates were not read' };
  if (place.templates.status === 'unread') return place.templates;
  const template = templateFor(place.templates.templates, repository, 'REPLICATION');
  return { status: 'read', prefix: template?.prefix, policy: template ? template.repositoryPolicy : { status: 'none' } };
}

/** Each distinct reason said once, however many pullers or places found it. */
function once(items: NotChecked[]): NotChecked[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = `${item.what}\u0000${item.reason}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

/**
 * Reads both sides of every target repository, in parallel and each fact once (the registry's
 * repository policies, registry policy and organization; each puller's policies, boundary, tags and
 * organizations), then the tags a policy asks for, and judges every (puller, repository). Writes nothing.
 */
export async function survey(settings: SurveySettings, previous?: Readers): Promise<Survey> {
  const { repositories, manifestMode } = targetRepositories(settings.targets);
  log.info(`Expected: ${repositories.length} repositor${repositories.length === 1 ? 'y' : 'ies'}.`);
  const subject = settings.targets.kind === 'repository' ? settings.targets.repository : 'manifest';
  const readers = previous ?? (await openReaders(settings, subject));
  const { region } = settings.registry;
  const [registryId, states, home, pullerFacts, replicas] = await Promise.all([
    readers.registryId,
    readers.registryId.then((id) => readRepositoryStates(readers.ecr, settings.grant, region, id, repositories)),
    readHomePlace(readers),
    Promise.all(settings.pullers.map((puller) => readPuller(readers, puller))),
    readers.registryId.then((id) => readReplicas(settings, readers, { region, registryId: id }, repositories)),
  ]);
  const stagings = pullerFacts.map((facts) => pullerAt(facts, home));
  const withPolicies = [...states.values()].flatMap((state) => (state ? [{ arn: state.arn, policy: state.policy }] : []));
  const [tags, replicaCells] = await Promise.all([
    readTagsWhereAsked(readers.ecr, stagings, withPolicies),
    judgeReplicas(replicas, pullerFacts, { region, registryId }, repositories),
  ]);
  const warnings: Warning[] = [];
  for (const state of states.values()) {
    if (!state) continue;
    for (const grant of publicGrants(state.policy, settings.grant.sid, state.repository)) warnings.push({ kind: 'public-grant', grant });
  }
  const pullers = pullerFacts.map((facts, index) => {
    const { warnings: own, ...judged } = judgePuller(settings, registryId, facts, stagings[index], repositories, states, tags.tags);
    warnings.push(...own);
    // Region by region, as the puller lists them; the registry's own region is judged above.
    const verdicts = facts.settings.regions.flatMap((pulledIn) =>
      pulledIn === region
        ? judged.verdicts
        : replicaCells.verdicts.filter((verdict) => verdict.puller === facts.settings.name && regionOf(verdict.arn) === pulledIn),
    );
    return { settings: facts.settings, facts, staging: stagings[index], ...judged, verdicts };
  });
  const notChecked = once([...stagings.flatMap((staging) => staging.notChecked), ...tags.notChecked, ...replicaCells.notChecked]);
  const places = [{ kind: 'home' as const, region, registryId, ecr: readers.ecr, facts: home, states }, ...replicas.places.values()];
  return { readers, registryId, manifestMode, states, places, pullers, warnings, notChecked };
}
