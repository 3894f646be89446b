import { UserError } from '../../errors.js';
import { principalArn } from '../arn.js';
import { asList, samePolicyMeaning, type PolicyDocument, type Statement } from './document.js';

/** ECR counts every character of the repository policy, whitespace included: we send it minified. */
export const REPOSITORY_POLICY_LIMIT = 10_240;

/** The one statement this action owns on a repository policy, found by its Sid. */
export function grantStatement(sid: string, pullPrincipals: string[], pullActions: string[]): Statement {
  return {
    Sid: sid,
    Effect: 'Allow',
    Principal: { AWS: [...pullPrincipals].sort() },
    Action: [...pullActions].sort(),
  };
}

export interface GrantPlan {
  before: PolicyDocument | undefined;
  after: PolicyDocument;
  /** False when the stored policy already means the same: no write. */
  changes: boolean;
}

/**
 * Replaces (or appends) the statement with our Sid by exactly the owned form: every copy with our
 * Sid goes (a widened or public copy is never kept), every other statement stays as it is, in place.
 * Refuses, before any write, a result larger than ECR accepts.
 */
export function planGrant(before: PolicyDocument | undefined, grant: Statement, repository: string): GrantPlan {
  const others = before?.Statement ?? [];
  const index = others.findIndex((statement) => statement.Sid === grant.Sid);
  const statements =
    index >= 0 ? others.flatMap((statement, at) => (at === index ? [grant] : statement.Sid === grant.Sid ? [] : [statement])) : [...others, grant];
  const after: PolicyDocument = { ...(before ?? {}), Version: before?.Version ?? '2012-10-17', Statement: statements };
  const size = JSON.stringify(after).length;
  if (size > REPOSITORY_POLICY_LIMIT) {
    throw new UserError(
      `repository policy of ${repository}: with the grant it would be ${size} characters, over ECR's ${REPOSITORY_POLICY_LIMIT}. Remove unused statements from it by hand, or grant the account root instead of many roles. Nothing was written.`,
    );
  }
  return { before, after, changes: !samePolicyMeaning(before, after) };
}

const ARN_OR_ACCOUNT = /^(arn:|\d{12}$|\*$)/;

function awsPrincipals(statement: Statement): string[] {
  if (statement.Principal === '*') return ['*'];
  return asList(statement.Principal?.AWS).map(String);
}

/**
 * Condition keys that fix who the principal is: a `Principal: "*"` statement limited by one of
 * them (with a positive operator, not …IfExists) is limited to those principals, not public.
 */
const PRINCIPAL_KEYS = [
  'aws:principalorgid',
  'aws:principalorgpaths',
  'aws:principalaccount',
  'aws:principalarn',
  'aws:userid',
  'aws:sourceaccount',
  'aws:sourceorgid',
  'aws:sourcearn',
];
const LIMITING_OPERATOR = /^(?:For(?:Any|All)Value:)?(?:StringEquals|StringEqualsIgnoreCase|StringLike|ArnEquals|ArnLike)$/;

/** A condition key and the values it limits a `Principal: "*"` statement's principals to. */
export interface PrincipalLimit {
  key: string;
  values: string[];
}

/** "only organization o-…", "only account 1234…": what limits a `Principal: "*"` statement, if anything does. */
export function principalLimits(statement: Statement): PrincipalLimit[] {
  const limits: PrincipalLimit[] = [];
  for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
    if (!LIMITING_OPERATOR.test(operator) || typeof keys !== 'object' || keys === null) continue;
    for (const [key, values] of Object.entries(keys)) {
      const list = (Array.isArray(values) ? values : [values]).map(String);
      // A value that is only wildcards limits nothing.
      if (!PRINCIPAL_KEYS.includes(key.toLowerCase()) || list.length === 0 || list.some((value) => /^[*?]*$/.test(value))) continue;
      limits.push({ key, values: list });
    }
  }
  return limits;
}

/**
 * Foreign statements (not ours) that make the repository public: reported, never silently kept,
 * and never changed by this action. One limited to known organizations or accounts by a
 * principal-context condition is said to be limited, not public; request-time keys (source IP,
 * VPC, time) do not limit who may pull.
 */
export interface PublicGrant {
  repository: string;
  sid: string | undefined;
  /** What the statement's conditions limit the principals to (e.g. aws:PrincipalOrgID o-…); empty: anyone. */
  limits: PrincipalLimit[];
  /** It has a Condition that limits only how, not who. */
  conditional: boolean;
}

export function publicGrants(document: PolicyDocument | undefined, ownSid: string, repository: string): PublicGrant[] {
  return (document?.Statement ?? [])
    .filter((statement) => statement.Sid !== ownSid && statement.Effect === 'Allow' && awsPrincipals(statement).includes('*'))
    .map((statement) => ({ repository, sid: statement.Sid, limits: principalLimits(statement), conditional: statement.Condition !== undefined }));
}

/**
 * Principals stored as unique IDs (AROA…): ECR shows these when the role a grant named was deleted
 * (and maybe recreated under the same name), so the grant no longer applies to anyone. Drift.
 */
export function stalePrincipals(document: PolicyDocument | undefined): { sid: string | undefined; principal: string }[] {
  return (document?.Statement ?? []).flatMap((statement) =>
    awsPrincipals(statement)
      .filter((value) => !ARN_OR_ACCOUNT.test(value))
      .map((principal) => ({ sid: statement.Sid, principal })),
  );
}

/** What the action writes as its own statement: `principals` empty when the run does not know whom it names. */
export interface OwnedForm {
  sid: string;
  principals: string[];
  actions: string[];
  /**
   * The run knows whom the statement names (`pull-principals`, or `pullers`): then `principals` is the
   * whole set even when empty (every puller that pulls it is in the registry's account), and any
   * principal beyond it is a widening. Unset: only `*` and non-AWS principals are known to be wrong.
   */
  known?: boolean;
}

/**
 * How the statements with our Sid differ from exactly what the action writes (docs/security.md: the owned statement): typed, phrased
 * in report/. A narrower statement (fewer of the expected principals or actions) is not here: the
 * verdict says what it misses, and the next write completes it.
 */
export interface OwnedStatementDrift {
  sid: string;
  /** Exactly what the action writes instead. */
  form: OwnedForm;
  /** How many statements carry our Sid (more than one: copies, each rewritten into one). */
  copies: number;
  /** Principals it names that the action would not: `*` is anyone; other types as `Service:…`. */
  principals: string[];
  /** Actions (or `NotAction:` entries) beyond the grant's. */
  actions: string[];
  /** Elements the action never writes (or writes otherwise): Condition, Resource, NotPrincipal, Effect Deny… */
  elements: string[];
}

function principalsOf(statement: Statement): string[] {
  if (statement.Principal === undefined) return [];
  if (statement.Principal === '*') return ['*'];
  return Object.entries(statement.Principal).flatMap(([kind, values]) =>
    asList(values).map((value) => (kind === 'AWS' ? principalArn(String(value)) : `${kind}:${String(value)}`)),
  );
}

/** Undefined when every statement with our Sid is (at most) the owned form. */
export function ownedStatementDrift(document: PolicyDocument | undefined, owned: OwnedForm | undefined): OwnedStatementDrift | undefined {
  if (!owned) return undefined;
  const mine = (document?.Statement ?? []).filter((statement) => statement.Sid === owned.sid);
  if (mine.length === 0) return undefined;
  const expectedPrincipals = new Set(owned.principals.map((value) => principalArn(value)));
  const expectedActions = new Set(owned.actions.map((action) => action.toLowerCase()));
  const principals = new Set<string>();
  const actions = new Set<string>();
  const elements = new Set<string>();
  for (const statement of mine) {
    for (const principal of principalsOf(statement)) {
      // A unique ID (AROA…) is a stale principal, reported as such; whom the run does not know it names, only `*` and non-AWS types are wrong.
      const known = principal === '*' || principal.includes(':');
      if (!known) continue;
      if (expectedPrincipals.size === 0 && !owned.known ? principal === '*' || !principal.startsWith('arn:') : !expectedPrincipals.has(principal))
        principals.add(principal);
    }
    for (const action of asList(statement.Action)) if (!expectedActions.has(action.toLowerCase())) actions.add(action);
    for (const action of asList(statement.NotAction)) actions.add(`NotAction:${action}`);
    if (statement.Effect !== 'Allow') elements.add(`Effect ${statement.Effect}`);
    for (const key of ['Condition', 'Resource', 'NotResource', 'NotPrincipal'] as const) if (statement[key] !== undefined) elements.add(key);
  }
  if (mine.length === 1 && principals.size === 0 && actions.size === 0 && elements.size === 0) return undefined;
  return { sid: owned.sid, form: owned, copies: mine.length, principals: [...principals].sort(), actions: [...actions].sort(), elements: [...elements].sort() };
}
