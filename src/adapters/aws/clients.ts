import type { ECRClient } from '@aws-sdk/client-ecr';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import type { Agent as HttpAgent } from 'node:http';
import { proxyConfigured } from '../net/proxy-env.js';

/**
 * SDK clients, created on first use: importing a client costs start-up time, and `verify` of the
 * manifest needs no ECR build path while `publish` without a staging role needs no IAM.
 * Endpoints come from the SDK's own AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE> variables.
 * Retries are the SDK's: adaptive mode unless AWS_RETRY_MODE / AWS_MAX_ATTEMPTS say otherwise.
 * HTTPS_PROXY / HTTP_PROXY / NO_PROXY (either case) are honoured by every client through the
 * `requestHandler` this adds (src/adapters/net/proxy.ts, loaded only when a proxy is set): every client
 * spreads `...(await retryConfig())`.
 */
async function retryConfig(env: NodeJS.ProcessEnv = process.env): Promise<{
  retryMode: string;
  maxAttempts: number;
  requestHandler?: { httpAgent: HttpAgent; httpsAgent: HttpAgent };
}> {
  const attempts = Number.parseInt(env.AWS_MAX_ATTEMPTS ?? '', 10);
  const agents = proxyConfigured(env) ? (await import('../net/proxy.js')).proxyAgents(env) : undefined;
  return {
    retryMode: env.AWS_RETRY_MODE || 'adaptive',
    maxAttempts: Number.isFinite(attempts) && attempts > 0 ? attempts : 5,
    ...(agents ? { requestHandler: agents } : {}),
  };
}

const USER_AGENT: [string, string][] = [['publish-image', '0.1.0']];

/**
 * The IAM, Organizations and STS modules, loaded when a call first needs them (their adapters import
 * only types statically): the first ECR read does not wait for them, and the bundle gives each its own chunk.
 */
export const iamSdk = () => import('@aws-sdk/client-iam');
export const organizationsSdk = () => import('@aws-sdk/client-organizations');
export const stsSdk = () => import('@aws-sdk/client-sts');
/** KMS (the image layer: a repository's key state and ECR's grant), loaded only when a repository uses a KMS key. */
export const kmsSdk = () => import('@aws-sdk/client-kms');

/** `maxAttempts` lowers the SDK's attempts for a read that is only a refinement (its failure is said, not fatal). */
export async function createEcrClient(region: string, options: { maxAttempts?: number; credentials?: AwsCredentialIdentityProvider } = {}): Promise<ECRClient> {
  const { ECRClient } = await import('@aws-sdk/client-ecr');
  const retries = await retryConfig();
  return new ECRClient({
    region,
    credentials: options.credentials,
    customUserAgent: USER_AGENT,
    ...retries,
    maxAttempts: Math.min(retries.maxAttempts, options.maxAttempts ?? Infinity),
  });
}

/** IAM is global; its endpoint lives in us-east-1 for the aws partition. */
export async function createIamClient(credentials?: AwsCredentialIdentityProvider): Promise<IAMClient> {
  const { IAMClient } = await iamSdk();
  return new IAMClient({ region: 'us-east-1', credentials, customUserAgent: USER_AGENT, ...(await retryConfig()) });
}

/** Organizations is global; its endpoint lives in us-east-1 for the aws partition. */
export async function createOrganizationsClient(credentials?: AwsCredentialIdentityProvider): Promise<OrganizationsClient> {
  const { OrganizationsClient } = await organizationsSdk();
  return new OrganizationsClient({ region: 'us-east-1', credentials, customUserAgent: USER_AGENT, ...(await retryConfig()) });
}

/** STS (GetCallerIdentity: which account and principal the credentials are). */
export async function createStsClient(credentials?: AwsCredentialIdentityProvider): Promise<STSClient> {
  const { STSClient } = await stsSdk();
  return new STSClient({ region: 'us-east-1', credentials, customUserAgent: USER_AGENT, ...(await retryConfig()) });
}

/** KMS is regional: the key lives in the repository's region. */
export async function createKmsClient(region: string, credentials?: AwsCredentialIdentityProvider): Promise<KMSClient> {
  const { KMSClient } = await kmsSdk();
  return new KMSClient({ region, credentials, customUserAgent: USER_AGENT, ...(await retryConfig()) });
}

/** Credentials of a role assumed in the staging account (static keys chain into it: Gitea has no OIDC). */
export async function assumedRoleCredentials(
  roleArn: string,
  sessionName: string,
  region: string,
  externalId: string | undefined,
): Promise<AwsCredentialIdentityProvider> {
  const { fromTemporaryCredentials } = await import('@aws-sdk/credential-providers');
  return fromTemporaryCredentials({
    params: { RoleArn: roleArn, RoleSessionName: sessionName, ExternalId: externalId, DurationSeconds: 900 },
    clientConfig: { region, customUserAgent: USER_AGENT, ...(await retryConfig()) },
  });
}

/** A session name that says which repository and run asked (visible in CloudTrail). Max 64 chars. */
export function roleSessionName(repository: string | undefined, runId: string | undefined): string {
  const parts = ['publish-image', repository?.replace(/\//g, '.'), runId].filter(Boolean).join('-');
  return parts.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
}
