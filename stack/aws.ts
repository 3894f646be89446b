import { CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { PROD_ACCOUNT, REGION } from './engine.js';

type AnyClient = { middlewareStack: IAMClient['middlewareStack'] };

/** moto picks the account per request from this header: how the test setup seeds each account. */
function asAccount<T extends AnyClient>(client: T, account: string): T {
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers: Record<string, string> };
      request.headers['x-moto-account-id'] = account;
      return next(args);
    },
    { step: 'build', name: 'motoAccount' },
  );
  return client;
}

const setupCredentials = { accessKeyId: 'setup', secretAccessKey: 'setup' };

export function iamIn(endpoint: string, account: string): IAMClient {
  return asAccount(new IAMClient({ region: 'us-east-1', endpoint, credentials: setupCredentials }), account);
}

export function ecrIn(endpoint: string, account: string, region = REGION): ECRClient {
  return asAccount(new ECRClient({ region, endpoint, credentials: setupCredentials }), account);
}

export interface Keys {
  AWS_ACCESS_KEY_ID: string;
  AWS_SECRET_ACCESS_KEY: string;
}

/** Static keys of a user in `account`: requests signed with them land in that account (no OIDC on Gitea). */
export async function createKeys(endpoint: string, account: string, userName: string): Promise<Keys> {
  const iam = iamIn(endpoint, account);
  await iam.send(new CreateUserCommand({ UserName: userName }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
  return { AWS_ACCESS_KEY_ID: AccessKey!.AccessKeyId!, AWS_SECRET_ACCESS_KEY: AccessKey!.SecretAccessKey! };
}

export async function createRepository(endpoint: string, name: string, options: { immutable?: boolean } = {}): Promise<void> {
  await ecrIn(endpoint, PROD_ACCOUNT).send(
    new CreateRepositoryCommand({ repositoryName: name, imageTagMutability: options.immutable ? 'IMMUTABLE' : 'MUTABLE' }),
  );
}
