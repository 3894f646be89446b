// Issue 24, items 2 and 3, as table tests of the pure rules, each row citing the AWS page it follows.
//
// Same account — IAM User Guide, "Policy evaluation for requests within a single account"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html):
// "For most resources, you only need an explicit Allow for the principal in either an identity-based
// policy or a resource-based policy"; "Resource-based policies that grant permissions to an IAM role
// ARN are limited by an implicit deny in a permissions boundary or session policy"; "resource-based
// policies that grant permissions to an IAM role session ARN ... are not limited by an implicit deny
// in an identity-based policy, a permissions boundary"; "Permissions boundaries and session policies
// do not limit permissions granted using the aws:PrincipalArn condition key with a wildcard(*) in the
// Principal element". ECR User Guide, "Private repository policies"
// (https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policies.html): "A user or role
// only needs to be allowed permission for an action through either a repository policy or an IAM
// policy but not both". IAM User Guide, "AWS JSON policy elements: Principal": an account principal
// "delegate[s] authority to the account" (its identity policies must still allow).
//
// Replication — ECR User Guide, "Granting registry permissions for cross account replication"
// (https://docs.aws.amazon.com/AmazonECR/latest/userguide/registry-permissions-create-replication.html):
// the registry policy "must grant permission for the ecr:ReplicateImage API action"; ecr:CreateRepository
// lets ECR create the repository "if they don't exist already"; "If neither is done, replication fails".
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judgeSameAccount, PULL_NEEDS, type AccessModel, type RegistryPolicyModel } from '../../src/domain/checks/judge.js';
import { judgeReplica, judgeRepository, type PullerModel } from '../../src/domain/checks/verdict.js';
import { repositoryFindings } from '../../src/report/findings.js';
import { unfixableText } from '../../src/report/plan-text.js';
import { planReconcile } from '../../src/domain/plan.js';
import type { Statement } from '../../src/domain/policy/document.js';
import { SESSION_NAME_KEY } from '../../src/domain/policy/evaluate.js';
import { registryPolicyModel } from '../../src/domain/policy/registry-policy.js';
import { loginRequestContext, pullRequestContext, type PullFacts } from '../../src/domain/policy/request-context.js';
import { judgeReplicationPermission, REPLICATION_SID } from '../../src/domain/replication.js';
import { PROD_ACCOUNT, PULL_ACTIONS, REGION } from '../../stack/fixture.js';

const ACCOUNT = PROD_ACCOUNT;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/prod-puller`;
const SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/prod-puller/host-1`;
const NAME = 'molecule-ai/molecule-platform-agent';
const REPO = `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${NAME}`;

const facts: PullFacts = {
  role: { arn: ROLE, account: ACCOUNT, roleId: 'AROAPRODPULLER', tags: {}, sessionTagsPossible: false },
  principalOrgId: { status: 'none' },
  principalOrgPaths: { status: 'none' },
  registry: { account: ACCOUNT, region: REGION },
  resourceOrgId: { status: 'none' },
};
const login: Statement = { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' };
const allowPull: Statement = { Effect: 'Allow', Action: PULL_ACTIONS, Resource: REPO };
const grantTo = (principal: string | '*', extra: Partial<Statement> = {}): Statement => ({
  Effect: 'Allow',
  Principal: principal === '*' ? '*' : { AWS: principal },
  Action: PULL_ACTIONS,
  ...extra,
});
const denyTo = (principal: string): Statement => ({ Sid: 'NoPull', Effect: 'Deny', Principal: { AWS: principal }, Action: 'ecr:BatchGetImage' });
const policy = (...statements: Statement[]) => ({ name: `the repository policy of ${NAME}`, statements, version: '2012-10-17' });
const ONLY_S3: Statement[] = [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }];
const ALL: Statement[] = [{ Effect: 'Allow', Action: '*', Resource: '*' }];

function model(identity: Statement[], options: { boundary?: Statement[]; scp?: Statement[] } = {}): AccessModel {
  return {
    caller: { roleArn: ROLE, roleId: 'AROAPRODPULLER', hasBoundary: options.boundary !== undefined },
    context: pullRequestContext(facts),
    loginContext: loginRequestContext(facts),
    identity: [{ name: 'inline policy P', statements: [login, ...identity], version: '2012-10-17' }],
    ...(options.boundary ? { boundary: { name: 'boundary B', statements: options.boundary, version: '2012-10-17' } } : {}),
    ...(options.scp ? { scp: [{ label: `account ${ACCOUNT}`, policies: [{ name: 'scp', statements: options.scp, version: '2012-10-17' }] }] } : {}),
  };
}

type Row = [string, AccessModel, Statement[], { grant: string; identity: string; cell: 'ok' | 'drift' }];
const label = (check: { status: string; coveredBy?: string }, covered: string): string => (check.coveredBy ? covered : check.status);

describe('same-account pulls: either side allows (IAM "Policy evaluation for requests within a single account"; ECR "Private repository policies")', () => {
  const rows: Row[] = [
    ['identity allows, no repository policy: the grant is not needed', model([allowPull]), [], { grant: 'not needed', identity: 'allowed', cell: 'ok' }],
    ['identity allows and the repository grants too: both allowed', model([allowPull]), [grantTo(ROLE)], { grant: 'allowed', identity: 'allowed', cell: 'ok' }],
    [
      'no identity allow, the repository grants the role ARN: allowed via the grant',
      model([]),
      [grantTo(ROLE)],
      { grant: 'allowed', identity: 'via grant', cell: 'ok' },
    ],
    [
      'no identity allow, the repository grants the role unique ID: allowed via the grant',
      model([]),
      [grantTo('AROAPRODPULLER')],
      { grant: 'allowed', identity: 'via grant', cell: 'ok' },
    ],
    [
      'no identity allow, the repository grants the account root: an account principal delegates to the identity policies ("AWS JSON policy elements: Principal")',
      model([]),
      [grantTo(`arn:aws:iam::${ACCOUNT}:root`)],
      { grant: 'allowed', identity: 'missing', cell: 'drift' },
    ],
    ['neither side allows: the identity side fails, the grant is not needed', model([]), [], { grant: 'not needed', identity: 'missing', cell: 'drift' }],
    [
      'a grant naming the role ARN "is limited by an implicit deny in a permissions boundary"',
      model([], { boundary: ONLY_S3 }),
      [grantTo(ROLE)],
      { grant: 'allowed', identity: 'missing', cell: 'drift' },
    ],
    [
      'a grant naming the role ARN with a boundary that allows the pull: allowed',
      model([], { boundary: ALL }),
      [grantTo(ROLE)],
      { grant: 'allowed', identity: 'via grant', cell: 'ok' },
    ],
    [
      'Principal "*" limited by aws:PrincipalArn: "Permissions boundaries ... do not limit" it',
      model([], { boundary: ONLY_S3 }),
      [grantTo('*', { Condition: { ArnEquals: { 'aws:PrincipalArn': ROLE } } })],
      { grant: 'allowed', identity: 'via grant', cell: 'ok' },
    ],
    [
      'a bare Principal "*" (no aws:PrincipalArn condition) with a boundary that does not allow: AWS names only the conditioned wildcard as unlimited, so it is limited (never a pass on a guess)',
      model([], { boundary: ONLY_S3 }),
      [grantTo('*')],
      { grant: 'allowed', identity: 'missing', cell: 'drift' },
    ],
    [
      'a bare Principal {"AWS": "*"} with a boundary that allows the pull: allowed via the grant',
      model([], { boundary: ALL }),
      [{ ...grantTo('*'), Principal: { AWS: '*' } }],
      { grant: 'allowed', identity: 'via grant', cell: 'ok' },
    ],
    [
      'Principal "*" with a condition on aws:PrincipalArn written in another case (condition keys are case-insensitive): not limited',
      model([], { boundary: ONLY_S3 }),
      [grantTo('*', { Condition: { ArnLike: { 'AWS:PrincipalARN': `arn:aws:iam::${ACCOUNT}:role/*` } } })],
      { grant: 'allowed', identity: 'via grant', cell: 'ok' },
    ],
    [
      'Principal "*" with a negated aws:PrincipalArn condition (ArnNotEquals) names nobody it grants: limited by the boundary',
      model([], { boundary: ONLY_S3 }),
      [grantTo('*', { Condition: { ArnNotEquals: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/other` } } })],
      { grant: 'allowed', identity: 'missing', cell: 'drift' },
    ],
    [
      'the identity allows but the boundary does not, and the grant names the role: still limited by the boundary',
      model([allowPull], { boundary: ONLY_S3 }),
      [grantTo(ROLE)],
      { grant: 'allowed', identity: 'missing', cell: 'drift' },
    ],
    [
      'an explicit Deny in the repository policy denies whatever the identity allows',
      model([allowPull]),
      [denyTo(ROLE)],
      { grant: 'denied', identity: 'allowed', cell: 'drift' },
    ],
    [
      'an explicit Deny in the identity policies denies whatever the repository grants',
      model([{ Effect: 'Deny', Action: 'ecr:BatchGetImage', Resource: '*' }]),
      [grantTo(ROLE)],
      { grant: 'allowed', identity: 'denied', cell: 'drift' },
    ],
    [
      'an explicit Deny in the boundary denies a grant to everyone too',
      model([], { boundary: [...ALL, { Effect: 'Deny', Action: 'ecr:BatchGetImage', Resource: '*' }] }),
      [grantTo('*')],
      { grant: 'allowed', identity: 'denied', cell: 'drift' },
    ],
    [
      'an SCP that does not allow ECR limits the grant too (SCPs apply to every request of the account)',
      model([], { scp: ONLY_S3 }),
      [grantTo(ROLE)],
      { grant: 'allowed', identity: 'missing', cell: 'drift' },
    ],
    [
      'a grant to one session of the role depends on the session name: never a pass',
      model([]),
      [grantTo(SESSION)],
      { grant: 'conditional', identity: 'missing', cell: 'drift' },
    ],
  ];
  for (const [name, access, statements, expected] of rows) {
    it(name, () => {
      const { grant, identity } = judgeSameAccount(REPO, policy(...statements), access, PULL_NEEDS);
      const cell = grant.status === 'allowed' && identity.status === 'allowed' ? 'ok' : 'drift';
      assert.deepEqual({ grant: label(grant, 'not needed'), identity: label(identity, 'via grant'), cell }, expected, JSON.stringify({ grant, identity }));
    });
  }

  it('the conditional grant to a session names the key it depends on', () => {
    const { grant } = judgeSameAccount(REPO, policy(grantTo(SESSION)), model([]), PULL_NEEDS);
    assert.deepEqual(grant.unknownKeys, [SESSION_NAME_KEY]);
  });

  it('judgeRepository judges a same-account cell this way; a cross-account one still needs both sides', () => {
    const puller = (roleArn: string, access: AccessModel): PullerModel => ({
      name: 'p',
      roleArn,
      role: { roleArn },
      model: { ...access, caller: { ...access.caller, roleArn } },
      registryPolicy: { status: 'none' },
    });
    const facts = { repository: NAME, arn: REPO, policy: undefined };
    const same = judgeRepository(facts, puller(ROLE, model([allowPull])));
    assert.deepEqual([same.sameAccount, same.grant?.coveredBy, same.drift], [true, 'identity', false]);
    const other = judgeRepository(facts, puller('arn:aws:iam::004947743811:role/staging', model([allowPull])));
    assert.deepEqual([other.sameAccount, other.grant?.status, other.drift], [undefined, 'missing', true]);
  });
});

describe('cross-account replication: the destination registry policy ("Granting registry permissions for cross account replication")', () => {
  const SOURCE = { region: 'us-east-2', registryId: PROD_ACCOUNT };
  const DEST = { region: 'us-west-2', registryId: '222233334444' };
  const ROOT = `arn:aws:iam::${PROD_ACCOUNT}:root`;
  const read = (...statements: Statement[]): RegistryPolicyModel =>
    registryPolicyModel(DEST.registryId, { status: 'read', value: { Version: '2012-10-17', Statement: statements } }, undefined);
  const allow = (principal: string, actions: string[], extra: Partial<Statement> = {}): Statement => ({
    Effect: 'Allow',
    Principal: { AWS: principal },
    Action: actions,
    Resource: `arn:aws:ecr:us-west-2:222233334444:repository/*`,
    ...extra,
  });
  const BOTH = ['ecr:ReplicateImage', 'ecr:CreateRepository'];
  const rows: [string, RegistryPolicyModel, boolean, string, string?][] = [
    ['no registry policy, replica not created: missing ecr:ReplicateImage', { status: 'none' }, false, 'missing', 'ecr:ReplicateImage'],
    ['no registry policy, replica exists: missing ecr:ReplicateImage', { status: 'none' }, true, 'missing', 'ecr:ReplicateImage'],
    [
      'ReplicateImage only, replica not created: missing ecr:CreateRepository',
      read(allow(ROOT, ['ecr:ReplicateImage'])),
      false,
      'missing',
      'ecr:CreateRepository',
    ],
    [
      'ReplicateImage only, replica exists: allowed (CreateRepository only "if they don\'t exist already")',
      read(allow(ROOT, ['ecr:ReplicateImage'])),
      true,
      'allowed',
    ],
    ['both, for the source root: allowed', read(allow(ROOT, BOTH)), false, 'allowed'],
    ['both, for the source account ID: allowed', read(allow(PROD_ACCOUNT, BOTH)), false, 'allowed'],
    ['both, for another source account: missing', read(allow('arn:aws:iam::111122223333:root', BOTH)), false, 'missing', 'ecr:ReplicateImage'],
    [
      'both, for the source, but only for another prefix: missing',
      read(allow(ROOT, BOTH, { Resource: 'arn:aws:ecr:us-west-2:222233334444:repository/other/*' })),
      false,
      'missing',
      'ecr:ReplicateImage',
    ],
    [
      'an explicit Deny for the source: denied',
      read(allow(ROOT, BOTH), { Effect: 'Deny', Principal: { AWS: ROOT }, Action: 'ecr:ReplicateImage', Resource: '*' }),
      true,
      'denied',
      'ecr:ReplicateImage',
    ],
    [
      "an Allow with a Condition: conditional (only ECR's replication request knows its keys)",
      read(allow(ROOT, BOTH, { Condition: { StringEquals: { 'aws:SourceAccount': PROD_ACCOUNT } } })),
      false,
      'conditional',
      'ecr:ReplicateImage',
    ],
    [
      'not read: unread, naming the first permission',
      { status: 'unread', label: 'the registry policy', reason: 'ecr:GetRegistryPolicy was denied' },
      false,
      'unread',
      'ecr:ReplicateImage',
    ],
  ];
  for (const [name, registryPolicy, exists, status, action] of rows) {
    it(name, () => {
      const judged = judgeReplicationPermission(registryPolicy, SOURCE, DEST, NAME, exists);
      assert.equal(judged.status, status, JSON.stringify(judged));
      if (judged.status !== 'allowed') assert.equal(judged.action, action);
    });
  }

  it('the fix is the exact statement to add: the source root, the actions needed, every repository of the destination', () => {
    const missing = judgeReplicationPermission({ status: 'none' }, SOURCE, DEST, NAME, false);
    assert.ok(missing.status === 'missing');
    assert.deepEqual(missing.fix, {
      Sid: REPLICATION_SID,
      Effect: 'Allow',
      Principal: { AWS: ROOT },
      Action: BOTH,
      Resource: 'arn:aws:ecr:us-west-2:222233334444:repository/*',
    });
    const existing = judgeReplicationPermission({ status: 'none' }, SOURCE, DEST, NAME, true);
    assert.ok(existing.status === 'missing');
    assert.deepEqual(existing.fix.Action, ['ecr:ReplicateImage']);
  });
});

describe('a replica cell judged with the replication permission (judgeReplica, and the finding in words)', () => {
  const STAGING_ROLE = 'arn:aws:iam::004947743811:role/staging';
  const ARN = `arn:aws:ecr:us-west-2:222233334444:repository/${NAME}`;
  const staging: PullerModel = {
    name: 'staging',
    roleArn: STAGING_ROLE,
    role: { roleArn: STAGING_ROLE },
    model: { ...model([{ Effect: 'Allow', Action: PULL_ACTIONS, Resource: ARN }]), caller: { roleArn: STAGING_ROLE, hasBoundary: false } },
    registryPolicy: { status: 'none' },
  };
  const granting = { Version: '2012-10-17', Statement: [grantTo('arn:aws:iam::004947743811:root')] };
  const settings = { roleArn: STAGING_ROLE, policyName: undefined, policySid: 'PublishImageCrossAccountPull', pullActions: PULL_ACTIONS };
  const cell = (replication: ReturnType<typeof judgeReplicationPermission>) =>
    judgeReplica({ repository: NAME, arn: ARN, sourceRegion: 'us-east-2', existing: { policy: granting }, template: undefined, replication }, staging);
  const SOURCE = { region: 'us-east-2', registryId: PROD_ACCOUNT };
  const DEST = { region: 'us-west-2', registryId: '222233334444' };

  it('an unreadable destination registry policy: drift, "conditional", naming ecr:GetRegistryPolicy', () => {
    const verdict = cell(
      judgeReplicationPermission({ status: 'unread', label: 'x', reason: 'ecr:GetRegistryPolicy was denied for role/r' }, SOURCE, DEST, NAME, true),
    );
    assert.equal(verdict.drift, true);
    assert.equal(verdict.grant?.status, 'allowed');
    const [message] = repositoryFindings(verdict, { roleArn: STAGING_ROLE }, settings);
    assert.match(message, /the registry policy of 222233334444 \(us-west-2\) could not be read .*"conditional", not a pass\. Allow ecr:GetRegistryPolicy/);
  });

  it('a destination that allows the source: the cell as the grant and identity say', () => {
    const allowed = judgeReplicationPermission(
      registryPolicyModel(
        DEST.registryId,
        {
          status: 'read',
          value: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: PROD_ACCOUNT }, Action: 'ecr:ReplicateImage', Resource: '*' }] },
        },
        undefined,
      ),
      SOURCE,
      DEST,
      NAME,
      true,
    );
    assert.equal(cell(allowed).drift, false);
  });
});

describe('reconcile says what it cannot fix: a destination that may not receive the replica', () => {
  it('the plan names the replica, the destination and the permission, and writes nothing for it', () => {
    const ARN = `arn:aws:ecr:us-west-2:222233334444:repository/${NAME}`;
    const replication = judgeReplicationPermission(
      { status: 'none' },
      { region: 'us-east-2', registryId: PROD_ACCOUNT },
      { region: 'us-west-2', registryId: '222233334444' },
      NAME,
      true,
    );
    const allowed = { status: 'allowed' as const, deciding: [], unknownKeys: [] };
    const plan = planReconcile({
      region: 'us-east-2',
      registryId: PROD_ACCOUNT,
      verdicts: [
        {
          repository: NAME,
          arn: ARN,
          exists: true,
          grant: allowed,
          identity: allowed,
          stalePrincipals: [],
          grantWritten: false,
          allowlistAdded: false,
          replica: { kind: 'replica', sourceRegion: 'us-east-2', created: true, replication },
          drift: true,
        },
      ],
      role: { roleArn: 'arn:aws:iam::004947743811:role/staging', login: allowed },
      grantPlans: new Map(),
      extra: [],
      prune: false,
      pullActions: PULL_ACTIONS,
      allowlistDocument: undefined,
      policies: [],
      otherInlineLength: 0,
      policyName: 'P',
    });
    assert.deepEqual(plan.unfixable, [
      { kind: 'replication-permission', repository: NAME, region: 'us-west-2', registryId: '222233334444', action: 'ecr:ReplicateImage', status: 'missing' },
    ]);
    assert.deepEqual([plan.grants.length, plan.allowlist.add.length], [0, 0]);
    assert.match(unfixableText(plan.unfixable[0]), /registry policy of 222233334444 does not let the source registry ecr:ReplicateImage/);
  });
});
