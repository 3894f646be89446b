import { DeleteRepositoryPolicyCommand, GetRepositoryPolicyCommand, SetRepositoryPolicyCommand, type ECRClient } from '@aws-sdk/client-ecr';
import { UserError } from '../../errors.js';
import { inert } from '../../util/inert.js';
import { parsePolicy, type PolicyDocument } from '../../domain/policy/document.js';
import { awsCall, describeAwsError, isAwsError } from './errors.js';
import { waitForPropagation, type PropagationOptions } from '../../util/retry.js';

export class RepositoryNotFoundError extends UserError {}

/** The stored repository policy, or undefined when there is none (RepositoryPolicyNotFoundException). */
export async function readRepositoryPolicy(ecr: ECRClient, registryId: string, repository: string): Promise<PolicyDocument | undefined> {
  try {
    const response = await ecr.send(new GetRepositoryPolicyCommand({ registryId, repositoryName: repository }));
    return response.policyText ? parsePolicy(response.policyText, `the repository policy stored on ${repository}`) : undefined;
  } catch (error) {
    if (isAwsError(error, 'RepositoryPolicyNotFoundException')) return undefined;
    if (isAwsError(error, 'RepositoryNotFoundException')) {
      throw new RepositoryNotFoundError(
        `repository: "${repository}" does not exist in registry ${registryId}. Check the name, or publish it first (create-repository: true).`,
      );
    }
    throw describeAwsError(error, 'ecr:GetRepositoryPolicy');
  }
}

/** ECR refuses a principal that IAM does not know yet (a role created seconds ago). */
function isPrincipalNotYetKnown(error: unknown): boolean {
  return isAwsError(error, 'InvalidParameterException') && /Invalid repository policy provided|principal/i.test((error as Error).message ?? '');
}

/**
 * SetRepositoryPolicy with the document minified (ECR counts whitespace), never `force`. A principal
 * IAM does not know yet is retried for the propagation window, then reported by name.
 */
export async function writeRepositoryPolicy(
  ecr: ECRClient,
  registryId: string,
  repository: string,
  document: PolicyDocument,
  principals: string[],
  propagation: PropagationOptions,
): Promise<void> {
  const policyText = JSON.stringify(document);
  const outcome = await waitForPropagation(
    `ecr:SetRepositoryPolicy on ${repository}`,
    async () => {
      try {
        await ecr.send(new SetRepositoryPolicyCommand({ registryId, repositoryName: repository, policyText }));
        return { done: true as const, value: undefined };
      } catch (error) {
        if (isPrincipalNotYetKnown(error)) return { done: false as const, reason: inert((error as Error).message, 200) };
        throw describeAwsError(error, 'ecr:SetRepositoryPolicy');
      }
    },
    propagation,
  );
  if (!outcome.done) {
    throw new UserError(
      `ecr:SetRepositoryPolicy on ${repository} kept refusing the grant after ${outcome.attempts} attempts (${outcome.reason}). One of these principals does not exist: ${principals.join(', ')}. Create it, or fix pull-principals. Nothing was written.`,
    );
  }
}

/** Puts a repository policy back as it was (none: deleted), when a later write of the same run failed. */
export async function restoreRepositoryPolicy(ecr: ECRClient, registryId: string, repository: string, before: PolicyDocument | undefined): Promise<void> {
  if (before) {
    await awsCall('ecr:SetRepositoryPolicy', () =>
      ecr.send(new SetRepositoryPolicyCommand({ registryId, repositoryName: repository, policyText: JSON.stringify(before) })),
    );
  } else {
    await awsCall('ecr:DeleteRepositoryPolicy', () =>
      ecr.send(new DeleteRepositoryPolicyCommand({ registryId, repositoryName: repository })).catch((error: unknown) => {
        // Already none: what the restore means is done (checked on the SDK's error, before awsCall describes it).
        if (isAwsError(error, 'RepositoryPolicyNotFoundException')) return undefined;
        throw error;
      }),
    );
  }
}
