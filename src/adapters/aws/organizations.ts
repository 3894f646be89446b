import type { OrganizationsClient, Root } from '@aws-sdk/client-organizations';
import { organizationsSdk } from './clients.js';
import { inert } from '../../util/inert.js';
import { UserError } from '../../errors.js';
import { parsePolicy } from '../../domain/policy/document.js';
import { describeAwsError, isAwsError } from './errors.js';
import type { ControlPolicies, ControlPolicyLevel, NamedPolicy, OrganizationFacts } from '../../domain/facts.js';

/**
 * The organization facts that enter a request context (aws:PrincipalOrgID, aws:PrincipalOrgPaths,
 * aws:ResourceOrgID…) and the organization policies that cap it (SCPs over the principal's account,
 * RCPs over the resource's account). Reads only; nothing here logs. What the credentials may not read
 * comes back as `unread` with one sentence naming the permission and the identity, never as a guess.
 *
 * Who may call what (AWS Organizations API reference): DescribeOrganization from any account in the
 * organization; ListParents, ListRoots, ListPoliciesForTarget and DescribePolicy only from the
 * management account or a delegated administrator.
 */

export type { ControlPolicies, ControlPolicyLevel, OrganizationFacts };

/** aws:PrincipalOrgPaths form: `o-xxx/r-xxxx/ou-xxxx-1111/ou-xxxx-2222/` (root first, then each OU downward). */
export type OrgPath = { status: 'read'; paths: string[] } | { status: 'unread'; reason: string };

export type ControlPolicyKind = 'SERVICE_CONTROL_POLICY' | 'RESOURCE_CONTROL_POLICY';

const KIND_NAME: Record<ControlPolicyKind, string> = {
  SERVICE_CONTROL_POLICY: 'service control policy',
  RESOURCE_CONTROL_POLICY: 'resource control policy',
};
const KIND_PLURAL: Record<ControlPolicyKind, string> = {
  SERVICE_CONTROL_POLICY: 'service control policies',
  RESOURCE_CONTROL_POLICY: 'resource control policies',
};

/** AWS organizations nest OUs at most five deep under the root; anything deeper is a loop. */
const MAX_DEPTH = 8;
const NOT_IN_USE = 'AWSOrganizationsNotInUseException';
const NOT_FOUND = [
  'ChildNotFoundException',
  'AccountNotFoundException',
  'TargetNotFoundException',
  'OrganizationalUnitNotFoundException',
  'RootNotFoundException',
];
const ADMIN_ONLY = "only the organization's management account or a delegated administrator may call it";

interface AwsLike {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

/**
 * A denial: the error names say so, or the status is 403 (an emulator may answer a JSON-protocol
 * call with an XML body the SDK cannot parse, but the status still says it).
 */
function isDenied(error: unknown): boolean {
  return isAwsError(error, 'AccessDenied', 'AccessDeniedException') || (error as AwsLike)?.$metadata?.httpStatusCode === 403;
}

/** The AWS error code; a bare `HTTP 403` when the body was not AWS's (the SDK then names a parse error). */
function codeOf(error: unknown): string {
  const aws = error as AwsLike;
  const name = aws?.name ?? 'Error';
  if (aws?.$metadata?.httpStatusCode === 403 && !/Exception$|^AccessDenied/.test(name)) return 'HTTP 403';
  return inert(name, 80);
}

/** A read that AWS refused or could not place: becomes `unread` with `reason`. */
class Unreadable extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/**
 * Turns a failed Organizations call into `Unreadable` (denied, no organization, not found) or the
 * usual UserError (AWS failing after its retries). `what` says what stays unknown.
 */
function failure(error: unknown, permission: string, who: string, what: string, accountId: string): Error {
  if (error instanceof Unreadable) return error;
  if (isDenied(error)) {
    return new Unreadable(
      `${permission} was denied for ${who} (${ADMIN_ONLY}) (${codeOf(error)}), so ${what} could not be read and did not enter the verdict.`,
    );
  }
  if (isAwsError(error, NOT_IN_USE)) {
    return new Unreadable(
      `${permission}: the account of ${who} belongs to no organization (${NOT_IN_USE}), so ${what} could not be read and did not enter the verdict.`,
    );
  }
  if (isAwsError(error, ...NOT_FOUND)) {
    return new Unreadable(
      `${permission}: account ${inert(accountId)} is not in the organization that ${who} reads (${codeOf(error)}), so ${what} could not be read and did not enter the verdict.`,
    );
  }
  return describeAwsError(error, permission, who);
}

/** Marks a promise as handled now (it is awaited later, possibly after it rejects). */
function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

interface ParentStep {
  id: string;
  type: string;
}

/**
 * Per-client memo of in-flight and finished reads, so that the OU path and the SCPs of one account
 * (and the SCPs and RCPs of one organization) walk the tree once per run. One client is one run;
 * a failed read is forgotten so a later call asks again.
 */
interface Memo {
  parents: Map<string, Promise<ParentStep>>;
  roots?: Promise<Root[]>;
}
const memos = new WeakMap<OrganizationsClient, Memo>();

function memoOf(org: OrganizationsClient): Memo {
  let memo = memos.get(org);
  if (!memo) {
    memo = { parents: new Map() };
    memos.set(org, memo);
  }
  return memo;
}

function parentOf(org: OrganizationsClient, childId: string): Promise<ParentStep> {
  const memo = memoOf(org);
  const cached = memo.parents.get(childId);
  if (cached) return cached;
  const read = (async (): Promise<ParentStep> => {
    const { paginateListParents } = await organizationsSdk();
    for await (const page of paginateListParents({ client: org }, { ChildId: childId })) {
      const parent = (page.Parents ?? []).find((candidate) => candidate.Id);
      if (parent?.Id) return { id: parent.Id, type: parent.Type ?? '' };
    }
    throw Object.assign(new Error(`ListParents returned no parent for ${childId}`), { name: 'ChildNotFoundException' });
  })();
  memo.parents.set(childId, read);
  read.catch(() => memo.parents.delete(childId));
  return read;
}

function listRoots(org: OrganizationsClient): Promise<Root[]> {
  const memo = memoOf(org);
  if (memo.roots) return memo.roots;
  const read = (async (): Promise<Root[]> => {
    const { paginateListRoots } = await organizationsSdk();
    const roots: Root[] = [];
    for await (const page of paginateListRoots({ client: org }, {})) roots.push(...(page.Roots ?? []));
    return roots;
  })();
  memo.roots = read;
  read.catch(() => {
    if (memo.roots === read) memo.roots = undefined;
  });
  return read;
}

/**
 * ListParents from the account up to the root. `onOu` sees each OU as soon as it is known (innermost
 * first), so the caller can start reading its policies while the walk goes on.
 */
async function walkToRoot(
  org: OrganizationsClient,
  accountId: string,
  onOu: (ouId: string) => void = () => undefined,
): Promise<{ ous: string[]; rootId: string }> {
  const ous: string[] = [];
  let child = accountId;
  for (let depth = 0; depth < MAX_DEPTH; depth += 1) {
    const parent = await parentOf(org, child);
    if (parent.type === 'ROOT' || parent.id.startsWith('r-')) return { ous, rootId: parent.id };
    ous.push(parent.id);
    onOu(parent.id);
    child = parent.id;
  }
  // Not a failure a re-run fixes: what answered is not an organization tree AWS can hold.
  throw new UserError(
    `organizations:ListParents: no root within ${MAX_DEPTH} levels above account ${inert(accountId)}, but AWS nests OUs at most 5 deep under the root: what answers (a loop, or not AWS Organizations) is not an organization AWS can hold, and a re-run reads the same. Check organization-assume-role-arn (it must be a role in the management account or a delegated administrator) and any AWS_ENDPOINT_URL override, or leave organization-assume-role-arn empty to judge without SCPs (they are then reported as not checked).`,
  );
}

/** DescribeOrganization: any member account may call it. */
export async function readOrganization(org: OrganizationsClient, who: string): Promise<OrganizationFacts> {
  const { DescribeOrganizationCommand } = await organizationsSdk();
  try {
    const { Organization } = await org.send(new DescribeOrganizationCommand({}));
    if (!Organization?.Id)
      return {
        status: 'unread',
        reason: `organizations:DescribeOrganization answered ${who} without an organization ID, so the organization (aws:PrincipalOrgID) is unknown and was not evaluated.`,
      };
    return {
      status: 'member',
      organizationId: Organization.Id,
      ...(Organization.MasterAccountId ? { managementAccountId: Organization.MasterAccountId } : {}),
    };
  } catch (error) {
    if (isAwsError(error, NOT_IN_USE)) return { status: 'none' };
    if (isDenied(error)) {
      return {
        status: 'unread',
        reason: `organizations:DescribeOrganization was denied for ${who} (${codeOf(error)}), so the organization (aws:PrincipalOrgID) is unknown and conditions on it were not evaluated; allow that action on this identity to read it.`,
      };
    }
    throw describeAwsError(error, 'organizations:DescribeOrganization', who);
  }
}

/** ListParents from the account up to the root; the account's one path in aws:PrincipalOrgPaths form. */
export async function readOrgPath(org: OrganizationsClient, accountId: string, organizationId: string, who: string): Promise<OrgPath> {
  try {
    const { ous, rootId } = await walkToRoot(org, accountId);
    const path = [organizationId, rootId, ...[...ous].reverse()].join('/') + '/';
    return { status: 'read', paths: [path] };
  } catch (error) {
    const unreadable = failure(error, 'organizations:ListParents', who, `the OU path of account ${inert(accountId)} (aws:PrincipalOrgPaths)`, accountId);
    if (unreadable instanceof Unreadable) return { status: 'unread', reason: unreadable.reason };
    throw unreadable;
  }
}

/**
 * The SCPs or RCPs that apply to one account, level by level: ListRoots (is the type enabled, and
 * the root ID) and the ListParents walk start at once; each level's ListPoliciesForTarget (every
 * page) starts as soon as its target is known; each policy is described once however many levels
 * it is attached to. Round trips: the OU depth plus two.
 */
export async function readControlPolicies(org: OrganizationsClient, accountId: string, kind: ControlPolicyKind, who: string): Promise<ControlPolicies> {
  const what = `the ${KIND_PLURAL[kind]} over account ${inert(accountId)}`;
  const { DescribePolicyCommand, paginateListPoliciesForTarget } = await organizationsSdk();
  const fail =
    (permission: string) =>
    (error: unknown): never => {
      throw failure(error, permission, who, what, accountId);
    };

  const described = new Map<string, Promise<NamedPolicy>>();
  const describe = (policyId: string): Promise<NamedPolicy> => {
    let read = described.get(policyId);
    if (!read) {
      read = org.send(new DescribePolicyCommand({ PolicyId: policyId })).then((response) => {
        const summary = response.Policy?.PolicySummary;
        const name = `${KIND_NAME[kind]} ${inert(summary?.Id ?? policyId)}${summary?.Name ? ` (${inert(summary.Name)})` : ''}`;
        return { name, document: parsePolicy(response.Policy?.Content ?? '', name) };
      }, fail('organizations:DescribePolicy'));
      described.set(policyId, handled(read));
    }
    return read;
  };
  const level = (target: string, label: string): Promise<ControlPolicyLevel> =>
    handled(
      (async () => {
        const ids: string[] = [];
        try {
          for await (const page of paginateListPoliciesForTarget({ client: org }, { TargetId: target, Filter: kind })) {
            ids.push(...(page.Policies ?? []).map((policy) => policy.Id).filter((id): id is string => Boolean(id)));
          }
        } catch (error) {
          fail('organizations:ListPoliciesForTarget')(error);
        }
        const unique = [...new Set(ids)];
        return { target, label, policies: await Promise.all(unique.map(describe)) };
      })(),
    );

  const roots = handled(listRoots(org).catch(fail('organizations:ListRoots')));
  const accountLevel = level(accountId, `account ${inert(accountId)}`);
  const ouLevels: Promise<ControlPolicyLevel>[] = [];
  const walk = handled(walkToRoot(org, accountId, (ouId) => ouLevels.push(level(ouId, `OU ${inert(ouId)}`))).catch(fail('organizations:ListParents')));
  // The root is known from ListRoots before the walk reaches it: read its policies right away.
  const earlyRoot = handled(roots.then((all) => (all.length === 1 && all[0].Id ? level(all[0].Id, `root ${inert(all[0].Id)}`) : undefined)));

  try {
    // An organization has one root; should there be several, the walk says which one is ours.
    const all = await roots;
    let root: Root | undefined = all.length === 1 ? all[0] : undefined;
    if (!root) {
      const { rootId } = await walk;
      root = all.find((candidate) => candidate.Id === rootId) ?? { Id: rootId };
    }
    const enabled = (root.PolicyTypes ?? []).some((type) => type.Type === kind);
    if (!enabled) return { status: 'disabled' };
    const { rootId } = await walk;
    if (root.Id !== rootId) {
      throw new Unreadable(
        `organizations:ListParents placed account ${inert(accountId)} under root ${inert(rootId)}, not under the organization's root ${inert(root.Id ?? '')} that ${who} reads, so ${what} could not be read and did not enter the verdict.`,
      );
    }
    const early = await earlyRoot;
    const rootLevel = early && early.target === root.Id ? early : await level(root.Id ?? '', `root ${inert(root.Id ?? '')}`);
    const levels = [await accountLevel, ...(await Promise.all(ouLevels)), rootLevel];
    return { status: 'read', levels };
  } catch (error) {
    if (error instanceof Unreadable) return { status: 'unread', reason: error.reason };
    throw error;
  }
}
