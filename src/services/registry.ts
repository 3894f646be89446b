import type { ECRClient } from '@aws-sdk/client-ecr';
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { createEcrClient, createOrganizationsClient } from '../adapters/aws/clients.js';
import { readOrganization } from '../adapters/aws/organizations.js';
import { readRegistryPolicy, readRegistryPolicyScope } from '../adapters/aws/registry-policy.js';
import type { OrganizationFacts, RegistryFacts } from '../domain/facts.js';
import type { PolicyDocument } from '../domain/policy/document.js';
import { beyondV1, registryPolicyModel } from '../domain/policy/registry-policy.js';
import type { Readable } from '../domain/policy/request-context.js';
import { currentCredentialsAccount } from './access.js';

export type { RegistryFacts };

/** Only a registry policy that holds more than V1's actions can speak to a pull: only then is its scope worth a read. */
async function readScopeIfNeeded(
  region: string,
  policy: Readable<PolicyDocument>,
  credentials: AwsCredentialIdentityProvider | undefined,
): Promise<Readable<'V1' | 'V2'> | undefined> {
  if (policy.status !== 'read' || !beyondV1(policy.value)) return undefined;
  // A refinement: one retry at most, so an endpoint that does not serve it costs no backoff.
  return readRegistryPolicyScope(await createEcrClient(region, { maxAttempts: 2, credentials }));
}

/** Credentials that read a registry account, and which account they are in. */
export interface RegistryAccess {
  credentials: AwsCredentialIdentityProvider | undefined;
  account: string | undefined;
  who: string;
}

/**
 * The registry account's organization and registry policy, read with the current credentials when
 * they are in that account (ecr:GetRegistryPolicy reads the caller's own registry); otherwise unread.
 */
export async function readRegistryFacts(
  ecr: ECRClient,
  registryId: string,
  region: string,
  access?: RegistryAccess,
  knownOrganization?: Promise<OrganizationFacts>,
  /** A replica destination: a denied ecr:GetRegistryPolicy leaves the policy unread instead of failing the run. */
  deniedPolicyUnread = false,
): Promise<RegistryFacts> {
  const account = access ? access.account : await currentCredentialsAccount();
  const who = access?.who ?? 'the current credentials';
  if (account !== registryId) {
    const reason = `${who} ${who === 'the current credentials' ? 'are' : 'is'} ${account ? `in account ${account}` : 'in an unknown account'}, not in the registry account ${registryId}`;
    return {
      account: registryId,
      region,
      organization: { status: 'unread', reason },
      policy: registryPolicyModel(registryId, { status: 'unread', reason }, undefined),
    };
  }
  const policyRead = readRegistryPolicy(ecr, registryId, deniedPolicyUnread ? who : undefined);
  const [organization, policy, scope] = await Promise.all([
    knownOrganization ?? createOrganizationsClient(access?.credentials).then((organizations) => readOrganization(organizations, who)),
    policyRead,
    policyRead.then((read) => readScopeIfNeeded(region, read, access?.credentials)),
  ]);
  const scopeUnread = scope?.status === 'unread' ? scope.reason : undefined;
  return { account: registryId, region, organization, policy: registryPolicyModel(registryId, policy, scope), scopeUnread };
}
