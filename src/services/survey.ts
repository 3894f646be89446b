import type { NotChecked } from '../domain/checks/model.js';
import { judgeCells, type PullerCells } from '../domain/cells.js';
import type { CellFacts } from '../domain/facts.js';
import { judgeCellImage, placeKey as imagePlaceKey, type ImageFacts, type ImagePlace } from '../domain/image/facts.js';
import type { ImageReference } from '../domain/image/status.js';
import { pullerAt } from '../domain/puller-at-place.js';
import { DEFAULT_PLATFORMS, pullerNeeds, type GrantSettings, type PullerSettings, type Targets } from '../domain/pullers.js';
import { placeKey, replicaSource, type RegionLogin } from '../domain/replica-cells.js';
import type { Registry } from '../domain/replication.js';
import type { Warning } from '../domain/results.js';
import { createKmsClient } from '../adapters/aws/clients.js';
import { UserError } from '../errors.js';
import { log } from '../log.js';
import { inert, quoted } from '../util/inert.js';
import type { PullerAccess } from './access.js';
import { gatherImageFacts, newImageReadCache, prefetchHomeImages, prefetchReplicaImages, type ImageReadCache } from './images.js';
import type { PullerFacts } from './puller.js';
import { readReplicas, type PlaceSurvey, type Replicas } from './replicas.js';
import { openReaders, readHomePlace, readPuller, targetRepositories, type Readers } from './readers.js';
import { readRepositoryStates, readTagsWhereAsked, type RepositoryState } from './repositories.js';
import type { RepositoryTags } from '../domain/checks/judge.js';

/** One puller as surveyed (domain/cells.ts), with the session it is read and written with. */
export type PullerSurvey = PullerCells<PullerAccess>;
export type { RegionLogin };

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

/** Everything a survey read, before judging: what a proposed change is laid over (verify with `proposed`). */
export interface SurveyFacts extends CellFacts<PullerAccess, PlaceSurvey> {
  /** The image layer's facts (issue 26); undefined: not read (each cell then carries no image finding). */
  images?: ImageFacts;
}

/**
 * Judges every (puller, region, repository) from what was read (domain/cells.ts), then each cell's image
 * (the image layer's facts, services/images.ts). Pure but for the log and the clock.
 */
export function judgeFacts(settings: SurveySettings, facts: SurveyFacts): Pick<Survey, 'pullers' | 'warnings' | 'notChecked'> {
  const judged = judgeCells(settings, facts);
  for (const puller of judged.pullers) {
    for (const { pattern, covers } of puller.wildcards) {
      log.info(
        `Wildcard ${inert(pattern)} in the allowlist${settings.pullers.length > 1 ? ` of ${inert(puller.settings.name)}` : ''} covers ${covers.length} expected repositor${covers.length === 1 ? 'y' : 'ies'}${covers.length > 0 ? `: ${covers.join(', ')}` : ''}.`,
      );
    }
  }
  const { images } = facts;
  if (!images) return judged;
  const home = { region: settings.registry.region, registryId: facts.registryId };
  const now = Date.now();
  const pullers = judged.pullers.map((puller) => {
    const platforms = puller.settings.platforms ?? DEFAULT_PLATFORMS;
    return { ...puller, verdicts: puller.verdicts.map((verdict) => judgeCellImage(verdict, images, home, platforms, now)) };
  });
  return { ...judged, pullers };
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
