import {
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DescribeRepositoriesCommand,
  GetAuthorizationTokenCommand,
  type ECRClient,
  type ImageTagMutability,
} from '@aws-sdk/client-ecr';
import type { TagMutability } from '../../domain/publish-plan.js';
import { UserError } from '../../errors.js';
import { awsCall, describeAwsError, isAwsError } from './errors.js';
import type { EncryptionRead } from '../../domain/image/facts.js';
import { encryptionOf } from './images.js';

export interface RegistryAuthorization {
  registryId: string;
  /** `https://<account>.dkr.ecr.<region>.amazonaws.com` */
  registryUrl: string;
  host: string;
  username: string;
  password: string;
}

/** ECR's token is base64("AWS:<password>"); the caller masks the password before anything prints. */
export async function getRegistryAuthorization(ecr: ECRClient, registryId: string | undefined): Promise<RegistryAuthorization> {
  const response = await awsCall('ecr:GetAuthorizationToken', () =>
    ecr.send(new GetAuthorizationTokenCommand(registryId ? { registryIds: [registryId] } : {})),
  );
  const data = response.authorizationData?.[0];
  if (!data?.authorizationToken || !data.proxyEndpoint) throw new UserError('ecr:GetAuthorizationToken returned no token.');
  const decoded = Buffer.from(data.authorizationToken, 'base64').toString('utf8');
  const separator = decoded.indexOf(':');
  const host = new URL(data.proxyEndpoint).host;
  return {
    registryId: registryId ?? host.split('.')[0],
    registryUrl: data.proxyEndpoint,
    host,
    username: decoded.slice(0, separator),
    password: decoded.slice(separator + 1),
  };
}

export interface RepositoryInfo {
  arn: string;
  uri: string;
  /** True when some tag cannot be pushed again (IMMUTABLE, or a _WITH_EXCLUSION mode). */
  immutableTags: boolean;
  /** The mode and its exclusion filters: judge each tag with tagIsImmutable(). */
  mutability: TagMutability;
  /** Its encryption, as the same answer gives it (the image layer's key check needs no second read). */
  encryption?: EncryptionRead;
}

function mutabilityOf(mode: string | undefined, filters: { filter?: string; filterType?: string }[] | undefined): TagMutability {
  return {
    mode: mode ?? 'MUTABLE',
    exclusionFilters: (filters ?? [])
      .filter((filter) => (filter.filterType ?? 'WILDCARD') === 'WILDCARD' && filter.filter)
      .map((filter) => filter.filter as string),
  };
}

/** What publish knows of a repository, as DescribeRepositories or CreateRepository answered it. */
function repositoryInfo(
  arn: string,
  uri: string,
  mutability: RepositoryInfo['mutability'],
  encryptionConfiguration: Parameters<typeof encryptionOf>[0],
): RepositoryInfo {
  const encryption = encryptionOf(encryptionConfiguration);
  return { arn, uri, immutableTags: mutability.mode !== 'MUTABLE', mutability, ...(encryption ? { encryption } : {}) };
}

export async function describeRepository(ecr: ECRClient, registryId: string, name: string): Promise<RepositoryInfo | undefined> {
  try {
    const response = await ecr.send(new DescribeRepositoriesCommand({ registryId, repositoryNames: [name] }));
    const repository = response.repositories?.[0];
    if (!repository?.repositoryArn || !repository.repositoryUri) return undefined;
    return repositoryInfo(
      repository.repositoryArn,
      repository.repositoryUri,
      mutabilityOf(repository.imageTagMutability, repository.imageTagMutabilityExclusionFilters),
      repository.encryptionConfiguration,
    );
  } catch (error) {
    if (isAwsError(error, 'RepositoryNotFoundException')) return undefined;
    throw describeAwsError(error, 'ecr:DescribeRepositories');
  }
}

export async function createRepository(
  ecr: ECRClient,
  registryId: string,
  name: string,
  settings: { mutability: TagMutability; scanOnPush: boolean },
): Promise<RepositoryInfo> {
  const { mode, exclusionFilters } = settings.mutability;
  const withExclusion = mode.endsWith('_WITH_EXCLUSION') && exclusionFilters.length > 0;
  const requested = mode.endsWith('_WITH_EXCLUSION') && !withExclusion ? mode.replace('_WITH_EXCLUSION', '') : mode;
  const response = await awsCall('ecr:CreateRepository', () =>
    ecr.send(
      new CreateRepositoryCommand({
        registryId,
        repositoryName: name,
        imageTagMutability: requested as ImageTagMutability,
        ...(withExclusion ? { imageTagMutabilityExclusionFilters: exclusionFilters.map((filter) => ({ filterType: 'WILDCARD' as const, filter })) } : {}),
        imageScanningConfiguration: { scanOnPush: settings.scanOnPush },
      }),
    ),
  );
  const repository = response.repository;
  if (!repository?.repositoryArn || !repository.repositoryUri) throw new UserError(`ecr:CreateRepository returned no repository for ${name}.`);
  // What ECR stored (it answers with the repository as created); what was asked when it does not say.
  const mutability = repository.imageTagMutability
    ? mutabilityOf(repository.imageTagMutability, repository.imageTagMutabilityExclusionFilters)
    : { mode: requested, exclusionFilters: withExclusion ? exclusionFilters : [] };
  return repositoryInfo(repository.repositoryArn, repository.repositoryUri, mutability, repository.encryptionConfiguration);
}

/**
 * Which of `tags` already exist in the repository, with the digest each points to (to refuse an
 * immutable overwrite before building, or to recognise a re-run of a commit already published).
 */
export async function existingTags(ecr: ECRClient, registryId: string, repository: string, tags: string[]): Promise<Map<string, string>> {
  if (tags.length === 0) return new Map();
  // BatchGetImage takes at most 100 image IDs per call.
  if (tags.length > 100) {
    const found = new Map<string, string>();
    for (let start = 0; start < tags.length; start += 100) {
      for (const [tag, digest] of await existingTags(ecr, registryId, repository, tags.slice(start, start + 100))) found.set(tag, digest);
    }
    return found;
  }
  const response = await awsCall('ecr:BatchGetImage', () =>
    ecr.send(
      new BatchGetImageCommand({
        registryId,
        repositoryName: repository,
        imageIds: tags.map((imageTag) => ({ imageTag })),
        // Every manifest kind, so a multi-platform tag (an image index) counts as existing too.
        acceptedMediaTypes: [
          'application/vnd.docker.distribution.manifest.v2+json',
          'application/vnd.oci.image.manifest.v1+json',
          'application/vnd.docker.distribution.manifest.list.v2+json',
          'application/vnd.oci.image.index.v1+json',
        ],
      }),
    ),
  );
  return new Map(
    (response.images ?? []).flatMap((image) =>
      image.imageId?.imageTag ? [[image.imageId.imageTag, image.imageId.imageDigest ?? ''] as [string, string]] : [],
    ),
  );
}
