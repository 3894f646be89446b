// Differential tests: our small evaluator against @cloud-copilot/iam-simulate (AGPL, a
// devDependency used only here as an oracle; never bundled into dist/).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { evaluate, type Decision } from '../../src/policy/evaluate.js';
import { UNKNOWN_CONTEXT } from '../../src/policy/context.js';
import type { Principal, Statement } from '../../src/policy/document.js';

const PROD = '153263036946';
const STAGING = '004947743811';
const ROLE = `arn:aws:iam::${STAGING}:role/MoleculeTenantEICRole-staging`;
const REPO = (name: string): string => `arn:aws:ecr:us-east-2:${PROD}:repository/${name}`;

type OracleResult = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

async function oracle(identity: Statement[], resourcePolicy: Statement[] | undefined, action: string, resource: string): Promise<OracleResult> {
  const crossAccount = resourcePolicy !== undefined;
  const response = await runSimulation(
    {
      identityPolicies: [{ name: 'identity', policy: { Version: '2012-10-17', Statement: identity } }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: crossAccount ? { Version: '2012-10-17', Statement: resourcePolicy } : undefined,
      request: { action, principal: ROLE, resource: { resource, accountId: crossAccount ? PROD : STAGING }, contextVariables: {} },
    } as never,
    {},
  );
  if (response.resultType === 'error') throw new Error(`oracle refused the case: ${JSON.stringify(response.errors)}`);
  return response.overallResult as OracleResult;
}

const asOracle: Record<Decision, OracleResult | 'conditional'> = {
  allowed: 'Allowed',
  'explicitly-denied': 'ExplicitlyDenied',
  'implicitly-denied': 'ImplicitlyDenied',
  conditional: 'conditional',
};

/** Identity side alone (same account, no resource policy): the identity decision is the answer. */
function ours(identity: Statement[], action: string, resource: string): OracleResult | 'conditional' {
  return asOracle[evaluate([{ name: 'identity', statements: identity }], { action, resource, context: UNKNOWN_CONTEXT }, 'identity').decision];
}

/** Cross-account: both sides must allow; an explicit deny on either side wins. */
function oursCrossAccount(identity: Statement[], resourcePolicy: Statement[], action: string, resource: string): OracleResult | 'conditional' {
  const identitySide = evaluate([{ name: 'identity', statements: identity }], { action, resource, context: UNKNOWN_CONTEXT }, 'identity').decision;
  const resourceSide = evaluate([{ name: 'repository', statements: resourcePolicy }], { action, resource, caller: { roleArn: ROLE, hasBoundary: false }, context: UNKNOWN_CONTEXT }, 'resource').decision;
  if (identitySide === 'explicitly-denied' || resourceSide === 'explicitly-denied') return 'ExplicitlyDenied';
  if (identitySide === 'conditional' || resourceSide === 'conditional') return 'conditional';
  return identitySide === 'allowed' && resourceSide === 'allowed' ? 'Allowed' : 'ImplicitlyDenied';
}

const allow = (Action: string | string[], Resource: string | string[]): Statement => ({ Effect: 'Allow', Action, Resource });
const grant = (Principal: Principal, Action: string | string[] = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability']): Statement => ({ Effect: 'Allow', Principal, Action });

const identityCases: [string, Statement[], string, string][] = [
  ['exact ARN', [allow('ecr:BatchGetImage', REPO('molecule-ai/a'))], 'ecr:BatchGetImage', REPO('molecule-ai/a')],
  ['other ARN', [allow('ecr:BatchGetImage', REPO('molecule-ai/b'))], 'ecr:BatchGetImage', REPO('molecule-ai/a')],
  ['case-insensitive action', [allow('ECR:batchgetIMAGE', REPO('molecule-ai/a'))], 'ecr:BatchGetImage', REPO('molecule-ai/a')],
  ['case-sensitive repository name', [allow('ecr:BatchGetImage', REPO('Molecule-ai/a'))], 'ecr:BatchGetImage', REPO('molecule-ai/a')],
  ['case-insensitive region', [allow('ecr:BatchGetImage', 'arn:aws:ecr:US-EAST-2:153263036946:repository/molecule-ai/a')], 'ecr:BatchGetImage', REPO('molecule-ai/a')],
  ['action wildcard', [allow('ecr:*', REPO('molecule-ai/a'))], 'ecr:GetDownloadUrlForLayer', REPO('molecule-ai/a')],
  ['action prefix wildcard', [allow('ecr:Get*', REPO('molecule-ai/a'))], 'ecr:BatchGetImage', REPO('molecule-ai/a')],
  ['action ? wildcard', [allow('ecr:BatchGet?mage', REPO('molecule-ai/a'))], 'ecr:BatchGetImage', REPO('molecule-ai/a')],
  ['name-prefix wildcard', [allow('ecr:BatchGetImage', REPO('molecule-ai/workspace-template-*'))], 'ecr:BatchGetImage', REPO('molecule-ai/workspace-template-codex')],
  ['prefix wildcard misses', [allow('ecr:BatchGetImage', REPO('molecule-ai/workspace-template-*'))], 'ecr:BatchGetImage', REPO('molecule-ai/molecule-platform-agent')],
  ['? in name', [allow('ecr:BatchGetImage', REPO('molecule-ai/?'))], 'ecr:BatchGetImage', REPO('molecule-ai/a')],
  ['region wildcard', [allow('ecr:BatchGetImage', 'arn:aws:ecr:*:153263036946:repository/*')], 'ecr:BatchGetImage', REPO('molecule-ai/a')],
  ['account wildcard', [allow('ecr:BatchGetImage', 'arn:aws:ecr:us-east-2:*:repository/molecule-ai/a')], 'ecr:BatchGetImage', REPO('molecule-ai/a')],
  ['short ARN', [allow('ecr:BatchGetImage', 'arn:aws:ecr:us-east-2:153263036946')], 'ecr:BatchGetImage', REPO('molecule-ai/a')],
  ['resource *', [allow('ecr:BatchGetImage', '*')], 'ecr:BatchGetImage', REPO('molecule-ai/a')],
  ['action *', [allow('*', '*')], 'ecr:BatchGetImage', REPO('molecule-ai/a')],
  ['NotAction', [{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }], 'ecr:BatchGetImage', REPO('molecule-ai/a')],
  ['NotAction excludes', [{ Effect: 'Allow', NotAction: 'ecr:Batch*', Resource: '*' }], 'ecr:BatchGetImage', REPO('molecule-ai/a')],
  ['NotResource', [{ Effect: 'Allow', Action: 'ecr:*', NotResource: REPO('molecule-ai/secret') }], 'ecr:BatchGetImage', REPO('molecule-ai/a')],
  ['NotResource excludes', [{ Effect: 'Allow', Action: 'ecr:*', NotResource: REPO('molecule-ai/*') }], 'ecr:BatchGetImage', REPO('molecule-ai/a')],
  ['explicit deny wins', [allow('ecr:*', '*'), { Effect: 'Deny', Action: 'ecr:BatchGetImage', Resource: REPO('molecule-ai/a') }], 'ecr:BatchGetImage', REPO('molecule-ai/a')],
  ['deny elsewhere', [allow('ecr:*', '*'), { Effect: 'Deny', Action: 'ecr:BatchGetImage', Resource: REPO('molecule-ai/b') }], 'ecr:BatchGetImage', REPO('molecule-ai/a')],
  ['deny with NotResource', [allow('ecr:*', '*'), { Effect: 'Deny', Action: 'ecr:*', NotResource: REPO('molecule-ai/b') }], 'ecr:BatchGetImage', REPO('molecule-ai/a')],
  ['GetAuthorizationToken on *', [allow('ecr:GetAuthorizationToken', '*')], 'ecr:GetAuthorizationToken', '*'],
  ['GetAuthorizationToken on an ARN only', [allow('ecr:GetAuthorizationToken', REPO('molecule-ai/a'))], 'ecr:GetAuthorizationToken', '*'],
  ['other service', [allow('s3:GetObject', '*')], 'ecr:BatchGetImage', REPO('molecule-ai/a')],
  ['string-or-array forms', [allow(['ecr:BatchGetImage'], [REPO('molecule-ai/a'), REPO('molecule-ai/b')])], 'ecr:BatchGetImage', REPO('molecule-ai/b')],
];

const crossAccountCases: [string, Statement[], Statement[], string][] = [
  ['the incident: grant present, allowlist missing the repository', [allow('ecr:BatchGetImage', REPO('molecule-ai/workspace-template-codex'))], [grant({ AWS: `arn:aws:iam::${STAGING}:root` })], REPO('molecule-ai/molecule-platform-agent')],
  ['both sides allow via account root', [allow('ecr:BatchGetImage', REPO('molecule-ai/a'))], [grant({ AWS: `arn:aws:iam::${STAGING}:root` })], REPO('molecule-ai/a')],
  ['both sides allow via bare account ID', [allow('ecr:BatchGetImage', REPO('molecule-ai/a'))], [grant({ AWS: STAGING })], REPO('molecule-ai/a')],
  ['both sides allow via role ARN', [allow('ecr:BatchGetImage', REPO('molecule-ai/a'))], [grant({ AWS: ROLE })], REPO('molecule-ai/a')],
  ['grant to another role', [allow('ecr:BatchGetImage', REPO('molecule-ai/a'))], [grant({ AWS: `arn:aws:iam::${STAGING}:role/Other` })], REPO('molecule-ai/a')],
  ['grant to another account', [allow('ecr:BatchGetImage', REPO('molecule-ai/a'))], [grant({ AWS: 'arn:aws:iam::111111111111:root' })], REPO('molecule-ai/a')],
  ['public grant', [allow('ecr:BatchGetImage', REPO('molecule-ai/a'))], [grant('*')], REPO('molecule-ai/a')],
  ['grant lacks the action', [allow('ecr:*', '*')], [grant({ AWS: ROLE }, 'ecr:GetDownloadUrlForLayer')], REPO('molecule-ai/a')],
  ['resource-policy deny', [allow('ecr:*', '*')], [grant({ AWS: ROLE }), { Effect: 'Deny', Principal: '*', Action: 'ecr:BatchGetImage' }], REPO('molecule-ai/a')],
  ['no grant at all', [allow('ecr:*', '*')], [], REPO('molecule-ai/a')],
];

describe('evaluator agrees with iam-simulate', () => {
  for (const [what, identity, action, resource] of identityCases) {
    it(`identity: ${what}`, async () => {
      assert.equal(ours(identity, action, resource), await oracle(identity, undefined, action, resource));
    });
  }
  for (const [what, identity, resourcePolicy, resource] of crossAccountCases) {
    it(`cross-account: ${what}`, async () => {
      for (const action of ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer']) {
        assert.equal(oursCrossAccount(identity, resourcePolicy, action, resource), await oracle(identity, resourcePolicy, action, resource), action);
      }
    });
  }

  const actionPatterns = ['ecr:BatchGetImage', 'ECR:batchgetimage', 'ecr:*', '*', 'ecr:Get*', 'ecr:BatchGet?mage', 'ecr:Describe*', 's3:GetObject', 'ecr:GetAuthorizationToken', 'ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:*Layer*'];
  const resourcePatterns = [
    '*', REPO('molecule-ai/a'), REPO('molecule-ai/b'), REPO('Molecule-AI/a'), REPO('molecule-ai/*'), REPO('molecule-ai/?'), REPO('*'),
    'arn:aws:ecr:*:153263036946:repository/*', 'arn:aws:ecr:us-east-2:*:repository/molecule-ai/a', 'arn:aws:ecr:us-east-2:153263036946:*',
    'arn:aws:ecr:us-east-2:153263036946', 'arn:aws:ECR:US-EAST-2:153263036946:repository/molecule-ai/a', 'arn:aws:ecr:us-east-2:999999999999:repository/*',
    'arn:aws:ecr:us-west-2:153263036946:repository/molecule-ai/a', 'arn:aws:s3:::bucket/*', REPO('molecule-ai/a*'), REPO('molecule-ai/a/b'),
  ];
  const principals: Principal[] = ['*', { AWS: '*' }, { AWS: STAGING }, { AWS: `arn:aws:iam::${STAGING}:root` }, { AWS: ROLE }, { AWS: `arn:aws:iam::${STAGING}:role/Other` }, { AWS: 'arn:aws:iam::111111111111:root' }, { AWS: [ROLE, '111111111111'] }];
  const listOf = <T>(items: T[]) => fc.oneof(fc.constantFrom(...items), fc.uniqueArray(fc.constantFrom(...items), { minLength: 1, maxLength: 3 }));
  const effect = fc.constantFrom<'Allow' | 'Deny'>('Allow', 'Allow', 'Deny');
  const actions = fc.oneof(listOf(actionPatterns).map((Action) => ({ Action })), listOf(actionPatterns).map((NotAction) => ({ NotAction })));
  const identityStatement = fc.record({ Effect: effect, actions, resources: fc.oneof(listOf(resourcePatterns).map((Resource) => ({ Resource })), listOf(resourcePatterns).map((NotResource) => ({ NotResource }))) })
    .map(({ Effect, actions, resources }) => ({ Effect, ...actions, ...resources }) as Statement);
  const resourceStatement = fc.record({ Effect: effect, actions, Principal: fc.constantFrom(...principals) }).map(({ Effect, actions, Principal }) => ({ Effect, Principal, ...actions }) as Statement);
  const request = fc.oneof(
    fc.record({ action: fc.constantFrom('ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'), resource: fc.constantFrom(REPO('molecule-ai/a'), REPO('molecule-ai/b'), REPO('molecule-ai/a/b')) }),
    fc.constant({ action: 'ecr:GetAuthorizationToken', resource: '*' }),
  );
  const GENERATED = 1000;

  it(`identity: ${GENERATED} generated policies, zero disagreements`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(identityStatement, { minLength: 1, maxLength: 4 }), request, async (identity, { action, resource }) => {
        assert.equal(ours(identity, action, resource), await oracle(identity, undefined, action, resource));
      }),
      { numRuns: GENERATED, seed: 20261123 },
    );
  });

  it(`cross-account: ${GENERATED} generated policy pairs, zero disagreements`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(identityStatement, { minLength: 1, maxLength: 3 }),
        fc.array(resourceStatement, { minLength: 0, maxLength: 3 }),
        fc.constantFrom('ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'),
        fc.constantFrom(REPO('molecule-ai/a'), REPO('molecule-ai/b')),
        async (identity, resourcePolicy, action, resource) => {
          assert.equal(oursCrossAccount(identity, resourcePolicy, action, resource), await oracle(identity, resourcePolicy, action, resource));
        },
      ),
      { numRuns: GENERATED, seed: 20261123 },
    );
  });
});
