import type { IAMClient } from '@aws-sdk/client-iam';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { assumedRoleCredentials, createIamClient, createOrganizationsClient } from '../adapters/aws/clients.js';
import { awsCall } from '../adapters/aws/errors.js';
import { callerAccount, provenAccount } from '../adapters/aws/sts.js';
import { UserError } from '../errors.js';
import { accountOf } from '../domain/arn.js';
import type { PullerSettings } from '../domain/pullers.js';

/**
 * Who reads which account: the current credentials, or a role assumed once per run (chained from
 * static keys: Gitea has no OIDC). Every read says with whose credentials it was made.
 */
/** Credentials that read one account, and which account that is (messages must say where they looked). */
export interface AccountAccess {
  credentials: AwsCredentialIdentityProvider | undefined;
  /** "the current credentials" or "assumed role …", for messages. */
  who: string;
  /** The account these credentials are in; undefined when it could not be told. */
  account: string | undefined;
}

export interface PullerAccess extends AccountAccess {
  iam: IAMClient;
}

/**
 * A reading session in another account than what it reads: an input to fix, never a verdict. A run
 * error (exit 1), so nothing is judged from that read and no gate can pass on it.
 */
export class ReaderAccountError extends UserError {}

/** Assumes a role once per run and reuses the session until a minute before it expires. */
async function assumeOnce(roleArn: string, sessionName: string, region: string, externalId: string | undefined): Promise<AwsCredentialIdentityProvider> {
  const credentials = await assumedRoleCredentials(roleArn, sessionName, region, externalId);
  // Assume now, so a refusal is reported as sts:AssumeRole, not as the first read.
  let session = await awsCall('sts:AssumeRole', () => credentials(), `the current credentials (on ${roleArn})`);
  return async (): Promise<AwsCredentialIdentity> => {
    if (session.expiration && session.expiration.getTime() - Date.now() < 60_000) session = await credentials();
    return session;
  };
}

/** The current credentials' account, asked once per run (sts:GetCallerIdentity needs no permission). */
let currentAccount: Promise<string | undefined> | undefined;
export function currentCredentialsAccount(): Promise<string | undefined> {
  currentAccount ??= callerAccount(undefined);
  return currentAccount;
}

/** IAM of the staging account: the current credentials, or a role assumed there (chained from static keys). */
export async function pullerAccess(puller: PullerSettings, region: string, sessionName: string): Promise<PullerAccess> {
  if (!puller.assumeRoleArn) {
    return { iam: await createIamClient(), credentials: undefined, who: 'the current credentials', account: await currentCredentialsAccount() };
  }
  const credentials = await assumeOnce(puller.assumeRoleArn, sessionName, region, puller.externalId);
  return {
    iam: await createIamClient(credentials),
    credentials,
    who: `assumed role ${puller.assumeRoleArn}`,
    account: accountOf(puller.assumeRoleArn),
  };
}

/** The organization's management account, when `organization-assume-role-arn` is given. */
export async function organizationAccess(
  roleArn: string | undefined,
  region: string,
  sessionName: string,
): Promise<(AccountAccess & { organizations: OrganizationsClient }) | undefined> {
  if (!roleArn) return undefined;
  const credentials = await assumeOnce(roleArn, sessionName, region, undefined);
  return {
    organizations: await createOrganizationsClient(credentials),
    credentials,
    who: `assumed role ${roleArn}`,
    account: accountOf(roleArn),
  };
}

/** A registry in another account (a replica's destination), read through a role assumed there once per run. */
export async function registryAccess(roleArn: string, region: string, sessionName: string): Promise<AccountAccess> {
  const credentials = await assumeOnce(roleArn, sessionName, region, undefined);
  const who = `assumed role ${roleArn}`;
  // Every read of the destination depends on its account (its registry policy is the caller's own): proven before any.
  const account = await provenAccount(credentials, who);
  const meant = accountOf(roleArn);
  if (account !== meant) {
    throw new ReaderAccountError(
      `replica-assume-role-arns: ${who}, given to read the replica registry ${meant} (${region}), is in account ${account}, not ${meant}. Give in replica-assume-role-arns a role in account ${meant} that may read ECR there; nothing was judged from that read.`,
    );
  }
  return { credentials, who, account };
}
