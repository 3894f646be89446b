import {
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DescribeRepositoriesCommand,
  GetAuthorizationTokenCommand,
  type ECRClient,
} from '@aws-sdk/client-ecr';
import { UserError } from '../errors.js';
import { awsCall, describeAwsError, isAwsError } from './errors.js';

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
  immutableTags: boolean;
}

export async function describeRepository(ecr: ECRClient, registryId: string, name: string): Promise<RepositoryInfo | undefined> {
  try {
    const response = await ecr.send(new DescribeRepositoriesCommand({ registryId, repositoryNames: [name] }));
    const repository = response.repositories?.[0];
    if (!repository?.repositoryArn || !repository.repositoryUri) return undefined;
    return {
      arn: repository.repositoryArn,
      uri: repository.repositoryUri,
      immutableTags: (repository.imageTagMutability ?? 'MUTABLE').startsWith('IMMUTABLE'),
    };
  } catch (error) {
    if (isAwsError(error, 'RepositoryNotFoundException')) return undefined;
    throw describeAwsError(error, 'ecr:DescribeRepositories');
  }
}

export async function createRepository(
  ecr: ECRClient,
  registryId: string,
  name: string,
  settings: { immutableTags: boolean; scanOnPush: boolean },
): Promise<RepositoryInfo> {
  const response = await awsCall('ecr:CreateRepository', () =>
    ecr.send(
      new CreateRepositoryCommand({
        registryId,
        repositoryName: name,
        imageTagMutability: settings.immutableTags ? 'IMMUTABLE' : 'MUTABLE',
        imageScanningConfiguration: { scanOnPush: settings.scanOnPush },
      }),
    ),
  );
  const repository = response.repository;
  if (!repository?.repositoryArn || !repository.repositoryUri) throw new UserError(`ecr:CreateRepository returned no repository for ${name}.`);
  return { arn: repository.repositoryArn, uri: repository.repositoryUri, immutableTags: settings.immutableTags };
}

/** Which of `tags` already exist in the repository (to refuse an immutable overwrite before building). */
export async function existingTags(ecr: ECRClient, registryId: string, repository: string, tags: string[]): Promise<string[]> {
  if (tags.length === 0) return [];
  const response = await awsCall('ecr:BatchGetImage', () =>
    ecr.send(
      new BatchGetImageCommand({
        registryId,
        repositoryName: repository,
        imageIds: tags.map((imageTag) => ({ imageTag })),
        acceptedMediaTypes: ['application/vnd.docker.distribution.manifest.v2+json', 'application/vnd.oci.image.manifest.v1+json'],
      }),
    ),
  );
  return (response.images ?? []).map((image) => image.imageId?.imageTag).filter((tag): tag is string => Boolean(tag));
}
