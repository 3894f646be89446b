import type { ECRClient } from '@aws-sdk/client-ecr';
import type { KMSClient } from '@aws-sdk/client-kms';
import {
  readEncryption,
  readImages,
  readKey,
  readLifecycle,
  readPlatforms,
  readReplicationStatuses,
  type EncryptionRead,
  type ImagesRead,
  type LifecycleRead,
  type ReplicationStatusesRead,
} from '../adapters/aws/images.js';
import type { ImageCellFacts } from '../domain/image/judge.js';
import type { KeyFacts } from '../domain/image/key.js';
import type { PlatformFacts } from '../domain/image/platform.js';
import type { ReplicationRecord } from '../domain/image/replica.js';
import { findImage, isIndex, newestImage, type ImageReference } from '../domain/image/status.js';
import type { Registry } from '../domain/replication.js';
import type { PlatformChoice } from '../domain/pullers.js';
import { quoted } from '../util/inert.js';
import { mapPool } from '../util/pool.js';

/**
 * Gathers the image facts of every cell at once (STYLE.md §15 "Gather, then judge"): one
 * DescribeImages (imageStatus ANY) and one GetLifecyclePolicy per (registry, region, repository) a
 * puller pulls from, one DescribeRepositories per registry for the encryption, one BatchGetImage per
 * digest for the platforms, one DescribeImageReplicationStatus per pinned digest at its source,
 * one DescribeKey (+ ListGrants) per key. Reads of different places run together (bounded), and the
 * key chain (DescribeRepositories → DescribeKey → ListGrants) beside the image chain (DescribeImages and
 * GetLifecyclePolicy → BatchGetImage and DescribeImageReplicationStatus): at most 3 sequential round
 * trips, 2 when the caller hands in the encryption it read. Returns plain data; `cellImageFacts` hands
 * one cell's share to domain/image `judgeImageCell`.
 */

/** Where one cell pulls from; `source` when that is a replica (the registry the image is pushed to). */
export interface ImagePlace {
  registry: Registry;
  repository: string;
  source?: Registry;
}

export interface GatherImagesInput {
  places: ImagePlace[];
  /** Per repository, the references its cells judge (the `images` input, or what publish pushed). None: the newest image. */
  references: ReadonlyMap<string, readonly ImageReference[]>;
  clients: { ecr(registry: Registry): Promise<ECRClient>; kms(registry: Registry): Promise<KMSClient> };
  who: string;
  /** Reads in flight at once, per kind of read. */
  concurrency?: number;
  /** The encryption of each place (by `placeKey`), when the caller's DescribeRepositories already read it. */
  encryption?: ReadonlyMap<string, EncryptionRead | undefined>;
}

/** Which image a repository's cells judged: the input's references, or the newest when none was given (said, never silent). */
export type CheckedImage = { repository: string; reference: ImageReference; chosen: 'input' | 'newest' };

export interface ImageFacts {
  images: Map<string, ImagesRead>;
  lifecycle: Map<string, LifecycleRead>;
  encryption: Map<string, EncryptionRead | undefined>;
  /**
   * By digest alone: a digest names its manifest's bytes, so a source and its replicas hold the same
   * platforms; it is read once, where the image is first found ACTIVE.
   */
  platforms: Map<string, PlatformFacts>;
  /** By source place and digest. */
  replication: Map<string, ReplicationStatusesRead>;
  keys: Map<string, KeyFacts>;
  /** Per place, the references judged there. */
  checked: Map<string, CheckedImage[]>;
}

const registryKey = (registry: Registry): string => `${registry.registryId}/${registry.region}`;
export const placeKey = (registry: Registry, repository: string): string => `${registryKey(registry)}/${repository}`;
const digestKey = (registry: Registry, repository: string, digest: string): string => `${placeKey(registry, repository)}@${digest}`;

function unique<T>(items: T[], key: (item: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) if (!seen.has(key(item))) seen.set(key(item), item);
  return [...seen.values()];
}

export async function gatherImageFacts(input: GatherImagesInput): Promise<ImageFacts> {
  const limit = input.concurrency ?? 16;
  const facts: ImageFacts = {
    images: new Map(),
    lifecycle: new Map(),
    encryption: new Map(),
    platforms: new Map(),
    replication: new Map(),
    keys: new Map(),
    checked: new Map(),
  };
  // Every place pulled from, and every source a replica is copied from (its images give the pinned digests).
  const places = unique(
    input.places.flatMap((place) => [place, ...(place.source ? [{ registry: place.source, repository: place.repository }] : [])]),
    (place) => placeKey(place.registry, place.repository),
  );

  // Chain A. 1. Per place: the images (every status) and the lifecycle policy.
  const imageChain = async (): Promise<void> => {
    await mapPool(places, limit, async (place) => {
      const ecr = await input.clients.ecr(place.registry);
      const key = placeKey(place.registry, place.repository);
      const [images, lifecycle] = await Promise.all([
        readImages(ecr, place.registry.registryId, place.repository, input.who),
        readLifecycle(ecr, place.registry.registryId, place.repository, input.who),
      ]);
      facts.images.set(key, images);
      facts.lifecycle.set(key, lifecycle);
    });
    // 2. Which references each place judges: the input's, or the newest image of the place (said as such).
    for (const place of places) {
      const key = placeKey(place.registry, place.repository);
      const given = input.references.get(place.repository);
      const read = facts.images.get(key);
      if (given?.length)
        facts.checked.set(
          key,
          given.map((reference) => ({ repository: place.repository, reference, chosen: 'input' as const })),
        );
      else if (read?.status === 'read') {
        const newest = newestImage(read.images);
        facts.checked.set(key, newest ? [{ repository: place.repository, reference: { digest: newest.digest }, chosen: 'newest' }] : []);
      }
    }

    // 3 and 4 together. Per (place, digest) found: its platforms when it is an index (a single manifest's are in its config, not read).
    const manifests: { place: ImagePlace; digest: string }[] = [];
    for (const place of places) {
      const key = placeKey(place.registry, place.repository);
      const read = facts.images.get(key);
      if (read?.status !== 'read') continue;
      for (const { reference } of facts.checked.get(key) ?? []) {
        const image = findImage(read.images, reference);
        if (!image) continue;
        if (image.status !== undefined && image.status !== 'ACTIVE') continue;
        if (image.manifestMediaType !== undefined && !isIndex(image.manifestMediaType)) {
          facts.platforms.set(image.digest, { kind: 'single' });
          continue;
        }
        manifests.push({ place, digest: image.digest });
      }
    }
    const platformReads = mapPool(
      unique(manifests, ({ digest }) => digest),
      limit,
      async ({ place, digest }) => {
        const platforms = await readPlatforms(await input.clients.ecr(place.registry), place.registry.registryId, place.repository, digest, input.who);
        facts.platforms.set(digest, platforms);
      },
    );

    // Per pinned digest at a source that a replica pulls: one replication status (every destination in one answer).
    const pinned: { source: Registry; repository: string; digest: string }[] = [];
    for (const place of input.places) {
      if (!place.source) continue;
      const sourceKey = placeKey(place.source, place.repository);
      const read = facts.images.get(sourceKey);
      for (const { reference } of facts.checked.get(sourceKey) ?? []) {
        const digest = 'digest' in reference ? reference.digest : read?.status === 'read' ? findImage(read.images, reference)?.digest : undefined;
        if (digest) pinned.push({ source: place.source, repository: place.repository, digest });
      }
    }
    const replicationReads = mapPool(
      unique(pinned, ({ source, repository, digest }) => digestKey(source, repository, digest)),
      limit,
      async ({ source, repository, digest }) => {
        const statuses = await readReplicationStatuses(await input.clients.ecr(source), source.registryId, repository, digest, input.who);
        facts.replication.set(digestKey(source, repository, digest), statuses);
      },
    );

    await Promise.all([platformReads, replicationReads]);
  };

  // Chain B, beside chain A: the encryption of the places' repositories (one DescribeRepositories per registry
  // and 100 names, unless the caller read it already), then per key its state and ECR's grant.
  const keyChain = async (): Promise<void> => {
    if (input.encryption) for (const [key, value] of input.encryption) facts.encryption.set(key, value);
    else {
      const byRegistry = new Map<string, { registry: Registry; repositories: string[] }>();
      for (const place of places) {
        const entry = byRegistry.get(registryKey(place.registry)) ?? { registry: place.registry, repositories: [] };
        entry.repositories.push(place.repository);
        byRegistry.set(registryKey(place.registry), entry);
      }
      await mapPool([...byRegistry.values()], limit, async ({ registry, repositories }) => {
        const found = await readEncryption(await input.clients.ecr(registry), registry.registryId, repositories, input.who);
        for (const repository of repositories) facts.encryption.set(placeKey(registry, repository), found.get(repository));
      });
    }
    const keys = unique(
      places.flatMap((place) => {
        const encryption = facts.encryption.get(placeKey(place.registry, place.repository));
        return encryption?.encryption === 'KMS' ? [{ registry: place.registry, keyArn: encryption.keyArn }] : [];
      }),
      ({ keyArn }) => keyArn,
    );
    await mapPool(keys, limit, async ({ registry, keyArn }) => {
      facts.keys.set(keyArn, await readKey(await input.clients.kms(registry), keyArn, input.who));
    });
  };

  await Promise.all([imageChain(), keyChain()]);
  return facts;
}

/** The source's replication record for one destination, from the status read of the digest. */
function recordFor(read: ReplicationStatusesRead | undefined, destination: Registry): ReplicationRecord {
  if (!read) return { status: 'unread', reason: 'the replication status was not read (the source does not hold the digest a tag names)' };
  if (read.status === 'unread') return read;
  if (read.status === 'no-image') return { status: 'read' };
  const entry = read.statuses.find((status) => status.region === destination.region && status.registryId === destination.registryId);
  return { status: 'read', ...(entry ? { entry: { status: entry.status, ...(entry.failureCode ? { failureCode: entry.failureCode } : {}) } } : {}) };
}

/**
 * The key a cell's pull decrypts with. Neither the encryption nor a KMS key not read is taken for "no
 * key": a repository DescribeRepositories did not list (or was denied) is unread, naming the read.
 */
function keyFactsOf(facts: ImageFacts, place: ImagePlace): KeyFacts {
  const encryption = facts.encryption.get(placeKey(place.registry, place.repository));
  if (!encryption)
    return {
      encryption: 'unread',
      permission: 'ecr:DescribeRepositories',
      reason: `ecr:DescribeRepositories did not list ${quoted(place.repository)} in registry ${place.registry.registryId} (${place.registry.region}), so its encryption (and KMS key) is not known`,
    };
  if (encryption.encryption !== 'KMS') return encryption;
  return (
    facts.keys.get(encryption.keyArn) ?? {
      encryption: 'KMS',
      keyArn: encryption.keyArn,
      key: { status: 'unread', reason: 'the key was not read' },
      grants: { status: 'read', grants: [] },
    }
  );
}

/**
 * One cell's share of the facts, as domain/image `judgeImageCell` takes it: the place it pulls from,
 * one reference, the puller's platforms. A replica's digest is the one the source's reference names.
 */
export function cellImageFacts(
  facts: ImageFacts,
  place: ImagePlace,
  checked: CheckedImage,
  platforms: PlatformChoice,
  repositoryArn: string,
  now: number,
): ImageCellFacts {
  const key = placeKey(place.registry, place.repository);
  const images = facts.images.get(key) ?? { status: 'unread', reason: 'the images were not read' };
  let reference = checked.reference;
  let replication: ReplicationRecord | undefined;
  if (place.source) {
    const source = facts.images.get(placeKey(place.source, place.repository));
    const digest = 'digest' in reference ? reference.digest : source?.status === 'read' ? findImage(source.images, reference)?.digest : undefined;
    if (digest) reference = { digest };
    replication = digest
      ? recordFor(facts.replication.get(digestKey(place.source, place.repository, digest)), place.registry)
      : recordFor(undefined, place.registry);
  }
  const found = images.status === 'read' ? findImage(images.images, reference) : undefined;
  const keyFacts = keyFactsOf(facts, place);
  const lifecycle = facts.lifecycle.get(key) ?? { status: 'none' as const };
  return {
    reference,
    images,
    ...(replication ? { replication } : {}),
    ...(found ? { platform: facts.platforms.get(found.digest) } : {}),
    platforms,
    key: keyFacts,
    lifecycle,
    repositoryArn,
    now,
  };
}
