// Every layer AWS enforces on a real pull, table-driven, each rule citing the AWS page it follows.
// iam-simulate models none of the registry policy, and matches Resource ARNs segment by segment, so
// these rules are pinned here rather than only in the differential tests.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judgeGrantSide, judgeIdentitySide, judgeLogin, PULL_NEEDS, type AccessModel, type RegistryPolicyModel } from '../../src/domain/checks/judge.js';
import type { Statement } from '../../src/domain/policy/document.js';
import { ARN_CASE_KEY, ROLE_NAME_CASE_KEY, resourceMatch } from '../../src/domain/policy/evaluate.js';
import type { Check } from '../../src/domain/checks/model.js';
import { beyondV1, registryPolicyModel } from '../../src/domain/policy/registry-policy.js';
import type { OwnedStatementDrift } from '../../src/domain/policy/repository-grant.js';
import { loginRequestContext, mentionsResourceTags, pullRequestContext } from '../../src/domain/policy/request-context.js';
import { planReconcile } from '../../src/domain/plan.js';
import { runPoliciesMentionResourceTags } from '../../src/domain/checks/judge.js';
import { PROD_ACCOUNT, PULL_ACTIONS, STAGING_ACCOUNT, pullFacts } from '../../stack/fixture.js';

const REGISTRY = PROD_ACCOUNT;
const STAGING = STAGING_ACCOUNT;
const ROLE = `arn:aws:iam::${STAGING}:role/MoleculeTenantEICRole-staging`;
const NAME = 'molecule-ai/workspace-template-claude-code';
const REPO = `arn:aws:ecr:us-east-2:${REGISTRY}:repository/${NAME}`;
const PULL = PULL_ACTIONS;

const facts = pullFacts(ROLE);
const login: Statement = { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' };
const allowPull: Statement = { Effect: 'Allow', Action: PULL, Resource: REPO };
const grant: Statement = { Sid: 'PublishImageCrossAccountPull', Effect: 'Allow', Principal: { AWS: ROLE }, Action: PULL };
const repositoryPolicy = (...statements: Statement[]) => ({ name: `the repository policy of ${NAME}`, statements, version: '2012-10-17' });

/** A registry-policy data perimeter: deny every principal outside organization `org`. */
const perimeter = (org: string): Statement => ({
  Sid: 'Perimeter',
  Effect: 'Deny',
  Principal: '*',
  Action: 'ecr:*',
  Resource: '*',
  Condition: { StringNotEquals: { 'aws:PrincipalOrgID': org } },
});

function registry(statements: Statement[], scope: 'V1' | 'V2' = 'V2'): RegistryPolicyModel {
  return registryPolicyModel(REGISTRY, { status: 'read', value: { Version: '2012-10-17', Statement: statements } }, { status: 'read', value: scope });
}

function model(options: Partial<AccessModel> = {}): AccessModel {
  return {
    caller: { roleArn: ROLE, roleId: 'AROAEXAMPLEID', hasBoundary: false },
    context: pullRequestContext(facts),
    loginContext: loginRequestContext(facts),
    identity: [{ name: 'inline policy P', statements: [login, allowPull], version: '2012-10-17' }],
    ...options,
  };
}

describe('Resource ARNs as IAM matches them ("IAM JSON policy elements: Resource", IAM User Guide)', () => {
  const cases: [string, string, string, ReturnType<typeof resourceMatch>][] = [
    ['a `*` spans the resource type and slashes within the last segment', `arn:aws:ecr:us-east-2:${REGISTRY}:*/molecule-ai/*`, REPO, 'yes'],
    ['a `*` inside the resource type spans the rest of it', `arn:aws:ecr:us-east-2:${REGISTRY}:repo*/molecule-ai/*`, REPO, 'yes'],
    ['a `*` that ends a segment expands beyond the colon boundaries', `arn:aws:ecr:*:repository/${NAME}`, REPO, 'yes'],
    ['a `*` that ends the region segment covers region and account', `arn:aws:ecr:us-*:repository/${NAME}`, REPO, 'yes'],
    ['a `*` in the middle of a segment does not cross a colon', `arn:aws:ecr:us-east-*6:repository/${NAME}`, REPO, 'no'],
    ['`?` never stands for a colon', `arn:aws:ecr:us-east-2?${REGISTRY}:repository/${NAME}`, REPO, 'no'],
    ['a short ARN in another region matches under no reading', 'arn:aws:ecr:us-west-2:*', REPO, 'no'],
    ['a short ARN against the `*` of an action without resources proves nothing', 'arn:aws:ecr:us-west-2:*', '*', 'undetermined'],
    ['`?` stands for one character within a segment', `arn:aws:ecr:us-east-?:${REGISTRY}:repository/${NAME}`, REPO, 'yes'],
    ['the resource compares case-sensitively', `arn:aws:ecr:us-east-2:${REGISTRY}:repository/Molecule-ai/*`, REPO, 'no'],
    ['the resource type compares case-sensitively', `arn:aws:ecr:us-east-2:${REGISTRY}:Repository/*`, REPO, 'no'],
    [
      'AWS does not document the case of the partition/service/region: case-only (never a pass)',
      `arn:aws:ECR:us-east-2:${REGISTRY}:repository/*`,
      REPO,
      'case-only',
    ],
    ['a wildcard in another account does not match', `arn:aws:ecr:us-east-2:111122223333:*`, REPO, 'no'],
  ];
  for (const [name, pattern, resource, expected] of cases) {
    it(name, () => assert.equal(resourceMatch(pattern, resource, 'identity'), expected));
  }

  it('a Deny across the resource type denies the pull (the incident shape: the gate must not pass)', () => {
    const deny: Statement = { Sid: 'DenyTeam', Effect: 'Deny', Action: 'ecr:*', Resource: `arn:aws:ecr:us-east-2:${REGISTRY}:*/molecule-ai/*` };
    const check = judgeIdentitySide(REPO, model({ identity: [{ name: 'inline policy P', statements: [login, allowPull, deny] }] }));
    assert.deepEqual([check.status, check.deciding[0]?.statement.Sid], ['denied', 'DenyTeam']);
  });

  it('an Allow that matches only when case is ignored is conditional, naming why', () => {
    const allow: Statement = { Effect: 'Allow', Action: PULL, Resource: `arn:AWS:ecr:us-east-2:${REGISTRY}:repository/*` };
    const check = judgeIdentitySide(REPO, model({ identity: [{ name: 'inline policy P', statements: [login, allow] }] }));
    assert.deepEqual([check.status, check.unknownKeys], ['conditional', [ARN_CASE_KEY]]);
  });

  it('a NotResource Deny whose short ARN names another region applies (its NotResource does not list this repository)', () => {
    const deny: Statement = { Sid: 'OnlyWest', Effect: 'Deny', Action: 'ecr:*', NotResource: 'arn:aws:ecr:us-west-2:*' };
    const check = judgeIdentitySide(REPO, model({ identity: [{ name: 'inline policy P', statements: [login, allowPull, deny] }] }));
    assert.deepEqual([check.status, check.deciding[0]?.statement.Sid], ['denied', 'OnlyWest']);
  });

  it('`${*}` in a Resource is a literal `*`, not a wildcard ("IAM policy elements: Variables and tags")', () => {
    const allow: Statement = { Effect: 'Allow', Action: PULL, Resource: `arn:aws:ecr:us-east-2:${REGISTRY}:repository/\${*}` };
    const check = judgeIdentitySide(REPO, model({ identity: [{ name: 'inline policy P', statements: [login, allow], version: '2012-10-17' }] }));
    assert.equal(check.status, 'missing');
  });
});

describe('principals: role names in another case (IAM names are unique regardless of case; AWS does not document matching)', () => {
  it('a grant naming the role in another case is conditional, naming why', () => {
    const check = judgeGrantSide(
      REPO,
      repositoryPolicy({ ...grant, Principal: { AWS: ROLE.toLowerCase().replace('arn:aws:iam::004947743811:role/', `arn:aws:iam::${STAGING}:role/`) } }),
      model(),
    );
    assert.deepEqual([check.status, check.unknownKeys], ['conditional', [ROLE_NAME_CASE_KEY]]);
  });

  it('a Deny naming the role in another case is conditional, never ignored', () => {
    const deny: Statement = {
      Sid: 'NoStaging',
      Effect: 'Deny',
      Principal: { AWS: `arn:aws:iam::${STAGING}:role/moleculetenanteicrole-staging` },
      Action: 'ecr:*',
    };
    const check = judgeGrantSide(REPO, repositoryPolicy(grant), model({ registryPolicy: registry([{ ...deny, Resource: '*' }]) }));
    assert.deepEqual([check.status, check.layer, check.unknownKeys], ['conditional', 'registry', [ROLE_NAME_CASE_KEY]]);
  });
});

describe('what a pull needs, whatever the grant writes (ECR User Guide, "Private repository policy examples")', () => {
  it('PULL_NEEDS is what docker pull calls on the repository', () => assert.deepEqual(PULL_NEEDS, ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer']));

  it('a grant without ecr:BatchCheckLayerAvailability still lets a pull through (a pull never calls it)', () => {
    const narrow: Statement = { ...grant, Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] };
    assert.equal(judgeGrantSide(REPO, repositoryPolicy(narrow), model()).status, 'allowed');
  });

  it('a grant of ecr:BatchGetImage alone is missing ecr:GetDownloadUrlForLayer', () => {
    const check = judgeGrantSide(REPO, repositoryPolicy({ ...grant, Action: 'ecr:BatchGetImage' }), model());
    assert.deepEqual([check.status, check.action], ['missing', 'ecr:GetDownloadUrlForLayer']);
  });
});

describe('the registry policy ("Private registry permissions in Amazon ECR", ECR User Guide)', () => {
  const denyStaging: Statement = {
    Sid: 'DenyLegacyPulls',
    Effect: 'Deny',
    Principal: { AWS: STAGING },
    Action: 'ecr:BatchGetImage',
    Resource: `arn:aws:ecr:us-east-2:${REGISTRY}:repository/*`,
  };
  const cases: [string, RegistryPolicyModel, Statement[], string, string | undefined][] = [
    ['scope V2: a Deny for the staging account denies, like one in the repository policy', registry([denyStaging]), [grant], 'denied', 'registry'],
    [
      'scope V2: a Deny for everyone on a prefix denies',
      registry([{ Sid: 'Prefix', Effect: 'Deny', Principal: '*', Action: 'ecr:*', Resource: `arn:aws:ecr:us-east-2:${REGISTRY}:repository/molecule-ai/*` }]),
      [grant],
      'denied',
      'registry',
    ],
    [
      'scope V2: a Deny through NotResource denies what it does not list',
      registry([{ Sid: 'OnlyPublic', Effect: 'Deny', Principal: '*', Action: 'ecr:*', NotResource: `arn:aws:ecr:us-east-2:${REGISTRY}:repository/public/*` }]),
      [grant],
      'denied',
      'registry',
    ],
    [
      'scope V2: a data perimeter on aws:PrincipalOrgID does not apply to a member of the organization',
      registry([perimeter('o-abc123')]),
      [grant],
      'allowed',
      undefined,
    ],
    ['scope V2: a data perimeter on aws:PrincipalOrgID denies outside the organization', registry([perimeter('o-other')]), [grant], 'denied', 'registry'],
    [
      'scope V2: a Deny outside a VPC endpoint depends on the pull: conditional',
      registry([
        { Sid: 'OnlyVpce', Effect: 'Deny', Principal: '*', Action: 'ecr:*', Resource: '*', Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-1' } } },
      ]),
      [grant],
      'conditional',
      'registry',
    ],
    ['scope V1: the registry policy says nothing about a pull', registry([denyStaging], 'V1'), [grant], 'allowed', undefined],
    ['no registry policy', { status: 'none' }, [grant], 'allowed', undefined],
    [
      'a registry policy that could not be read: a Deny there cannot be ruled out, conditional',
      { status: 'unread', label: `the registry policy of ${REGISTRY}`, reason: 'the current credentials are in account 004947743811' },
      [grant],
      'conditional',
      'registry',
    ],
    [
      'a registry-level Allow is never counted as the grant: missing without the repository grant',
      registry([
        { Sid: 'CentralPull', Effect: 'Allow', Principal: { AWS: STAGING }, Action: PULL, Resource: `arn:aws:ecr:us-east-2:${REGISTRY}:repository/*` },
      ]),
      [],
      'missing',
      'resource',
    ],
  ];
  for (const [name, registryPolicy, repository, status, layer] of cases) {
    it(name, () => {
      const check = judgeGrantSide(REPO, repositoryPolicy(...repository), model({ registryPolicy }));
      assert.deepEqual([check.status, check.layer], [status, layer]);
    });
  }

  it('the registry-level Allow is named beside the missing grant', () => {
    const policy = registry([
      { Sid: 'CentralPull', Effect: 'Allow', Principal: { AWS: STAGING }, Action: PULL, Resource: `arn:aws:ecr:us-east-2:${REGISTRY}:repository/*` },
    ]);
    const check = judgeGrantSide(REPO, repositoryPolicy(), model({ registryPolicy: policy }));
    assert.deepEqual(
      check.registryAllows?.map((deciding) => [deciding.policy, deciding.statement.Sid]),
      [[`the registry policy of ${REGISTRY}`, 'CentralPull']],
    );
  });

  it('a policy with more than V1 actions can only be V2; one with V1 actions alone cannot speak to a pull', () => {
    assert.equal(
      beyondV1({ Statement: [{ Effect: 'Allow', Action: ['ecr:ReplicateImage', 'ecr:CreateRepository', 'ecr:BatchImportUpstreamImage'], Resource: '*' }] }),
      false,
    );
    assert.equal(beyondV1({ Statement: [{ Effect: 'Deny', Action: 'ecr:BatchGetImage', Resource: '*' }] }), true);
    assert.equal(beyondV1({ Statement: [{ Effect: 'Deny', NotAction: 'ecr:ReplicateImage', Resource: '*' }] }), true);
    const unreadScope = registryPolicyModel(REGISTRY, { status: 'read', value: { Statement: [denyStaging] } }, { status: 'unread', reason: 'denied' });
    assert.equal(unreadScope.status === 'read' && unreadScope.scope, 'V2');
  });

  const planFor = (check: Check, own?: OwnedStatementDrift) =>
    planReconcile({
      region: 'us-east-2',
      registryId: REGISTRY,
      verdicts: [
        {
          repository: NAME,
          arn: REPO,
          exists: true,
          grant: check,
          identity: { status: 'missing', layer: 'identity', deciding: [], unknownKeys: [], action: 'ecr:BatchGetImage' },
          stalePrincipals: [],
          grantWritten: false,
          allowlistAdded: false,
          drift: true,
          ...(own ? { ownStatement: own } : {}),
        },
      ],
      role: { roleArn: ROLE, login: { status: 'allowed', deciding: [], unknownKeys: [] } },
      grantPlans: new Map(),
      extra: [],
      prune: false,
      pullActions: PULL,
      allowlistDocument: undefined,
      policies: [],
      otherInlineLength: 0,
      policyName: 'WorkspaceTemplatePrimaryECRPull',
    });

  it('an RCP\'s implicit deny is unfixable even where our own statement is there: no rewrite of ours lifts it (AWS Organizations User Guide, "Resource control policies": an RCP must allow)', () => {
    const rcpDenies: Check = { status: 'missing', layer: 'rcp', level: 'root', deciding: [], unknownKeys: [], action: 'ecr:BatchGetImage' };
    const without = planFor(rcpDenies);
    const sid = 'PublishImageCrossAccountPull';
    const withOwn = planFor(rcpDenies, {
      sid,
      form: { sid, principals: [ROLE], actions: PULL, known: true },
      copies: 1,
      principals: [],
      actions: [],
      elements: ['Condition'],
    });
    for (const made of [without, withOwn])
      assert.deepEqual(
        made.unfixable.filter((item) => item.kind === 'grant-side').map((item) => 'layer' in item && item.layer),
        ['rcp'],
      );
  });

  it('reconcile writes nothing it cannot make effective: a registry Deny is unfixable, named, and gets no allowlist entry', () => {
    const plan = planFor(judgeGrantSide(REPO, repositoryPolicy(), model({ registryPolicy: registry([denyStaging]) })));
    assert.deepEqual([plan.grants.length, plan.allowlist.add.length], [0, 0]);
    assert.deepEqual(
      plan.unfixable.map((item) => [item.kind, 'statements' in item ? item.statements : []]),
      [['registry-deny', ['DenyLegacyPulls']]],
    );
  });

  it('the registry Deny is found even when a repository-policy Deny is reported first', () => {
    const repositoryDeny: Statement = { Sid: 'RepoDeny', Effect: 'Deny', Principal: { AWS: ROLE }, Action: 'ecr:BatchGetImage' };
    const check = judgeGrantSide(REPO, repositoryPolicy(grant, repositoryDeny), model({ registryPolicy: registry([{ ...denyStaging, Action: 'ecr:*' }]) }));
    assert.equal(check.layer, 'resource');
    const plan = planFor(check);
    assert.deepEqual([plan.grants.length, plan.allowlist.add.length], [0, 0]);
    assert.ok(plan.unfixable.some((item) => item.kind === 'registry-deny'));
  });

  it('a registry Deny that only may apply (conditional) is said, and the rest is still fixed', () => {
    const vpce: Statement = {
      Sid: 'OnlyVpce',
      Effect: 'Deny',
      Principal: '*',
      Action: 'ecr:*',
      Resource: '*',
      Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-1' } },
    };
    const plan = planFor(judgeGrantSide(REPO, repositoryPolicy(grant), model({ registryPolicy: registry([vpce]) })));
    assert.deepEqual(plan.allowlist.add, [REPO]);
    assert.ok(plan.unfixable.some((item) => item.kind === 'registry-deny' && item.status === 'conditional'));
  });
});

describe('repository tags are known keys (Service Authorization Reference for Amazon ECR: the repository resource type supports aws:ResourceTag/${TagKey})', () => {
  const abac: Statement = { Effect: 'Allow', Action: PULL, Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } } };
  const identity = (...statements: Statement[]) =>
    model({ identity: [{ name: 'inline policy P', statements: [login, ...statements], version: '2012-10-17' }] });
  const cases: [string, AccessModel, Record<string, string> | 'unread', string][] = [
    ['ABAC: the repository tag equals the role tag: allowed', identity(abac), { team: 'platform' }, 'allowed'],
    ['ABAC: another team: missing', identity(abac), { team: 'billing' }, 'missing'],
    ['ABAC: an untagged repository has no aws:ResourceTag/team (absent): missing', identity(abac), {}, 'missing'],
    ['ABAC with the tags unread: conditional', identity(abac), 'unread', 'conditional'],
    [
      'ecr:ResourceTag/<key> is the same tag',
      identity({ ...abac, Condition: { StringEquals: { 'ecr:ResourceTag/team': 'platform' } } }),
      { team: 'platform' },
      'allowed',
    ],
    [
      'a tag-conditioned Deny that does not match does not apply',
      identity(allowPull, { Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/quarantine': 'true' } } }),
      { team: 'platform' },
      'allowed',
    ],
    [
      'a tag-conditioned Deny that matches denies',
      identity(allowPull, { Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/quarantine': 'true' } } }),
      { quarantine: 'true' },
      'denied',
    ],
  ];
  for (const [name, access, tags, status] of cases) {
    it(name, () => {
      const read = tags === 'unread' ? ({ status: 'unread', reason: 'AccessDenied' } as const) : ({ status: 'read', value: tags } as const);
      assert.equal(judgeIdentitySide(REPO, access, PULL_NEEDS, read).status, status);
    });
  }

  it('two repository tags that differ only in case leave that key unknown (ECR tag keys are case-sensitive, condition keys are not)', () => {
    const deny: Statement = { Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/Team': 'blocked' } } };
    const check = judgeIdentitySide(REPO, identity(allowPull, deny), PULL_NEEDS, { status: 'read', value: { Team: 'blocked', team: 'ok' } });
    assert.equal(check.status, 'conditional');
  });

  it('a tag-conditioned grant in the repository policy is judged with the repository tags', () => {
    const tagged: Statement = { ...grant, Condition: { StringEquals: { 'aws:ResourceTag/share': 'staging' } } };
    assert.equal(judgeGrantSide(REPO, repositoryPolicy(tagged), model(), PULL_NEEDS, { status: 'read', value: { share: 'staging' } }).status, 'allowed');
    assert.equal(judgeGrantSide(REPO, repositoryPolicy(tagged), model(), PULL_NEEDS, { status: 'read', value: {} }).status, 'missing');
  });

  it('the login (ecr:GetAuthorizationToken) has no resource, so no resource tags: a Deny on one does not apply', () => {
    const deny: Statement = { Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/quarantine': 'true' } } };
    assert.equal(judgeLogin(identity(allowPull, deny)).status, 'allowed');
  });

  it('tags are read only when a policy mentions them', () => {
    assert.equal(mentionsResourceTags([{ statements: [abac] }]), true);
    assert.equal(mentionsResourceTags([{ statements: [allowPull] }]), false);
    assert.equal(runPoliciesMentionResourceTags(model(), { status: 'none' }), false);
    assert.equal(runPoliciesMentionResourceTags(identity(abac), { status: 'none' }), true);
  });
});
