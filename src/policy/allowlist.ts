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

/** Sids of the statements reconcile adds when the allowlist has none of its own yet. */
export const ALLOWLIST_SID = 'PublishImagePullAllowlist';
export const LOGIN_SID = 'PublishImageEcrLogin';

/** All inline policies of one role together: 10,240 characters, whitespace not counted. */
export const INLINE_POLICIES_LIMIT = 10_240;

/**
 * The allowlist statement: the first Allow statement that grants every pull action on a list of
 * explicit ECR repository ARNs. Reconcile edits only its Resource list.
 */
export function findAllowlistStatement(document: PolicyDocument | undefined, pullActions: string[]): number {
  if (!document) return -1;
  return document.Statement.findIndex(
    (statement) =>
      statement.Effect === 'Allow' &&
      !statement.Condition &&
      statement.Action !== undefined &&
      pullActions.every((action) => asList(statement.Action).some((pattern) => actionMatches(pattern, action))) &&
      asList(statement.Resource).length > 0 &&
      asList(statement.Resource).every((resource) => resource.startsWith('arn:aws:ecr:')),
  );
}

export interface AllowlistEdit {
  add: string[];
  remove: string[];
  addLogin: boolean;
}

/**
 * Adds and removes repository ARNs in the allowlist statement (creating it, or the whole policy,
 * when missing); every other statement is kept as it is. Applied to a freshly read document, so
 * it is also how two racing reconciles merge each other's entries.
 */
export function editAllowlist(document: PolicyDocument | undefined, edit: AllowlistEdit, pullActions: string[]): PolicyDocument {
  const statements = [...(document?.Statement ?? [])];
  const index = findAllowlistStatement(document, pullActions);
  const current = index >= 0 ? asList(statements[index].Resource) : [];
  const removed = new Set(edit.remove);
  const kept = current.filter((arn) => !removed.has(arn));
  const resources = [...kept, ...[...new Set(edit.add)].filter((arn) => !kept.includes(arn)).sort()];
  if (index >= 0) {
    statements[index] = { ...statements[index], Resource: resources };
  } else if (resources.length > 0) {
    statements.push({ Sid: ALLOWLIST_SID, Effect: 'Allow', Action: [...pullActions], Resource: resources });
  }
  if (edit.addLogin && !statements.some((statement) => statement.Sid === LOGIN_SID)) {
    statements.push({ Sid: LOGIN_SID, Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' });
  }
  return { ...(document ?? {}), Version: document?.Version ?? '2012-10-17', Statement: statements };
}

/** True when `document` already holds every addition and none of the removals (our write is visible). */
export function allowlistShows(document: PolicyDocument | undefined, edit: AllowlistEdit, pullActions: string[]): boolean {
  const index = findAllowlistStatement(document, pullActions);
  const resources = index >= 0 ? asList(document!.Statement[index].Resource) : [];
  const loginOk = !edit.addLogin || Boolean(document?.Statement.some((statement) => statement.Sid === LOGIN_SID));
  return edit.add.every((arn) => resources.includes(arn)) && edit.remove.every((arn) => !resources.includes(arn)) && loginOk;
}
