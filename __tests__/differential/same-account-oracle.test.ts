// Differential test of the same-account rule (src/domain/checks/judge.ts, `judgeSameAccount`) against
// @cloud-copilot/iam-simulate (AGPL, a devDependency used only here as an oracle; none of its code
// copied, never bundled). The caller is a session of a role in the repository's own account, so the
// oracle applies IAM's single-account logic ("Policy evaluation for requests within a single
// account"). Only shapes with nothing unknown are compared: the product's ok must be the oracle's
// Allowed, its denied the oracle's ExplicitlyDenied, anything else never Allowed. Where the oracle and
// AWS's documentation disagree, the documentation wins: such shapes are listed in ORACLE_DIFFERS.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { judgeSameAccount, type AccessModel } from '../../src/domain/checks/judge.js';
import type { Statement } from '../../src/domain/policy/document.js';
import { loginRequestContext, pullRequestContext, type PullFacts } from '../../src/domain/policy/request-context.js';
import { PROD_ACCOUNT, REGION } from '../../stack/fixture.js';

const ACCOUNT = PROD_ACCOUNT;
const ROLE_NAME = 'prod-puller';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/${ROLE_NAME}`;
const SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/${ROLE_NAME}/host-1`;
const REPO = `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/team/app`;
const ACTION = 'ecr:BatchGetImage';

const facts: PullFacts = {
  role: { arn: ROLE, account: ACCOUNT, roleId: 'AROAPRODPULLER', tags: {}, sessionTagsPossible: false },
  principalOrgId: { status: 'none' },
  principalOrgPaths: { status: 'none' },
  registry: { account: ACCOUNT, region: REGION },
  resourceOrgId: { status: 'none' },
};

const IDENTITY: Record<string, Statement[]> = {
  none: [],
  allows: [{ Effect: 'Allow', Action: 'ecr:*', Resource: REPO }],
  denies: [
    { Effect: 'Allow', Action: 'ecr:*', Resource: '*' },
    { Effect: 'Deny', Action: ACTION, Resource: REPO },
  ],
};
const BOUNDARY: Record<string, Statement[] | undefined> = {
  none: undefined,
  allows: [{ Effect: 'Allow', Action: 'ecr:*', Resource: '*' }],
  'only s3': [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }],
};
const grant = (principal: Statement['Principal'], extra: Partial<Statement> = {}): Statement[] => [
  { Effect: 'Allow', Principal: principal, Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], ...extra },
];
const REPOSITORY: Record<string, Statement[]> = {
  none: [],
  'role ARN': grant({ AWS: ROLE }),
  'account root': grant({ AWS: `arn:aws:iam::${ACCOUNT}:root` }),
  'everyone, limited by aws:PrincipalArn': grant('*', { Condition: { ArnEquals: { 'aws:PrincipalArn': ROLE } } }),
  'deny the role': [{ Effect: 'Deny', Principal: { AWS: ROLE }, Action: ACTION }, ...grant({ AWS: ROLE })],
};

/**
 * Shapes where iam-simulate's answer is not what AWS documents (kept out of the comparison, pinned
 * here): none known yet; a shape added here must name the AWS page it follows.
 */
const ORACLE_DIFFERS = new Set<string>();

function productOf(identity: Statement[], boundary: Statement[] | undefined, repository: Statement[]): 'allowed' | 'denied' | 'not allowed' {
  const model: AccessModel = {
    caller: { roleArn: ROLE, roleId: 'AROAPRODPULLER', hasBoundary: boundary !== undefined },
    context: pullRequestContext(facts),
    loginContext: loginRequestContext(facts),
    identity: [{ name: 'identity', statements: identity, version: '2012-10-17' }],
    ...(boundary ? { boundary: { name: 'boundary', statements: boundary, version: '2012-10-17' } } : {}),
  };
  const sides = judgeSameAccount(REPO, { name: 'repository policy', statements: repository, version: '2012-10-17' }, model, [ACTION]);
  if (sides.grant.status === 'denied' || sides.identity.status === 'denied') return 'denied';
  return sides.grant.status === 'allowed' && sides.identity.status === 'allowed' ? 'allowed' : 'not allowed';
}

async function oracleOf(identity: Statement[], boundary: Statement[] | undefined, repository: Statement[]): Promise<string> {
  const document = (Statement: Statement[]) => ({ Version: '2012-10-17', Statement });
  const response = await runSimulation(
    {
      identityPolicies: [{ name: 'identity', policy: document(identity) }],
      permissionBoundaryPolicies: boundary ? [{ name: 'boundary', policy: document(boundary) }] : undefined,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: repository.length > 0 ? document(repository) : undefined,
      request: {
        action: ACTION,
        principal: SESSION,
        resource: { resource: REPO, accountId: ACCOUNT },
        contextVariables: {
          'aws:PrincipalArn': ROLE,
          'aws:PrincipalAccount': ACCOUNT,
          'aws:PrincipalType': 'AssumedRole',
          'aws:ResourceAccount': ACCOUNT,
          'aws:RequestedRegion': REGION,
          'aws:SecureTransport': 'true',
          'aws:userid': 'AROAPRODPULLER:host-1',
        },
      },
    } as never,
    {},
  );
  if (response.resultType === 'error') throw new Error(`oracle refused the case: ${JSON.stringify(response.errors)}`);
  return response.overallResult as string;
}

describe('same-account pulls agree with @cloud-copilot/iam-simulate (identity × boundary × repository policy)', () => {
  for (const [identityName, identity] of Object.entries(IDENTITY)) {
    for (const [boundaryName, boundary] of Object.entries(BOUNDARY)) {
      for (const [repositoryName, repository] of Object.entries(REPOSITORY)) {
        const name = `identity ${identityName}, boundary ${boundaryName}, repository grant: ${repositoryName}`;
        if (ORACLE_DIFFERS.has(name)) continue;
        it(name, async () => {
          const product = productOf(identity, boundary, repository);
          const oracle = await oracleOf(identity, boundary, repository);
          const expected = product === 'allowed' ? 'Allowed' : product === 'denied' ? 'ExplicitlyDenied' : 'ImplicitlyDenied';
          assert.equal(oracle, expected, `product: ${product}`);
        });
      }
    }
  }
});
