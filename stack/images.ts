// Images as a registry holds them, put through the real SDK at moto, and the test hooks of the image
// block of moto-server.py (archive, restore, replication status): no AWS API sets what the hooks set.
import { createHash } from 'node:crypto';
import { CreateRepositoryCommand, PutImageCommand, PutLifecyclePolicyCommand, UpdateImageStorageClassCommand } from '@aws-sdk/client-ecr';
import { KMSClient } from '@aws-sdk/client-kms';
import { ecrIn } from './aws.js';

export interface ImagePlace {
  account: string;
  region: string;
  repository: string;
}

/** A KMS client for `account` (moto picks the account from this header, as ecrIn does). */
export function kmsIn(endpoint: string, account: string, region: string): KMSClient {
  const client = new KMSClient({ region, endpoint, credentials: { accessKeyId: 'setup', secretAccessKey: 'setup' } });
  client.middlewareStack.add(
    (next) => async (args) => {
      (args.request as { headers: Record<string, string> }).headers['x-moto-account-id'] = account;
      return next(args);
    },
    { step: 'build', name: 'motoAccount' },
  );
  return client;
}

export async function createImageRepository(endpoint: string, place: ImagePlace, kmsKey?: string): Promise<void> {
  await ecrIn(endpoint, place.account, place.region).send(
    new CreateRepositoryCommand({
      repositoryName: place.repository,
      ...(kmsKey ? { encryptionConfiguration: { encryptionType: 'KMS', kmsKey } } : {}),
    }),
  );
}

const INDEX = 'application/vnd.oci.image.index.v1+json';
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

/** A single-platform image manifest (its own layer digest, so that each is a distinct image). */
export function imageManifest(seed: string): string {
  const digest = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digest(`config-${seed}`), size: 2 },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: digest(`layer-${seed}`), size: 2 }],
  });
}

/** An image index whose entries name these platforms (`os/arch[/variant]`; `unknown/unknown` as buildx's attestations). */
export function imageIndex(platforms: readonly string[]): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: INDEX,
    manifests: platforms.map((platform, index) => {
      const [os, architecture, variant] = platform.split('/');
      return {
        mediaType: MANIFEST,
        digest: `sha256:${createHash('sha256').update(`${platform}-${index}`).digest('hex')}`,
        size: 2,
        platform: { os, architecture, ...(variant ? { variant } : {}) },
      };
    }),
  });
}

/** Pushes `manifest` (as PutImage would after the layers) and returns its digest: the sha256 of the text, as a registry computes it. */
export async function putManifest(endpoint: string, place: ImagePlace, manifest: string, tag?: string): Promise<string> {
  const imageDigest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
  const mediaType = (JSON.parse(manifest) as { mediaType: string }).mediaType;
  await ecrIn(endpoint, place.account, place.region).send(
    new PutImageCommand({
      repositoryName: place.repository,
      imageManifest: manifest,
      imageManifestMediaType: mediaType,
      imageDigest,
      ...(tag ? { imageTag: tag } : {}),
    }),
  );
  return imageDigest;
}

export async function putLifecycle(endpoint: string, place: ImagePlace, policy: object): Promise<void> {
  await ecrIn(endpoint, place.account, place.region).send(
    new PutLifecyclePolicyCommand({ repositoryName: place.repository, lifecyclePolicyText: JSON.stringify(policy) }),
  );
}

/** ecr:UpdateImageStorageClass: ARCHIVE archives an active image; STANDARD starts a restore (ACTIVATING). */
export async function moveStorageClass(endpoint: string, place: ImagePlace, digest: string, target: 'ARCHIVE' | 'STANDARD'): Promise<void> {
  await ecrIn(endpoint, place.account, place.region).send(
    new UpdateImageStorageClassCommand({ repositoryName: place.repository, imageId: { imageDigest: digest }, targetStorageClass: target }),
  );
}

async function hook(endpoint: string, path: string, body: object): Promise<void> {
  const response = await fetch(`${endpoint}/moto-api/static/ecr/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`moto hook ${path} failed: ${response.status} ${await response.text()}`);
}

/** Test hook: the image's status (ACTIVE ends a restore), push time and last recorded pull (epoch seconds). */
export async function setImageState(
  endpoint: string,
  place: ImagePlace,
  digest: string,
  state: { imageStatus?: 'ACTIVE' | 'ARCHIVED' | 'ACTIVATING'; imagePushedAt?: number; lastRecordedPullTime?: number },
): Promise<void> {
  await hook(endpoint, 'image-state', { account: place.account, region: place.region, repositoryName: place.repository, imageDigest: digest, ...state });
}

/** Test hook: what DescribeImageReplicationStatus answers for the image (moto never replicates by itself). */
export async function setReplicationStatus(
  endpoint: string,
  place: ImagePlace,
  digest: string,
  statuses: { region: string; registryId: string; status: 'IN_PROGRESS' | 'COMPLETE' | 'FAILED'; failureCode?: string }[],
): Promise<void> {
  await hook(endpoint, 'replication-status', {
    account: place.account,
    region: place.region,
    repositoryName: place.repository,
    imageDigest: digest,
    replicationStatuses: statuses,
  });
}
