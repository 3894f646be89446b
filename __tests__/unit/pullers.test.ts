// The `pullers` input: every field validated before anything is read, each error naming the puller
// and the field; the staging-* inputs are its one-puller form. And the plan over several pullers
// and replicas: a replica is a repository of its own (ECR User Guide, "Private image replication in
// Amazon ECR": replication copies images, not repository policies).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UserError } from '../../src/errors.js';
import { readInputs, type InputName } from '../../src/settings/inputs.js';
import { pullerNeeds } from '../../src/settings/pullers.js';
import { principalsFor, settingsFrom } from '../../src/settings/settings.js';
import { planReconcile } from '../../src/domain/plan.js';
import type { PolicyDocument } from '../../src/domain/policy/document.js';
import { judgeReplica, unreachableVerdict, type PullerModel } from '../../src/domain/checks/verdict.js';
import { pullRequestContext } from '../../src/domain/policy/request-context.js';
import { pullFacts } from '../../stack/fixture.js';

const STAGING = 'arn:aws:iam::004947743811:role/MoleculeTenantEICRole-staging';
const DEV = 'arn:aws:iam::111122223333:role/dev-puller';
const RUN = { runId: '1', sha: undefined, ref: undefined, defaultBranch: undefined, sourceUrl: undefined, tempDir: '/tmp' };

function read(inputs: Partial<Record<InputName, string>>) {
  return readInputs((name) => ({ mode: 'verify', repository: 'team/app', ...inputs })[name] ?? '', { AWS_REGION: 'us-east-2' });
}

function refused(inputs: Partial<Record<InputName, string>>): string {
  try {
    read(inputs);
  } catch (error) {
    assert.ok(error instanceof UserError, String(error));
    assert.equal(error.message.split('\n').length, 1, error.message);
    return error.message;
  }
  assert.fail('accepted');
}

describe('the pullers input', () => {
  it('reads a YAML list: defaults (name: the role name, regions: aws-region, every repository) and every field', () => {
    const { pullers } = read({
      pullers: `- role-arn: ${STAGING}\n- name: dev\n  role-arn: ${DEV}\n  policy-name: Pull\n  assume-role-arn: arn:aws:iam::111122223333:role/Reader\n  external-id: abc-123\n  regions: us-east-2, eu-west-1\n  repositories: ["molecule-ai/*"]`,
    });
    assert.deepEqual(pullers, [
      {
        name: 'MoleculeTenantEICRole-staging',
        roleArn: STAGING,
        policyName: undefined,
        assumeRoleArn: undefined,
        externalId: undefined,
        regions: ['us-east-2'],
        repositories: undefined,
      },
      {
        name: 'dev',
        roleArn: DEV,
        policyName: 'Pull',
        assumeRoleArn: 'arn:aws:iam::111122223333:role/Reader',
        externalId: 'abc-123',
        regions: ['us-east-2', 'eu-west-1'],
        repositories: ['molecule-ai/*'],
      },
    ]);
  });

  it('reads the same list as JSON', () => {
    assert.equal(read({ pullers: JSON.stringify([{ 'role-arn': STAGING, regions: ['us-west-2'] }]) }).pullers?.[0].regions[0], 'us-west-2');
  });

  const refusals: [string, Partial<Record<InputName, string>>, RegExp][] = [
    ['both forms at once', { pullers: `- role-arn: ${DEV}`, 'staging-role-arn': STAGING }, /^pullers \/ staging-role-arn: both given/],
    ['not a list', { pullers: 'role-arn: x' }, /^pullers: must be a non-empty list/],
    ['not YAML', { pullers: '- [unclosed' }, /^pullers: not a YAML list \(line \d+, column \d+\): [A-Z_]+\./],
    ['an unknown field', { pullers: `- role-arn: ${DEV}\n  role: x` }, /^pullers\[0\]: unknown field "role"/],
    ['no role', { pullers: '- name: dev' }, /^pullers\[0\]\.role-arn: required/],
    [
      'a user, not a role',
      { pullers: '- role-arn: arn:aws:iam::111122223333:user/dev' },
      /^pullers\[0\] \("arn:aws:iam::111122223333:user\/dev"\)\.role-arn: ".*" is not a role ARN/,
    ],
    [
      'another partition',
      { pullers: '- role-arn: arn:aws-cn:iam::111122223333:role/dev' },
      /role-arn: "arn:aws-cn:.*" is in partition "aws-cn", but aws-region us-east-2 is in aws/,
    ],
    [
      'a region that is not one',
      { pullers: `- role-arn: ${DEV}\n  regions: [us-east-2, mars-1]` },
      /^pullers\[0\] \("arn:.*"\)\.regions: "mars-1" is not an AWS region name/,
    ],
    ['a region of another partition', { pullers: `- role-arn: ${DEV}\n  regions: [cn-north-1]` }, /regions: "cn-north-1" is in another partition/],
    ['a region twice', { pullers: `- role-arn: ${DEV}\n  regions: [us-east-2, us-east-2]` }, /regions: us-east-2 is listed twice/],
    ['no regions', { pullers: `- role-arn: ${DEV}\n  regions: []` }, /regions: empty/],
    ['a bad pattern', { pullers: `- role-arn: ${DEV}\n  repositories: ["Bad Name"]` }, /repositories: "Bad Name" is not a repository name pattern/],
    ['a bad policy name', { pullers: `- role-arn: ${DEV}\n  policy-name: "a b"` }, /policy-name: "a b" is not an IAM policy name/],
    ['an external ID without a role to assume', { pullers: `- role-arn: ${DEV}\n  external-id: abc-123` }, /external-id: given without assume-role-arn/],
    [
      'the same role twice',
      { pullers: `- role-arn: ${DEV}\n- role-arn: ${DEV}\n  name: other` },
      /^pullers\[1\]: the role arn:aws:iam::111122223333:role\/dev-puller is also pullers\[0\]/,
    ],
    [
      'the same name twice',
      { pullers: `- role-arn: ${DEV}\n  name: a\n- role-arn: ${STAGING}\n  name: a` },
      /^pullers\[1\]: the name "a" is also pullers\[0\]/,
    ],
    ['aliases (a billion laughs)', { pullers: `- &a {role-arn: ${DEV}}\n- *a` }, /^pullers: (aliases are not allowed|.*)/],
    ['a text too long', { pullers: `- role-arn: ${DEV}\n# ${'x'.repeat(70_000)}` }, /^pullers: \d+ characters; the limit is 65536/],
    [
      'a replica reader that is not a role',
      { 'replica-assume-role-arns': 'arn:aws:iam::222233334444:user/x' },
      /^replica-assume-role-arns: ".*" is not a role ARN/,
    ],
    [
      'two replica readers in one account',
      { 'replica-assume-role-arns': 'arn:aws:iam::222233334444:role/a,arn:aws:iam::222233334444:role/b' },
      /^replica-assume-role-arns: two roles in account 222233334444/,
    ],
  ];
  for (const [name, inputs, expected] of refusals) {
    it(`refuses ${name}, in one line naming the puller and the field`, () => assert.match(refused(inputs), expected));
  }

  it('never echoes an external ID it refuses (it may be a secret)', () => {
    const message = refused({ pullers: `- role-arn: ${DEV}\n  assume-role-arn: arn:aws:iam::111122223333:role/Reader\n  external-id: "s3cr3t value!"` });
    assert.doesNotMatch(message, /s3cr3t/);
  });

  it('the staging-* inputs are one puller, in aws-region, for every repository; pullers without pull-principals grant each repository to its own pullers', () => {
    const one = settingsFrom(read({ mode: 'verify', repository: 'team/app', 'staging-role-arn': STAGING }), RUN);
    assert.equal(one.mode, 'verify');
    assert.deepEqual(one.mode === 'verify' && one.pullers.map((puller) => [puller.name, puller.regions, puller.repositories]), [
      ['MoleculeTenantEICRole-staging', ['us-east-2'], undefined],
    ]);
    assert.deepEqual(one.grant.principals, []);
    // Each repository's grant names only the pullers that must pull it, in that region: never a role the settings leave out.
    const several = settingsFrom(
      read({
        mode: 'verify',
        repository: 'team/app',
        pullers: `- role-arn: ${STAGING}\n- role-arn: ${DEV}\n  regions: [us-west-2]\n  repositories: ['team/*']`,
      }),
      RUN,
    );
    assert.deepEqual(principalsFor(several.grant, 'team/app', 'us-east-2'), [STAGING]);
    assert.deepEqual(principalsFor(several.grant, 'team/app', 'us-west-2'), [DEV]);
    assert.deepEqual(principalsFor(several.grant, 'other/app', 'us-west-2'), []);
    const explicit = settingsFrom(read({ mode: 'verify', repository: 'team/app', pullers: `- role-arn: ${DEV}`, 'pull-principals': '004947743811' }), RUN);
    assert.deepEqual(principalsFor(explicit.grant, 'other/app', 'us-west-2'), ['arn:aws:iam::004947743811:root']);
  });

  it('reconcile needs each puller’s policy-name, and says which puller lacks it', () => {
    assert.throws(
      () =>
        settingsFrom(
          read({ mode: 'reconcile', repository: 'team/app', pullers: `- role-arn: ${STAGING}\n  policy-name: P\n- name: dev\n  role-arn: ${DEV}` }),
          RUN,
        ),
      /^UserError: pullers\[1\] \(dev\)\.policy-name: required in reconcile mode/,
    );
  });

  it('a puller’s repository patterns select what it must pull (`*` for any run of characters)', () => {
    const puller = { name: 'x', roleArn: DEV, policyName: undefined, assumeRoleArn: undefined, externalId: undefined, regions: ['us-east-2'] };
    assert.equal(pullerNeeds({ ...puller, repositories: undefined }, 'anything/at-all'), true);
    assert.equal(pullerNeeds({ ...puller, repositories: ['molecule-ai/workspace-template-*'] }, 'molecule-ai/workspace-template-codex'), true);
    assert.equal(pullerNeeds({ ...puller, repositories: ['molecule-ai/workspace-template-*'] }, 'molecule-ai/molecule-platform-agent'), false);
  });
});

describe('replicas in the verdict and the plan', () => {
  const WEST_ARN = 'arn:aws:ecr:us-west-2:153263036946:repository/molecule-ai/molecule-platform-agent';
  const puller: PullerModel = {
    name: 'staging',
    roleArn: STAGING,
    role: { roleArn: STAGING, login: { status: 'allowed', deciding: [], unknownKeys: [] } },
    registryPolicy: { status: 'none' },
    model: {
      caller: { roleArn: STAGING, hasBoundary: false },
      context: pullRequestContext({ ...pullFacts(STAGING), registry: { account: '153263036946', region: 'us-west-2' } }),
      identity: [
        {
          name: 'inline policy Pull',
          version: '2012-10-17',
          statements: [{ Effect: 'Allow', Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], Resource: WEST_ARN }],
        },
      ],
      registryPolicy: { status: 'none' },
    },
  };
  const grant: PolicyDocument = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::004947743811:root' }, Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] }],
  };
  const facts = { repository: 'molecule-ai/molecule-platform-agent', arn: WEST_ARN, sourceRegion: 'us-east-2' };

  it('a replica not yet created is judged by the template it will get: granting → ok; none → missing', () => {
    const granted = judgeReplica(
      { ...facts, existing: undefined, template: { status: 'read', prefix: 'molecule-ai', policy: { status: 'read', value: grant } } },
      puller,
    );
    assert.deepEqual(
      [granted.grant?.status, granted.drift, granted.replica],
      ['allowed', false, { kind: 'replica', sourceRegion: 'us-east-2', created: false, template: 'molecule-ai' }],
    );
    const none = judgeReplica({ ...facts, existing: undefined, template: { status: 'read', prefix: undefined, policy: { status: 'none' } } }, puller);
    assert.deepEqual([none.grant?.status, none.drift], ['missing', true]);
  });

  it('templates that could not be read make a replica still to be created conditional, never a pass', () => {
    const unread = judgeReplica(
      { ...facts, existing: undefined, template: { status: 'unread', reason: 'ecr:DescribeRepositoryCreationTemplates was denied' } },
      puller,
    );
    assert.deepEqual(
      [unread.grant?.status, unread.grant?.unknownKeys, unread.drift],
      ['conditional', ['ecr:DescribeRepositoryCreationTemplates was denied'], true],
    );
  });

  it('reconcile adds the replica’s ARN to the allowlist, and leaves templates and missing rules to a person', () => {
    const missingIdentity = judgeReplica(
      { ...facts, existing: { policy: grant }, template: undefined },
      { ...puller, model: { ...puller.model!, identity: [] } },
    );
    const notCreated = judgeReplica(
      {
        ...facts,
        repository: 'team/b',
        arn: WEST_ARN.replace('molecule-ai/molecule-platform-agent', 'team/b'),
        existing: undefined,
        template: { status: 'read', prefix: undefined, policy: { status: 'none' } },
      },
      puller,
    );
    const notReplicated = unreachableVerdict('team/c', WEST_ARN.replace('molecule-ai/molecule-platform-agent', 'team/c'), 'staging', {
      kind: 'not-replicated',
      sourceRegion: 'us-east-2',
    });
    const plan = planReconcile({
      region: 'us-east-2',
      registryId: '153263036946',
      verdicts: [missingIdentity, notCreated, notReplicated],
      role: puller.role,
      grantPlans: new Map(),
      extra: [],
      prune: false,
      pullActions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
      allowlistDocument: undefined,
      policies: [],
      otherInlineLength: 0,
      policyName: 'Pull',
    });
    // The identity side must name a replica whatever its repository side says: both ARNs are added.
    assert.deepEqual(plan.allowlist.add, [notCreated.arn, WEST_ARN].sort());
    assert.deepEqual(
      plan.unfixable.map((item) => item.kind),
      ['replica-template', 'not-replicated'],
    );
  });
});
