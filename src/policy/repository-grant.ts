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

/**
 * What a person should know about the statements we do not own: grants that make the repository
 * public, and principals stored as unique IDs (AROA…: the role was deleted, recreated, and the old
 * grant no longer applies to the new role).
 */
export function foreignStatementFindings(document: PolicyDocument | undefined, ownSid: string, repository: string): string[] {
  const findings: string[] = [];
  for (const statement of document?.Statement ?? []) {
    if (statement.Sid === ownSid) continue;
    const name = statement.Sid ? `statement "${statement.Sid}"` : 'a statement without Sid';
    const principal = statement.Principal;
    const awsPrincipals = principal === '*' ? ['*'] : asList(principal?.AWS);
    if (statement.Effect === 'Allow' && awsPrincipals.includes('*')) {
      const conditional = statement.Condition ? ' (limited only by its Condition)' : '';
      findings.push(`${name} of the repository policy of ${repository} lets anyone pull${conditional}. It is not this action's: review it and remove it if the repository is not meant to be public.`);
    }
    for (const value of awsPrincipals) {
      if (!ARN_OR_ACCOUNT.test(value)) {
        findings.push(`${name} of the repository policy of ${repository} names principal ${value}, a unique ID: the role or user it named was deleted (and maybe recreated), so it grants nothing. Replace it with the current ARN.`);
      }
    }
  }
  return findings;
}
