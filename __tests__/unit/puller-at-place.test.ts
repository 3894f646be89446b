// The pulling role judged at one place (domain/puller-at-place.ts): facts in, model and login out.
// Tables; each rule names the AWS page it follows.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ControlPolicies, OrganizationFacts, PlaceFacts, PullerFacts, RoleFacts } from '../../src/domain/facts.js';
import type { Statement } from '../../src/domain/policy/document.js';
import { controlPoliciesThatApply, pullerAt, roleProblem } from '../../src/domain/puller-at-place.js';

const REGISTRY = '153263036946';
const STAGING = '004947743811';
const MANAGEMENT = '111122223333';
const REGION = 'us-east-2';
const ROLE = `arn:aws:iam::${STAGING}:role/staging`;

const login: Statement = { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' };
const denyAll: Statement = { Effect: 'Deny', Action: '*', Resource: '*' };
const allowAll: Statement = { Effect: 'Allow', Action: '*', Resource: '*' };

const member = (managementAccountId = MANAGEMENT): OrganizationFacts => ({ status: 'member', organizationId: 'o-abc123', managementAccountId });
const controls = (...statements: Statement[]): ControlPolicies => ({
  status: 'read',
  levels: [
    {
      target: STAGING,
      label: `account ${STAGING}`,
      policies: [{ name: 'service control policy Guard', document: { Version: '2012-10-17', Statement: [allowAll, ...statements] } }],
    },
  ],
});

const role = (overrides: Partial<RoleFacts> = {}): RoleFacts => ({
  roleArn: ROLE,
  roleName: 'staging',
  path: '/',
  account: STAGING,
  roleId: 'AROASTAGING',
  tags: {},
  sessionTagsPossible: false,
  boundary: undefined,
  ...overrides,
});

function puller(
  options: { statements?: Statement[]; role?: RoleFacts | undefined; organization?: OrganizationFacts; scp?: ControlPolicies } = {},
): PullerFacts {
  const statements = options.statements ?? [login];
  const read = 'role' in options ? options.role : role();
  return {
    settings: {
      name: 'staging',
      roleArn: ROLE,
      policyName: undefined,
      assumeRoleArn: undefined,
      externalId: undefined,
      regions: [REGION],
      repositories: undefined,
    },
    access: { who: 'the current credentials', account: STAGING },
    roleArn: ROLE,
    documents: [{ name: 'inline policy Pull', inlineName: 'Pull', document: { Version: '2012-10-17', Statement: statements } }],
    problem: roleProblem({ roleArn: ROLE, policyName: undefined }, STAGING, read, read ? ['Pull'] : undefined),
    role: read,
    organization: {
      principalOrganization: options.organization ?? { status: 'none' },
      orgPaths: { status: 'none' },
      scp: options.scp,
      notChecked: [{ what: 'org-paths', reason: 'organization-assume-role-arn is not set' }],
    },
  };
}

function place(options: { organization?: OrganizationFacts; rcp?: ControlPolicies; account?: string } = {}): PlaceFacts {
  return {
    registry: { account: options.account ?? REGISTRY, region: REGION, organization: options.organization ?? { status: 'none' }, policy: { status: 'none' } },
    rcp: options.rcp,
    notChecked: [{ what: 'registry-policy-scope', reason: 'not read' }],
  };
}

describe('roleProblem: why the role itself cannot be judged', () => {
  const cases: [string, Parameters<typeof roleProblem>, ReturnType<typeof roleProblem>][] = [
    [
      'no such role where it was read',
      [{ roleArn: ROLE, policyName: 'Pull' }, STAGING, undefined, undefined],
      { kind: 'role-not-found', roleArn: ROLE, readAccount: STAGING },
    ],
    [
      'the role as IAM has it (with its path) is the one named',
      [{ roleArn: ROLE, policyName: undefined }, STAGING, { roleArn: `arn:aws:iam::${STAGING}:role/team/staging` }, undefined],
      { kind: 'role-not-found', roleArn: `arn:aws:iam::${STAGING}:role/team/staging`, readAccount: STAGING },
    ],
    [
      'the allowlist policy named is not among its inline policies',
      [{ roleArn: ROLE, policyName: 'Pull' }, STAGING, { roleArn: ROLE }, ['Other']],
      { kind: 'policy-not-found', roleArn: ROLE, policyName: 'Pull', inlineNames: ['Other'], readAccount: STAGING },
    ],
    ['the allowlist policy named is there', [{ roleArn: ROLE, policyName: 'Pull' }, STAGING, { roleArn: ROLE }, ['Other', 'Pull']], undefined],
    ['no allowlist policy named: nothing to miss', [{ roleArn: ROLE, policyName: undefined }, undefined, { roleArn: ROLE }, []], undefined],
  ];
  for (const [name, args, expected] of cases) it(name, () => assert.deepEqual(roleProblem(...args), expected));
});

// AWS Organizations User Guide, "Service control policies (SCPs)": SCPs don't affect users or roles in the
// management account; "Resource control policies (RCPs)": RCPs don't affect resources in the management account.
describe('controlPoliciesThatApply: not over the management account (AWS Organizations User Guide, SCPs and RCPs)', () => {
  const policies = controls(denyAll);
  const cases: [string, string, OrganizationFacts, ControlPolicies | undefined][] = [
    ['a member account: its policies apply', STAGING, member(), policies],
    ['the management account: none applies', MANAGEMENT, member(), undefined],
    [
      'the management account not known: they apply (never assume less than AWS enforces)',
      MANAGEMENT,
      { status: 'member', organizationId: 'o-abc123' },
      policies,
    ],
    ['the organization unread: they apply', MANAGEMENT, { status: 'unread', reason: 'denied' }, policies],
    ['no organization: passed through as read', STAGING, { status: 'none' }, policies],
  ];
  for (const [name, account, organization, expected] of cases)
    it(name, () => assert.equal(controlPoliciesThatApply(policies, account, organization), expected));
  it('nothing read stays nothing', () => assert.equal(controlPoliciesThatApply(undefined, STAGING, member()), undefined));
});

describe('pullerAt: the role judged at one place', () => {
  it('a role not found: no model, the problem said, no login judged', () => {
    const placed = pullerAt(puller({ role: undefined }), place());
    assert.equal(placed.model, undefined);
    assert.deepEqual(placed.role, { roleArn: ROLE, problem: { kind: 'role-not-found', roleArn: ROLE, readAccount: STAGING } });
  });

  it('keeps the session it was read with, and says what neither side could read', () => {
    const facts = puller();
    const placed = pullerAt(facts, place());
    assert.equal(placed.access, facts.access);
    assert.deepEqual(
      placed.notChecked.map((item) => item.what),
      ['org-paths', 'registry-policy-scope'],
    );
  });

  // ECR User Guide, "Private registry authentication": docker login needs ecr:GetAuthorizationToken on "*".
  // IAM User Guide, "Policy evaluation logic": an explicit Deny in an applicable SCP overrides any Allow.
  const logins: [string, PullerFacts, PlaceFacts, string][] = [
    ['the identity policies allow ecr:GetAuthorizationToken: login allowed', puller(), place(), 'allowed'],
    ['no statement allows it: login missing', puller({ statements: [] }), place(), 'missing'],
    ['an SCP over a member account denies it: login denied', puller({ organization: member(), scp: controls(denyAll) }), place(), 'denied'],
    ['an SCP over the management account does not apply: login allowed', puller({ organization: member(STAGING), scp: controls(denyAll) }), place(), 'allowed'],
    ['an RCP does not touch the login (no resource of the registry): allowed', puller(), place({ organization: member(), rcp: controls(denyAll) }), 'allowed'],
  ];
  for (const [name, facts, at, expected] of logins) it(name, () => assert.equal(pullerAt(facts, at).role.login?.status, expected));

  const rcps: [string, PlaceFacts, boolean][] = [
    ['RCPs over a member registry account enter the model', place({ organization: member(), rcp: controls(denyAll) }), true],
    ['RCPs over the management account do not', place({ organization: member(REGISTRY), rcp: controls(denyAll) }), false],
  ];
  for (const [name, at, applied] of rcps) it(name, () => assert.equal(pullerAt(puller(), at).model?.rcp !== undefined, applied));

  it('a permissions boundary enters the model as a layer of its own', () => {
    const boundary = { name: 'permissions boundary arn:aws:iam::004947743811:policy/B', document: { Version: '2012-10-17', Statement: [login] } };
    const placed = pullerAt(puller({ role: role({ boundary }) }), place());
    assert.equal(placed.model?.caller.hasBoundary, true);
    assert.equal(placed.model?.boundary?.name, boundary.name);
  });
});
