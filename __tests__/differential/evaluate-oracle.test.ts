// Differential tests of the SHIPPED effective-access rule against @cloud-copilot/iam-simulate (AGPL,
// a devDependency used only here as an oracle; never bundled into dist/, none of its code copied).
//
// What is compared is exactly what the action decides: `judgeIdentitySide` (identity policies ∩
// permissions boundary ∩ SCP levels), `judgeGrantSide` (repository policy, RCP levels) and
// `judgeLogin` (ecr:GetAuthorizationToken) from src/domain/checks/judge.ts, over the request context
// `pullRequestContext(facts)` builds from what a run reads. The two sides are combined as the product
// combines them (src/domain/checks/verdict.ts, `drifts`): pullable only when both sides are allowed; a Deny
// on either side is "denied" (it wins over "missing"); otherwise a side that is "missing" makes it
// missing; otherwise a "conditional" side makes it conditional.
//
// The oracle is told the same policies and a request by a session of the role
// (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION, the principal AWS sees for a pull), the registry
// account as the resource account, and a request context this file builds on its own from the same
// facts (AWS global condition context keys, "Availability" of each key). What the product cannot know
// before the pull (session name, source IP/VPC/endpoint, time, MFA, session tags, repository tags,
// organization facts it could not read) is filled in by several "worlds"; a verdict of the product
// must hold in every world: allowed ⇒ Allowed in all, denied ⇒ ExplicitlyDenied in all, missing ⇒
// never Allowed (and ImplicitlyDenied everywhere when nothing unknown is involved), and where the
// worlds disagree on Allowed the product must say conditional.
//
// Where iam-simulate and AWS's documentation disagree, the documentation wins: those shapes are kept
// out of the comparison (`oracleDiffersFromAws`) and pinned in ORACLE_DIFFERS with the page title.
// ORACLE_RUNS=… ORACLE_SEED=… run more generated cases.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { judgeGrantSide, judgeIdentitySide, judgeLogin, type AccessModel, type ControlLevels } from '../../src/domain/checks/judge.js';
import type { Check, CheckStatus } from '../../src/domain/checks/model.js';
import { isPartial } from '../../src/domain/policy/context.js';
import { SESSION_NAME_KEY } from '../../src/domain/policy/evaluate.js';
import type { Principal, Statement } from '../../src/domain/policy/document.js';
import { loginRequestContext, pullRequestContext, type PullFacts, type Readable } from '../../src/domain/policy/request-context.js';
import { PROD_ACCOUNT as PROD, REGION, STAGING_ACCOUNT as STAGING, STAGING_ROLE as ROLE_NAME } from '../../stack/fixture.js';

// ---------------------------------------------------------------------------------------------
// The accounts, role and registry of every case: PROD is the registry, STAGING the pulling role's
// account (stack/fixture.ts).

const OTHER = '111111111111';
const ROLE_ID = 'AROAQXEXAMPLEROLE0001';
const ORG = 'o-a1b2c3d4e5';
const OTHER_ORG = 'o-zz9zz9zz9z';
const STAGING_ROOT = `arn:aws:iam::${STAGING}:root`;
const OTHER_ROOT = `arn:aws:iam::${OTHER}:root`;
const roleArn = (path: string): string => `arn:aws:iam::${STAGING}:role${path}${ROLE_NAME}`;
const sessionArn = (session: string, roleName = ROLE_NAME): string => `arn:aws:sts::${STAGING}:assumed-role/${roleName}/${session}`;
const REPO = (name: string): string => `arn:aws:ecr:${REGION}:${PROD}:repository/${name}`;
const PULL_ACTIONS = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'];
const LOGIN_ACTION = 'ecr:GetAuthorizationToken';

/** Placeholders in generated policies, replaced with the case's role ARN (with its path) and a session ARN. */
const $ROLE = '$ROLE_ARN';
const $SESSION = '$SESSION_CI';

// ---------------------------------------------------------------------------------------------
// A case: what the run read (facts), the policies, and the request.

interface Level {
  label: string;
  policies: Statement[][];
}

interface Scenario {
  facts: PullFacts;
  /** Identity policies of the role (each a list of statements). */
  identity: Statement[][];
  boundary?: Statement[];
  /** SCP levels over the staging account, the root first and the account last; undefined: not read. */
  scp?: Level[];
  /**
   * The customer RCPs at each level over the registry account; RCPFullAWSAccess is attached at every
   * level as well (AWS attaches it and it cannot be detached: "RCP syntax"). Undefined: not read.
   */
  rcp?: Level[];
  /** The repository policy; undefined: the repository has none. */
  repository?: Statement[];
  /** The repository's tags when the run read them (ecr:ListTagsForResource); undefined: not read (unknown). */
  resourceTags?: Record<string, string>;
}

const read = <T>(value: T): Readable<T> => ({ status: 'read', value });
const NONE = { status: 'none' } as const;
const UNREAD = { status: 'unread', reason: 'AccessDenied' } as const;

function makeFacts(
  options: {
    path?: string;
    roleId?: string | undefined;
    tags?: Record<string, string>;
    orgId?: Readable<string>;
    orgPaths?: Readable<string[]>;
    resourceOrgId?: Readable<string>;
    sessionTagsPossible?: boolean;
  } = {},
): PullFacts {
  const orgId = options.orgId ?? read(ORG);
  return {
    role: {
      arn: roleArn(options.path ?? '/tenants/'),
      account: STAGING,
      roleId: 'roleId' in options ? options.roleId : ROLE_ID,
      tags: options.tags ?? {},
      sessionTagsPossible: options.sessionTagsPossible,
    },
    principalOrgId: orgId,
    principalOrgPaths: options.orgPaths ?? (orgId.status === 'none' ? NONE : orgId.status === 'read' ? read([orgPath(orgId.value, 0)]) : UNREAD),
    registry: { account: PROD, region: REGION },
    resourceOrgId: options.resourceOrgId ?? read(ORG),
  };
}

const orgPath = (org: string, variant: number): string => `${org}/r-ab12/ou-ab12-${variant === 0 ? '11111111' : '99999999'}/`;
const resourceOrgPath = (org: string): string => `${org}/r-ab12/ou-ab12-22222222/`;

// ---------------------------------------------------------------------------------------------
// The product: the shipped judge functions, combined as src/domain/checks/verdict.ts combines them.

const RCP_FULL_AWS_ACCESS: Statement = { Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' };
const source = (name: string, statements: Statement[]) => ({ name, statements });

function controlLevels(kind: 'scp' | 'rcp', levels: Level[] | undefined): ControlLevels | undefined {
  return levels?.map((level) => ({
    label: level.label,
    policies: [
      ...(kind === 'rcp' ? [source('RCPFullAWSAccess', [RCP_FULL_AWS_ACCESS])] : []),
      ...level.policies.map((statements, index) => source(`${kind} ${level.label} #${index}`, statements)),
    ],
  }));
}

function accessModel(scenario: Scenario): AccessModel {
  const { facts } = scenario;
  return {
    caller: { roleArn: facts.role.arn, roleId: facts.role.roleId, hasBoundary: scenario.boundary !== undefined },
    context: pullRequestContext(facts),
    loginContext: loginRequestContext(facts),
    identity: scenario.identity.map((statements, index) => source(`identity #${index}`, statements)),
    boundary: scenario.boundary && source('boundary', scenario.boundary),
    scp: controlLevels('scp', scenario.scp),
    rcp: controlLevels('rcp', scenario.rcp),
  };
}

/** A Deny on either side wins; then a missing side; then a conditional one; both allowed: allowed. */
function combine(...statuses: CheckStatus[]): CheckStatus {
  for (const status of ['denied', 'missing', 'conditional'] as const) if (statuses.includes(status)) return status;
  return 'allowed';
}

interface ProductVerdict {
  status: CheckStatus;
  /** The keys a conditional verdict names (the unknown keys of its conditional sides). */
  unknownKeys: string[];
}

function verdictOf(...checks: Check[]): ProductVerdict {
  const status = combine(...checks.map((check) => check.status));
  return { status, unknownKeys: status === 'conditional' ? checks.flatMap((check) => (check.status === 'conditional' ? check.unknownKeys : [])) : [] };
}

/** The repository's tags as the product is handed them: read (known, others absent), or not read (unknown). */
function tagsOf(scenario: Scenario): Readable<Record<string, string>> | undefined {
  return scenario.resourceTags === undefined ? undefined : { status: 'read', value: scenario.resourceTags };
}

function productPull(scenario: Scenario, action: string, resource: string): ProductVerdict {
  const model = accessModel(scenario);
  const identity = judgeIdentitySide(resource, model, [action], tagsOf(scenario));
  const grant = judgeGrantSide(resource, source('repository policy', scenario.repository ?? []), model, [action], tagsOf(scenario));
  return verdictOf(identity, grant);
}

function productLogin(scenario: Scenario): ProductVerdict {
  return verdictOf(judgeLogin(accessModel(scenario)));
}

// ---------------------------------------------------------------------------------------------
// The oracle's request context, built here from the facts (not from the product), per world.

/** What only the pull knows (or the run could not read): one consistent guess of it. */
interface World {
  session: string;
  orgId?: string;
  orgPathVariant: number;
  resourceOrgId?: string;
  resourceOrgPaths: boolean;
  sourceIp?: string;
  sourceVpc?: string;
  sourceVpce?: string;
  currentTime: string;
  mfa: string;
  /** Session tags (keys the role itself does not carry: a session tag never collides with a role tag here). */
  sessionTags: Record<string, string>;
  resourceTags: Record<string, string>;
}

/** Keys AWS puts into every request by a role session with its own credentials over HTTPS, fixed by the facts. */
const FIXED_KEYS = [
  'aws:PrincipalAccount',
  'aws:PrincipalArn',
  'aws:PrincipalType',
  'aws:PrincipalIsAWSService',
  'aws:ViaAWSService',
  'aws:SecureTransport',
  'aws:RequestedRegion',
  'aws:ResourceAccount',
];
/** Keys absent from such a request ("AWS global condition context keys", Availability of each). */
const ABSENT_KEYS = [
  'aws:username',
  'aws:SourceAccount',
  'aws:SourceArn',
  'aws:SourceOrgID',
  'aws:SourceOrgPaths',
  'aws:PrincipalServiceName',
  'aws:PrincipalServiceNamesList',
  'aws:CalledVia',
  'aws:CalledViaFirst',
  'aws:CalledViaLast',
];
const lower = (key: string): string => key.toLowerCase();

function awsContext(facts: PullFacts, world: World, login = false): Record<string, string | string[]> {
  const context: Record<string, string | string[]> = {
    'aws:PrincipalAccount': facts.role.account,
    'aws:PrincipalArn': facts.role.arn,
    'aws:PrincipalType': 'AssumedRole',
    'aws:PrincipalIsAWSService': 'false',
    'aws:ViaAWSService': 'false',
    'aws:SecureTransport': 'true',
    'aws:RequestedRegion': facts.registry.region,
    'aws:ResourceAccount': facts.registry.account,
    // The role's unique ID is what it is, read or not; the session name is the pull's.
    'aws:userid': `${facts.role.roleId ?? ROLE_ID}:${world.session}`,
    'aws:CurrentTime': world.currentTime,
    'aws:MultiFactorAuthPresent': world.mfa,
  };
  const orgId = facts.principalOrgId.status === 'read' ? facts.principalOrgId.value : facts.principalOrgId.status === 'none' ? undefined : world.orgId;
  if (orgId) context['aws:PrincipalOrgID'] = orgId;
  if (facts.principalOrgPaths.status === 'read') context['aws:PrincipalOrgPaths'] = facts.principalOrgPaths.value;
  else if (facts.principalOrgPaths.status === 'unread' && orgId) context['aws:PrincipalOrgPaths'] = [orgPath(orgId, world.orgPathVariant)];
  const resourceOrgId =
    facts.resourceOrgId.status === 'read' ? facts.resourceOrgId.value : facts.resourceOrgId.status === 'none' ? undefined : world.resourceOrgId;
  if (resourceOrgId) context['aws:ResourceOrgID'] = resourceOrgId;
  if (resourceOrgId && world.resourceOrgPaths) context['aws:ResourceOrgPaths'] = [resourceOrgPath(resourceOrgId)];
  // Session tags exist only when the trust policy allows sts:TagSession, and then override the role's
  // tags of the same key, whatever its case ("Passing session tags in AWS STS").
  const sessionTags = facts.role.sessionTagsPossible === false ? {} : world.sessionTags;
  const overridden = new Set(Object.keys(sessionTags).map(lower));
  for (const [key, value] of Object.entries(facts.role.tags)) if (!overridden.has(lower(key))) context[`aws:PrincipalTag/${key}`] = value;
  for (const [key, value] of Object.entries(sessionTags)) context[`aws:PrincipalTag/${key}`] = value;
  // ecr:GetAuthorizationToken has no resource type (Service Authorization Reference for Amazon ECR),
  // so the login's request carries no resource tags.
  if (!login) for (const [key, value] of Object.entries(world.resourceTags)) context[`aws:ResourceTag/${key}`] = value;
  if (world.sourceIp) context['aws:SourceIp'] = world.sourceIp;
  if (world.sourceVpc) context['aws:SourceVpc'] = world.sourceVpc;
  if (world.sourceVpce) context['aws:SourceVpce'] = world.sourceVpce;
  return context;
}

/** Every key the product calls known holds the oracle's value; every key it calls absent is absent. */
function assertContextAgrees(facts: PullFacts, world: World): void {
  const context = pullRequestContext(facts);
  const mine = new Map(Object.entries(awsContext(facts, world)).map(([key, value]) => [lower(key), [value].flat()]));
  for (const [key, values] of context.known) {
    const expected = mine.get(key);
    assert.ok(expected, `the product knows ${key}, which this request does not carry`);
    if (values.some(isPartial)) {
      for (const value of values)
        assert.ok(
          expected.some((have) => have.startsWith(isPartial(value) ? value.prefix : value)),
          `${key}: ${JSON.stringify(values)} vs ${JSON.stringify(expected)}`,
        );
    } else {
      assert.deepEqual([...(values as string[])].sort(), [...expected].sort(), key);
    }
  }
  for (const key of context.absent) assert.ok(!mine.has(key), `the product calls ${key} absent, the request carries it`);
}

type Outcome = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';
const policyDocument = (Statement: Statement[]) => ({ Version: '2012-10-17', Statement });

async function oracle(scenario: Scenario, world: World, action: string, resource: string): Promise<Outcome> {
  const { facts } = scenario;
  const login = resource === '*';
  const orgPolicies = (kind: string, levels: Level[] | undefined) =>
    (levels ?? []).map((level) => ({
      orgIdentifier: level.label,
      policies: level.policies.map((statements, index) => ({ name: `${kind}-${level.label}-${index}`, policy: policyDocument(statements) })),
    }));
  const response = await runSimulation(
    {
      identityPolicies: scenario.identity.map((statements, index) => ({ name: `identity-${index}`, policy: policyDocument(statements) })),
      permissionBoundaryPolicies: scenario.boundary ? [{ name: 'boundary', policy: policyDocument(scenario.boundary) }] : undefined,
      serviceControlPolicies: orgPolicies('scp', scenario.scp),
      // RCPs restrict the registry's resources; the login is a call in the staging account on no resource.
      resourceControlPolicies: login ? [] : orgPolicies('rcp', scenario.rcp),
      resourcePolicy: login || !scenario.repository?.length ? undefined : policyDocument(scenario.repository),
      request: {
        action,
        principal: sessionArn(world.session, facts.role.arn.slice(facts.role.arn.lastIndexOf('/') + 1)),
        resource: { resource, accountId: login ? facts.role.account : facts.registry.account },
        contextVariables: awsContext(facts, world, login),
      },
    } as never,
    {},
  );
  if (response.resultType === 'error') throw new Error(`oracle refused the case: ${JSON.stringify(response.errors)}`);
  return response.overallResult as Outcome;
}

// ---------------------------------------------------------------------------------------------
// Does a case depend on anything the product cannot know? (Decides how many worlds to ask.)

function statementsOf(scenario: Scenario): Statement[] {
  return [
    ...scenario.identity.flat(),
    ...(scenario.boundary ?? []),
    ...(scenario.scp ?? []).flatMap((level) => level.policies.flat()),
    ...(scenario.rcp ?? []).flatMap((level) => level.policies.flat()),
    ...(scenario.repository ?? []),
  ];
}

function referencedKeys(statements: Statement[]): string[] {
  const keys = statements.flatMap((statement) => Object.values(statement.Condition ?? {}).flatMap((block) => Object.keys(block)));
  const variables = [...JSON.stringify(statements).matchAll(/\$\{([^},]+)/g)].map(([, name]) => name.trim());
  return [...keys, ...variables];
}

function fixedKey(facts: PullFacts, key: string, tagsRead = false): boolean {
  const name = lower(key);
  if (tagsRead && (name.startsWith('aws:resourcetag/') || name.startsWith('ecr:resourcetag/'))) return true;
  if ([...FIXED_KEYS, ...ABSENT_KEYS].map(lower).includes(name)) return true;
  if (name === 'aws:principalorgid') return facts.principalOrgId.status !== 'unread';
  if (name === 'aws:principalorgpaths') return facts.principalOrgPaths.status !== 'unread';
  if (name === 'aws:resourceorgid') return facts.resourceOrgId.status !== 'unread';
  if (name === 'aws:resourceorgpaths') return facts.resourceOrgId.status === 'none';
  if (name.startsWith('aws:principaltag/'))
    return facts.role.sessionTagsPossible === false && Object.keys(facts.role.tags).some((tag) => lower(tag) === name.slice('aws:principaltag/'.length));
  return false;
}

function dependsOnUnknown(scenario: Scenario): boolean {
  if (referencedKeys(statementsOf(scenario)).some((key) => !fixedKey(scenario.facts, key, scenario.resourceTags !== undefined))) return true;
  return (scenario.repository ?? []).some((statement) => JSON.stringify([statement.Principal, statement.NotPrincipal]).includes(':assumed-role/'));
}

// ---------------------------------------------------------------------------------------------
// Where iam-simulate and AWS's documentation disagree (AWS wins): kept out of the comparison.

const principalValues = (element: Principal | undefined): string[] => (element === undefined ? [] : element === '*' ? ['*'] : [element.AWS ?? []].flat());

function oracleDiffersFromAws(scenario: Scenario, worlds: World[]): string | undefined {
  const { facts } = scenario;
  for (const statement of scenario.repository ?? []) {
    const values = [...principalValues(statement.Principal), ...principalValues(statement.NotPrincipal)];
    // iam-simulate compares only the account ID of an account principal (a role ARN's partition it does compare).
    if (values.some((value) => /^arn:(?!aws:)[^:]+:iam::\d{12}:root$/.test(value))) return 'an account root in another partition';
    if (statement.Effect === 'Deny' && statement.NotPrincipal && scenario.boundary === undefined) {
      const notPrincipals = principalValues(statement.NotPrincipal);
      const namesRoleOrAccount = notPrincipals.some((value) => value === facts.role.arn || value === STAGING_ROOT || value === STAGING);
      const namesSession = notPrincipals.some((value) => value.startsWith(`arn:aws:sts::${STAGING}:assumed-role/${ROLE_NAME}/`));
      if (namesRoleOrAccount && !namesSession) return 'NotPrincipal Deny naming the role or its account but not the session';
    }
  }
  for (const statement of statementsOf(scenario)) {
    const notResource = statement.NotResource === undefined ? [] : [statement.NotResource].flat();
    for (const entry of notResource) {
      for (const [, name] of entry.matchAll(/\$\{([^},]+)/g)) {
        if (worlds.some((world) => !Object.keys(awsContext(facts, world)).some((key) => lower(key) === lower(name.trim()))))
          return 'NotResource with a policy variable that has no value';
      }
    }
  }
  return undefined;
}

/** The login's resource keys are the caller's own (an inference, see the login case above): not compared with the oracle. */
function loginDependsOnResourceKeys(scenario: Scenario): boolean {
  const callerSide = [...scenario.identity.flat(), ...(scenario.boundary ?? []), ...(scenario.scp ?? []).flatMap((level) => level.policies.flat())];
  return referencedKeys(callerSide).some((key) => /^aws:resource(account|orgid|orgpaths)$/i.test(key));
}

// ---------------------------------------------------------------------------------------------
// The comparison: the product's verdict must hold in every world.

function disagreement(facts: PullFacts, verdict: ProductVerdict, outcomes: Outcome[], unknown: boolean, tagsRead = false): string | undefined {
  const everywhere = (outcome: Outcome): boolean => outcomes.every((have) => have === outcome);
  switch (verdict.status) {
    case 'allowed':
      return everywhere('Allowed') ? undefined : 'the product allows what AWS would refuse';
    case 'denied':
      return everywhere('ExplicitlyDenied') ? undefined : 'the product reports a Deny AWS would not apply';
    case 'missing':
      if (outcomes.includes('Allowed')) return 'the product reports missing what AWS would allow';
      return unknown || everywhere('ImplicitlyDenied') ? undefined : 'the product reports missing what AWS denies explicitly';
    case 'conditional': {
      if (!unknown) return 'the product says conditional, yet nothing unknown is involved';
      if (verdict.unknownKeys.length === 0) return 'the product says conditional without naming what it depends on';
      const known = verdict.unknownKeys.filter((key) => key !== SESSION_NAME_KEY && fixedKey(facts, key, tagsRead));
      return known.length > 0 ? `the product calls ${known.join(', ')} unknown, which the run knows` : undefined;
    }
  }
}

const RANK: Record<Outcome, number> = { Allowed: 0, ImplicitlyDenied: 1, ExplicitlyDenied: 2 };

/** The repository as a whole: the judges called with every pull action (as the product calls them) against the worst action in each world. */
async function compareEveryAction(
  scenario: Scenario,
  worlds: World[],
  resource: string,
): Promise<{ product: CheckStatus; outcomes: Outcome[]; problem?: string }> {
  const unknown = dependsOnUnknown(scenario);
  const asked = unknown ? worlds : worlds.slice(0, 1);
  const model = accessModel(scenario);
  const verdict = verdictOf(
    judgeIdentitySide(resource, model, PULL_ACTIONS, tagsOf(scenario)),
    judgeGrantSide(resource, source('repository policy', scenario.repository ?? []), model, PULL_ACTIONS, tagsOf(scenario)),
  );
  const outcomes: Outcome[] = [];
  for (const world of asked) {
    let worst: Outcome = 'Allowed';
    for (const action of PULL_ACTIONS) {
      const outcome = await oracle(scenario, world, action, resource);
      if (RANK[outcome] > RANK[worst]) worst = outcome;
    }
    outcomes.push(worst);
  }
  return { product: verdict.status, outcomes, problem: disagreement(scenario.facts, verdict, outcomes, unknown, scenario.resourceTags !== undefined) };
}

async function compare(
  scenario: Scenario,
  worlds: World[],
  action: string,
  resource: string,
): Promise<{ product: CheckStatus; outcomes: Outcome[]; problem?: string }> {
  const unknown = dependsOnUnknown(scenario);
  const asked = unknown ? worlds : worlds.slice(0, 1);
  const verdict = resource === '*' ? productLogin(scenario) : productPull(scenario, action, resource);
  const outcomes: Outcome[] = [];
  for (const world of asked) outcomes.push(await oracle(scenario, world, action, resource));
  return { product: verdict.status, outcomes, problem: disagreement(scenario.facts, verdict, outcomes, unknown, scenario.resourceTags !== undefined) };
}

const describeCase = (scenario: Scenario, worlds: World[], action: string, resource: string, product: CheckStatus, outcomes: Outcome[]): string =>
  JSON.stringify({ action, resource, product, outcomes, scenario, worlds }, null, 1);

// ---------------------------------------------------------------------------------------------
// Hand-written cases, each decided by an AWS page.

const LOGIN: Statement = { Effect: 'Allow', Action: LOGIN_ACTION, Resource: '*' };
const PULL: Statement = { Effect: 'Allow', Action: PULL_ACTIONS, Resource: REPO('*') };
const FULL_AWS_ACCESS: Statement[] = [{ Effect: 'Allow', Action: '*', Resource: '*' }];
const grant = (Principal: Principal, Condition?: Statement['Condition']): Statement => ({
  Effect: 'Allow',
  Principal,
  Action: PULL_ACTIONS,
  ...(Condition ? { Condition } : {}),
});
const ECR_ALL: Statement = { Effect: 'Allow', Action: 'ecr:*', Resource: '*' };

const BASE: Scenario = { facts: makeFacts(), identity: [[LOGIN, PULL]], repository: [grant({ AWS: STAGING_ROOT })] };

const W_MATCHING: World = {
  session: 'ci',
  orgId: ORG,
  orgPathVariant: 0,
  resourceOrgId: ORG,
  resourceOrgPaths: true,
  sourceIp: '10.1.2.3',
  sourceVpc: 'vpc-1234',
  sourceVpce: 'vpce-1',
  currentTime: '2026-06-01T00:00:00Z',
  mfa: 'true',
  sessionTags: { team: 'platform', 'session-only': 'x' },
  resourceTags: { 'dp:exclude:identity': 'true' },
};
const W_OTHER: World = {
  session: 'deploy-7',
  orgId: OTHER_ORG,
  orgPathVariant: 1,
  resourceOrgId: OTHER_ORG,
  resourceOrgPaths: true,
  sourceIp: '203.0.113.7',
  currentTime: '2019-06-01T00:00:00Z',
  mfa: 'false',
  sessionTags: { team: 'dev' },
  resourceTags: {},
};
const W_ABSENT: World = {
  session: 'ci',
  orgPathVariant: 0,
  resourceOrgPaths: false,
  currentTime: '2026-06-01T00:00:00Z',
  mfa: 'false',
  sessionTags: {},
  resourceTags: {},
};
const HAND_WORLDS = [W_MATCHING, W_OTHER, W_ABSENT];

interface HandCase {
  name: string;
  /** The AWS page (title) that decides the expected verdict. */
  aws: string;
  scenario: Partial<Scenario>;
  /** Defaults: ecr:BatchGetImage on molecule-ai/a. */
  action?: string;
  resource?: string;
  pull: CheckStatus;
  login?: CheckStatus;
}

const EVAL = 'Policy evaluation logic';
const CROSS = 'Cross-account policy evaluation logic';
const BOUNDARIES = 'Permissions boundaries for IAM entities';
const SCPS = 'Service control policies (SCPs) (every level from the root to the account must allow; a Deny anywhere denies)';
const RCPS = 'Resource control policies (RCPs) (ECR is among the services RCPs apply to; RCPFullAWSAccess is attached at every level)';
const KEYS = 'AWS global condition context keys';
const NOTPRINCIPAL = 'AWS JSON policy elements: NotPrincipal';
const VARIABLES = 'IAM policy elements: Variables and tags';

const scp = (...levels: Statement[][][]): Level[] =>
  levels.map((policies, index) => ({ label: ['root r-ab12', 'OU ou-ab12-11111111', `account ${STAGING}`][index], policies }));
const rcp = (...levels: Statement[][]): Level[] =>
  levels.map((statements, index) => ({ label: ['root r-ab12', `account ${PROD}`][index], policies: statements.length ? [statements] : [] }));
const ORG_ONLY_RCP: Statement = {
  Effect: 'Deny',
  Principal: '*',
  Action: 'ecr:*',
  Resource: '*',
  Condition: { StringNotEqualsIfExists: { 'aws:PrincipalOrgID': ORG }, BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' } },
};

const HAND_CASES: HandCase[] = [
  // Permissions boundaries
  { name: 'boundary allows ecr:*: allowed', aws: BOUNDARIES, scenario: { boundary: [ECR_ALL] }, pull: 'allowed', login: 'allowed' },
  {
    name: 'boundary allows only s3:*: missing',
    aws: BOUNDARIES,
    scenario: { boundary: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] },
    pull: 'missing',
    login: 'missing',
  },
  {
    name: 'boundary allows ecr:* and denies the repository: denied',
    aws: BOUNDARIES,
    scenario: { boundary: [ECR_ALL, { Effect: 'Deny', Action: 'ecr:*', Resource: REPO('molecule-ai/*') }] },
    pull: 'denied',
    login: 'allowed',
  },
  {
    name: 'boundary allows, identity policies do not: missing (policies ∩ boundary)',
    aws: BOUNDARIES,
    scenario: { identity: [[LOGIN]], boundary: [ECR_ALL] },
    pull: 'missing',
    login: 'allowed',
  },
  { name: 'boundary allows only the login: the pull is missing', aws: BOUNDARIES, scenario: { boundary: [LOGIN] }, pull: 'missing', login: 'allowed' },
  {
    name: 'cross-account, a grant to the role ARN does not make up for the boundary',
    aws: `${BOUNDARIES} (resource-based policies make up for a boundary only within the account); ${CROSS}`,
    scenario: { boundary: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }], repository: [grant({ AWS: roleArn('/tenants/') })] },
    pull: 'missing',
  },
  {
    name: 'boundary limited to the registry region: allowed',
    aws: `${BOUNDARIES}; ${KEYS} (aws:RequestedRegion)`,
    scenario: { boundary: [{ ...ECR_ALL, Condition: { StringEquals: { 'aws:RequestedRegion': REGION } } }] },
    pull: 'allowed',
  },
  {
    name: 'boundary limited to another region: missing',
    aws: `${BOUNDARIES}; ${KEYS} (aws:RequestedRegion)`,
    scenario: { boundary: [{ ...ECR_ALL, Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } } }] },
    pull: 'missing',
  },
  // SCPs
  {
    name: 'FullAWSAccess at root, OU and account: allowed',
    aws: SCPS,
    scenario: { scp: scp([FULL_AWS_ACCESS], [FULL_AWS_ACCESS], [FULL_AWS_ACCESS]) },
    pull: 'allowed',
    login: 'allowed',
  },
  {
    name: 'an OU that allows only s3:*: missing',
    aws: SCPS,
    scenario: { scp: scp([FULL_AWS_ACCESS], [[{ Effect: 'Allow', Action: 's3:*', Resource: '*' }]], [FULL_AWS_ACCESS]) },
    pull: 'missing',
    login: 'missing',
  },
  {
    name: 'the account level allows only the login: the pull is missing',
    aws: SCPS,
    scenario: { scp: scp([FULL_AWS_ACCESS], [FULL_AWS_ACCESS], [[LOGIN]]) },
    pull: 'missing',
    login: 'allowed',
  },
  {
    name: 'a Deny of BatchGetImage at the OU: denied',
    aws: SCPS,
    scenario: { scp: scp([FULL_AWS_ACCESS], [FULL_AWS_ACCESS, [{ Effect: 'Deny', Action: 'ecr:BatchGetImage', Resource: '*' }]], [FULL_AWS_ACCESS]) },
    pull: 'denied',
  },
  {
    name: 'region lock SCP outside the registry region: denied',
    aws: `${SCPS}; ${KEYS} (aws:RequestedRegion)`,
    scenario: {
      scp: scp([
        FULL_AWS_ACCESS,
        [{ Effect: 'Deny', NotAction: 'iam:*', Resource: '*', Condition: { StringNotEquals: { 'aws:RequestedRegion': ['us-east-1'] } } }],
      ]),
    },
    pull: 'denied',
    login: 'denied',
  },
  {
    name: 'region lock SCP on the registry region: allowed',
    aws: `${SCPS}; ${KEYS} (aws:RequestedRegion)`,
    scenario: {
      scp: scp([FULL_AWS_ACCESS, [{ Effect: 'Deny', NotAction: 'iam:*', Resource: '*', Condition: { StringNotEquals: { 'aws:RequestedRegion': [REGION] } } }]]),
    },
    pull: 'allowed',
  },
  {
    name: 'resource-perimeter SCP, registry in the organization: allowed',
    aws: `${SCPS}; ${KEYS} (aws:ResourceOrgID)`,
    scenario: {
      scp: scp([
        FULL_AWS_ACCESS,
        [{ Effect: 'Deny', Action: 'ecr:*', Resource: REPO('*'), Condition: { StringNotEqualsIfExists: { 'aws:ResourceOrgID': ORG } } }],
      ]),
    },
    pull: 'allowed',
  },
  {
    name: 'resource-perimeter SCP, registry in another organization: denied',
    aws: `${SCPS}; ${KEYS} (aws:ResourceOrgID)`,
    scenario: {
      facts: makeFacts({ resourceOrgId: read(OTHER_ORG) }),
      scp: scp([
        FULL_AWS_ACCESS,
        [{ Effect: 'Deny', Action: 'ecr:*', Resource: REPO('*'), Condition: { StringNotEqualsIfExists: { 'aws:ResourceOrgID': ORG } } }],
      ]),
    },
    pull: 'denied',
  },
  {
    name: "resource-perimeter SCP, the registry's organization not readable: conditional",
    aws: `${SCPS}; ${KEYS} (aws:ResourceOrgID)`,
    scenario: {
      facts: makeFacts({ resourceOrgId: UNREAD }),
      scp: scp([
        FULL_AWS_ACCESS,
        [{ Effect: 'Deny', Action: 'ecr:*', Resource: REPO('*'), Condition: { StringNotEqualsIfExists: { 'aws:ResourceOrgID': ORG } } }],
      ]),
    },
    pull: 'conditional',
  },
  {
    name: 'an SCP Allow limited to the organization: allowed',
    aws: `${SCPS}; ${KEYS} (aws:PrincipalOrgID)`,
    scenario: { scp: scp([[{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } } }]]) },
    pull: 'allowed',
  },
  {
    name: 'an SCP Deny of the login: the login is denied',
    aws: SCPS,
    scenario: { scp: scp([FULL_AWS_ACCESS, [{ Effect: 'Deny', Action: LOGIN_ACTION, Resource: '*' }]]) },
    pull: 'allowed',
    login: 'denied',
  },
  // RCPs
  { name: 'RCPFullAWSAccess alone: allowed', aws: RCPS, scenario: { rcp: rcp([], []) }, pull: 'allowed' },
  {
    name: 'org-only RCP, staging in the organization: allowed',
    aws: `${RCPS}; ${KEYS} (aws:PrincipalOrgID)`,
    scenario: { rcp: rcp([ORG_ONLY_RCP]) },
    pull: 'allowed',
  },
  {
    name: 'org-only RCP, staging in another organization: denied',
    aws: `${RCPS}; ${KEYS} (aws:PrincipalOrgID)`,
    scenario: { facts: makeFacts({ orgId: read(OTHER_ORG) }), rcp: rcp([ORG_ONLY_RCP]) },
    pull: 'denied',
  },
  {
    name: 'org-only RCP, staging organization not readable: conditional',
    aws: `${RCPS}; ${KEYS} (aws:PrincipalOrgID)`,
    scenario: { facts: makeFacts({ orgId: UNREAD }), rcp: rcp([ORG_ONLY_RCP]) },
    pull: 'conditional',
  },
  {
    name: 'org-only RCP, staging in no organization: denied (…IfExists on an absent key)',
    aws: `${RCPS}; ${KEYS} (aws:PrincipalOrgID)`,
    scenario: { facts: makeFacts({ orgId: NONE }), rcp: rcp([ORG_ONLY_RCP]) },
    pull: 'denied',
  },
  {
    name: 'HTTPS-only RCP: allowed (a pull is HTTPS)',
    aws: `${RCPS}; ${KEYS} (aws:SecureTransport)`,
    scenario: {
      rcp: rcp([{ Effect: 'Deny', Principal: '*', Action: 'ecr:*', Resource: '*', Condition: { BoolIfExists: { 'aws:SecureTransport': 'false' } } }]),
    },
    pull: 'allowed',
  },
  {
    name: 'data-perimeter RCP with a repository-tag exemption, staging outside the organization: conditional',
    aws: `${RCPS}; ${KEYS} (aws:ResourceTag is the repository's, unknown to the run)`,
    scenario: {
      facts: makeFacts({ orgId: read(OTHER_ORG) }),
      rcp: rcp([
        {
          ...ORG_ONLY_RCP,
          Condition: {
            StringNotEqualsIfExists: { 'aws:PrincipalOrgID': ORG, 'aws:ResourceTag/dp:exclude:identity': 'true' },
            BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' },
          },
        },
      ]),
    },
    pull: 'conditional',
  },
  // Principal "*" limited by principal keys
  {
    name: 'Principal * limited to the organization: allowed',
    aws: `${KEYS} (aws:PrincipalOrgID)`,
    scenario: { repository: [grant('*', { StringEquals: { 'aws:PrincipalOrgID': ORG } })] },
    pull: 'allowed',
  },
  {
    name: 'Principal * limited to the organization, staging in another: missing',
    aws: `${KEYS} (aws:PrincipalOrgID)`,
    scenario: { facts: makeFacts({ orgId: read(OTHER_ORG) }), repository: [grant('*', { StringEquals: { 'aws:PrincipalOrgID': ORG } })] },
    pull: 'missing',
  },
  {
    name: 'Principal * limited to the organization, not readable: conditional',
    aws: `${KEYS} (aws:PrincipalOrgID)`,
    scenario: { facts: makeFacts({ orgId: UNREAD }), repository: [grant('*', { StringEquals: { 'aws:PrincipalOrgID': ORG } })] },
    pull: 'conditional',
  },
  {
    name: 'Principal * limited by aws:PrincipalAccount: allowed',
    aws: `${KEYS} (aws:PrincipalAccount)`,
    scenario: { repository: [grant('*', { StringEquals: { 'aws:PrincipalAccount': STAGING } })] },
    pull: 'allowed',
  },
  {
    name: 'Principal * limited by aws:PrincipalArn with the role path: allowed',
    aws: `${KEYS} (aws:PrincipalArn is the role ARN with its path)`,
    scenario: { repository: [grant('*', { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${STAGING}:role/tenants/*` } })] },
    pull: 'allowed',
  },
  {
    name: 'Principal * limited by a pathless aws:PrincipalArn, the role has a path: missing',
    aws: `${KEYS} (aws:PrincipalArn)`,
    scenario: { repository: [grant('*', { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${STAGING}:role/MoleculeTenant*` } })] },
    pull: 'missing',
  },
  {
    name: 'Principal * limited to AssumedRole: allowed',
    aws: `${KEYS} (aws:PrincipalType)`,
    scenario: { repository: [grant('*', { StringEquals: { 'aws:PrincipalType': 'AssumedRole' } })] },
    pull: 'allowed',
  },
  {
    name: 'Principal * limited to users: missing',
    aws: `${KEYS} (aws:PrincipalType)`,
    scenario: { repository: [grant('*', { StringEquals: { 'aws:PrincipalType': 'User' } })] },
    pull: 'missing',
  },
  {
    name: 'Principal * limited by aws:userid AROA…:*: allowed',
    aws: `${VARIABLES} (aws:userid of an assumed role is role-id:session-name)`,
    scenario: { repository: [grant('*', { StringLike: { 'aws:userid': `${ROLE_ID}:*` } })] },
    pull: 'allowed',
  },
  {
    name: 'Principal * limited to one session by aws:userid: conditional',
    aws: `${VARIABLES} (aws:userid)`,
    scenario: { repository: [grant('*', { StringEquals: { 'aws:userid': `${ROLE_ID}:ci` } })] },
    pull: 'conditional',
  },
  {
    name: 'Principal * limited by the OU path: allowed',
    aws: `${KEYS} (aws:PrincipalOrgPaths)`,
    scenario: { repository: [grant('*', { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': `${ORG}/r-ab12/ou-ab12-11111111/*` } })] },
    pull: 'allowed',
  },
  // Identity statements with context keys
  {
    name: 'identity Allow limited by aws:ResourceAccount = registry: allowed',
    aws: `${KEYS} (aws:ResourceAccount)`,
    scenario: { identity: [[LOGIN, { ...ECR_ALL, Action: PULL_ACTIONS, Condition: { StringEquals: { 'aws:ResourceAccount': PROD } } }]] },
    pull: 'allowed',
  },
  {
    name: 'identity Allow limited to its own account: missing',
    aws: `${KEYS} (aws:ResourceAccount)`,
    scenario: { identity: [[LOGIN, { ...ECR_ALL, Action: PULL_ACTIONS, Condition: { StringEquals: { 'aws:ResourceAccount': '${aws:PrincipalAccount}' } } }]] },
    pull: 'missing',
  },
  {
    name: 'identity Allow in the registry region: allowed',
    aws: `${KEYS} (aws:RequestedRegion)`,
    scenario: { identity: [[LOGIN, { ...PULL, Condition: { StringEquals: { 'aws:RequestedRegion': REGION } } }]] },
    pull: 'allowed',
  },
  {
    name: 'identity Deny without HTTPS: not applied (a pull is HTTPS)',
    aws: `${KEYS} (aws:SecureTransport)`,
    scenario: { identity: [[LOGIN, PULL, { Effect: 'Deny', Action: '*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }]] },
    pull: 'allowed',
    login: 'allowed',
  },
  {
    name: 'identity Allow on a role tag the role carries, and its trust policy allows no sts:TagSession: allowed',
    aws: `${KEYS} (aws:PrincipalTag); Passing session tags in AWS STS`,
    scenario: {
      facts: makeFacts({ tags: { team: 'platform' }, sessionTagsPossible: false }),
      identity: [[LOGIN, { ...PULL, Condition: { StringEquals: { 'aws:PrincipalTag/team': 'platform' } } }]],
    },
    pull: 'allowed',
  },
  {
    name: 'identity Allow on a tag the role lacks (a session tag could carry it): conditional',
    aws: `${KEYS} (aws:PrincipalTag); Pass session tags in AWS STS`,
    scenario: { identity: [[LOGIN, { ...PULL, Condition: { StringEquals: { 'aws:PrincipalTag/team': 'platform' } } }]] },
    pull: 'conditional',
  },
  {
    name: 'identity Resource with ${aws:PrincipalAccount} in the repository name: allowed',
    aws: VARIABLES,
    scenario: { identity: [[LOGIN, { ...PULL, Resource: 'arn:aws:ecr:*:*:repository/${aws:PrincipalAccount}/*' }]] },
    resource: REPO(`${STAGING}/app`),
    pull: 'allowed',
  },
  {
    name: 'identity Resource with ${aws:PrincipalAccount} in the repository name, another repository: missing',
    aws: VARIABLES,
    scenario: { identity: [[LOGIN, { ...PULL, Resource: 'arn:aws:ecr:*:*:repository/${aws:PrincipalAccount}/*' }]] },
    pull: 'missing',
  },
  {
    name: 'identity Resource with ${aws:PrincipalTag/team}: allowed on that team',
    aws: VARIABLES,
    scenario: {
      facts: makeFacts({ tags: { team: 'platform' }, sessionTagsPossible: false }),
      identity: [[LOGIN, { ...PULL, Resource: 'arn:aws:ecr:*:*:repository/${aws:PrincipalTag/team}/*' }]],
    },
    resource: REPO('platform/app'),
    pull: 'allowed',
  },
  {
    name: 'identity Allow from one source IP: conditional',
    aws: `${KEYS} (aws:SourceIp)`,
    scenario: { identity: [[LOGIN, { ...PULL, Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }]] },
    pull: 'conditional',
  },
  {
    name: 'identity Allow without MFA (BoolIfExists): conditional',
    aws: `${KEYS} (aws:MultiFactorAuthPresent)`,
    scenario: { identity: [[LOGIN, { ...PULL, Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'true' } } }]] },
    pull: 'conditional',
  },
  // NotPrincipal
  {
    name: 'NotPrincipal Deny naming session, role and account: conditional on the session name',
    aws: NOTPRINCIPAL,
    scenario: {
      repository: [
        grant({ AWS: STAGING_ROOT }),
        { Effect: 'Deny', NotPrincipal: { AWS: [sessionArn('ci'), roleArn('/tenants/'), STAGING_ROOT] }, Action: 'ecr:*' },
      ],
    },
    pull: 'conditional',
  },
  {
    name: 'NotPrincipal Deny naming another account: denied',
    aws: NOTPRINCIPAL,
    scenario: { repository: [grant({ AWS: STAGING_ROOT }), { Effect: 'Deny', NotPrincipal: { AWS: OTHER_ROOT }, Action: 'ecr:*' }] },
    pull: 'denied',
  },
  {
    name: 'NotPrincipal Deny naming session, role and account, with a boundary: denied',
    aws: `${NOTPRINCIPAL} ("will always deny any IAM principal that has a permissions boundary policy attached")`,
    scenario: {
      boundary: [ECR_ALL],
      repository: [
        grant({ AWS: STAGING_ROOT }),
        { Effect: 'Deny', NotPrincipal: { AWS: [sessionArn('ci'), roleArn('/tenants/'), STAGING_ROOT] }, Action: 'ecr:*' },
      ],
    },
    pull: 'denied',
  },
  {
    name: 'NotPrincipal Deny naming role and account, with a boundary: denied',
    aws: `${NOTPRINCIPAL} ("will always deny any IAM principal that has a permissions boundary policy attached")`,
    scenario: {
      boundary: [ECR_ALL],
      repository: [grant({ AWS: STAGING_ROOT }), { Effect: 'Deny', NotPrincipal: { AWS: [roleArn('/tenants/'), STAGING_ROOT] }, Action: 'ecr:*' }],
    },
    pull: 'denied',
  },
  // Principals
  {
    name: 'grant to the role ARN with its path: allowed',
    aws: 'AWS JSON policy elements: Principal (a role ARN covers its sessions)',
    scenario: { repository: [grant({ AWS: roleArn('/tenants/') })] },
    pull: 'allowed',
  },
  {
    name: 'grant to the bare account ID: allowed',
    aws: 'AWS JSON policy elements: Principal (AWS account principals)',
    scenario: { repository: [grant({ AWS: STAGING })] },
    pull: 'allowed',
  },
  {
    name: 'grant to one session ARN: conditional',
    aws: 'AWS JSON policy elements: Principal (role session principals)',
    scenario: { repository: [grant({ AWS: sessionArn('ci') })] },
    pull: 'conditional',
  },
  {
    name: 'grant to the aws-cn role of the same account ID: missing',
    aws: 'AWS JSON policy elements: Principal; Amazon Resource Names (ARNs) (partition)',
    scenario: { repository: [grant({ AWS: `arn:aws-cn:iam::${STAGING}:role/tenants/${ROLE_NAME}` })] },
    pull: 'missing',
  },
  // Login
  {
    name: 'no ecr:GetAuthorizationToken: the login is missing',
    aws: `${EVAL}; Amazon ECR private registry authentication`,
    scenario: { identity: [[PULL]] },
    pull: 'allowed',
    login: 'missing',
  },
];

/**
 * Shapes where iam-simulate disagrees with AWS's documentation; the product follows AWS. The
 * oracle's answer is reported as a diagnostic, so an iam-simulate release that fixes one shows.
 */
const ORACLE_DIFFERS: (HandCase & { oracleSays: string })[] = [
  {
    name: 'NotPrincipal Deny naming the role and its account but not the session denies the session',
    aws: `${NOTPRINCIPAL} (example "IAM role in the same or different account": only the listed assumed-role session is exempt; iam-simulate exempts every session of a listed role or account)`,
    scenario: { repository: [grant({ AWS: STAGING_ROOT }), { Effect: 'Deny', NotPrincipal: { AWS: [roleArn('/tenants/'), STAGING_ROOT] }, Action: 'ecr:*' }] },
    pull: 'denied',
    oracleSays: 'Allowed',
  },
  {
    name: 'an aws-cn account root does not name an aws-partition role',
    aws: 'AWS JSON policy elements: Principal; Amazon Resource Names (ARNs) (the partition is part of the principal; iam-simulate compares only the account ID)',
    scenario: { repository: [grant({ AWS: `arn:aws-cn:iam::${STAGING}:root` })] },
    pull: 'missing',
    oracleSays: 'Allowed',
  },
  {
    name: 'a NotResource entry whose policy variable has no value excludes nothing',
    aws: `${VARIABLES} ("Policy variables with no value": an entry of Resource or NotResource with such a variable matches no resource, so NotResource excludes nothing; iam-simulate drops the statement)`,
    scenario: { identity: [[LOGIN, { Effect: 'Allow', Action: PULL_ACTIONS, NotResource: 'arn:aws:ecr:*:*:repository/${aws:username}/*' }]] },
    pull: 'allowed',
    oracleSays: 'ImplicitlyDenied',
  },
];

const scenarioOf = (partial: Partial<Scenario>): Scenario => ({ ...BASE, ...partial });

describe('effective access agrees with iam-simulate: hand-written cases', () => {
  for (const testCase of HAND_CASES) {
    it(testCase.name, async () => {
      const scenario = scenarioOf(testCase.scenario);
      const action = testCase.action ?? 'ecr:BatchGetImage';
      const resource = testCase.resource ?? REPO('molecule-ai/a');
      for (const world of HAND_WORLDS) assertContextAgrees(scenario.facts, world);
      assert.equal(oracleDiffersFromAws(scenario, HAND_WORLDS), undefined, 'a known oracle difference belongs in ORACLE_DIFFERS');
      const pull = await compare(scenario, HAND_WORLDS, action, resource);
      assert.equal(pull.product, testCase.pull, `product verdict (AWS: ${testCase.aws})`);
      assert.equal(pull.problem, undefined, describeCase(scenario, HAND_WORLDS, action, resource, pull.product, pull.outcomes));
      if (testCase.login) {
        const login = await compare(scenario, HAND_WORLDS, LOGIN_ACTION, '*');
        assert.equal(login.product, testCase.login, `login verdict (AWS: ${testCase.aws})`);
        assert.equal(login.problem, undefined, describeCase(scenario, HAND_WORLDS, LOGIN_ACTION, '*', login.product, login.outcomes));
      }
    });
  }

  for (const testCase of ORACLE_DIFFERS) {
    it(`follows AWS where iam-simulate differs: ${testCase.name}`, async (t) => {
      const scenario = scenarioOf(testCase.scenario);
      const resource = testCase.resource ?? REPO('molecule-ai/a');
      assert.equal(productPull(scenario, 'ecr:BatchGetImage', resource).status, testCase.pull, testCase.aws);
      assert.ok(oracleDiffersFromAws(scenario, HAND_WORLDS), 'the generated cases must skip this shape');
      t.diagnostic(
        `iam-simulate says ${await oracle(scenario, W_MATCHING, 'ecr:BatchGetImage', resource)} (expected from its model: ${testCase.oracleSays}); AWS: ${testCase.aws}`,
      );
    });
  }

  it('the login is a call in the staging account: its aws:ResourceAccount is not the registry account', () => {
    const scenario = scenarioOf({
      identity: [[PULL, { Effect: 'Allow', Action: LOGIN_ACTION, Resource: '*', Condition: { StringEquals: { 'aws:ResourceAccount': PROD } } }]],
    });
    assert.equal(productLogin(scenario).status, 'missing');
  });
});

describe('effective access: where the product once departed from AWS', () => {
  it('a session tag overrides a role tag of the same key', () => {
    const scenario = scenarioOf({
      facts: makeFacts({ tags: { team: 'platform' } }),
      identity: [[LOGIN, { ...PULL, Condition: { StringEquals: { 'aws:PrincipalTag/team': 'platform' } } }]],
    });
    assert.equal(productPull(scenario, 'ecr:BatchGetImage', REPO('molecule-ai/a')).status, 'conditional');
  });

  it('a policy variable before the fifth colon of a Resource ARN is not substituted', () => {
    const scenario = scenarioOf({ identity: [[LOGIN, { ...PULL, Resource: 'arn:aws:ecr:*:${aws:ResourceAccount}:repository/*' }]] });
    assert.equal(productPull(scenario, 'ecr:BatchGetImage', REPO('molecule-ai/a')).status, 'missing');
  });
});

// ---------------------------------------------------------------------------------------------
// Generated cases.

const pick = <T>(...items: T[]) => fc.constantFrom(...items);
const listOf = <T>(items: T[]) => fc.oneof(fc.constantFrom(...items), fc.uniqueArray(fc.constantFrom(...items), { minLength: 1, maxLength: 3 }));

const ACTION_PATTERNS = [
  'ecr:BatchGetImage',
  'ECR:batchgetimage',
  'ecr:*',
  '*',
  'ecr:Get*',
  'ecr:BatchGet?mage',
  'ecr:Describe*',
  's3:GetObject',
  LOGIN_ACTION,
  'ecr:BatchCheckLayerAvailability',
  'ecr:GetDownloadUrlForLayer',
  'ecr:*Layer*',
];
const RESOURCE_PATTERNS = [
  '*',
  REPO('molecule-ai/a'),
  REPO('molecule-ai/*'),
  REPO('*'),
  REPO('platform/*'),
  REPO('Molecule-AI/a'),
  'arn:aws:ecr:*:153263036946:repository/*',
  'arn:aws:ecr:us-east-2:*:repository/molecule-ai/a',
  'arn:aws:ecr:us-east-2:153263036946',
  'arn:aws:ecr:us-west-2:153263036946:repository/*',
  'arn:aws:ecr:us-east-2:999999999999:repository/*',
  'arn:aws:s3:::bucket/*',
  'arn:aws:ecr:*:*:repository/${aws:PrincipalAccount}/*',
  'arn:aws:ecr:*:*:repository/${aws:PrincipalTag/team}/*',
  'arn:aws:ecr:*:*:repository/${aws:username}/*',
  "arn:aws:ecr:*:*:repository/molecule-ai/${aws:PrincipalTag/env, 'a'}",
  // Not `arn:aws:ecr:*:${aws:PrincipalAccount}:…`: AWS substitutes variables only after the fifth colon (see the case above).
];

/** Condition entries over the keys a pull's context holds: known, absent, or only known to the pull. */
const CONDITIONS: [operator: string, key: string, values: string | string[]][] = [
  // principal: known from the facts (or unread)
  ['StringEquals', 'aws:PrincipalOrgID', ORG],
  ['StringEquals', 'aws:PrincipalOrgID', [OTHER_ORG, ORG]],
  ['StringEquals', 'aws:PrincipalOrgID', OTHER_ORG],
  ['StringNotEquals', 'aws:PrincipalOrgID', ORG],
  ['StringNotEqualsIfExists', 'aws:PrincipalOrgID', ORG],
  ['StringEqualsIfExists', 'aws:PrincipalOrgID', ORG],
  ['StringLike', 'aws:PrincipalOrgID', 'o-a1*'],
  ['Null', 'aws:PrincipalOrgID', 'true'],
  ['Null', 'aws:PrincipalOrgID', 'false'],
  ['StringEquals', 'aws:PrincipalAccount', STAGING],
  ['StringEquals', 'aws:PrincipalAccount', [OTHER, STAGING]],
  ['StringNotEquals', 'aws:PrincipalAccount', STAGING],
  ['StringEquals', 'aws:PrincipalAccount', OTHER],
  ['ArnLike', 'aws:PrincipalArn', `arn:aws:iam::${STAGING}:role/tenants/*`],
  ['ArnLike', 'aws:PrincipalArn', 'arn:aws:iam::*:role/*MoleculeTenant*'],
  ['ArnLike', 'aws:PrincipalArn', `arn:aws:iam::${STAGING}:role/Molecule*`],
  ['ArnEquals', 'aws:PrincipalArn', roleArn('/tenants/')],
  ['ArnEquals', 'aws:PrincipalArn', roleArn('/')],
  ['ArnNotLike', 'aws:PrincipalArn', `arn:aws:iam::${STAGING}:role/tenants/*`],
  ['StringLike', 'aws:PrincipalArn', `arn:aws:iam::\${aws:PrincipalAccount}:role/*`],
  ['StringEquals', 'aws:PrincipalType', 'AssumedRole'],
  ['StringEquals', 'aws:PrincipalType', 'User'],
  ['StringLike', 'aws:userid', `${ROLE_ID}:*`],
  ['StringLike', 'aws:userid', 'AROAQXOTHERROLE000009:*'],
  ['StringEquals', 'aws:userid', `${ROLE_ID}:ci`],
  ['StringEquals', 'aws:PrincipalTag/team', 'platform'],
  ['StringEquals', 'aws:PrincipalTag/team', 'dev'],
  ['StringEquals', 'aws:PrincipalTag/env', 'staging'],
  ['StringEquals', 'aws:PrincipalTag/session-only', 'x'],
  ['ForAnyValue:StringLike', 'aws:PrincipalOrgPaths', `${ORG}/r-ab12/ou-ab12-11111111/*`],
  ['ForAnyValue:StringLike', 'aws:PrincipalOrgPaths', `${ORG}/*`],
  ['ForAnyValue:StringLike', 'aws:PrincipalOrgPaths', 'o-zz*/*'],
  ['ForAnyValue:StringEquals', 'aws:PrincipalOrgPaths', orgPath(ORG, 0)],
  ['ForAllValues:StringLike', 'aws:PrincipalOrgPaths', `${ORG}/*`],
  ['ForAllValues:StringEquals', 'aws:PrincipalOrgPaths', [orgPath(ORG, 0), orgPath(ORG, 1)]],
  ['StringNotLike', 'aws:PrincipalArn', `arn:aws:iam::${STAGING}:role/tenants/*`],
  ['ArnNotEquals', 'aws:PrincipalArn', roleArn('/')],
  ['StringEqualsIgnoreCase', 'aws:PrincipalType', 'assumedrole'],
  ['StringEquals', 'aws:principaltag/TEAM', 'platform'],
  ['StringNotEquals', 'aws:PrincipalTag/team', 'dev'],
  ['StringEqualsIfExists', 'aws:PrincipalTag/env', 'staging'],
  ['Null', 'aws:PrincipalTag/team', 'true'],
  ['Bool', 'aws:PrincipalIsAWSService', 'false'],
  ['BoolIfExists', 'aws:PrincipalIsAWSService', 'false'],
  ['Bool', 'aws:ViaAWSService', 'true'],
  // resource
  ['StringEquals', 'aws:ResourceAccount', PROD],
  ['StringEquals', 'aws:ResourceAccount', STAGING],
  ['StringEquals', 'aws:ResourceAccount', '${aws:PrincipalAccount}'],
  ['StringNotEquals', 'aws:ResourceAccount', PROD],
  ['StringEquals', 'aws:ResourceOrgID', ORG],
  ['StringEquals', 'aws:ResourceOrgID', '${aws:PrincipalOrgID}'],
  ['StringNotEqualsIfExists', 'aws:ResourceOrgID', ORG],
  ['ForAnyValue:StringLike', 'aws:ResourceOrgPaths', `${ORG}/*`],
  ['StringEquals', 'aws:ResourceTag/dp:exclude:identity', 'true'],
  ['StringNotEqualsIfExists', 'aws:ResourceTag/dp:exclude:identity', 'true'],
  // the request
  ['StringEquals', 'aws:RequestedRegion', REGION],
  ['StringEquals', 'aws:RequestedRegion', 'eu-west-1'],
  ['StringNotEquals', 'aws:RequestedRegion', [REGION, 'us-west-2']],
  ['Bool', 'aws:SecureTransport', 'true'],
  ['Bool', 'aws:SecureTransport', 'false'],
  ['BoolIfExists', 'aws:SecureTransport', 'false'],
  // absent from a role session's request
  ['StringEqualsIfExists', 'aws:SourceAccount', STAGING],
  ['Null', 'aws:SourceAccount', 'true'],
  ['StringEquals', 'aws:SourceAccount', STAGING],
  ['ForAnyValue:StringEquals', 'aws:CalledVia', 'cloudformation.amazonaws.com'],
  ['Null', 'aws:username', 'false'],
  // only the pull knows
  ['IpAddress', 'aws:SourceIp', '10.0.0.0/8'],
  ['NotIpAddress', 'aws:SourceIp', '10.0.0.0/8'],
  ['IpAddressIfExists', 'aws:SourceIp', '203.0.113.0/24'],
  ['StringEquals', 'aws:SourceVpc', 'vpc-1234'],
  ['StringNotEqualsIfExists', 'aws:SourceVpce', 'vpce-1'],
  ['DateGreaterThan', 'aws:CurrentTime', '2020-01-01T00:00:00Z'],
  ['DateLessThan', 'aws:CurrentTime', '2030-01-01T00:00:00Z'],
  ['BoolIfExists', 'aws:MultiFactorAuthPresent', 'true'],
  ['Bool', 'aws:MultiFactorAuthPresent', 'false'],
];

const condition = fc
  .uniqueArray(fc.constantFrom(...CONDITIONS), { minLength: 1, maxLength: 2, selector: ([operator, key]) => `${operator} ${lower(key)}` })
  .map((entries) => {
    const result: Record<string, Record<string, string | string[]>> = {};
    for (const [operator, key, values] of entries) (result[operator] ??= {})[key] = values;
    return result;
  });
const maybeCondition = fc.option(condition, { nil: undefined, freq: 2 });
const effect = pick<'Allow' | 'Deny'>('Allow', 'Allow', 'Deny');
const actions = fc.oneof(
  { weight: 4, arbitrary: listOf(ACTION_PATTERNS).map((Action) => ({ Action })) },
  { weight: 1, arbitrary: listOf(ACTION_PATTERNS).map((NotAction) => ({ NotAction })) },
);
/** NotResource with a variable that may have no value is a shape iam-simulate gets wrong (ORACLE_DIFFERS): seldom generated. */
const NOT_RESOURCE_PATTERNS = RESOURCE_PATTERNS.filter((pattern) => !pattern.includes('${aws:username}'));
const resources = fc.oneof(
  { weight: 4, arbitrary: listOf(RESOURCE_PATTERNS).map((Resource) => ({ Resource })) },
  { weight: 1, arbitrary: listOf(NOT_RESOURCE_PATTERNS).map((NotResource) => ({ NotResource })) },
);
const withCondition = (statement: Statement, Condition: Statement['Condition'] | undefined): Statement => (Condition ? { ...statement, Condition } : statement);

const statementOf = (resourceArbitrary: typeof resources): fc.Arbitrary<Statement> =>
  fc
    .record({ Effect: effect, actions, resources: resourceArbitrary, Condition: maybeCondition })
    .map(({ Effect, actions, resources, Condition }) => withCondition({ Effect, ...actions, ...resources }, Condition));
const identityStatement = statementOf(resources);
/**
 * A short ARN without a trailing wildcard is not valid in an SCP (iam-simulate refuses to match it;
 * an SCP read from AWS has passed Organizations' validation): SCPs are generated without them.
 */
const isShortArn = (pattern: string): boolean => pattern.startsWith('arn:') && pattern.split(':').length < 6;
const scpStatement = statementOf(
  fc.oneof(
    { weight: 4, arbitrary: listOf(RESOURCE_PATTERNS.filter((pattern) => !isShortArn(pattern))).map((Resource) => ({ Resource })) },
    { weight: 1, arbitrary: listOf(NOT_RESOURCE_PATTERNS.filter((pattern) => !isShortArn(pattern))).map((NotResource) => ({ NotResource })) },
  ),
);
/** What a pulling role usually carries, so that many cases are allowed and the rest have something to refuse. */
const typicalIdentity = pick<Statement[]>(
  [LOGIN, PULL],
  [LOGIN, ECR_ALL],
  [ECR_ALL],
  [LOGIN, { ...PULL, Resource: [REPO('molecule-ai/*'), REPO('platform/*')] }],
  [],
);
const identityPolicies = fc
  .tuple(typicalIdentity, fc.array(identityStatement, { minLength: 0, maxLength: 3 }))
  .map(([typical, extra]) => [typical, extra].filter((statements) => statements.length > 0))
  .filter((policies) => policies.length > 0);

const boundary = fc.option(
  fc
    .tuple(fc.boolean(), fc.array(identityStatement, { minLength: 1, maxLength: 2 }))
    .map(([broad, statements]) => (broad ? [ECR_ALL, ...statements] : statements)),
  { nil: undefined, freq: 2 },
);

const LEVEL_LABELS = ['root r-ab12', 'OU ou-ab12-11111111', 'OU ou-ab12-33333333', `account ${STAGING}`];
const scpLevel = fc
  .record({ full: fc.integer({ min: 0, max: 9 }).map((n) => n < 8), extra: fc.array(fc.array(scpStatement, { minLength: 1, maxLength: 2 }), { maxLength: 1 }) })
  .map(({ full, extra }) => (full || extra.length === 0 ? [FULL_AWS_ACCESS, ...extra] : extra));
const scpLevels = fc.option(
  fc.array(scpLevel, { minLength: 1, maxLength: 3 }).map((levels) => levels.map((policies, index) => ({ label: LEVEL_LABELS[index], policies }))),
  { nil: undefined, freq: 2 },
);

const rcpStatement: fc.Arbitrary<Statement> = fc
  .record({
    Action: listOf(ACTION_PATTERNS.filter((action) => action !== '*')),
    Resource: pick<string | string[]>('*', REPO('*'), REPO('molecule-ai/*')),
    Condition: maybeCondition,
  })
  .map(({ Action, Resource, Condition }) => withCondition({ Effect: 'Deny', Principal: '*', Action, Resource }, Condition));
const rcpLevels = fc.option(
  fc
    .array(fc.array(fc.array(rcpStatement, { minLength: 1, maxLength: 2 }), { maxLength: 1 }), { minLength: 1, maxLength: 2 })
    .map((levels) => levels.map((policies, index) => ({ label: ['root r-ab12', `account ${PROD}`][index], policies }))),
  { nil: undefined, freq: 2 },
);

const PRINCIPALS: Principal[] = [
  '*',
  { AWS: '*' },
  { AWS: STAGING },
  { AWS: STAGING_ROOT },
  { AWS: $ROLE },
  { AWS: $ROLE },
  { AWS: `arn:aws:iam::${STAGING}:role/Other` },
  { AWS: OTHER_ROOT },
  { AWS: [$ROLE, OTHER] },
  { AWS: $SESSION },
  { AWS: sessionArn('ci', 'Other') },
];
const NOT_PRINCIPALS: Principal[] = [
  { AWS: OTHER_ROOT },
  { AWS: [$SESSION, $ROLE, STAGING_ROOT] },
  { AWS: [$ROLE, STAGING_ROOT] },
  { AWS: STAGING_ROOT },
  { AWS: [$SESSION] },
];
const resourceStatement: fc.Arbitrary<Statement> = fc
  .record({
    Effect: effect,
    principal: fc.oneof(
      { weight: 4, arbitrary: pick(...PRINCIPALS).map((Principal) => ({ Principal })) },
      { weight: 1, arbitrary: pick(...NOT_PRINCIPALS).map((NotPrincipal) => ({ NotPrincipal })) },
    ),
    actions,
    Condition: maybeCondition,
  })
  // AWS: NotPrincipal "must be used with "Effect":"Deny""; using it with Allow is not supported.
  .map(({ Effect, principal, actions, Condition }) =>
    withCondition({ Effect: 'NotPrincipal' in principal ? 'Deny' : Effect, ...principal, ...actions }, Condition),
  );
const typicalGrant = pick<Statement[]>(
  [grant({ AWS: STAGING_ROOT })],
  [grant({ AWS: $ROLE })],
  [grant('*', { StringEquals: { 'aws:PrincipalOrgID': ORG } })],
  [],
);
const repositoryPolicy = fc.option(
  fc.tuple(typicalGrant, fc.array(resourceStatement, { minLength: 0, maxLength: 3 })).map(([typical, extra]) => [...typical, ...extra]),
  { nil: undefined, freq: 8 },
);

const readableOrg = fc.constantFrom<Readable<string>>(...Array<Readable<string>>(6).fill(read(ORG)), read(OTHER_ORG), NONE, NONE, UNREAD, UNREAD);
const facts: fc.Arbitrary<PullFacts> = fc
  .record({
    path: pick('/', '/tenants/', '/tenants/eic/'),
    roleId: pick<string | undefined>(ROLE_ID, ROLE_ID, ROLE_ID, undefined),
    tags: fc.record({ team: pick<string | undefined>('platform', undefined), env: pick<string | undefined>('staging', undefined) }),
    orgId: readableOrg,
    pathsRead: fc.boolean(),
    resourceOrgId: readableOrg,
    sessionTagsPossible: pick<boolean | undefined>(false, false, true, undefined),
  })
  .map(({ path, roleId, tags, orgId, pathsRead, resourceOrgId, sessionTagsPossible }) =>
    makeFacts({
      path,
      roleId,
      sessionTagsPossible,
      tags: Object.fromEntries(Object.entries(tags).filter(([, value]) => value !== undefined)) as Record<string, string>,
      orgId,
      orgPaths: orgId.status === 'none' ? NONE : orgId.status === 'read' && pathsRead ? read([orgPath(orgId.value, 0)]) : UNREAD,
      resourceOrgId,
    }),
  );

const world: fc.Arbitrary<World> = fc
  .record({
    session: pick('ci', 'deploy-7'),
    orgId: pick<string | undefined>(ORG, OTHER_ORG, undefined),
    orgPathVariant: pick(0, 1),
    resourceOrgId: pick<string | undefined>(ORG, OTHER_ORG, undefined),
    resourceOrgPaths: fc.boolean(),
    sourceIp: pick<string | undefined>('10.1.2.3', '203.0.113.7', undefined),
    sourceVpc: pick<string | undefined>('vpc-1234', undefined),
    sourceVpce: pick<string | undefined>('vpce-1', undefined),
    currentTime: pick('2026-06-01T00:00:00Z', '2019-06-01T00:00:00Z'),
    mfa: pick('true', 'false'),
    team: pick<string | undefined>('platform', 'dev', undefined),
    env: pick<string | undefined>('staging', undefined),
    sessionOnly: pick<string | undefined>('x', undefined),
    exclude: pick<string | undefined>('true', undefined),
  })
  .map(({ team, env, sessionOnly, exclude, ...rest }) => ({
    ...rest,
    sessionTags: Object.fromEntries(Object.entries({ team, env, 'session-only': sessionOnly }).filter(([, value]) => value !== undefined)) as Record<
      string,
      string
    >,
    resourceTags: (exclude ? { 'dp:exclude:identity': exclude } : {}) as Record<string, string>,
  }));

/** Placeholders become the case's own role ARN (with its path) and a session of it. */
function materialize(scenario: Scenario): Scenario {
  return JSON.parse(JSON.stringify(scenario).replaceAll($ROLE, scenario.facts.role.arn).replaceAll($SESSION, sessionArn('ci')));
}

const generatedCase = fc
  .record({
    facts,
    identity: identityPolicies,
    boundary,
    scp: scpLevels,
    rcp: rcpLevels,
    repository: repositoryPolicy,
    worlds: fc.tuple(world, world, world),
    action: pick(...PULL_ACTIONS),
    /** One case in four is also judged over every pull action at once, as the product calls the judges. */
    everyAction: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
    resource: pick(REPO('molecule-ai/a'), REPO('molecule-ai/a'), REPO('platform/app'), REPO('molecule-ai/a/b'), REPO(`${STAGING}/app`)),
    /** Half the cases read the repository's tags: then every world carries the tags read, and they are known. */
    tagsRead: fc.boolean(),
  })
  .map(({ worlds, action, resource, everyAction, tagsRead, ...scenario }) => {
    const tags = worlds[0].resourceTags;
    const asRead = tagsRead ? { ...scenario, resourceTags: tags } : scenario;
    const sameTags = tagsRead ? (worlds.map((world) => ({ ...world, resourceTags: tags })) as typeof worlds) : worlds;
    return { scenario: materialize(asRead as Scenario), worlds: sameTags, action, resource, everyAction };
  });

const RUNS = Number(process.env.ORACLE_RUNS ?? 2600);
const SEED = Number(process.env.ORACLE_SEED ?? 20261209);
const MIN_COMPARED = Math.floor(RUNS * 0.8);

describe('effective access agrees with iam-simulate: generated cases', () => {
  it(`${RUNS} generated cross-account cases (seed ${SEED}): identity ∩ boundary ∩ SCPs, repository policy, RCPs, conditions over the pull's context; zero disagreements`, async (t) => {
    const counts = new Map<string, number>();
    const count = (what: string): void => void counts.set(what, (counts.get(what) ?? 0) + 1);
    const problems: string[] = [];
    await fc.assert(
      fc.asyncProperty(generatedCase, async ({ scenario, worlds, action, resource, everyAction }) => {
        assertContextAgrees(scenario.facts, worlds[0]);
        const skip = oracleDiffersFromAws(scenario, worlds);
        if (skip) {
          count(`skipped: ${skip}`);
        } else {
          const pull = await compare(scenario, worlds, action, resource);
          count(`pull ${pull.product}${pull.product === 'conditional' ? (new Set(pull.outcomes).size > 1 ? ' (worlds differ)' : ' (worlds agree)') : ''}`);
          if (pull.problem) problems.push(`${pull.problem}\n${describeCase(scenario, worlds, action, resource, pull.product, pull.outcomes)}`);
          assert.equal(pull.problem, undefined, describeCase(scenario, worlds, action, resource, pull.product, pull.outcomes));
          if (everyAction) {
            const repository = await compareEveryAction(scenario, worlds, resource);
            count(`every pull action ${repository.product}`);
            assert.equal(
              repository.problem,
              undefined,
              describeCase(scenario, worlds, PULL_ACTIONS.join(' '), resource, repository.product, repository.outcomes),
            );
          }
        }
        if (loginDependsOnResourceKeys(scenario)) {
          count('login skipped: resource keys on the caller side');
        } else {
          const login = await compare(scenario, worlds, LOGIN_ACTION, '*');
          count(`login ${login.product}`);
          assert.equal(login.problem, undefined, describeCase(scenario, worlds, LOGIN_ACTION, '*', login.product, login.outcomes));
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
    const compared = [...counts].filter(([what]) => what.startsWith('pull ')).reduce((sum, [, n]) => sum + n, 0);
    t.diagnostic(`compared ${compared} pulls (seed ${SEED}); ${JSON.stringify(Object.fromEntries([...counts].sort()))}`);
    assert.deepEqual(problems, []);
    assert.ok(compared >= MIN_COMPARED, `only ${compared} of ${RUNS} cases compared`);
    for (const verdict of ['allowed', 'denied', 'missing'])
      assert.ok((counts.get(`pull ${verdict}`) ?? 0) >= RUNS / 50, `too few ${verdict} cases: ${JSON.stringify(Object.fromEntries(counts))}`);
  });
});
