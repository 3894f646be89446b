/** Names and ARNs, in one place: account IDs, the account or partition of an ARN, a repository's ARN and name rules, a role's name. */

export const ACCOUNT_ID = /^\d{12}$/;

/**
 * An AWS principal as an ARN: a bare account ID means the account's root, as a policy's
 * `"AWS": "123456789012"` does ("AWS account principals", IAM User Guide,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html).
 */
export function principalArn(value: string, partition = 'aws'): string {
  return ACCOUNT_ID.test(value) ? `arn:${partition}:iam::${value}:root` : value;
}

// ECR's own rule (CreateRepository API reference).
const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/** Why a name is not a valid ECR repository name, or undefined. */
export function repositoryNameProblem(name: string): string | undefined {
  if (name.length < 2 || name.length > 256) return 'must be 2 to 256 characters';
  if (!REPOSITORY_NAME.test(name)) {
    return 'must be lowercase letters, digits and `._-/` separators, e.g. `team/service`';
  }
  return undefined;
}

/** The account segment of an ARN (arn:partition:service:region:account:resource). */
export function accountOf(arn: string): string {
  return arn.split(':')[4] ?? '';
}

/** The partition segment of an ARN: aws, aws-cn, aws-us-gov. */
/** The region of an ARN (its fourth field). */
export function regionOf(arn: string): string {
  return arn.split(':')[3] ?? '';
}

export function partitionOf(arn: string): string {
  return arn.split(':')[1] ?? '';
}

/** The partition a region belongs to (AWS grants nothing across partitions). */
export function partitionOfRegion(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('eu-isoe-')) return 'aws-iso-e';
  if (/^[a-z]{2}-isof-/.test(region)) return 'aws-iso-f';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  return 'aws';
}

export function repositoryArn(region: string, registryId: string, repository: string): string {
  return `arn:${partitionOfRegion(region)}:ecr:${region}:${registryId}:repository/${repository}`;
}

/** The last path segment of a role ARN: its name. */
export function roleNameOf(roleArn: string): string {
  return roleArn.slice(roleArn.lastIndexOf('/') + 1);
}
