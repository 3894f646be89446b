import { judgeImageCell, worseImage, type ImageCellFacts } from './judge.js';
import type { KeyFacts } from './key.js';
import type { LifecycleRule } from './lifecycle.js';
import type { PlatformFacts } from './platform.js';
import type { ReplicationRecord } from './replica.js';
import type { ImageFinding } from './result.js';
import { findImage, type ImageRecord, type ImageReference } from './status.js';
import { accountOf, regionOf } from '../arn.js';
import type { RepositoryVerdict } from '../checks/model.js';
import { withImage } from '../checks/verdict.js';
import type { PlatformChoice } from '../pullers.js';
import type { Registry } from '../replication.js';
import { quoted } from '../../util/inert.js';

/**
 * The image layer's facts (issue 26) as plain data, and the judgement of every cell from them: what
 * services/images reads (shared across cells) comes in, each cell's image finding goes out. Pure.
 */

/** What one read of the image layer found (adapters/aws/images reads them): a denial is `unread`, naming the permission. */
export type ImagesRead = { status: 'read'; images: ImageRecord[] } | { status: 'no-repository' } | { status: 'unread'; reason: string };
export type ReplicationStatusesRead =
  | { status: 'read'; statuses: { region: string; registryId: string; status: string; failureCode?: string }[] }
  | { status: 'no-image' }
  | { status: 'unread'; reason: string };
export type LifecycleRead = { status: 'read'; rules: LifecycleRule[] } | { status: 'none' } | { status: 'unread'; permission: string; reason: string };
export type EncryptionRead =
  { encryption: 'AES256' } | { encryption: 'KMS'; keyArn: string } | { encryption: 'unread'; permission: 'ecr:DescribeRepositories'; reason: string };

/** Where one cell pulls from; `source` when that is a replica (the registry the image is pushed to). */
export interface ImagePlace {
  registry: Registry;
  repository: string;
  source?: Registry;
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

export const registryKey = (registry: Registry): string => `${registry.registryId}/${registry.region}`;
export const placeKey = (registry: Registry, repository: string): string => `${registryKey(registry)}/${repository}`;
export const digestKey = (registry: Registry, repository: string, digest: string): string => `${placeKey(registry, repository)}@${digest}`;

/** The source's replication record for one destination, from the status read of the digest. */
function recordFor(read: ReplicationStatusesRead | undefined, destination: Registry): ReplicationRecord {
  if (!read) return { status: 'unread', reason: 'the replication status was not read (the source does not hold the digest a tag names)' };
  if (read.status === 'unread') return read;
  if (read.status === 'no-image') return { status: 'not-at-source' };
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
  // Read wherever an image judged is found (services/images); missing is never taken for "no policy".
  const lifecycle = facts.lifecycle.get(key) ?? {
    status: 'unread' as const,
    permission: 'ecr:GetLifecyclePolicy',
    reason: 'the lifecycle policy was not read',
  };
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

/** Where a cell pulls from, for the image layer: the repository itself, or a replica (with its source); none when nothing is there to pull. */
export function imagePlaceOf(verdict: RepositoryVerdict, home: Registry): ImagePlace | undefined {
  const registry = { registryId: accountOf(verdict.arn), region: regionOf(verdict.arn) };
  if (verdict.replica) return verdict.replica.kind === 'replica' ? { registry, repository: verdict.repository, source: home } : undefined;
  return verdict.exists ? { registry, repository: verdict.repository } : undefined;
}

/**
 * One cell with its image finding: each reference its repository judges (the `images` input, else the
 * newest image at the source), the worst kept. The images of the source not read and none named:
 * conditional, naming ecr:DescribeImages. A repository with no image and none named: no finding.
 */
export function judgeCellImage(verdict: RepositoryVerdict, images: ImageFacts, home: Registry, platforms: PlatformChoice, now: number): RepositoryVerdict {
  const place = imagePlaceOf(verdict, home);
  if (!place) return verdict;
  const origin = placeKey(place.source ?? place.registry, place.repository);
  const checked = images.checked.get(origin);
  if (!checked) {
    const read = images.images.get(origin);
    const reason = read?.status === 'unread' ? read.reason : 'the images of the repository were not read';
    return withImage(verdict, { status: 'conditional', unread: [{ permission: 'ecr:DescribeImages', reason }], warnings: [] }, { chosen: 'newest' });
  }
  if (checked.length === 0) return verdict;
  let finding: ImageFinding | undefined;
  let which = checked[0];
  for (const candidate of checked) {
    const judged = judgeImageCell(cellImageFacts(images, place, candidate, platforms, verdict.arn, now));
    if (!finding || worseImage(finding, judged) !== finding) [finding, which] = [judged, candidate];
  }
  const tag = 'tag' in which.reference ? which.reference.tag : undefined;
  return withImage(verdict, finding!, { chosen: which.chosen, ...(tag ? { tag } : {}) });
}
