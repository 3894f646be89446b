// A proposed state laid over what was read, judged again (docs/iac.md): table cases where a plan could
// make the gate pass on an allow it cannot prove. Plans follow HashiCorp's "JSON Output Format"
// (resource_changes[].change.{actions, before, after, after_unknown}).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseProposed } from '../../src/domain/proposed.js';
import type { PolicyDocument } from '../../src/domain/policy/document.js';
import { overlayProposed, withUnknowns } from '../../src/services/proposed.js';
import type { PullerFacts } from '../../src/services/puller.js';
import { repositoryStateFrom } from '../../src/services/repositories.js';
import { judgeFacts, type SurveyFacts, type SurveySettings } from '../../src/services/survey.js';

const REGISTRY = '153263036946';
const REGION = 'us-east-2';
const ACTIONS = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'];
const GRANT = { sid: 'PublishImageCrossAccountPull', principals: [], actions: ACTIONS };
const arn = (repository: string): string => `arn:aws:ecr:${REGION}:${REGISTRY}:repository/${repository}`;

const allowlist = (repositories: string[]): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [
    { Sid: 'Login', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
    { Sid: 'Pull', Effect: 'Allow', Action: ACTIONS, Resource: repositories.map(arn) },
  ],
});
const granted = (accounts: string[]): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [{ Sid: 'Pull', Effect: 'Allow', Principal: { AWS: accounts.map((account) => `arn:aws:iam::${account}:root`) }, Action: ACTIONS }],
});

function puller(name: string, roleArn: string, documents: PolicyDocument[], boundary?: PolicyDocument, tags: Record<string, string> = {}): PullerFacts {
  const account = roleArn.split(':')[4];
  return {
    settings: { name, roleArn, policyName: 'Pull', assumeRoleArn: undefined, externalId: undefined, regions: [REGION], repositories: undefined },
    access: { account, who: 'the current credentials', iam: undefined as never, credentials: undefined },
    roleArn,
    documents: documents.map((document, index) => ({
      name: `inline policy ${index === 0 ? 'Pull' : `P${index}`}`,
      inlineName: index === 0 ? 'Pull' : `P${index}`,
      document,
    })),
    problem: undefined,
    role: {
      roleArn,
      roleName: roleArn.slice(roleArn.lastIndexOf('/') + 1),
      path: '/',
      account,
      roleId: `AROA${name.toUpperCase()}`,
      tags,
      sessionTagsPossible: false,
      boundary: boundary && { name: 'permissions boundary arn:aws:iam::004947743811:policy/Boundary', document: boundary },
    },
    organization: { principalOrganization: { status: 'none' }, orgPaths: { status: 'none' }, scp: undefined, notChecked: [] },
  };
}

function facts(pullers: PullerFacts[], repositories: Record<string, PolicyDocument>): SurveyFacts {
  return {
    registryId: REGISTRY,
    repositories: Object.keys(repositories),
    states: new Map(Object.entries(repositories).map(([name, policy]) => [name, repositoryStateFrom(GRANT, arn(name), name, policy)])),
    home: { registry: { account: REGISTRY, region: REGION, organization: { status: 'none' }, policy: { status: 'none' } }, rcp: undefined, notChecked: [] },
    pullerFacts: pullers,
    replicas: { replication: undefined, places: new Map(), unreadable: new Map() },
    tags: new Map(),
    replicaTags: new Map(),
    notChecked: [],
  };
}

/** Each cell after the change: "<puller> <repository> <grant> <identity> <ok|drift>". */
function after(read: SurveyFacts, planText: string, options: { roleArn?: string } = {}): string[] {
  const settings: SurveySettings = {
    registry: { region: REGION, registryId: REGISTRY },
    grant: GRANT,
    pullers: read.pullerFacts.map((facts) => facts.settings),
    replicaAssumeRoleArns: [],
    organizationAssumeRoleArn: undefined,
    targets: { kind: 'repository', repository: 'app' },
    runId: undefined,
  };
  const overlay = overlayProposed(read, parseProposed(planText, { file: 'plan.json' }), options);
  const verdicts = withUnknowns(
    judgeFacts(settings, overlay.facts).pullers.flatMap((judged) => judged.verdicts),
    overlay.unknowns,
  );
  return verdicts.map(
    (verdict) => `${verdict.puller} ${verdict.repository} ${verdict.grant?.status} ${verdict.identity?.status} ${verdict.drift ? 'drift' : 'ok'}`,
  );
}

const plan = (...changes: object[]): string => JSON.stringify({ format_version: '1.2', resource_changes: changes });
const change = (address: string, type: string, actions: string[], before: object | null, after: object | null, afterUnknown: object = {}): object => ({
  address,
  mode: 'managed',
  type,
  name: address.split('.').pop(),
  change: { actions, before, after, after_unknown: afterUnknown },
});
const rolePolicy = (address: string, actions: string[], role: string | null, document: PolicyDocument | null, unknown: object = {}): object =>
  change(
    address,
    'aws_iam_role_policy',
    actions,
    actions.includes('create') ? null : { role: role ?? 'staging', name: 'Pull', policy: JSON.stringify(allowlist([])) },
    actions.includes('delete') && !actions.includes('create')
      ? null
      : { ...(role ? { role } : {}), name: 'Pull', ...(document ? { policy: JSON.stringify(document) } : {}) },
    unknown,
  );

const STAGING = 'arn:aws:iam::004947743811:role/staging';
const OTHER_STAGING = 'arn:aws:iam::111122223333:role/staging';

describe('a proposed state laid over the facts (never a pass it cannot prove)', () => {
  it('a role name the plan knows only after apply: every puller conditional, the document applied to none', () => {
    const read = facts([puller('a', STAGING, [allowlist([])])], { app: granted(['004947743811']) });
    assert.deepEqual(after(read, plan(rolePolicy('aws_iam_role_policy.p', ['create'], null, allowlist(['app']), { role: true }))), [
      'a app allowed conditional drift',
    ]);
  });

  it('a role name two pullers share in different accounts: both conditional, neither passes on the other’s policy', () => {
    const read = facts([puller('a', STAGING, [allowlist(['app'])]), puller('b', OTHER_STAGING, [allowlist([])])], {
      app: granted(['004947743811', '111122223333']),
    });
    assert.deepEqual(after(read, plan(rolePolicy('aws_iam_role_policy.p', ['update'], 'staging', allowlist(['app'])))), [
      'a app allowed conditional drift',
      'b app allowed conditional drift',
    ]);
  });

  it('a lone allowlist document lands on the puller the settings named, by ARN, not on a namesake', () => {
    const read = facts([puller('a', STAGING, [allowlist(['app'])]), puller('b', OTHER_STAGING, [allowlist([])])], {
      app: granted(['004947743811', '111122223333']),
    });
    const document = JSON.stringify(allowlist(['app']));
    const overlay = overlayProposed(read, parseProposed(document, { file: 'doc.json', layer: { layer: 'allowlist', roleArn: STAGING, policyName: 'Pull' } }), {
      roleArn: STAGING,
    });
    assert.equal(overlay.facts.pullerFacts[1].documents[0].document.Statement[1].Resource?.length, 0, 'b untouched');
  });

  it('an aws_iam_policy update of the managed policy that is the permissions boundary narrows the boundary (IAM: a boundary caps the role)', () => {
    const boundary: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:*', Resource: '*' }] };
    const read = facts([puller('a', STAGING, [allowlist(['app'])], boundary)], { app: granted(['004947743811']) });
    const narrowed = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] };
    const update = change(
      'aws_iam_policy.boundary',
      'aws_iam_policy',
      ['update'],
      { arn: 'arn:aws:iam::004947743811:policy/Boundary', name: 'Boundary', policy: JSON.stringify(boundary) },
      { arn: 'arn:aws:iam::004947743811:policy/Boundary', name: 'Boundary', policy: JSON.stringify(narrowed) },
    );
    assert.deepEqual(after(read, plan(update)), ['a app allowed missing drift']);
  });

  it('a role replaced under the same name (delete, then create): a new unique ID and none of its policies: conditional on both sides', () => {
    const read = facts([puller('a', STAGING, [allowlist(['app'])])], { app: granted(['004947743811']) });
    const replaced = change(
      'aws_iam_role.staging',
      'aws_iam_role',
      ['delete', 'create'],
      { name: 'staging', arn: STAGING },
      { name: 'staging' },
      { arn: true, id: true, unique_id: true },
    );
    assert.deepEqual(after(read, plan(replaced)), ['a app conditional conditional drift']);
  });

  it('one inline policy deleted at one address and written at another (a rename without `moved`): the order of apply is not determined', () => {
    const read = facts([puller('a', STAGING, [allowlist(['app'])])], { app: granted(['004947743811']) });
    const renamed = plan(
      change('aws_iam_role_policy.old', 'aws_iam_role_policy', ['delete'], { role: 'staging', name: 'Pull', policy: JSON.stringify(allowlist(['app'])) }, null),
      change('aws_iam_role_policy.new', 'aws_iam_role_policy', ['create'], null, { role: 'staging', name: 'Pull', policy: JSON.stringify(allowlist(['app'])) }),
    );
    assert.deepEqual(after(read, renamed), ['a app allowed conditional drift']);
  });

  it('an ECR policy written through a provider for another region or registry is not this run’s; one whose region is a variable is conditional', () => {
    const read = facts([puller('a', STAGING, [allowlist(['app'])])], { app: granted(['004947743811']) });
    const removed = (provider: string, registryId?: string): object => ({
      ...change(
        'aws_ecr_repository_policy.app',
        'aws_ecr_repository_policy',
        ['delete'],
        { repository: 'app', policy: JSON.stringify(granted(['004947743811'])), ...(registryId ? { registry_id: registryId } : {}) },
        null,
      ),
      provider_config_key: provider,
    });
    const withProviders = (change: object, region: object): string =>
      JSON.stringify({
        format_version: '1.2',
        resource_changes: [change],
        configuration: {
          provider_config: {
            aws: { name: 'aws', expressions: { region: { constant_value: REGION } } },
            'aws.west': { name: 'aws', alias: 'west', expressions: { region } },
          },
          root_module: {
            resources: [
              {
                address: 'aws_ecr_repository_policy.app',
                mode: 'managed',
                type: 'aws_ecr_repository_policy',
                name: 'app',
                provider_config_key: (change as { provider_config_key: string }).provider_config_key,
              },
            ],
          },
        },
      });
    assert.deepEqual(after(read, withProviders(removed('aws.west'), { constant_value: 'us-west-2' })), ['a app allowed allowed ok'], 'another region');
    assert.deepEqual(
      after(read, withProviders(removed('aws.west'), { references: ['var.region'] })),
      ['a app conditional allowed drift'],
      'a region known at apply',
    );
    assert.deepEqual(
      after(read, withProviders(removed('aws', '999999999999'), { constant_value: 'us-west-2' })),
      ['a app allowed allowed ok'],
      'another registry',
    );
    assert.deepEqual(
      after(read, withProviders(removed('aws'), { constant_value: 'us-west-2' })),
      ['a app missing allowed drift'],
      'this registry: the grant is gone',
    );
  });

  it('a role’s tags after the change are its principal tags (tags_all): a grant conditioned on aws:PrincipalTag/team follows them', () => {
    const byTeam: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'Team',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::004947743811:root' },
          Action: ACTIONS,
          Condition: { StringEquals: { 'aws:PrincipalTag/team': 'platform' } },
        },
      ],
    };
    const read = facts([puller('a', STAGING, [allowlist(['app'])], undefined, { team: 'platform', unknown: 'x' })], { app: byTeam });
    const retag = (tags: object | undefined): object =>
      change(
        'aws_iam_role.staging',
        'aws_iam_role',
        ['update'],
        { name: 'staging', tags_all: { team: 'platform', unknown: 'x' } },
        { name: 'staging', ...(tags ? { tags_all: tags } : {}) },
        tags ? {} : { tags_all: true },
      );
    assert.deepEqual(after(read, plan(retag({ unknown: 'x' }))), ['a app missing allowed drift'], 'the team tag removed');
    assert.deepEqual(
      after(read, plan(retag({ team: 'platform', unknown: 'x' }))),
      ['a app allowed allowed ok'],
      'unchanged (a tag named "unknown" is a value)',
    );
    assert.deepEqual(after(read, plan(retag(undefined))), ['a app allowed conditional drift'], 'known only after apply');
  });

  it('a change to a resource that can decide a pull but is not modelled (an exclusive policy set, a deleted repository) is conditional, not ignored', () => {
    const read = facts([puller('a', STAGING, [allowlist(['app'])])], { app: granted(['004947743811']) });
    const exclusive = change('aws_iam_role_policies_exclusive.x', 'aws_iam_role_policies_exclusive', ['create'], null, {
      role_name: 'staging',
      policy_names: [],
    });
    assert.deepEqual(after(read, plan(exclusive)), ['a app allowed conditional drift']);
    const deleted = change('aws_ecr_repository.app', 'aws_ecr_repository', ['delete'], { name: 'app' }, null);
    assert.deepEqual(after(read, plan(deleted)), ['a app conditional allowed drift']);
    const settings = change(
      'aws_ecr_repository.app',
      'aws_ecr_repository',
      ['update'],
      { name: 'app', scan_on_push: false },
      { name: 'app', scan_on_push: true },
    );
    assert.deepEqual(after(read, plan(settings)), ['a app allowed allowed ok'], 'a repository setting changes nothing of a pull');
  });
});
