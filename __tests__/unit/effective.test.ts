// The shipped effective-access rule on the cases AWS documents, table-driven (the oracle tests
// compare it with iam-simulate on generated cases too).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judgeGrantSide, judgeIdentitySide, judgeLogin, type AccessModel } from '../../src/domain/checks/judge.js';
import type { Statement } from '../../src/domain/policy/document.js';
import { pullRequestContext } from '../../src/domain/policy/request-context.js';
import { PROD_ACCOUNT, PULL_ACTIONS, STAGING_ACCOUNT, pullFacts } from '../../stack/fixture.js';

const PULL = PULL_ACTIONS;
const REGISTRY = PROD_ACCOUNT;
const STAGING = STAGING_ACCOUNT;
const ROLE = `arn:aws:iam::${STAGING}:role/tenants/Puller`;
const REPO = `arn:aws:ecr:us-east-2:${REGISTRY}:repository/team/app`;

const facts = pullFacts(ROLE);

function model(identity: Statement[], options: Partial<AccessModel> & { version?: string } = {}): AccessModel {
  return {
    caller: { roleArn: ROLE, roleId: 'AROAEXAMPLEID', hasBoundary: options.boundary !== undefined },
    context: pullRequestContext(facts),
    identity: [{ name: 'inline policy P', statements: identity, version: options.version }],
    ...options,
  };
}

const allowPull: Statement = { Effect: 'Allow', Action: PULL, Resource: REPO };
const login: Statement = { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' };
const grant = (statement: Partial<Statement>): { name: string; statements: Statement[] } => ({
  name: 'the repository policy of team/app',
  statements: [{ Effect: 'Allow', Action: PULL, ...statement } as Statement],
});

describe('effective access: the cases AWS documents', () => {
  const identityCases: [string, AccessModel, string, string | undefined][] = [
    ['identity allows, no boundary', model([allowPull]), 'allowed', undefined],
    [
      'boundary allows too',
      model([allowPull], { boundary: { name: 'permissions boundary B', statements: [{ Effect: 'Allow', Action: 'ecr:*', Resource: '*' }] } }),
      'allowed',
      undefined,
    ],
    [
      'boundary does not allow: the role may do only what both allow',
      model([allowPull], { boundary: { name: 'permissions boundary B', statements: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] } }),
      'missing',
      'boundary',
    ],
    [
      'boundary denies',
      model([allowPull], {
        boundary: {
          name: 'permissions boundary B',
          statements: [
            { Effect: 'Allow', Action: '*', Resource: '*' },
            { Effect: 'Deny', Action: 'ecr:BatchGetImage', Resource: '*' },
          ],
        },
      }),
      'denied',
      'boundary',
    ],
    [
      'an SCP level without an allow',
      model([allowPull], {
        scp: [
          { label: 'root r-1', policies: [{ name: 'FullAWSAccess', statements: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }] },
          { label: 'OU ou-1', policies: [{ name: 'OnlyS3', statements: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] }] },
        ],
      }),
      'missing',
      'scp',
    ],
    [
      'an SCP Deny wins over everything',
      model([allowPull], {
        scp: [
          {
            label: 'root r-1',
            policies: [
              {
                name: 'Guard',
                statements: [
                  { Effect: 'Allow', Action: '*', Resource: '*' },
                  { Effect: 'Deny', Action: 'ecr:*', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } } },
                ],
              },
            ],
          },
        ],
      }),
      'denied',
      'scp',
    ],
    [
      'role tags are known principal tags',
      model([{ ...allowPull, Condition: { StringEquals: { 'aws:PrincipalTag/team': 'platform' } } }]),
      'allowed',
      undefined,
    ],
    [
      'a tag the role does not carry, when its trust policy allows no sts:TagSession, is absent ("Passing session tags in AWS STS"): missing',
      model([{ ...allowPull, Condition: { StringEquals: { 'aws:PrincipalTag/env': 'staging' } } }]),
      'missing',
      'identity',
    ],
    [
      'a tag the role does not carry may come from a session tag when the trust policy allows sts:TagSession: conditional',
      model([{ ...allowPull, Condition: { StringEquals: { 'aws:PrincipalTag/env': 'staging' } } }], {
        context: pullRequestContext({ ...facts, role: { ...facts.role, sessionTagsPossible: true } }),
      }),
      'conditional',
      'identity',
    ],
    [
      'a Deny on a principal tag the role does not carry does not apply when no session can add it (absent)',
      model([allowPull, { Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/quarantined': 'true' } } }]),
      'allowed',
      undefined,
    ],
    [
      'aws:ResourceAccount and aws:RequestedRegion are fixed by the pull',
      model([
        { Effect: 'Allow', Action: PULL, Resource: '*', Condition: { StringEquals: { 'aws:ResourceAccount': REGISTRY, 'aws:RequestedRegion': 'us-east-2' } } },
      ]),
      'allowed',
      undefined,
    ],
    [
      'aws:SourceIp is known only to the pull: conditional',
      model([{ ...allowPull, Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }]),
      'conditional',
      'identity',
    ],
    [
      'IAM resolves no variables in a Version 2008-10-17 document ("IAM policy elements: Variables and tags")',
      model([{ Effect: 'Allow', Action: PULL, Resource: 'arn:aws:ecr:us-east-2:*:repository/${aws:PrincipalTag/team}' }], { version: '2008-10-17' }),
      'missing',
      'identity',
    ],
  ];
  for (const [what, access, status, layer] of identityCases) {
    it(`identity side: ${what}`, () => {
      const check = judgeIdentitySide(REPO, access, PULL);
      assert.equal(check.status, status);
      assert.equal(check.layer, layer);
    });
  }

  it('identity side: the variable resolves in a 2012-10-17 document', () => {
    const check = judgeIdentitySide(
      REPO,
      model([{ Effect: 'Allow', Action: PULL, Resource: `arn:aws:ecr:us-east-2:${REGISTRY}:repository/\${aws:PrincipalTag/team}/*` }], {
        version: '2012-10-17',
      }),
      PULL,
    );
    assert.equal(check.status, 'missing', 'team/app is not under platform/');
    const match = judgeIdentitySide(
      `arn:aws:ecr:us-east-2:${REGISTRY}:repository/platform/app`,
      model([{ Effect: 'Allow', Action: PULL, Resource: `arn:aws:ecr:us-east-2:${REGISTRY}:repository/\${aws:PrincipalTag/team}/*` }], {
        version: '2012-10-17',
      }),
      PULL,
    );
    assert.equal(match.status, 'allowed');
  });

  /** A Deny on everyone but the staging account, this role and one of its sessions (NotPrincipal). */
  const notPrincipalDeny: { name: string; statements: Statement[] } = {
    name: 'the repository policy of team/app',
    statements: [
      { Effect: 'Allow', Principal: { AWS: STAGING }, Action: PULL },
      {
        Effect: 'Deny',
        NotPrincipal: { AWS: [`arn:aws:sts::${STAGING}:assumed-role/Puller/host-1`, ROLE, `arn:aws:iam::${STAGING}:root`] },
        Action: 'ecr:*',
      },
    ],
  };
  const grantCases: [string, { name: string; statements: Statement[] }, boolean, string][] = [
    ['the role ARN with its path', grant({ Principal: { AWS: ROLE } }), false, 'allowed'],
    ['the role ARN without its path is another ARN', grant({ Principal: { AWS: `arn:aws:iam::${STAGING}:role/Puller` } }), false, 'missing'],
    ['the account root', grant({ Principal: { AWS: `arn:aws:iam::${STAGING}:root` } }), false, 'allowed'],
    ['the bare account ID', grant({ Principal: { AWS: STAGING } }), false, 'allowed'],
    ['an aws-cn root never covers an aws role', grant({ Principal: { AWS: `arn:aws-cn:iam::${STAGING}:root` } }), false, 'missing'],
    ['one session ARN depends on the session name', grant({ Principal: { AWS: `arn:aws:sts::${STAGING}:assumed-role/Puller/host-1` } }), false, 'conditional'],
    ['Principal * limited to the organization', grant({ Principal: '*', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } } }), false, 'allowed'],
    [
      'Principal * limited to another organization',
      grant({ Principal: '*', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-other' } } }),
      false,
      'missing',
    ],
    [
      'Principal * limited to an OU path',
      grant({ Principal: '*', Condition: { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': 'o-abc123/r-ab12/ou-ab12-11111111/*' } } }),
      false,
      'allowed',
    ],
    [
      'Principal * limited by aws:PrincipalArn with a path wildcard',
      grant({ Principal: '*', Condition: { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${STAGING}:role/tenants/*` } } }),
      false,
      'allowed',
    ],
    [
      'Principal * limited by aws:userid with the role ID and any session',
      grant({ Principal: '*', Condition: { StringLike: { 'aws:userid': 'AROAEXAMPLEID:*' } } }),
      false,
      'allowed',
    ],
    [
      'Principal * limited by aws:PrincipalType',
      grant({ Principal: '*', Condition: { StringEquals: { 'aws:PrincipalType': 'AssumedRole' } } }),
      false,
      'allowed',
    ],
    [
      'NotPrincipal Deny naming role and account but not the session denies ("AWS JSON policy elements: NotPrincipal")',
      {
        name: 'the repository policy of team/app',
        statements: [
          { Effect: 'Allow', Principal: { AWS: STAGING }, Action: PULL },
          { Effect: 'Deny', NotPrincipal: { AWS: [ROLE, `arn:aws:iam::${STAGING}:root`] }, Action: 'ecr:*' },
        ],
      },
      false,
      'denied',
    ],
    ['NotPrincipal Deny listing the session ARN depends on the session name', notPrincipalDeny, false, 'conditional'],
    ['NotPrincipal Deny always denies a principal with a permissions boundary (same page)', notPrincipalDeny, true, 'denied'],
  ];
  for (const [what, policy, hasBoundary, status] of grantCases) {
    it(`repository side: ${what}`, () => {
      const access = model(
        [allowPull],
        hasBoundary ? { boundary: { name: 'permissions boundary B', statements: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } } : {},
      );
      assert.equal(judgeGrantSide(REPO, policy, access, PULL).status, status);
    });
  }

  it('an RCP level that denies outside the organization lets the organization pull, and names the RCP otherwise', () => {
    const rcp = (org: string) => [
      {
        label: 'root r-1',
        policies: [
          { name: 'RCPFullAWSAccess', statements: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' } as Statement] },
          {
            name: 'Perimeter',
            statements: [
              {
                Effect: 'Deny',
                Principal: '*',
                Action: 'ecr:*',
                Resource: '*',
                Condition: { StringNotEqualsIfExists: { 'aws:PrincipalOrgID': org } },
              } as Statement,
            ],
          },
        ],
      },
    ];
    const policy = grant({ Principal: { AWS: STAGING } });
    assert.equal(judgeGrantSide(REPO, policy, model([allowPull], { rcp: rcp('o-abc123') }), PULL).status, 'allowed');
    const denied = judgeGrantSide(REPO, policy, model([allowPull], { rcp: rcp('o-other') }), PULL);
    assert.deepEqual([denied.status, denied.layer], ['denied', 'rcp']);
  });

  it('login needs ecr:GetAuthorizationToken in the policies and the boundary', () => {
    assert.equal(judgeLogin(model([allowPull, login])).status, 'allowed');
    assert.deepEqual(judgeLogin(model([allowPull])).status, 'missing');
    const capped = judgeLogin(
      model([allowPull, login], {
        boundary: { name: 'permissions boundary B', statements: [{ Effect: 'Allow', Action: 'ecr:BatchGetImage', Resource: '*' }] },
      }),
    );
    assert.deepEqual([capped.status, capped.layer], ['missing', 'boundary']);
  });
});
