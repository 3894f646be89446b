// Small in-memory ECR and IAM for the unit tests of the services' orchestration (publish, grant,
// allowlist, reconcile's apply and undo): SDK-level fakes (aws-sdk-client-mock) that keep what is
// written, so a read after a write sees it, and that fail the calls a test names. The integration
// and e2e tests keep the real parts (moto, dockerd); these only check the order and the outcome of
// the calls the services make.
import {
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DeleteRepositoryPolicyCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetRepositoryPolicyCommand,
  SetRepositoryPolicyCommand,
} from '@aws-sdk/client-ecr';
import { DeleteRolePolicyCommand, GetRolePolicyCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';

const credentials = { accessKeyId: 'k', secretAccessKey: 's' };

export const REGISTRY_ID = '153263036946';
export const REGION = 'us-east-2';

/** An AWS error as the SDK throws it (name = the error code). */
export function awsError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: name === 'AccessDeniedException' ? 403 : 400 } });
}

/** Which call fails: the command's name and, optionally, only for one repository or policy, only from the nth such call on. */
export interface Failure {
  command: string;
  error: Error;
  /** Fail only calls about this repository (ECR) or role policy (IAM). */
  about?: string;
  /** Fail from this call on (1: the first); earlier ones succeed. */
  from?: number;
  /** Fail this many calls (from `from`), then succeed; unset: every one. */
  times?: number;
  /** The call lands before it fails (the answer is lost): the write is kept. */
  landed?: boolean;
}

interface Recorded {
  command: string;
  input: Record<string, unknown>;
}

function failureFor(failures: Failure[], counts: Map<string, number>, command: string, about: string): Failure | undefined {
  const key = `${command}\u0000${about}`;
  const count = (counts.get(key) ?? 0) + 1;
  counts.set(key, count);
  return failures.find(
    (failure) =>
      failure.command === command &&
      (failure.about === undefined || failure.about === about) &&
      count >= (failure.from ?? 1) &&
      (failure.times === undefined || count < (failure.from ?? 1) + failure.times),
  );
}

export interface FakeRepository {
  mutability?: string;
  filters?: string[];
  /** tag → digest */
  images?: Record<string, string>;
  policy?: unknown;
}

/** An ECR registry: repositories, their images by tag, their policies. */
export function fakeEcr(repositories: Record<string, FakeRepository> = {}, failures: Failure[] = []) {
  const client = new ECRClient({ region: REGION, credentials });
  const mock = mockClient(client);
  const calls: Recorded[] = [];
  const counts = new Map<string, number>();
  const repos = new Map(Object.entries(repositories).map(([name, repository]) => [name, { ...repository, images: { ...repository.images } }]));
  const policies = new Map<string, string>(
    Object.entries(repositories).flatMap(([name, repository]) => (repository.policy ? [[name, JSON.stringify(repository.policy)] as [string, string]] : [])),
  );
  const arn = (name: string) => `arn:aws:ecr:${REGION}:${REGISTRY_ID}:repository/${name}`;
  const described = (name: string) => {
    const repository: FakeRepository = repos.get(name) ?? {};
    return {
      repositoryArn: arn(name),
      repositoryUri: `${REGISTRY_ID}.dkr.ecr.${REGION}.amazonaws.com/${name}`,
      imageTagMutability: (repository.mutability ?? 'MUTABLE') as 'MUTABLE',
      imageTagMutabilityExclusionFilters: (repository.filters ?? []).map((filter) => ({ filterType: 'WILDCARD' as const, filter })),
    };
  };
  /** Runs a call: recorded, then failed when a test says so (after landing, when `landed`). */
  const call = async <T>(command: string, input: Record<string, unknown>, about: string, run: () => T): Promise<T> => {
    calls.push({ command, input });
    const failure = failureFor(failures, counts, command, about);
    if (failure && !failure.landed) throw failure.error;
    const result = run();
    if (failure) throw failure.error;
    return result;
  };
  mock.on(DescribeRepositoriesCommand).callsFake((input) =>
    call('DescribeRepositories', input, input.repositoryNames[0], () => {
      const name = input.repositoryNames[0];
      if (!repos.has(name)) throw awsError('RepositoryNotFoundException');
      return { repositories: [described(name)] };
    }),
  );
  mock.on(CreateRepositoryCommand).callsFake((input) =>
    call('CreateRepository', input, input.repositoryName, () => {
      repos.set(input.repositoryName, { mutability: input.imageTagMutability, filters: [], images: {} });
      return { repository: described(input.repositoryName) };
    }),
  );
  mock.on(BatchGetImageCommand).callsFake((input) =>
    call('BatchGetImage', input, input.repositoryName, () => {
      const images = repos.get(input.repositoryName)?.images ?? {};
      const found = (input.imageIds as { imageTag: string }[]).filter(({ imageTag }) => images[imageTag]);
      return { images: found.map(({ imageTag }) => ({ imageId: { imageTag, imageDigest: images[imageTag] } })) };
    }),
  );
  mock.on(GetRepositoryPolicyCommand).callsFake((input) =>
    call('GetRepositoryPolicy', input, input.repositoryName, () => {
      if (!repos.has(input.repositoryName)) throw awsError('RepositoryNotFoundException');
      const policyText = policies.get(input.repositoryName);
      if (policyText === undefined) throw awsError('RepositoryPolicyNotFoundException');
      return { policyText };
    }),
  );
  mock.on(SetRepositoryPolicyCommand).callsFake((input) =>
    call('SetRepositoryPolicy', input, input.repositoryName, () => {
      policies.set(input.repositoryName, input.policyText);
      return {};
    }),
  );
  mock.on(DeleteRepositoryPolicyCommand).callsFake((input) =>
    call('DeleteRepositoryPolicy', input, input.repositoryName, () => {
      policies.delete(input.repositoryName);
      return {};
    }),
  );
  return {
    client,
    calls,
    arn,
    /** The stored policy, parsed (undefined: none). */
    policy: (name: string): { Statement: { Sid?: string; Principal?: unknown; Action?: unknown }[] } | undefined =>
      policies.has(name) ? JSON.parse(policies.get(name) as string) : undefined,
    writes: () => calls.filter(({ command }) => /^(Set|Delete|Create)/.test(command)),
  };
}

/** One account's IAM: inline policies by role and name. */
export function fakeIam(inline: Record<string, Record<string, unknown>> = {}, failures: Failure[] = []) {
  const client = new IAMClient({ region: 'us-east-1', credentials });
  const mock = mockClient(client);
  const calls: Recorded[] = [];
  const counts = new Map<string, number>();
  const policies = new Map<string, string>(
    Object.entries(inline).flatMap(([role, byName]) =>
      Object.entries(byName).map(([name, document]) => [`${role}/${name}`, JSON.stringify(document)] as [string, string]),
    ),
  );
  const call = async <T>(command: string, input: Record<string, unknown>, about: string, run: () => T): Promise<T> => {
    calls.push({ command, input });
    const failure = failureFor(failures, counts, command, about);
    if (failure && !failure.landed) throw failure.error;
    const result = run();
    if (failure) throw failure.error;
    return result;
  };
  mock.on(GetRolePolicyCommand).callsFake((input) =>
    call('GetRolePolicy', input, input.PolicyName, () => {
      const document = policies.get(`${input.RoleName}/${input.PolicyName}`);
      if (document === undefined) throw awsError('NoSuchEntity');
      return { RoleName: input.RoleName, PolicyName: input.PolicyName, PolicyDocument: encodeURIComponent(document) };
    }),
  );
  mock.on(PutRolePolicyCommand).callsFake((input) =>
    call('PutRolePolicy', input, input.PolicyName, () => {
      policies.set(`${input.RoleName}/${input.PolicyName}`, input.PolicyDocument);
      return {};
    }),
  );
  mock.on(DeleteRolePolicyCommand).callsFake((input) =>
    call('DeleteRolePolicy', input, input.PolicyName, () => {
      policies.delete(`${input.RoleName}/${input.PolicyName}`);
      return {};
    }),
  );
  return {
    client,
    calls,
    policy: (role: string, name: string): { Statement: { Sid?: string; Resource?: unknown; Action?: unknown }[] } | undefined => {
      const document = policies.get(`${role}/${name}`);
      return document === undefined ? undefined : JSON.parse(document);
    },
    writes: () => calls.filter(({ command }) => /^(Put|Delete)/.test(command)),
  };
}
