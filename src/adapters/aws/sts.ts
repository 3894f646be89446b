import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { createStsClient, stsSdk } from './clients.js';

/**
 * The account of a set of credentials (sts:GetCallerIdentity needs no permission). Undefined when
 * it cannot be told; the calls that need the credentials then report the real failure themselves.
 */
export async function callerAccount(credentials: AwsCredentialIdentityProvider | undefined): Promise<string | undefined> {
  try {
    const client = await createStsClient(credentials);
    const { GetCallerIdentityCommand } = await stsSdk();
    return (await client.send(new GetCallerIdentityCommand({}))).Account;
  } catch {
    return undefined;
  }
}
