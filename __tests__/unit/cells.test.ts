// Every (puller, region, repository) cell judged from facts read once (domain/cells.ts,
// domain/replica-cells.ts): facts in, verdicts out, no AWS call. Tables; each rule names the AWS
// page it follows.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judgeCells, judgeHomeCells, onceEach, type CellSettings } from '../../src/domain/cells.js';
import type { RepositoryVerdict } from '../../src/domain/checks/model.js';
import type { CellFacts, CreationTemplatesRead, PlaceFacts, PullerFacts, RegistryPlace, ReplicationRead, RepositoryState } from '../../src/domain/facts.js';
import type { PolicyDocument, Statement } from '../../src/domain/policy/document.js';
import { pullerAt } from '../../src/domain/puller-at-place.js';
import { judgeReplicaCells, placeKey, replicaSource, templateOf } from '../../src/domain/replica-cells.js';
import { repositoryStateFrom } from '../../src/domain/repository-state.js';
import { INLINE_POLICIES_LIMIT } from '../../src/domain/policy/allowlist.js';

const REGISTRY = '153263036946';
const STAGING = '004947743811';
const OTHER = '210987654321';
const REGION = 'us-east-2';
const WEST = 'us-west-2';
const ROLE = `arn:aws:iam::${STAGING}:role/staging`;
const SAME_ACCOUNT_ROLE = `arn:aws:iam::${REGISTRY}:role/puller`;
const ACTIONS = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'];
const GRANT = { sid: 'PublishImageCrossAccountPull', principals: [], actions: ACTIONS };
const SETTINGS: CellSettings = { registry: { region: REGION }, grant: GRANT };
const HOME = { region: REGION, registryId: REGISTRY };

const arn = (repository: string, region = REGION, registryId = REGISTRY): string => `arn:aws:ecr:${region}:${registryId}:repository/${repository}`;
const document = (...statements: Statement[]): PolicyDocument => ({ Version: '2012-10-17', Statement: statements });
const login: Statement = { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' };
const allowlist = (...resources: string[]): PolicyDocument => document(login, { Sid: 'Pull', Effect: 'Allow', Action: ACTIONS, Resource: resources });
const grantTo = (principal: string | '*'): PolicyDocument =>
  document({ Sid: 'Pull', Effect: 'Allow', Principal: principal === '*' ? '*' : { AWS: principal }, Action: ACTIONS });

function puller(
  options: { name?: string; roleArn?: string; documents?: PolicyDocument[]; regions?: string[]; repositories?: string[]; notChecked?: string } = {},
): PullerFacts {
  const roleArn = options.roleArn ?? ROLE;
  const account = roleArn.split(':')[4];
  return {
    settings: {
      name: options.name ?? 'staging',
      roleArn,
      policyName: undefined,
      assumeRoleArn: undefined,
      externalId: undefined,
      regions: options.regions ?? [REGION],
      repositories: options.repositories,
    },
    access: { who: 'the current credentials', account },
    roleArn,
    documents: (options.documents ?? [allowlist(arn('app'))]).map((policy, index) => ({
      name: `inline policy P${index}`,
      inlineName: `P${index}`,
      document: policy,
    })),
    problem: undefined,
    role: {
      roleArn,
      roleName: roleArn.slice(roleArn.lastIndexOf('/') + 1),
      path: '/',
      account,
      roleId: 'AROAPULLER',
      tags: {},
      sessionTagsPossible: false,
      boundary: undefined,
    },
    organization: {
      principalOrganization: { status: 'none' },
      orgPaths: { status: 'none' },
      scp: undefined,
      notChecked: options.notChecked ? [{ what: 'organization', reason: options.notChecked }] : [],
    },
  };
}

const placeFacts = (account = REGISTRY, region = REGION, policy: PlaceFacts['registry']['policy'] = { status: 'none' }): PlaceFacts => ({
  registry: { account, region, organization: { status: 'none' }, policy },
  rcp: undefined,
  notChecked: [],
});

const states = (
  policies: Record<string, PolicyDocument | undefined | null>,
  region = REGION,
  registryId = REGISTRY,
): Map<string, RepositoryState | undefined> =>
  new Map(
    Object.entries(policies).map(([name, policy]) => [
      name,
      policy === null ? undefined : repositoryStateFrom(GRANT, arn(name, region, registryId), name, policy),
    ]),
  );

function facts(pullers: PullerFacts[], home: Record<string, PolicyDocument | undefined | null>, replicas: Partial<CellFacts['replicas']> = {}): CellFacts {
  return {
    registryId: REGISTRY,
    repositories: Object.keys(home),
    states: states(home),
    home: placeFacts(),
    pullerFacts: pullers,
    replicas: { replication: undefined, places: new Map(), unreadable: new Map(), ...replicas },
    tags: new Map(),
    replicaTags: new Map(),
    notChecked: [],
  };
}

/** "<repository> <grant> <identity> <ok|drift>", or "<repository> <replica kind> drift" for a cell with nothing to judge. */
function cell(verdict: RepositoryVerdict): string {
  if (!verdict.exists && verdict.replica && verdict.replica.kind !== 'replica')
    return `${verdict.repository} ${verdict.replica.kind} ${verdict.drift ? 'drift' : 'ok'}`;
  return `${verdict.repository} ${verdict.exists ? verdict.grant?.status : 'absent'} ${verdict.identity?.status} ${verdict.drift ? 'drift' : 'ok'}`;
}

function home(read: CellFacts, index = 0) {
  const facts = read.pullerFacts[index];
  return judgeHomeCells(SETTINGS, REGISTRY, facts, pullerAt(facts, read.home), read.repositories, read.states, read.tags);
}

// ECR User Guide, "Private repository policies", and IAM User Guide, "Cross-account policy evaluation
// logic": across accounts, the repository policy must grant and the role's identity policies must allow.
// Within one account either side's Allow is enough (IAM User Guide, "Policy evaluation for requests within a single account").
describe('judgeHomeCells: the registry region cells of one puller', () => {
  const cases: [string, CellFacts, string[]][] = [
    ['across accounts, both sides allow: ok', facts([puller()], { app: grantTo(ROLE) }), ['app allowed allowed ok']],
    ['across accounts, no grant: the repository side is missing', facts([puller()], { app: undefined }), ['app missing allowed drift']],
    [
      'across accounts, the allowlist does not name it: the identity side is missing',
      facts([puller({ documents: [allowlist()] })], { app: grantTo(ROLE) }),
      ['app allowed missing drift'],
    ],
    ['the repository does not exist: drift, the identity side still judged', facts([puller()], { app: null }), ['app absent allowed drift']],
    [
      'within one account the identity policies alone are enough',
      facts([puller({ roleArn: SAME_ACCOUNT_ROLE, documents: [allowlist(arn('app'))] })], { app: undefined }),
      ['app allowed allowed ok'],
    ],
    [
      'within one account the repository policy alone is enough',
      facts([puller({ roleArn: SAME_ACCOUNT_ROLE, documents: [document(login)] })], { app: grantTo(SAME_ACCOUNT_ROLE) }),
      ['app allowed allowed ok'],
    ],
    [
      'only the repositories its patterns name',
      facts([puller({ repositories: ['team/*'] })], { app: grantTo(ROLE), 'team/api': grantTo(ROLE) }),
      ['team/api allowed missing drift'],
    ],
  ];
  for (const [name, read, expected] of cases) it(name, () => assert.deepEqual(home(read).verdicts.map(cell), expected));

  it('an allowlist entry nothing expects is an extra; a wildcard says what it covers', () => {
    const read = facts([puller({ documents: [allowlist(arn('app'), arn('old'), arn('team/*'))] })], { app: grantTo(ROLE), 'team/api': grantTo(ROLE) });
    const judged = home(read);
    assert.deepEqual(judged.extra, ['old']);
    assert.deepEqual(judged.wildcards, [{ pattern: arn('team/*'), covers: ['team/api'] }]);
  });

  // IAM User Guide, "IAM and AWS STS quotas": a role's inline policies together, whitespace not counted.
  const sizes: [string, number, boolean][] = [
    ['an allowlist far below the inline policy limit: no warning', 10, false],
    ['an allowlist over 80 % of the inline policy limit: warned', Math.ceil((0.8 * INLINE_POLICIES_LIMIT) / 70), true],
  ];
  for (const [name, count, warned] of sizes) {
    it(name, () => {
      const resources = Array.from({ length: count }, (_, index) => arn(`repository-number-${String(index).padStart(4, '0')}-of-many`));
      const judged = home(facts([puller({ documents: [allowlist(...resources)] })], { app: grantTo(ROLE) }));
      assert.equal(
        judged.warnings.some((warning) => warning.kind === 'allowlist-size'),
        warned,
      );
    });
  }
});

describe('judgeCells: every puller, every region it pulls in', () => {
  it('a repository policy that grants everyone is warned of, once, whatever the number of pullers', () => {
    const judged = judgeCells(SETTINGS, facts([puller({ name: 'a' }), puller({ name: 'b' })], { app: grantTo('*') }));
    assert.deepEqual(
      judged.warnings.map((warning) => warning.kind),
      ['public-grant'],
    );
  });

  it('cells come region by region in the order the puller lists them, each region with its login', () => {
    const judged = judgeCells(
      SETTINGS,
      facts([puller({ regions: [WEST, REGION] })], { app: grantTo(ROLE) }, { replication: { status: 'unread', reason: 'denied' } }),
    );
    const [only] = judged.pullers;
    assert.deepEqual(
      only.verdicts.map((verdict) => `${verdict.arn.split(':')[3]} ${cell(verdict)}`),
      [`${WEST} app not-checked drift`, `${REGION} app allowed allowed ok`],
    );
    assert.deepEqual(
      only.logins.map((login) => `${login.region} ${login.login?.status}`),
      [`${WEST} undefined`, `${REGION} allowed`],
    );
  });

  it('what was not read is said once, however many pullers found it', () => {
    const judged = judgeCells(
      SETTINGS,
      facts([puller({ name: 'a', notChecked: 'denied' }), puller({ name: 'b', notChecked: 'denied' })], { app: grantTo(ROLE) }),
    );
    assert.deepEqual(judged.notChecked, [{ what: 'organization', reason: 'denied' }]);
  });

  it('onceEach keeps the first of each (what, reason)', () => {
    const items = [
      { what: 'organization' as const, reason: 'a' },
      { what: 'organization' as const, reason: 'b' },
      { what: 'organization' as const, reason: 'a' },
      { what: 'org-paths' as const, reason: 'a' },
    ];
    assert.deepEqual(onceEach(items), [items[0], items[1], items[3]]);
  });
});

// ECR User Guide, "Private image replication": images are copied, repository policies are not; a
// replica ECR creates gets the policy of the creation template for REPLICATION that matches it
// (ECR User Guide, "Private repository creation templates"), or none.
describe('replica cells: a pull in another region pulls the replica there', () => {
  const rule = (registryId = REGISTRY): ReplicationRead => ({
    status: 'read',
    registryId: REGISTRY,
    rules: [{ destinations: [{ region: WEST, registryId }], filters: [] }],
  });
  const place = (
    policies: Record<string, PolicyDocument | undefined | null>,
    options: { registryId?: string; templates?: CreationTemplatesRead; registryPolicy?: PolicyDocument } = {},
  ): RegistryPlace => {
    const registryId = options.registryId ?? REGISTRY;
    const policy: PlaceFacts['registry']['policy'] = options.registryPolicy
      ? { status: 'read', policy: { name: 'registry policy', statements: options.registryPolicy.Statement, version: '2012-10-17' }, scope: 'V2' }
      : { status: 'none' };
    return {
      kind: 'replica',
      region: WEST,
      registryId,
      facts: placeFacts(registryId, WEST, policy),
      states: states(policies, WEST, registryId),
      templates: options.templates,
    };
  };
  const withPlace = (at: RegistryPlace) => ({ replication: rule(at.registryId), places: new Map([[placeKey(at), at]]) });
  const replicaPuller = puller({ regions: [WEST], documents: [allowlist(arn('app'), arn('app', WEST), arn('app', WEST, OTHER))] });
  const template = (policy: PolicyDocument | undefined): CreationTemplatesRead => ({
    status: 'read',
    registryId: REGISTRY,
    templates: [{ prefix: 'ROOT', appliedFor: ['REPLICATION'], repositoryPolicy: policy ? { status: 'read', value: policy } : { status: 'none' } }],
  });

  const cases: [string, CellFacts, string[]][] = [
    [
      'the replication configuration not read: not checked, never a pass',
      facts([replicaPuller], { app: grantTo(ROLE) }, { replication: { status: 'unread', reason: 'denied' } }),
      ['app not-checked drift'],
    ],
    [
      'no rule replicates it to that region: not replicated',
      facts([replicaPuller], { app: grantTo(ROLE) }, { replication: { status: 'read', registryId: REGISTRY, rules: [] } }),
      ['app not-replicated drift'],
    ],
    ['the repository is not in the registry: nothing to replicate', facts([replicaPuller], { app: null }, { replication: rule() }), ['app no-source drift']],
    [
      'the destination could not be read: not checked',
      facts(
        [replicaPuller],
        { app: grantTo(ROLE) },
        { replication: rule(), unreadable: new Map([[placeKey({ region: WEST, registryId: REGISTRY }), 'no reader role']]) },
      ),
      ['app not-checked drift'],
    ],
    [
      'the replica grants the role: judged as a repository of its own',
      facts([replicaPuller], { app: grantTo(ROLE) }, withPlace(place({ app: grantTo(ROLE) }))),
      ['app allowed allowed ok'],
    ],
    [
      'the replica does not carry the source grant: missing',
      facts([replicaPuller], { app: grantTo(ROLE) }, withPlace(place({ app: undefined }))),
      ['app missing allowed drift'],
    ],
    [
      'not created yet: judged by the policy its creation template will give it',
      facts([replicaPuller], { app: grantTo(ROLE) }, withPlace(place({ app: null }, { templates: template(grantTo(ROLE)) }))),
      ['app allowed allowed ok'],
    ],
    [
      'not created yet and the templates not read: conditional, never a pass',
      facts([replicaPuller], { app: grantTo(ROLE) }, withPlace(place({ app: null }, { templates: { status: 'unread', reason: 'denied' } }))),
      ['app conditional allowed drift'],
    ],
  ];
  for (const [name, read, expected] of cases) it(name, () => assert.deepEqual(judgeReplicaCells(read, HOME, GRANT).verdicts.map(cell), expected));

  // ECR User Guide, "Granting registry permissions for cross account replication": the destination's
  // registry policy must let the source account ecr:ReplicateImage (and ecr:CreateRepository for a replica still to be made).
  const crossAccount: [string, PolicyDocument | undefined, string, boolean][] = [
    ['a destination in another account whose registry policy says nothing: replication missing, drift', undefined, 'missing', true],
    [
      'a destination in another account that lets the source replicate: allowed',
      document({
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${REGISTRY}:root` },
        Action: ['ecr:ReplicateImage', 'ecr:CreateRepository'],
        Resource: `arn:aws:ecr:${WEST}:${OTHER}:repository/*`,
      }),
      'allowed',
      false,
    ],
  ];
  for (const [name, registryPolicy, status, drift] of crossAccount) {
    it(name, () => {
      const read = facts([replicaPuller], { app: grantTo(ROLE) }, withPlace(place({ app: grantTo(ROLE) }, { registryId: OTHER, registryPolicy })));
      const [verdict] = judgeReplicaCells(read, HOME, GRANT).verdicts;
      assert.equal(verdict.replica?.kind === 'replica' ? verdict.replica.replication?.status : undefined, status);
      assert.equal(verdict.drift, drift);
    });
  }

  it('the login in the other region is judged with the replica place; templates not read are said', () => {
    const read = facts(
      [replicaPuller],
      { app: grantTo(ROLE) },
      withPlace(place({ app: grantTo(ROLE) }, { templates: { status: 'unread', reason: 'denied' } })),
    );
    const judged = judgeReplicaCells(read, HOME, GRANT);
    assert.deepEqual(judged.logins.get('staging'), [
      { region: WEST, login: pullerAt(replicaPuller, read.replicas.places.values().next().value!.facts).role.login },
    ]);
    assert.deepEqual(judged.notChecked, [{ what: 'creation-templates', reason: 'denied' }]);
  });

  it('replicaSource: each destination a cell of its own, read or not', () => {
    const read = place({ app: undefined });
    const replicas = {
      replication: {
        status: 'read' as const,
        registryId: REGISTRY,
        rules: [
          {
            destinations: [
              { region: WEST, registryId: REGISTRY },
              { region: WEST, registryId: OTHER },
            ],
            filters: [],
          },
        ],
      },
      places: new Map([[placeKey(read), read]]),
      unreadable: new Map([[placeKey({ region: WEST, registryId: OTHER }), 'no reader role']]),
    };
    assert.deepEqual(replicaSource(replicas, HOME, WEST, 'app'), {
      kind: 'destinations',
      destinations: [
        { kind: 'read', place: read },
        { kind: 'not-checked', registry: { region: WEST, registryId: OTHER }, reason: 'no reader role' },
      ],
    });
  });

  const templates: [string, CreationTemplatesRead | undefined, ReturnType<typeof templateOf>][] = [
    ['templates not read at all: unread', undefined, { status: 'unread', reason: 'the creation templates were not read' }],
    ['templates unread: their reason', { status: 'unread', reason: 'denied' }, { status: 'unread', reason: 'denied' }],
    [
      'no template for REPLICATION matches: no policy',
      { status: 'read', registryId: REGISTRY, templates: [] },
      { status: 'read', prefix: undefined, policy: { status: 'none' } },
    ],
    ['the ROOT template: its policy', template(grantTo(ROLE)), { status: 'read', prefix: 'ROOT', policy: { status: 'read', value: grantTo(ROLE) } }],
  ];
  for (const [name, read, expected] of templates)
    it(`templateOf: ${name}`, () => assert.deepEqual(templateOf(place({}, { templates: read }), 'app'), expected));
});
