import { GetAccountSettingCommand, GetRegistryPolicyCommand, ListTagsForResourceCommand, type ECRClient } from '@aws-sdk/client-ecr';
import { parsePolicy, type PolicyDocument } from '../../domain/policy/document.js';
import type { Readable } from '../../domain/policy/request-context.js';
import { describeAwsError, isAwsError } from './errors.js';

/**
 * The registry policy of the credentials' own registry (ecr:GetRegistryPolicy takes no registry ID:
 * it reads the caller's). `none`: RegistryPolicyNotFoundException. Any other failure is an error
 * naming ecr:GetRegistryPolicy: the verdict never goes on as if there were no registry policy.
 */
export async function readRegistryPolicy(ecr: ECRClient, registryId: string, who?: string): Promise<Readable<PolicyDocument>> {
  try {
    const response = await ecr.send(new GetRegistryPolicyCommand({}));
    if (!response.policyText) return { status: 'none' };
    return { status: 'read', value: parsePolicy(response.policyText, `the registry policy of ${registryId}`) };
  } catch (error) {
    if (isAwsError(error, 'RegistryPolicyNotFoundException')) return { status: 'none' };
    // A replica's reader (`who` given) that may not read it leaves it unread: what depends on it is conditional, the run goes on.
    const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
    if (who && (isAwsError(error, 'AccessDenied', 'AccessDeniedException') || status === 403)) {
      return { status: 'unread', reason: `ecr:GetRegistryPolicy was denied for ${who}` };
    }
    throw describeAwsError(error, 'ecr:GetRegistryPolicy');
  }
}

/**
 * REGISTRY_POLICY_SCOPE (ecr:GetAccountSetting): V1 or V2. A refinement only (the policy's own
 * actions tell V2 apart when it matters), so any failure leaves it unread and is said once.
 */
export async function readRegistryPolicyScope(ecr: ECRClient): Promise<Readable<'V1' | 'V2'>> {
  try {
    const response = await ecr.send(new GetAccountSettingCommand({ name: 'REGISTRY_POLICY_SCOPE' }));
    const value = response.value?.toUpperCase();
    return value === 'V1' || value === 'V2' ? { status: 'read', value } : { status: 'unread', reason: 'ECR answered with no scope' };
  } catch (error) {
    return { status: 'unread', reason: describeAwsError(error, 'ecr:GetAccountSetting').message };
  }
}

/** A repository's tags (ecr:ListTagsForResource). A refusal leaves them unread: their keys stay unknown. */
export async function readRepositoryTags(ecr: ECRClient, repositoryArn: string): Promise<Readable<Record<string, string>>> {
  try {
    const response = await ecr.send(new ListTagsForResourceCommand({ resourceArn: repositoryArn }));
    return { status: 'read', value: Object.fromEntries((response.tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? ''])) };
  } catch (error) {
    return { status: 'unread', reason: describeAwsError(error, 'ecr:ListTagsForResource').message };
  }
}
