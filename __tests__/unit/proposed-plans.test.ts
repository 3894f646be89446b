// Issue #25: eight plans that AWS would apply into a 403 each fail the gate (drift, or conditional
// naming the resource address and attribute); plans that change nothing or fix the drift still pass.
// The plans in __tests__/fixtures/terraform/issue-25/ were made by Terraform 1.11.4 with the
// hashicorp/aws 5.100 provider against moto (the configurations are in issue-25/config; `terraform
// plan` + `terraform show -json`); the two named `*.hand-made.json` are shapes Terraform would not make
// against moto (a deposed object; `after_unknown.inline_policy = true`, which 5.100 plans as a no-op for
// an unknown dynamic block), edited from those real plans. This test reads the fixtures: it does not
// run Terraform. HashiCorp's JSON Output Format: https://developer.hashicorp.com/terraform/internals/json-format
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { NOT_PULL_RELEVANT, UNMODELLED, modelledTypes, parseProposed } from '../../src/domain/proposed.js';
import type { PolicyDocument } from '../../src/domain/policy/document.js';
import type { RegistryFacts } from '../../src/services/registry.js';
import { overlayProposed, withUnknowns } from '../../src/services/proposed.js';
import type { PullerFacts } from '../../src/services/puller.js';
import type { PlaceSurvey } from '../../src/services/replicas.js';
import { repositoryStateFrom } from '../../src/services/repositories.js';
import { judgeFacts, type SurveyFacts, type SurveySettings } from '../../src/services/survey.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'terraform', 'issue-25');
const fixture = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as Record<string, unknown>;

const REGISTRY = '153263036946';
const STAGING_ACCOUNT = '004947743811';
const HOME = 'us-east-2';
const WEST = 'us-west-2';
const ROLE = 'MoleculeTenantEICRole-staging';
const ROLE_ARN = `arn:aws:iam::${STAGING_ACCOUNT}:role/${ROLE}`;
const POLICY = 'WorkspaceTemplatePrimaryECRPull';
const AGENT = 'molecule-ai/molecule-platform-agent';
const REPOSITORIES = [AGENT, 'molecule-ai/workspace-template-codex', 'molecule-ai/workspace-template-hermes'];
const ACTIONS = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'];
const GRANT = { sid: 'PublishImageCrossAccountPull', principals: [], actions: ACTIONS };
const arn = (repository: string, region = HOME): string => `arn:aws:ecr:${region}:${REGISTRY}:repository/${repository}`;

const allowlist = (repositories: string[]): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [
    { Sid: 'Login', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
    { Sid: 'Pull', Effect: 'Allow', Action: ACTIONS, Resource: repositories.flatMap((repository) => [arn(repository), arn(repository, WEST)]) },
  ],
});
const GRANTED: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Sid: 'PublishImageCrossAccountPull', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${STAGING_ACCOUNT}:root` }, Action: ACTIONS }],
};

function puller(repositories: string[], regions: string[]): PullerFacts {
  return {
    settings: { name: 'staging', roleArn: ROLE_ARN, policyName: POLICY, assumeRoleArn: undefined, externalId: undefined, regions, repositories: undefined },
    access: { account: STAGING_ACCOUNT, who: 'the current credentials', iam: undefined as never, credentials: undefined },
    roleArn: ROLE_ARN,
    documents: [{ name: `inline policy ${POLICY}`, inlineName: POLICY, document: allowlist(repositories) }],
    problem: undefined,
    role: {
      roleArn: ROLE_ARN,
      roleName: ROLE,
      path: '/',
      account: STAGING_ACCOUNT,
      roleId: 'AROASTAGING',
      tags: {},
      sessionTagsPossible: false,
      boundary: undefined,
    },
    organization: { principalOrganization: { status: 'none' }, orgPaths: { status: 'none' }, scp: undefined, notChecked: [] },
  };
}

const registryFacts = (region: string): RegistryFacts => ({ account: REGISTRY, region, organization: { status: 'none' }, policy: { status: 'none' } });

/** The staging puller (allowlist of `repositories`), pulling in us-east-2 and, with `west`, from the replica of the agent in us-west-2. */
function facts(repositories: string[], west = false): SurveyFacts {
  const states = new Map(REPOSITORIES.map((name) => [name, repositoryStateFrom(GRANT, arn(name), name, GRANTED)]));
  const replica: PlaceSurvey = {
    kind: 'replica',
    region: WEST,
    registryId: REGISTRY,
    ecr: undefined as never,
    facts: { registry: registryFacts(WEST), rcp: undefined, notChecked: [] },
    states: new Map([[AGENT, repositoryStateFrom(GRANT, arn(AGENT, WEST), AGENT, GRANTED)]]),
  };
  return {
    registryId: REGISTRY,
    repositories: west ? [AGENT] : REPOSITORIES,
    states,
    home: { registry: registryFacts(HOME), rcp: undefined, notChecked: [] },
    pullerFacts: [puller(repositories, west ? [HOME, WEST] : [HOME])],
    replicas: west
      ? {
          replication: { status: 'read', registryId: REGISTRY, rules: [{ destinations: [{ region: WEST, registryId: REGISTRY }], filters: [] }] },
          places: new Map([[`${REGISTRY}/${WEST}`, replica]]),
          unreadable: new Map(),
        }
      : { replication: undefined, places: new Map(), unreadable: new Map() },
    tags: new Map(),
    replicaTags: new Map(),
    notChecked: [],
  };
}

/** Each cell after the change: "<region> <repository> <grant> <identity> <ok|drift>", and every unknown it depends on. */
function judged(read: SurveyFacts, plan: object): { cells: string[]; unknowns: string[] } {
  const settings: SurveySettings = {
    registry: { region: HOME, registryId: REGISTRY },
    grant: GRANT,
    pullers: read.pullerFacts.map((facts) => facts.settings),
    replicaAssumeRoleArns: [],
    organizationAssumeRoleArn: undefined,
    targets: { kind: 'repository', repository: AGENT },
    runId: undefined,
  };
  const overlay = overlayProposed(read, parseProposed(JSON.stringify(plan), { file: 'plan.json' }));
  const verdicts = withUnknowns(
    judgeFacts(settings, overlay.facts).pullers.flatMap((puller) => puller.verdicts),
    overlay.unknowns,
  );
  return {
    cells: verdicts.map(
      (verdict) =>
        `${verdict.arn.split(':')[3]} ${verdict.repository.split('/')[1]} ${verdict.grant?.status} ${verdict.identity?.status} ${verdict.drift ? 'drift' : 'ok'}`,
    ),
    unknowns: [
      ...new Set(
        verdicts.flatMap((verdict) => [verdict.grant, verdict.identity].flatMap((check) => (check?.status === 'conditional' ? check.unknownKeys : []))),
      ),
    ],
  };
}

const EVERY_OK = [
  'us-east-2 molecule-platform-agent allowed allowed ok',
  'us-east-2 workspace-template-codex allowed allowed ok',
  'us-east-2 workspace-template-hermes allowed allowed ok',
];

/** The plan with only the resource changes at these addresses (the rest of the plan, configuration included, kept). */
function only(plan: Record<string, unknown>, ...addresses: string[]): Record<string, unknown> {
  const changes = plan.resource_changes as { address: string }[];
  return { ...plan, resource_changes: changes.filter((change) => addresses.includes(change.address)) };
}

/** The plan without its configuration: read as the default provider's (a plan cut down to its resource_changes). */
function withoutConfiguration(plan: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...plan };
  delete copy.configuration;
  return copy;
}

describe('issue #25: the eight plans each fail the gate, naming the change', () => {
  it('1. role = trimsuffix(aws_iam_role.helper.id, "-helper"): the role is known only after apply and could be the puller’s: conditional', () => {
    const result = judged(facts(REPOSITORIES), fixture('1-role-by-function.json'));
    assert.ok(
      result.cells.every((cell) => cell.endsWith('conditional drift')),
      result.cells.join('\n'),
    );
    assert.ok(
      result.unknowns.some((key) => key.startsWith('aws_iam_role_policy.helper.role')),
      result.unknowns.join('\n'),
    );
  });

  it('2. managed_policy_arns = [aws_iam_policy.new.arn] on the puller’s role (unknown, exclusive): conditional', () => {
    const result = judged(facts(REPOSITORIES), fixture('2-managed-policy-arns-unknown.json'));
    assert.ok(
      result.cells.every((cell) => cell.endsWith('conditional drift')),
      result.cells.join('\n'),
    );
    assert.ok(
      result.unknowns.some((key) => key.startsWith('aws_iam_role.staging.managed_policy_arns')),
      result.unknowns.join('\n'),
    );
  });

  it('3. provider = aws.other (assume_role into 111122223333) writes the allowlist on a namesake: not the fix, the drift stays', () => {
    const result = judged(facts(REPOSITORIES.slice(1)), fixture('3-provider-other-account.json'));
    assert.deepEqual(result.cells, [
      'us-east-2 molecule-platform-agent allowed missing drift',
      'us-east-2 workspace-template-codex allowed allowed ok',
      'us-east-2 workspace-template-hermes allowed allowed ok',
    ]);
  });

  it('3b. the same write through an alias whose account the plan does not say: conditional, naming the provider', () => {
    const plan = fixture('3-provider-other-account.json');
    const configuration = structuredClone(plan.configuration) as { provider_config: Record<string, { expressions: Record<string, unknown> }> };
    delete configuration.provider_config['aws.other'].expressions.assume_role;
    const result = judged(facts(REPOSITORIES.slice(1)), { ...plan, configuration });
    assert.ok(
      result.cells.every((cell) => cell.includes('conditional')),
      result.cells.join('\n'),
    );
    assert.ok(
      result.unknowns.some((key) => key.includes('aws_iam_role_policy.other (provider aws.other')),
      result.unknowns.join('\n'),
    );
  });

  it('4. two resources write one inline policy (role:name), one dropping a repository: the order is not determined', () => {
    const result = judged(facts(REPOSITORIES), fixture('4-two-writers.json'));
    assert.ok(
      result.cells.every((cell) => cell.endsWith('conditional drift')),
      result.cells.join('\n'),
    );
    assert.ok(
      result.unknowns.some((key) => key.includes('aws_iam_role_policy.a_drop and aws_iam_role_policy.allowlist')),
      result.unknowns.join('\n'),
    );
  });

  it('5. a deposed aws_iam_role_policy object with the allowlist’s role:name is deleted (DeleteRolePolicy): the allowlist is gone', () => {
    const result = judged(facts(REPOSITORIES), fixture('5-deposed-delete.hand-made.json'));
    assert.ok(
      result.cells.every((cell) => cell.endsWith('missing drift')),
      result.cells.join('\n'),
    );
  });

  it('6. the allowlist deleted on the role named in lower case (IAM: one role regardless of case): drift', () => {
    // As Terraform made it: removed from the configuration, destroyed through one of three providers (two accounts): conditional.
    const real = judged(facts(REPOSITORIES), only(fixture('6-role-name-case.json'), 'aws_iam_role_policy.lower'));
    assert.ok(
      real.cells.every((cell) => cell.endsWith('conditional drift')),
      real.cells.join('\n'),
    );
    // Through the default provider only (the configuration left out): the same role, so the allowlist is gone.
    const plain = withoutConfiguration(only(fixture('6-role-name-case.json'), 'aws_iam_role_policy.lower'));
    assert.ok(judged(facts(REPOSITORIES), plain).cells.every((cell) => cell.endsWith('missing drift')));
  });

  it('6b. a policy named like the allowlist in another letter case deleted: not documented either way, so conditional', () => {
    const plain = withoutConfiguration(only(fixture('6-role-name-case.json'), 'aws_iam_role_policy.lower_name'));
    const result = judged(facts(REPOSITORIES), plain);
    assert.ok(
      result.cells.every((cell) => cell.endsWith('conditional drift')),
      result.cells.join('\n'),
    );
    assert.ok(result.unknowns.some((key) => key.startsWith('aws_iam_role_policy.lower_name (policy name workspacetemplateprimaryecrpull')));
  });

  it('7. aws_iam_role with after_unknown.inline_policy = true (exclusive, unknown): conditional', () => {
    const result = judged(facts(REPOSITORIES), fixture('7-inline-policy-unknown.hand-made.json'));
    assert.ok(
      result.cells.every((cell) => cell.endsWith('conditional drift')),
      result.cells.join('\n'),
    );
    assert.ok(
      result.unknowns.some((key) => key.startsWith('aws_iam_role.staging.inline_policy')),
      result.unknowns.join('\n'),
    );
  });

  it('8. the replica’s repository policy deleted in us-west-2 through aws.west: every cell it could touch is conditional, the replica’s included', () => {
    // Removed from the configuration, it is destroyed through aws.west, but the plan's JSON does not say so: any of its providers.
    const result = judged(facts(REPOSITORIES, true), fixture('8-replica-policy-deleted.json'));
    assert.deepEqual(result.cells, [
      'us-east-2 molecule-platform-agent conditional allowed drift',
      'us-west-2 molecule-platform-agent conditional allowed drift',
    ]);
    assert.ok(
      result.unknowns.some((key) => key.startsWith('aws_ecr_repository_policy.replica (removed from the configuration')),
      result.unknowns.join('\n'),
    );
  });

  it('8b. the same where the plan proves the provider (only aws.west, pinned by allowed_account_ids): the replica’s grant is gone, the home cell untouched', () => {
    const plan = fixture('8-replica-policy-deleted.json');
    const configuration = structuredClone(plan.configuration) as { provider_config: Record<string, { expressions: Record<string, unknown> }> };
    configuration.provider_config = { 'aws.west': configuration.provider_config['aws.west'] };
    configuration.provider_config['aws.west'].expressions.allowed_account_ids = { constant_value: [REGISTRY] };
    const result = judged(facts(REPOSITORIES, true), { ...plan, configuration });
    assert.deepEqual(result.cells, ['us-east-2 molecule-platform-agent allowed allowed ok', 'us-west-2 molecule-platform-agent missing allowed drift']);
  });
});

describe('issue #25: a name read through references is not proven (the JSON does not show functions around them)', () => {
  it('a repository policy on `repository = aws_ecr_repository.app.name` of a repository the plan creates: conditional for every repository there', () => {
    const plan = JSON.parse(readFileSync(join(FIXTURES, '..', 'resolved-names.json'), 'utf8')) as Record<string, unknown>;
    const result = judged(facts(REPOSITORIES), only(plan, 'aws_ecr_repository_policy.app'));
    assert.ok(
      result.cells.every((cell) => / conditional allowed drift$/.test(cell)),
      result.cells.join('\n'),
    );
    assert.ok(result.unknowns.some((key) => key.startsWith('aws_ecr_repository_policy.app.repository')));
  });
});

describe('issue #25: plans that change nothing, or fix the drift, still pass', () => {
  it('the real plans’ no-op resources change nothing', () => {
    const plan = fixture('3-provider-other-account.json');
    const noOps = (plan.resource_changes as { address: string; change: { actions: string[] } }[])
      .filter((change) => change.change.actions.join() === 'no-op')
      .map((change) => change.address);
    assert.deepEqual(judged(facts(REPOSITORIES), only(plan, ...noOps)).cells, EVERY_OK);
  });

  it('the allowlist written back whole through the default provider fixes the drift (case 4 without its second writer)', () => {
    const result = judged(facts(REPOSITORIES.slice(1)), only(fixture('4-two-writers.json'), 'aws_iam_role_policy.allowlist'));
    assert.deepEqual(result.cells, EVERY_OK);
  });

  it('a role replaced in its role:name’s case, written by one resource through a provider pinned to the puller’s account, fixes it', () => {
    const plan = fixture('3-provider-other-account.json');
    const configuration = structuredClone(plan.configuration) as {
      provider_config: Record<string, { expressions: { assume_role: { role_arn: { constant_value: string } }[] } }>;
    };
    configuration.provider_config['aws.other'].expressions.assume_role[0].role_arn.constant_value = `arn:aws:iam::${STAGING_ACCOUNT}:role/terraform`;
    const result = judged(facts(REPOSITORIES.slice(1)), { ...only(plan, 'aws_iam_role_policy.other'), configuration });
    assert.deepEqual(result.cells, EVERY_OK);
  });
});

/**
 * Every `aws_*` resource type of hashicorp/aws 5.100 that can change a pull (`terraform providers schema
 * -json`), and what a change to it does: modelled (its writes applied to the cells they touch), or
 * conditional for the cells it could touch, or left out because it decides no pull permission (why said
 * in NOT_PULL_RELEVANT and docs/iac.md). AWS's pages: IAM "Policy evaluation logic"
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html), ECR
 * "Private repository policies", "Private registry permissions", "Private image replication",
 * "Repository creation templates", "Pull through cache", Organizations "SCPs" and "RCPs".
 */
describe('every aws_* resource type that can change a pull is modelled or conditional', () => {
  const table: [string, 'modelled' | 'conditional' | 'not pull-relevant'][] = [
    ['aws_iam_role', 'modelled'], // boundary, inline_policy, managed_policy_arns, tags_all, create/delete; exclusive sets unknown: conditional
    ['aws_iam_role_policy', 'modelled'],
    ['aws_iam_policy', 'modelled'],
    ['aws_iam_role_policy_attachment', 'modelled'],
    ['aws_iam_policy_attachment', 'modelled'],
    ['aws_iam_role_policies_exclusive', 'conditional'],
    ['aws_iam_role_policy_attachments_exclusive', 'conditional'],
    ['aws_ecr_repository', 'conditional'], // its deletion or replacement (settings change no pull)
    ['aws_ecr_repository_policy', 'modelled'],
    ['aws_ecr_registry_policy', 'modelled'],
    ['aws_ecr_replication_configuration', 'conditional'],
    ['aws_ecr_repository_creation_template', 'conditional'],
    ['aws_ecr_account_setting', 'conditional'],
    ['aws_ecr_pull_through_cache_rule', 'conditional'],
    ['aws_organizations_policy', 'conditional'],
    ['aws_organizations_policy_attachment', 'conditional'],
    ['aws_organizations_account', 'conditional'],
    ['aws_organizations_organization', 'conditional'],
    ['aws_ecr_lifecycle_policy', 'not pull-relevant'],
    ['aws_ecr_registry_scanning_configuration', 'not pull-relevant'],
    ['aws_kms_key', 'not pull-relevant'],
    ['aws_organizations_organizational_unit', 'not pull-relevant'],
    ['aws_organizations_resource_policy', 'not pull-relevant'],
    ['aws_organizations_delegated_administrator', 'not pull-relevant'],
    ['aws_ecrpublic_repository', 'not pull-relevant'],
    ['aws_ecrpublic_repository_policy', 'not pull-relevant'],
  ];
  for (const [type, expected] of table)
    it(`${type}: ${expected}`, () => {
      const actual = modelledTypes().includes(type)
        ? 'modelled'
        : UNMODELLED.has(type)
          ? 'conditional'
          : type in NOT_PULL_RELEVANT
            ? 'not pull-relevant'
            : 'ignored';
      assert.equal(actual, expected);
    });

  it('a change to each conditional type makes the cells it could touch conditional, naming its address', () => {
    for (const [type, expected] of table) {
      if (expected !== 'conditional') continue;
      const change = {
        address: `${type}.x`,
        mode: 'managed',
        type,
        name: 'x',
        change: { actions: ['delete'], before: { role_name: ROLE, name: 'x' }, after: null, after_unknown: {} },
      };
      const result = judged(facts(REPOSITORIES), { format_version: '1.2', resource_changes: [change] });
      if (type === 'aws_ecr_replication_configuration') {
        assert.deepEqual(result.cells, EVERY_OK, 'no puller pulls a replica here');
        const west = judged(facts(REPOSITORIES, true), { format_version: '1.2', resource_changes: [change] });
        assert.match(west.cells[1], /^us-west-2 .* conditional .* drift$/, type);
        continue;
      }
      assert.ok(
        result.cells.every((cell) => cell.includes('conditional')),
        `${type}: ${result.cells.join('; ')}`,
      );
      assert.ok(
        result.unknowns.some((key) => key.startsWith(`${type}.x`)),
        type,
      );
    }
  });
});
