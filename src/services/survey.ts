import { partitionOf, regionOf, repositoryArn } from '../domain/arn.js';
import type { RepositoryTags } from '../domain/checks/judge.js';
import type { Check, NotChecked, ReplicaPlace, RepositoryVerdict } from '../domain/checks/model.js';
import { judgeReplica, judgeRepository, missingRepositoryVerdict, unreachableVerdict, type ReplicaFacts } from '../domain/checks/verdict.js';
import { judgeReplicationPermission, templateFor, type Registry } from '../domain/replication.js';
import { allowlistEntries, coveredBy, INLINE_POLICIES_LIMIT } from '../domain/policy/allowlist.js';
import { iamPolicyLength } from '../domain/policy/document.js';
import { publicGrants } from '../domain/policy/repository-grant.js';
import { log } from '../log.js';
import type { Warning } from '../domain/results.js';
import { pullerNeeds, type GrantSettings, type PullerSettings, type Targets } from '../domain/pullers.js';
import { inert, quoted } from '../util/inert.js';
import { UserError } from '../errors.js';
import { pullerAt, type PlaceFacts, type PullerFacts, type PullerAtPlace } from './puller.js';
import { placeKey, readReplicas, replicaSource, type PlaceSurvey, type Replicas } from './replicas.js';
import { openReaders, readHomePlace, readPuller, targetRepositories, type Readers } from './readers.js';
import { ownedOf, readRepositoryStates, readTagsWhereAsked, type RepositoryState } from './repositories.js';
import { accountOf } from '../domain/arn.js';
import { withImage } from '../domain/checks/verdict.js';
import { judgeImageCell } from '../domain/image/judge.js';
import type { ImageFinding } from '../domain/image/result.js';
import type { ImageReference } from '../domain/image/status.js';
import { DEFAULT_PLATFORMS, type PlatformChoice } from '../domain/pullers.js';
import { createKmsClient } from '../adapters/aws/clients.js';
import {
  cellImageFacts,
  gatherImageFacts,
  newImageReadCache,
  placeKey as imagePlaceKey,
  prefetchHomeImages,
  prefetchReplicaImages,
  type ImageFacts,
  type ImagePlace,
  type ImageReadCache,
} from './images.js';

/** One puller as surveyed: what it must pull, how it was judged, and its allowlist's own findings. */
export interface PullerSurvey {
  settings: PullerSettings;
  facts: PullerFacts;
  /** The puller judged at the registry the run is about. */
  placed: PullerAtPlace;
  /** The expected repositories it must pull. */
  repositories: string[];
  /** One verdict per (region, repository) it must pull. */
  verdicts: RepositoryVerdict[];
  /** Repositories its allowlist names explicitly that nothing expects. */
  extra: string[];
  wildcards: { pattern: string; covers: string[] }[];
  /** Length of every inline policy of the role together (whitespace not counted). */
  inlineLength: number;
  /** Its login in each region it pulls in (undefined: nothing there to judge it with). */
  logins: RegionLogin[];
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
  /** What was read, before judging. */
  facts: SurveyFacts;
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
  /** `images`: per repository, the references its cells judge; none: the newest image (issue 26). */
  images?: ReadonlyMap<string, readonly ImageReference[]>;
}

/** Judges what one puller must pull from what was read. Pure but for the log. */
function judgePuller(
  settings: SurveySettings,
  registryId: string,
  facts: PullerFacts,
  placed: PullerAtPlace,
  expected: string[],
  states: Map<string, RepositoryState | undefined>,
  tags: Map<string, RepositoryTags>,
): Omit<PullerSurvey, 'settings' | 'facts' | 'placed' | 'logins'> & { warnings: Warning[] } {
  const { region } = settings.registry;
  const repositories = expected.filter((repository) => pullerNeeds(facts.settings, repository));
  const verdicts = repositories.map((repository) => {
    const state = states.get(repository);
    if (!state) return missingRepositoryVerdict(repository, repositoryArn(region, registryId, repository), placed);
    return judgeRepository({ repository, arn: state.arn, policy: state.policy, tags: tags.get(state.arn), owned: ownedOf(settings.grant, state) }, placed);
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

/** The tags a policy asks for, of every replica read, per destination, once. */
async function readReplicaTags(
  replicas: Replicas,
  pullers: PullerFacts[],
): Promise<{ tags: Map<string, Map<string, RepositoryTags>>; notChecked: NotChecked[] }> {
  const tags = new Map<string, Map<string, RepositoryTags>>();
  const notChecked: NotChecked[] = [];
  await Promise.all(
    [...replicas.places.values()].map(async (place) => {
      const withPolicies = [...place.states.values()].flatMap((state) => (state ? [{ arn: state.arn, policy: state.policy }] : []));
      const read = await readTagsWhereAsked(
        place.ecr,
        pullers.map((facts) => pullerAt(facts, place.facts)),
        withPolicies,
      );
      tags.set(placeKey(place), read.tags);
      notChecked.push(...read.notChecked);
    }),
  );
  return { tags, notChecked };
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
function judgeReplicaCells(
  facts: SurveyFacts,
  home: Registry,
  grant: GrantSettings,
): { verdicts: RepositoryVerdict[]; notChecked: NotChecked[]; logins: Map<string, RegionLogin[]> } {
  const { replicas, repositories } = facts;
  const verdicts: RepositoryVerdict[] = [];
  const notChecked: NotChecked[] = [];
  const logins = new Map<string, RegionLogin[]>();
  for (const puller of facts.pullerFacts) {
    const atPlace = new Map<string, PullerAtPlace>();
    const placedAt = (place: PlaceSurvey): PullerAtPlace => {
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

/** The creation template a replica still to be created will get (or none), or why that is unknown. */
function templateOf(place: PlaceSurvey, repository: string): ReplicaFacts['template'] {
  if (!place.templates) return { status: 'unread', reason: 'the creation templates were not read' };
  if (place.templates.status === 'unread') return place.templates;
  const template = templateFor(place.templates.templates, repository, 'REPLICATION');
  return { status: 'read', prefix: template?.prefix, policy: template ? template.repositoryPolicy : { status: 'none' } };
}

/**
 * A puller's pattern that matches no expected repository is a typo that would take the puller out of
 * the gate without a word: refused before anything is read. So is a repository no puller must pull.
 */
function assertPatternsMatch(pullers: PullerSettings[], repositories: string[], manifestMode: boolean): void {
  if (pullers.length === 0) return;
  if (manifestMode) {
    for (const puller of pullers) {
      const pattern = puller.repositories?.find((candidate) => !repositories.some((repository) => pullerNeeds({ repositories: [candidate] }, repository)));
      if (pattern !== undefined) {
        throw new UserError(
          `pullers (${inert(puller.name, 64)}).repositories: ${quoted(pattern, 256)} matches none of the ${repositories.length} expected repositories, so it would judge nothing. Fix the pattern (\`*\` stands for any run of characters), or remove it.`,
        );
      }
    }
  } else if (!pullers.some((puller) => repositories.every((repository) => pullerNeeds(puller, repository)))) {
    throw new UserError(
      `pullers: no puller must pull ${repositories.join(', ')} (their repositories patterns leave it out), so there is nothing to judge. Add it to a puller's repositories, or verify another repository.`,
    );
  }
}

/** Each distinct reason said once, however many pullers or places found it. */
function once(items: NotChecked[]): NotChecked[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = `${item.what}\u0000${item.reason}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

/** Everything a survey read, before judging: what a proposed change is laid over (verify with `proposed`). */
export interface SurveyFacts {
  registryId: string;
  repositories: string[];
  /** The registry's repositories (undefined: no such repository). */
  states: Map<string, RepositoryState | undefined>;
  home: PlaceFacts;
  pullerFacts: PullerFacts[];
  replicas: Replicas;
  /** The tags a policy asks for: of the registry's repositories, and of each replica destination's. */
  tags: Map<string, RepositoryTags>;
  replicaTags: Map<string, Map<string, RepositoryTags>>;
  notChecked: NotChecked[];
  /** The image layer's facts (issue 26); undefined: not read (each cell then carries no image finding). */
  images?: ImageFacts;
}

/** Judges every (puller, region, repository) from what was read. Pure but for the log. */
export function judgeFacts(settings: SurveySettings, facts: SurveyFacts): Pick<Survey, 'pullers' | 'warnings' | 'notChecked'> {
  const { region } = settings.registry;
  const { registryId, states } = facts;
  const placedPullers = facts.pullerFacts.map((puller) => pullerAt(puller, facts.home));
  const replicaCells = judgeReplicaCells(facts, { region, registryId }, settings.grant);
  const warnings: Warning[] = [];
  for (const state of states.values()) {
    if (!state) continue;
    for (const grant of publicGrants(state.policy, settings.grant.sid, state.repository)) warnings.push({ kind: 'public-grant', grant });
  }
  const pullers = facts.pullerFacts.map((puller, index) => {
    const { warnings: own, ...judged } = judgePuller(settings, registryId, puller, placedPullers[index], facts.repositories, states, facts.tags);
    warnings.push(...own);
    // Region by region, as the puller lists them; the registry's own region is judged above.
    const verdicts = puller.settings.regions.flatMap((pulledIn) =>
      pulledIn === region
        ? judged.verdicts
        : replicaCells.verdicts.filter((verdict) => verdict.puller === puller.settings.name && regionOf(verdict.arn) === pulledIn),
    );
    // The login in each region it pulls in: the registry's own region from the model above, the others from their replicas.
    const elsewhere = replicaCells.logins.get(puller.settings.name) ?? [];
    const logins = puller.settings.regions.map((pulledIn) =>
      pulledIn === region
        ? { region, login: placedPullers[index].role.login }
        : (elsewhere.find((login) => login.region === pulledIn) ?? { region: pulledIn, login: undefined }),
    );
    const platforms = puller.settings.platforms ?? DEFAULT_PLATFORMS;
    const imaged = facts.images ? verdicts.map((verdict) => judgeImage(verdict, facts.images!, { region, registryId }, platforms)) : verdicts;
    return { settings: puller.settings, facts: puller, placed: placedPullers[index], ...judged, verdicts: imaged, logins };
  });
  const notChecked = once([...placedPullers.flatMap((placed) => placed.notChecked), ...facts.notChecked, ...replicaCells.notChecked]);
  return { pullers, warnings, notChecked };
}

/** Where a cell pulls from, for the image layer: the repository itself, or a replica (with its source); none when nothing is there to pull. */
function imagePlaceOf(verdict: RepositoryVerdict, home: Registry): ImagePlace | undefined {
  const registry = { registryId: accountOf(verdict.arn), region: regionOf(verdict.arn) };
  if (verdict.replica) return verdict.replica.kind === 'replica' ? { registry, repository: verdict.repository, source: home } : undefined;
  return verdict.exists ? { registry, repository: verdict.repository } : undefined;
}

/** The worse of two image findings: a failing state, then a conditional, then present. */
function worse(a: ImageFinding, b: ImageFinding): ImageFinding {
  const rank = (finding: ImageFinding): number => (finding.status === 'conditional' ? 1 : finding.state === 'present' ? 0 : 2);
  return rank(b) > rank(a) ? b : a;
}

/**
 * One cell with its image finding (issue 26): each reference its repository judges (the `images`
 * input, else the newest image at the source), the worst kept. The images of the source not read and
 * none named: conditional, naming ecr:DescribeImages. A repository with no image and none named: no finding.
 */
function judgeImage(verdict: RepositoryVerdict, images: ImageFacts, home: Registry, platforms: PlatformChoice): RepositoryVerdict {
  const place = imagePlaceOf(verdict, home);
  if (!place) return verdict;
  const origin = imagePlaceKey(place.source ?? place.registry, place.repository);
  const checked = images.checked.get(origin);
  if (!checked) {
    const read = images.images.get(origin);
    const reason = read?.status === 'unread' ? read.reason : 'the images of the repository were not read';
    return withImage(verdict, { status: 'conditional', unread: [{ permission: 'ecr:DescribeImages', reason }], warnings: [] }, { chosen: 'newest' });
  }
  if (checked.length === 0) return verdict;
  const now = Date.now();
  let finding: ImageFinding | undefined;
  let which = checked[0];
  for (const candidate of checked) {
    const judged = judgeImageCell(cellImageFacts(images, place, candidate, platforms, verdict.arn, now));
    if (!finding || worse(finding, judged) !== finding) [finding, which] = [judged, candidate];
  }
  const tag = 'tag' in which.reference ? which.reference.tag : undefined;
  return withImage(verdict, finding!, { chosen: which.chosen, ...(tag ? { tag } : {}) });
}

/** Every place a cell pulls from (the registry's repositories, the replicas read), for one shared image read. */
function imagePlaces(
  settings: SurveySettings,
  home: Registry,
  repositories: string[],
  states: Map<string, RepositoryState | undefined>,
  replicas: Replicas,
): ImagePlace[] {
  const places = new Map<string, ImagePlace>();
  for (const puller of settings.pullers) {
    for (const repository of repositories.filter((candidate) => pullerNeeds(puller, candidate) && states.get(candidate))) {
      for (const region of puller.regions) {
        if (region === home.region) {
          places.set(imagePlaceKey(home, repository), { registry: home, repository });
          continue;
        }
        const source = replicaSource(replicas, home, region, repository);
        if (source.kind !== 'destinations') continue;
        for (const destination of source.destinations) {
          if (destination.kind !== 'read') continue;
          const registry = { registryId: destination.place.registryId, region: destination.place.region };
          places.set(imagePlaceKey(registry, repository), { registry, repository, source: home });
        }
      }
    }
  }
  return [...places.values()];
}

/** The image facts of every cell, read once (services/images); the clients are the ones each registry is read with. */
function readImageFacts(
  settings: SurveySettings,
  readers: Readers,
  home: Registry,
  repositories: string[],
  states: Map<string, RepositoryState | undefined>,
  replicas: Replicas,
  cache?: ImageReadCache,
): Promise<ImageFacts> {
  const ecrOf = (registry: Registry) => (placeKey(registry) === placeKey(home) ? readers.ecr : (replicas.places.get(placeKey(registry))?.ecr ?? readers.ecr));
  const kms = new Map<string, ReturnType<typeof createKmsClient>>();
  return gatherImageFacts({
    places: imagePlaces(settings, home, repositories, states, replicas),
    references: settings.images ?? new Map(),
    clients: {
      ecr: async (registry) => ecrOf(registry),
      kms: (registry) => {
        const key = placeKey(registry);
        if (!kms.has(key)) kms.set(key, createKmsClient(registry.region, ecrOf(registry).config.credentials));
        return kms.get(key)!;
      },
    },
    who: 'the credentials that read the registry',
    ...(cache ? { cache } : {}),
  });
}

/**
 * Reads both sides of every target repository, in parallel and each fact once (the registry's
 * repository policies, registry policy and organization; each puller's policies, boundary, tags and
 * organizations; the replicas some puller pulls), then the tags a policy asks for, and judges every
 * (puller, region, repository). Writes nothing.
 */
export async function survey(settings: SurveySettings, previous?: Readers): Promise<Survey> {
  const { repositories, manifestMode } = targetRepositories(settings.targets);
  log.info(`Expected: ${repositories.length} repositor${repositories.length === 1 ? 'y' : 'ies'}.`);
  assertPatternsMatch(settings.pullers, repositories, manifestMode);
  const unexpected = [...(settings.images?.keys() ?? [])].find((repository) => !repositories.includes(repository));
  if (unexpected !== undefined)
    throw new UserError(
      `images: ${quoted(unexpected, 256)} is not a repository this run judges (${repositories.length} expected). Fix the name, or remove it from images.`,
    );
  const subject = settings.targets.kind === 'repository' ? settings.targets.repository : 'manifest';
  const readers = previous ?? (await openReaders(settings, subject));
  const { region } = settings.registry;
  // The image reads of the home registry start with its ID, beside the policy reads (services/images).
  const imageCache = newImageReadCache();
  void readers.registryId.then(
    (id) => prefetchHomeImages(settings, readers.ecr, { region, registryId: id }, repositories, imageCache),
    () => undefined,
  );
  const [registryId, states, home, pullerFacts, replicas] = await Promise.all([
    readers.registryId,
    readers.registryId.then((id) => readRepositoryStates(readers.ecr, settings.grant, region, id, repositories)),
    readHomePlace(readers),
    Promise.all(settings.pullers.map((puller) => readPuller(readers, puller))),
    readers.registryId.then(async (id) => {
      const read = await readReplicas(settings, readers, { region, registryId: id }, repositories);
      prefetchReplicaImages(settings.pullers, { region, registryId: id }, repositories, read, imageCache);
      return read;
    }),
  ]);
  const withPolicies = [...states.values()].flatMap((state) => (state ? [{ arn: state.arn, policy: state.policy }] : []));
  const [tags, replicaTags, images] = await Promise.all([
    readTagsWhereAsked(
      readers.ecr,
      pullerFacts.map((puller) => pullerAt(puller, home)),
      withPolicies,
    ),
    readReplicaTags(replicas, pullerFacts),
    readImageFacts(settings, readers, { region, registryId }, repositories, states, replicas, imageCache),
  ]);
  const facts: SurveyFacts = {
    registryId,
    repositories,
    states,
    home,
    pullerFacts,
    replicas,
    tags: tags.tags,
    replicaTags: replicaTags.tags,
    notChecked: [...tags.notChecked, ...replicaTags.notChecked],
    images,
  };
  const places = [{ kind: 'home' as const, region, registryId, ecr: readers.ecr, facts: home, states }, ...replicas.places.values()];
  return { readers, registryId, manifestMode, states, places, facts, ...judgeFacts(settings, facts) };
}
