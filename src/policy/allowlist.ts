import { asList, type PolicyDocument, type Statement } from './document.js';
import { actionMatches, resourceMatches } from './evaluate.js';

export function repositoryArn(region: string, registryId: string, repository: string): string {
  return `arn:aws:ecr:${region}:${registryId}:repository/${repository}`;
}

export interface AllowlistEntries {
  /** Repository names the allowlist names explicitly (no wildcard), in this registry. */
  explicit: string[];
  /** Wildcard resource patterns of this registry (e.g. `…:repository/molecule-ai/workspace-template-*`). */
  wildcards: string[];
}

function grantsPull(statement: Statement, pullActions: string[]): boolean {
  if (statement.Effect !== 'Allow' || statement.Action === undefined) return false;
  return pullActions.some((action) => asList(statement.Action).some((pattern) => actionMatches(pattern, action)));
}

/** The repositories an identity policy's Allow statements name for pulling, in one registry. */
export function allowlistEntries(documents: PolicyDocument[], region: string, registryId: string, pullActions: string[]): AllowlistEntries {
  const prefix = `arn:aws:ecr:${region}:${registryId}:repository/`;
  const explicit = new Set<string>();
  const wildcards = new Set<string>();
  for (const document of documents) {
    for (const statement of document.Statement) {
      if (!grantsPull(statement, pullActions)) continue;
      for (const resource of asList(statement.Resource)) {
        const wildcard = /[*?]/.test(resource);
        if (!wildcard && resource.startsWith(prefix)) explicit.add(resource.slice(prefix.length));
        else if (wildcard && (resource === '*' || resource.startsWith('arn:aws:ecr:'))) wildcards.add(resource);
      }
    }
  }
  return { explicit: [...explicit].sort(), wildcards: [...wildcards].sort() };
}

/** Which of `repositories` a wildcard pattern covers (to report what a wildcard allowlist stands for). */
export function coveredBy(pattern: string, repositories: string[], region: string, registryId: string): string[] {
  return repositories.filter((name) => resourceMatches(pattern, repositoryArn(region, registryId, name), 'identity'));
}
