/** ARN helpers, in one place: the account of an ARN, a repository's ARN, a role's name. */

/** The account segment of an ARN (arn:partition:service:region:account:resource). */
export function accountOf(arn: string): string {
  return arn.split(':')[4] ?? '';
}

/** The partition segment of an ARN: aws, aws-cn, aws-us-gov. */
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
