// A proposed change laid over the facts and judged again, in domain/ alone (domain/proposed/overlay.ts
// with domain/cells.ts): the change model in, the verdicts after apply out. Never a pass the change
// cannot prove: what stays unknown until apply makes the cells it touches conditional (docs/iac.md).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judgeCells } from '../../src/domain/cells.js';
import type { Check, RepositoryVerdict } from '../../src/domain/checks/model.js';
import type { CellFacts, PullerFacts, ReadingSession, RegistryPlace } from '../../src/domain/facts.js';
import type { PolicyDocument, Statement } from '../../src/domain/policy/document.js';
import type { ProposedDocument, ProposedState, Replacement } from '../../src/domain/proposed.js';
import { overlayProposed, withUnknowns, type ProposedUnknowns } from '../../src/domain/proposed/overlay.js';
import { repositoryStateFrom } from '../../src/domain/repository-state.js';

const REGISTRY = '153263036946';
const STAGING = '004947743811';
const REGION = 'us-east-2';
const ROLE = `arn:aws:iam::${STAGING}:role/staging`;
const ACTIONS = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'];
const GRANT = { sid: 'PublishImageCrossAccountPull', principals: [], actions: ACTIONS };
const SETTINGS = { registry: { region: REGION }, grant: GRANT };
const arn = (repository: string): string => `arn:aws:ecr:${REGION}:${REGISTRY}:repository/${repository}`;
const document = (...statements: Statement[]): PolicyDocument => ({ Version: '2012-10-17', Statement: statements });
const login: Statement = { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' };
const allowlist = (...repositories: string[]): PolicyDocument => document(login, { Effect: 'Allow', Action: ACTIONS, Resource: repositories.map(arn) });
const granted = document({ Sid: 'Pull', Effect: 'Allow', Principal: { AWS: ROLE }, Action: ACTIONS });

/** A session with more than a verdict needs (as services' sessions carry clients): the overlay keeps it as it is. */
interface Session extends ReadingSession {
  client: string;
}

function puller(policy: PolicyDocument, policyName: string | undefined = 'Pull'): PullerFacts<Session> {
  return {
    settings: { name: 'staging', roleArn: ROLE, policyName, assumeRoleArn: undefined, externalId: undefined, regions: [REGION], repositories: undefined },
    access: { who: 'the current credentials', account: STAGING, client: 'iam' },
    roleArn: ROLE,
    documents: [{ name: 'inline policy Pull', inlineName: 'Pull', document: policy }],
    problem: undefined,
    role: { roleArn: ROLE, roleName: 'staging', path: '/', account: STAGING, roleId: 'AROASTAGING', tags: {}, sessionTagsPossible: false, boundary: undefined },
    organization: { principalOrganization: { status: 'none' }, orgPaths: { status: 'none' }, scp: undefined, notChecked: [] },
  };
}

function facts(policy: PolicyDocument, repositoryPolicy: PolicyDocument | undefined): CellFacts<Session> {
  return {
    registryId: REGISTRY,
    repositories: ['app'],
    states: new Map([['app', repositoryStateFrom(GRANT, arn('app'), 'app', repositoryPolicy)]]),
    home: { registry: { account: REGISTRY, region: REGION, organization: { status: 'none' }, policy: { status: 'none' } }, rcp: undefined, notChecked: [] },
    pullerFacts: [puller(policy)],
    replicas: { replication: undefined, places: new Map(), unreadable: new Map() },
    tags: new Map(),
    replicaTags: new Map(),
    notChecked: [],
  };
}

const state = (...replacements: Replacement[]): ProposedState => ({ from: 'plan', replacements });
const inline = (document: ProposedDocument): Replacement => ({
  kind: 'inline-policy',
  from: 'aws_iam_role_policy.pull',
  roleName: 'staging',
  policyName: 'Pull',
  document,
});
const repository = (document: ProposedDocument, from = 'aws_ecr_repository_policy.app'): Replacement => ({
  kind: 'repository-policy',
  from,
  repository: 'app',
  document,
});

/** "<grant> <identity> <ok|drift>" of the one cell, after the change. */
function after(read: CellFacts<Session>, change: ProposedState): string {
  const overlay = overlayProposed(read, change);
  const [verdict] = withUnknowns(
    judgeCells(SETTINGS, overlay.facts).pullers.flatMap((judged) => judged.verdicts),
    overlay.unknowns,
  );
  return `${verdict.grant?.status} ${verdict.identity?.status} ${verdict.drift ? 'drift' : 'ok'}`;
}

describe('overlayProposed: the verdict as it will be once the change is applied', () => {
  const cases: [string, CellFacts<Session>, ProposedState, string][] = [
    ['nothing changes: the verdict as read', facts(allowlist('app'), granted), state(), 'allowed allowed ok'],
    ['the allowlist gains the repository: the identity side allows', facts(allowlist(), granted), state(inline(allowlist('app'))), 'allowed allowed ok'],
    ['the allowlist is deleted: the identity side is missing', facts(allowlist('app'), granted), state(inline('deleted')), 'allowed missing drift'],
    [
      'the allowlist known only after apply: conditional, never a pass',
      facts(allowlist('app'), granted),
      state(inline({ unknown: 'aws_iam_role_policy.pull.policy' })),
      'allowed conditional drift',
    ],
    ['the grant is written: the repository side allows', facts(allowlist('app'), undefined), state(repository(granted)), 'allowed allowed ok'],
    [
      'the repository policy is deleted: the repository side is missing',
      facts(allowlist('app'), granted),
      state(repository('deleted')),
      'missing allowed drift',
    ],
    [
      'two writers of one repository policy: which lands last is not determined, conditional',
      facts(allowlist('app'), granted),
      state(repository(granted, 'aws_ecr_repository_policy.a'), repository(granted, 'aws_ecr_repository_policy.b')),
      'conditional allowed drift',
    ],
    [
      'a change to a role of another name touches nothing',
      facts(allowlist(), granted),
      state({ kind: 'inline-policy', from: 'aws_iam_role_policy.other', roleName: 'other', policyName: 'Pull', document: allowlist('app') }),
      'allowed missing drift',
    ],
  ];
  for (const [name, read, change, expected] of cases) it(name, () => assert.equal(after(read, change), expected));

  it('deleting the named allowlist policy makes it a policy not found; the session and the places stay as they are', () => {
    const read = facts(allowlist('app'), granted);
    const place = { kind: 'replica', region: 'us-west-2', registryId: REGISTRY, facts: read.home, states: new Map(), ecr: 'client' } as RegistryPlace & {
      ecr: string;
    };
    const withPlace: CellFacts<Session, RegistryPlace & { ecr: string }> = { ...read, replicas: { ...read.replicas, places: new Map([['p', place]]) } };
    const overlaid = overlayProposed(withPlace, state(inline('deleted'))).facts;
    assert.deepEqual(overlaid.pullerFacts[0].problem, { kind: 'policy-not-found', roleArn: ROLE, policyName: 'Pull', inlineNames: [], readAccount: STAGING });
    assert.equal(overlaid.pullerFacts[0].access.client, 'iam');
    assert.equal(overlaid.replicas.places.get('p')?.ecr, 'client');
  });
});

describe('withUnknowns: a cell an unknown touches is conditional, and so drift', () => {
  const allowed: Check = { status: 'allowed', deciding: [], unknownKeys: [] };
  const denied: Check = { status: 'denied', action: 'ecr:BatchGetImage', deciding: [], unknownKeys: [] };
  const verdict = (grant: Check, identity: Check): RepositoryVerdict => ({
    repository: 'app',
    puller: 'staging',
    arn: arn('app'),
    exists: true,
    grant,
    identity,
    stalePrincipals: [],
    grantWritten: false,
    allowlistAdded: false,
    drift: false,
  });
  const unknowns = (identity: [string, string][], grant: [string, string][]): ProposedUnknowns => ({
    identity: new Map(identity.map(([key, address]) => [key, [address]])),
    grant: new Map(grant.map(([key, address]) => [key, [address]])),
    homeRegion: REGION,
  });
  const cases: [string, RepositoryVerdict, ProposedUnknowns, string][] = [
    ['nothing unknown: unchanged', verdict(allowed, allowed), unknowns([], []), 'allowed allowed ok'],
    ["this puller's identity unknown: identity conditional", verdict(allowed, allowed), unknowns([['staging', 'a.policy']], []), 'allowed conditional drift'],
    ["another puller's identity unknown: unchanged", verdict(allowed, allowed), unknowns([['other', 'a.policy']], []), 'allowed allowed ok'],
    ["every puller's identity unknown", verdict(allowed, allowed), unknowns([['*', 'a.policy']], []), 'allowed conditional drift'],
    [
      "this repository's grant unknown in this region",
      verdict(allowed, allowed),
      unknowns([], [[`${REGION}\u0000app`, 'r.policy']]),
      'conditional allowed drift',
    ],
    ['every repository in every region', verdict(allowed, allowed), unknowns([], [['*\u0000*', 'r.policy']]), 'conditional allowed drift'],
    ['a Deny that stays, stays: denied, not conditional', verdict(denied, allowed), unknowns([], [['*\u0000*', 'r.policy']]), 'denied allowed drift'],
  ];
  for (const [name, cell, unknown, expected] of cases) {
    it(name, () => {
      const [judged] = withUnknowns([cell], unknown);
      assert.equal(`${judged.grant?.status} ${judged.identity?.status} ${judged.drift ? 'drift' : 'ok'}`, expected);
    });
  }
  it('names the addresses only apply knows', () => {
    const [judged] = withUnknowns([verdict(allowed, allowed)], unknowns([['staging', 'aws_iam_role_policy.pull.policy']], []));
    assert.deepEqual(judged.identity?.unknownKeys, ['aws_iam_role_policy.pull.policy']);
  });
});
