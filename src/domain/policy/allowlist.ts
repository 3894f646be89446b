import { asList, type PolicyDocument, type Statement } from './document.js';
import { repositoryArn } from '../arn.js';
import { actionMatches, resourceMatches } from './evaluate.js';

export { repositoryArn };

export interface AllowlistEntries {
  /** Repository names the allowlist names explicitly (no wildcard), in this registry. */
  explicit: string[];
  /** Wildcard resource patterns of this registry (e.g. `…:repository/molecule-ai/workspace-template-*`). */
  wildcards: string[];
}

function grantsPull(statement: Statement, pullActions: string[]): boolean {
  if (statement.Effect !== 'Allow' || statement.Action === undefined) return false;
  return pullActions.some((action) => asList(statement.Action).some((pattern) => typeof pattern === 'string' && actionMatches(pattern, action)));
}

/** The repositories an identity policy's Allow statements name for pulling, in one registry. */
export function allowlistEntries(documents: PolicyDocument[], region: string, registryId: string, pullActions: string[]): AllowlistEntries {
  const prefix = repositoryArn(region, registryId, '');
  const explicit = new Set<string>();
  const wildcards = new Set<string>();
  for (const document of documents) {
    for (const statement of document.Statement) {
      if (!grantsPull(statement, pullActions)) continue;
      for (const resource of asList(statement.Resource)) {
        const wildcard = /[*?]/.test(resource);
        if (!wildcard && resource.startsWith(prefix)) explicit.add(resource.slice(prefix.length));
        else if (wildcard && (resource === '*' || /^arn:[\w-]+:ecr:/.test(resource))) wildcards.add(resource);
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

const ECR_REPOSITORY_ARN = /^arn:[\w-]+:ecr:[a-z0-9-]+:\d{12}:repository\/[^*?]+$/;

/**
 * May reconcile extend this statement? Only an unconditional Allow of nothing but the pull actions
 * on nothing but explicit ECR repository ARNs: adding an ARN to a statement that also allows push
 * (or `ecr:*`) would hand the role more than pull on that repository.
 */
export function isPullOnlyStatement(statement: Statement, pullActions: string[]): boolean {
  const pull = new Set(pullActions.map((action) => action.toLowerCase()));
  const actions = asList(statement.Action);
  const resources = asList(statement.Resource);
  return (
    statement.Effect === 'Allow' &&
    !statement.Condition &&
    statement.NotAction === undefined &&
    statement.NotResource === undefined &&
    actions.length > 0 &&
    actions.every((action) => typeof action === 'string' && pull.has(action.toLowerCase())) &&
    pullActions.every((action) => actions.some((pattern) => pattern.toLowerCase() === action.toLowerCase())) &&
    resources.length > 0 &&
    resources.every((resource) => typeof resource === 'string' && ECR_REPOSITORY_ARN.test(resource))
  );
}

/**
 * The allowlist statement reconcile edits: our own (Sid PublishImagePullAllowlist) if it is pull-only,
 * else the first pull-only statement. -1: none (reconcile then adds its own).
 */
export function findAllowlistStatement(document: PolicyDocument | undefined, pullActions: string[]): number {
  if (!document) return -1;
  const own = document.Statement.findIndex((statement) => statement.Sid === ALLOWLIST_SID && isPullOnlyStatement(statement, pullActions));
  if (own >= 0) return own;
  return document.Statement.findIndex((statement) => isPullOnlyStatement(statement, pullActions));
}

/**
 * Statements of the allowlist policy that grant pull on ECR repositories but also more (push,
 * `ecr:*`, a Condition): reconcile leaves them alone and says why.
 */
export function widerPullStatements(document: PolicyDocument | undefined, pullActions: string[]): Statement[] {
  return (document?.Statement ?? []).filter(
    (statement) =>
      grantsPull(statement, pullActions) &&
      !isPullOnlyStatement(statement, pullActions) &&
      asList(statement.Resource).some((resource) => typeof resource === 'string' && resource.startsWith('arn:') && resource.includes(':ecr:')),
  );
}

/** The ARNs reconcile may remove: those in the statement it edits. */
export function removableArns(document: PolicyDocument | undefined, pullActions: string[]): Set<string> {
  const index = findAllowlistStatement(document, pullActions);
  return new Set(index >= 0 ? asList(document!.Statement[index].Resource) : []);
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
/** A Sid not used yet in the policy (ours may have been taken by a statement someone widened). */
function freeSid(statements: Statement[], base: string): string {
  const taken = new Set(statements.map((statement) => statement.Sid));
  for (let suffix = 1; ; suffix++) {
    const sid = suffix === 1 ? base : `${base}${suffix}`;
    if (!taken.has(sid)) return sid;
  }
}

export function editAllowlist(document: PolicyDocument | undefined, edit: AllowlistEdit, pullActions: string[]): PolicyDocument {
  const statements = [...(document?.Statement ?? [])];
  const index = findAllowlistStatement(document, pullActions);
  const current = index >= 0 ? asList(statements[index].Resource) : [];
  const removed = new Set(edit.remove);
  const kept = current.filter((arn) => !removed.has(arn));
  const resources = [...kept, ...[...new Set(edit.add)].filter((arn) => !kept.includes(arn)).sort()];
  if (index >= 0 && resources.length > 0) {
    statements[index] = { ...statements[index], Resource: resources };
  } else if (index >= 0) {
    statements.splice(index, 1); // IAM refuses a statement with an empty Resource list
  } else if (resources.length > 0) {
    statements.push({ Sid: freeSid(statements, ALLOWLIST_SID), Effect: 'Allow', Action: [...pullActions], Resource: resources });
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
