import { CreateRoleCommand, GetRolePolicyCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { GetRepositoryPolicyCommand, SetRepositoryPolicyCommand } from '@aws-sdk/client-ecr';
import { ecrIn, iamIn } from './aws.js';
import { PROD_ACCOUNT, REGION, STAGING_ACCOUNT } from './engine.js';

export const STAGING_ROLE = 'MoleculeTenantEICRole-staging';
export const STAGING_ROLE_ARN = `arn:aws:iam::${STAGING_ACCOUNT}:role/${STAGING_ROLE}`;
export const ALLOWLIST_POLICY = 'WorkspaceTemplatePrimaryECRPull';
export const READER_ROLE_ARN = `arn:aws:iam::${STAGING_ACCOUNT}:role/PublishImageStagingReader`;
export const PULL_ACTIONS = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'];

export const repoArn = (name: string): string => `arn:aws:ecr:${REGION}:${PROD_ACCOUNT}:repository/${name}`;

/** The staging allowlist as it stood in incident #3054. */
export const INCIDENT_ALLOWLIST = ['claude-code', 'codex', 'hermes', 'openclaw', 'autogen', 'langgraph'].map(
  (name) => `molecule-ai/workspace-template-${name}`,
);

export function allowlistPolicy(repositories: string[], extraStatements: object[] = []): object {
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'EcrLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
      { Sid: 'PullWorkspaceTemplates', Effect: 'Allow', Action: PULL_ACTIONS, Resource: repositories.map(repoArn) },
      ...extraStatements,
    ],
  };
}

const trustAnyone = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }] });

/** Staging: the pulling role with its inline allowlist, and a read-only role the action assumes. */
export async function seedStaging(endpoint: string, policy: object | undefined): Promise<void> {
  const iam = iamIn(endpoint, STAGING_ACCOUNT);
  await iam.send(new CreateRoleCommand({ RoleName: STAGING_ROLE, AssumeRolePolicyDocument: trustAnyone }));
  await iam.send(new CreateRoleCommand({ RoleName: 'PublishImageStagingReader', AssumeRolePolicyDocument: trustAnyone }));
  if (policy) await putAllowlist(endpoint, policy);
}

export async function putAllowlist(endpoint: string, policy: object): Promise<void> {
  await iamIn(endpoint, STAGING_ACCOUNT).send(
    new PutRolePolicyCommand({ RoleName: STAGING_ROLE, PolicyName: ALLOWLIST_POLICY, PolicyDocument: JSON.stringify(policy) }),
  );
}

export async function storedAllowlist(endpoint: string): Promise<unknown> {
  const { PolicyDocument } = await iamIn(endpoint, STAGING_ACCOUNT).send(new GetRolePolicyCommand({ RoleName: STAGING_ROLE, PolicyName: ALLOWLIST_POLICY }));
  const text = PolicyDocument ?? '';
  return JSON.parse(text.startsWith('{') ? text : decodeURIComponent(text));
}

export async function setRepositoryPolicy(endpoint: string, repository: string, policy: object | string): Promise<void> {
  await ecrIn(endpoint, PROD_ACCOUNT).send(
    new SetRepositoryPolicyCommand({ repositoryName: repository, policyText: typeof policy === 'string' ? policy : JSON.stringify(policy) }),
  );
}

/** The repository policy as stored, or undefined when there is none. */
export async function storedRepositoryPolicy(endpoint: string, repository: string): Promise<unknown> {
  try {
    const { policyText } = await ecrIn(endpoint, PROD_ACCOUNT).send(new GetRepositoryPolicyCommand({ repositoryName: repository }));
    return policyText ? JSON.parse(policyText) : undefined;
  } catch (error) {
    if ((error as Error).name === 'RepositoryPolicyNotFoundException') return undefined;
    throw error;
  }
}

export function crossAccountGrant(principals: string[] = [`arn:aws:iam::${STAGING_ACCOUNT}:root`], sid = 'CrossAccountPull'): object {
  return { Sid: sid, Effect: 'Allow', Principal: { AWS: principals }, Action: PULL_ACTIONS };
}
