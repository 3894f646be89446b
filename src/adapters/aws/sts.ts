import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { createStsClient, stsSdk } from './clients.js';
import { awsCall } from './errors.js';

/**
 * The account a set of credentials is in, as STS answers (sts:GetCallerIdentity needs no
 * permission, and no policy can deny it). A failure is a UserError naming the call: without the
 * answer, nothing read with these credentials can be told to be of the account it is meant to be.
 */
export async function provenAccount(credentials: AwsCredentialIdentityProvider | undefined, who: string): Promise<string> {
  const client = await createStsClient(credentials);
  const { GetCallerIdentityCommand } = await stsSdk();
  const { Account } = await awsCall('sts:GetCallerIdentity', () => client.send(new GetCallerIdentityCommand({})), who);
  if (!Account) throw new Error(`sts:GetCallerIdentity named no account for ${who}`);
  return Account;
}

/** The same, undefined when it cannot be told; the calls that need the credentials then report the real failure themselves. */
export async function callerAccount(credentials: AwsCredentialIdentityProvider | undefined): Promise<string | undefined> {
  return provenAccount(credentials, 'the current credentials').catch(() => undefined);
}
