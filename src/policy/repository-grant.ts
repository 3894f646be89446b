import { UserError } from '../errors.js';
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
 * Replaces (or appends) the statement with our Sid; every other statement stays as it is, in place.
 * Refuses, before any write, a result larger than ECR accepts.
 */
export function planGrant(before: PolicyDocument | undefined, grant: Statement, repository: string): GrantPlan {
  const others = before?.Statement ?? [];
  const index = others.findIndex((statement) => statement.Sid === grant.Sid);
  const statements = index >= 0 ? others.map((statement, at) => (at === index ? grant : statement)) : [...others, grant];
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

function statementName(statement: Statement): string {
  return statement.Sid ? `statement "${statement.Sid}"` : 'a statement without Sid';
}

function awsPrincipals(statement: Statement): string[] {
  return statement.Principal === '*' ? ['*'] : asList(statement.Principal?.AWS);
}

/**
 * Foreign statements (not ours) that make the repository public: reported, never silently kept,
 * and never changed by this action.
 */
export function publicGrantFindings(document: PolicyDocument | undefined, ownSid: string, repository: string): string[] {
  return (document?.Statement ?? [])
    .filter((statement) => statement.Sid !== ownSid && statement.Effect === 'Allow' && awsPrincipals(statement).includes('*'))
    .map((statement) => {
      const conditional = statement.Condition ? ' (limited only by its Condition)' : '';
      return `${statementName(statement)} of the repository policy of ${repository} lets anyone pull${conditional}. It is not this action's: review it and remove it if the repository is not meant to be public.`;
    });
}

/**
 * Principals stored as unique IDs (AROA…): ECR shows these when the role a grant named was deleted
 * (and maybe recreated under the same name), so the grant no longer applies to anyone. Drift.
 */
export function stalePrincipalFindings(document: PolicyDocument | undefined, repository: string): string[] {
  return (document?.Statement ?? []).flatMap((statement) =>
    awsPrincipals(statement)
      .filter((value) => !ARN_OR_ACCOUNT.test(value))
      .map((value) => `${statementName(statement)} of the repository policy of ${repository} names principal ${value}, a unique ID: the role it named was deleted (and maybe recreated), so that grant applies to nobody. Replace ${value} with the role's current ARN (publish or reconcile do so for their own statement).`),
  );
}
