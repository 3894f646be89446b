import {
  BatchGetImageCommand,
  DescribeImageReplicationStatusCommand,
  DescribeRepositoriesCommand,
  GetLifecyclePolicyCommand,
  paginateDescribeImages,
  type ECRClient,
  type ImageDetail,
} from '@aws-sdk/client-ecr';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { EncryptionRead, ImagesRead, LifecycleRead, ReplicationStatusesRead } from '../../domain/image/facts.js';
import type { KeyFacts, KeyGrant } from '../../domain/image/key.js';
import { parseLifecyclePolicy } from '../../domain/image/lifecycle.js';
import type { IndexEntry, PlatformFacts } from '../../domain/image/platform.js';
import { INDEX_MEDIA_TYPES, isIndex, type ImageRecord } from '../../domain/image/status.js';
import { inert, quoted } from '../../util/inert.js';
import { kmsSdk } from './clients.js';
import { describeAwsError, isAwsError } from './errors.js';

/**
 * The reads of the image layer (issue 26), each one call or one paginated listing, returning plain
 * data the pure judges of domain/image take. A denial is a typed `unread` naming the permission (the
 * verdict is then conditional); "does not exist" is a fact; any other failure is an error naming the
 * permission. `who` says which credentials read (it is printed).
 */

/** A denial: the error's name says so, or the status is 403 (an emulator may answer with a body the SDK cannot parse). */
function isDenied(error: unknown): boolean {
  return (
    isAwsError(error, 'AccessDenied', 'AccessDeniedException') || (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 403
  );
}

function denied(error: unknown, permission: string, who: string, what: string): string {
  const code = inert((error as { name?: string })?.name ?? 'Error', 80);
  return `${permission} was denied for ${who} (${code}), so ${what} could not be read; allow ${permission} on that identity to read it.`;
}

const iso = (date: Date | undefined): string | undefined => (date instanceof Date && !Number.isNaN(date.getTime()) ? date.toISOString() : undefined);

function recordOf(detail: ImageDetail): ImageRecord | undefined {
  if (!detail.imageDigest) return undefined;
  const record: ImageRecord = { digest: detail.imageDigest, tags: [...(detail.imageTags ?? [])] };
  if (detail.imageStatus) record.status = detail.imageStatus;
  const times: [keyof ImageRecord, Date | undefined][] = [
    ['pushedAt', detail.imagePushedAt],
    ['lastPulledAt', detail.lastRecordedPullTime],
    ['lastArchivedAt', detail.lastArchivedAt],
    ['lastActivatedAt', detail.lastActivatedAt],
  ];
  for (const [field, value] of times) {
    const text = iso(value);
    if (text) (record as unknown as Record<string, string>)[field] = text;
  }
  if (detail.imageManifestMediaType) record.manifestMediaType = detail.imageManifestMediaType;
  if (detail.artifactMediaType) record.artifactMediaType = detail.artifactMediaType;
  return record;
}

/**
 * Every image of a repository, every status: ecr:DescribeImages with `filter.imageStatus = ANY` (without
 * it ECR answers only ACTIVE images and an archived digest looks absent: "DescribeImagesFilter"), every
 * page. One call per page for the whole repository, shared by every cell and reference that pulls from it.
 */
export async function readImages(ecr: ECRClient, registryId: string, repository: string, who: string): Promise<ImagesRead> {
  const images: ImageRecord[] = [];
  try {
    for await (const page of paginateDescribeImages({ client: ecr }, { registryId, repositoryName: repository, filter: { imageStatus: 'ANY' } })) {
      for (const detail of page?.imageDetails ?? []) {
        const record = recordOf(detail);
        if (record) images.push(record);
      }
    }
    return { status: 'read', images };
  } catch (error) {
    if (isAwsError(error, 'RepositoryNotFoundException')) return { status: 'no-repository' };
    if (isDenied(error)) return { status: 'unread', reason: denied(error, 'ecr:DescribeImages', who, `the images of ${quoted(repository)}`) };
    throw describeAwsError(error, 'ecr:DescribeImages', who);
  }
}

/** The manifest types BatchGetImage may answer with: every index and image manifest type, so that ECR never converts or refuses. */
const ACCEPTED_MEDIA_TYPES = [
  ...INDEX_MEDIA_TYPES,
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
  'application/vnd.docker.distribution.manifest.v1+json',
];

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** An index's entries with their platforms (entries without a usable platform are kept without one). */
function entriesOf(manifest: Record<string, unknown>): IndexEntry[] {
  const entries: IndexEntry[] = [];
  for (const item of Array.isArray(manifest.manifests) ? manifest.manifests : []) {
    if (!isObject(item) || typeof item.digest !== 'string') continue;
    const platform = isObject(item.platform) ? item.platform : undefined;
    const usable = platform && typeof platform.os === 'string' && typeof platform.architecture === 'string';
    entries.push({
      digest: item.digest,
      ...(usable
        ? {
            platform: {
              os: platform.os as string,
              architecture: platform.architecture as string,
              ...(typeof platform.variant === 'string' ? { variant: platform.variant } : {}),
            },
          }
        : {}),
    });
  }
  return entries;
}

/**
 * The platforms of an image: ecr:BatchGetImage of its digest with acceptedMediaTypes naming the index
 * types ("BatchGetImage": acceptedMediaTypes), read once per digest. An index gives its entries'
 * platforms; a single manifest gives none (its platform is in its config blob, not read here). A
 * failure (ImageNotFound: not ACTIVE; KmsError: the key refused) or a denial leaves the platforms unread.
 */
export async function readPlatforms(ecr: ECRClient, registryId: string, repository: string, digest: string, who: string): Promise<PlatformFacts> {
  try {
    const response = await ecr.send(
      new BatchGetImageCommand({ registryId, repositoryName: repository, imageIds: [{ imageDigest: digest }], acceptedMediaTypes: ACCEPTED_MEDIA_TYPES }),
    );
    const image = response.images?.[0];
    if (!image?.imageManifest) {
      const failure = response.failures?.[0];
      const code = inert(failure?.failureCode ?? 'no manifest', 60);
      return { kind: 'unread', permission: 'ecr:BatchGetImage', reason: `ecr:BatchGetImage of ${inert(digest, 80)} in ${quoted(repository)} answered ${code}` };
    }
    let manifest: unknown;
    try {
      manifest = JSON.parse(image.imageManifest);
    } catch {
      return { kind: 'unread', permission: 'ecr:BatchGetImage', reason: `the manifest of ${inert(digest, 80)} in ${quoted(repository)} is not JSON` };
    }
    if (!isObject(manifest)) return { kind: 'unread', permission: 'ecr:BatchGetImage', reason: `the manifest of ${inert(digest, 80)} is not an object` };
    const mediaType = image.imageManifestMediaType ?? (typeof manifest.mediaType === 'string' ? manifest.mediaType : undefined);
    // An OCI index may omit mediaType; its `manifests` list says what it is.
    if (isIndex(mediaType) || (mediaType === undefined && Array.isArray(manifest.manifests))) return { kind: 'index', entries: entriesOf(manifest) };
    return { kind: 'single' };
  } catch (error) {
    if (isDenied(error))
      return { kind: 'unread', permission: 'ecr:BatchGetImage', reason: denied(error, 'ecr:BatchGetImage', who, `the manifest of ${quoted(repository)}`) };
    throw describeAwsError(error, 'ecr:BatchGetImage', who);
  }
}

/**
 * Where a digest pushed to the source has been replicated: ecr:DescribeImageReplicationStatus, one call
 * per pushed digest (every destination in one answer). No record for a destination is a fact ("not
 * replicated"), kept apart from a denial.
 */
export async function readReplicationStatuses(
  ecr: ECRClient,
  registryId: string,
  repository: string,
  digest: string,
  who: string,
): Promise<ReplicationStatusesRead> {
  try {
    const response = await ecr.send(new DescribeImageReplicationStatusCommand({ registryId, repositoryName: repository, imageId: { imageDigest: digest } }));
    const statuses: { region: string; registryId: string; status: string; failureCode?: string }[] = [];
    for (const entry of response.replicationStatuses ?? []) {
      if (!entry.region || !entry.registryId || !entry.status) continue;
      statuses.push({
        region: entry.region,
        registryId: entry.registryId,
        status: entry.status,
        ...(entry.failureCode ? { failureCode: inert(entry.failureCode, 80) } : {}),
      });
    }
    return { status: 'read', statuses };
  } catch (error) {
    if (isAwsError(error, 'ImageNotFoundException', 'RepositoryNotFoundException')) return { status: 'no-image' };
    if (isDenied(error)) {
      return { status: 'unread', reason: denied(error, 'ecr:DescribeImageReplicationStatus', who, `the replication status of ${inert(digest, 80)}`) };
    }
    throw describeAwsError(error, 'ecr:DescribeImageReplicationStatus', who);
  }
}

/**
 * A repository's lifecycle rules: ecr:GetLifecyclePolicy, one call per repository. None set: `none`. A
 * policy this action cannot read (ECR validated it, so a newer format) is unread with its reason.
 */
export async function readLifecycle(ecr: ECRClient, registryId: string, repository: string, who: string): Promise<LifecycleRead> {
  const permission = 'ecr:GetLifecyclePolicy';
  try {
    const response = await ecr.send(new GetLifecyclePolicyCommand({ registryId, repositoryName: repository }));
    if (!response?.lifecyclePolicyText) return { status: 'none' };
    const read = parseLifecyclePolicy(response.lifecyclePolicyText);
    return read.status === 'read' ? read : { status: 'unread', permission, reason: `${read.reason} (${quoted(repository)})` };
  } catch (error) {
    if (isAwsError(error, 'LifecyclePolicyNotFoundException', 'RepositoryNotFoundException')) return { status: 'none' };
    if (isDenied(error)) return { status: 'unread', permission, reason: denied(error, permission, who, `the lifecycle policy of ${quoted(repository)}`) };
    throw describeAwsError(error, permission, who);
  }
}

/**
 * A repository's encryption as DescribeRepositories / CreateRepository answer it (`encryptionConfiguration`:
 * AES256, or KMS / KMS_DSSE with `kmsKey`); undefined when the answer holds none.
 */
export function encryptionOf(config: { encryptionType?: string; kmsKey?: string } | undefined): EncryptionRead | undefined {
  if (!config?.encryptionType) return undefined;
  return config.encryptionType.startsWith('KMS') && config.kmsKey ? { encryption: 'KMS', keyArn: config.kmsKey } : { encryption: 'AES256' };
}

/**
 * The encryption of repositories (ecr:DescribeRepositories, up to 100 names a call). A repository not
 * in the answer is left out (the caller says it was not read: never AES256 by default); a denial is
 * `unread` for each name asked, naming the permission. The caller may take this from a
 * DescribeRepositories it already makes; this is for a run that has not.
 */
export async function readEncryption(ecr: ECRClient, registryId: string, repositories: readonly string[], who: string): Promise<Map<string, EncryptionRead>> {
  const found = new Map<string, EncryptionRead>();
  for (let start = 0; start < repositories.length; start += 100) {
    const names = repositories.slice(start, start + 100);
    try {
      const response = await ecr.send(new DescribeRepositoriesCommand({ registryId, repositoryNames: names }));
      for (const repository of response?.repositories ?? []) {
        if (!repository.repositoryName) continue;
        found.set(repository.repositoryName, encryptionOf(repository.encryptionConfiguration) ?? { encryption: 'AES256' });
      }
    } catch (error) {
      // One missing name fails the whole call: ask one by one, so that the others are still read.
      if (isAwsError(error, 'RepositoryNotFoundException') && names.length > 1) {
        for (const name of names) for (const [key, value] of await readEncryption(ecr, registryId, [name], who)) found.set(key, value);
        continue;
      }
      if (isAwsError(error, 'RepositoryNotFoundException')) continue;
      if (isDenied(error)) {
        const permission = 'ecr:DescribeRepositories';
        for (const name of names)
          found.set(name, { encryption: 'unread', permission, reason: denied(error, permission, who, `the encryption of ${quoted(name)}`) });
        continue;
      }
      throw describeAwsError(error, 'ecr:DescribeRepositories', who);
    }
  }
  return found;
}

/**
 * A KMS key as the image layer judges it: kms:DescribeKey (KeyState, KeyManager), and for a customer
 * managed key kms:ListGrants (every page) to find ECR's grant. One read per key, shared by every
 * repository encrypted with it. A denial of either is unread, naming the permission.
 */
export async function readKey(kms: KMSClient, keyArn: string, who: string): Promise<Extract<KeyFacts, { encryption: 'KMS' }>> {
  const { DescribeKeyCommand, paginateListGrants } = await kmsSdk();
  let key: Extract<KeyFacts, { encryption: 'KMS' }>['key'];
  try {
    const metadata = (await kms.send(new DescribeKeyCommand({ KeyId: keyArn }))).KeyMetadata;
    key = { status: 'read', keyState: inert(metadata?.KeyState ?? 'unknown', 40), ...(metadata?.KeyManager ? { keyManager: metadata.KeyManager } : {}) };
  } catch (error) {
    if (isDenied(error))
      return {
        encryption: 'KMS',
        keyArn,
        key: { status: 'unread', reason: denied(error, 'kms:DescribeKey', who, `the key ${inert(keyArn, 120)}`) },
        grants: { status: 'read', grants: [] },
      };
    if (isAwsError(error, 'NotFoundException'))
      return { encryption: 'KMS', keyArn, key: { status: 'read', keyState: 'Deleted' }, grants: { status: 'read', grants: [] } };
    throw describeAwsError(error, 'kms:DescribeKey', who);
  }
  if (key.keyManager === 'AWS' || key.keyState !== 'Enabled') return { encryption: 'KMS', keyArn, key, grants: { status: 'read', grants: [] } };
  const grants: KeyGrant[] = [];
  try {
    for await (const page of paginateListGrants({ client: kms }, { KeyId: keyArn })) {
      for (const grant of page.Grants ?? []) {
        grants.push({
          ...(grant.GranteePrincipal ? { granteePrincipal: grant.GranteePrincipal } : {}),
          operations: [...(grant.Operations ?? [])],
          encryptionContext: { ...(grant.Constraints?.EncryptionContextSubset ?? {}), ...(grant.Constraints?.EncryptionContextEquals ?? {}) },
        });
      }
    }
    return { encryption: 'KMS', keyArn, key, grants: { status: 'read', grants } };
  } catch (error) {
    if (isDenied(error))
      return {
        encryption: 'KMS',
        keyArn,
        key,
        grants: { status: 'unread', reason: denied(error, 'kms:ListGrants', who, `the grants of ${inert(keyArn, 120)}`) },
      };
    throw describeAwsError(error, 'kms:ListGrants', who);
  }
}
