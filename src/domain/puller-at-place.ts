import { accountOf } from './arn.js';
import { judgeLogin, type AccessModel, type ControlLevels } from './checks/judge.js';
import type { NotChecked, RoleProblem } from './checks/model.js';
import type { PullerModel } from './checks/verdict.js';
import type { ControlPolicies, NamedPolicy, OrganizationFacts, PlaceFacts, PullerFacts, ReadingSession, RoleFacts } from './facts.js';
import type { PolicySource } from './policy/evaluate.js';
import { loginRequestContext, pullRequestContext, type PullFacts, type Readable } from './policy/request-context.js';
import type { PullerSettings } from './pullers.js';

/**
 * The pulling role judged at one place (a registry in a region), from what was read of it once and
 * what the place contributes: the access model every cell there is judged with, and its login. Pure.
 */

/** The pulling role as judged at a place: what the verdict needs (PullerModel), and what reconcile edits. */
export interface PullerAtPlace<Session extends ReadingSession = ReadingSession> extends PullerModel {
  access: Session;
  policyName: string | undefined;
  documents: NamedPolicy[];
  notChecked: NotChecked[];
}

function readable(organization: OrganizationFacts): Readable<string> {
  if (organization.status === 'member') return { status: 'read', value: organization.organizationId };
  return organization.status === 'none' ? { status: 'none' } : organization;
}

function levels(policies: ControlPolicies | undefined): ControlLevels | undefined {
  if (policies?.status !== 'read') return undefined;
  return policies.levels.map((level) => ({
    label: level.label,
    policies: level.policies.map((policy) => ({ name: policy.name, statements: policy.document.Statement, version: policy.document.Version ?? '2008-10-17' })),
  }));
}

/**
 * SCPs do not restrict the management account, and RCPs do not restrict its resources (AWS
 * Organizations User Guide, "Service control policies (SCPs)" and "Resource control policies (RCPs)").
 */
export function controlPoliciesThatApply(policies: ControlPolicies | undefined, account: string, organization: OrganizationFacts): ControlPolicies | undefined {
  if (organization.status === 'member' && organization.managementAccountId === account) return undefined;
  return policies;
}

/**
 * Why the role itself cannot be judged, from what was read in `readAccount`: no such role there, or
 * no inline policy of the name the settings give (its allowlist); undefined when neither.
 */
export function roleProblem(
  puller: Pick<PullerSettings, 'roleArn' | 'policyName'>,
  readAccount: string | undefined,
  role: Pick<RoleFacts, 'roleArn'> | undefined,
  inlineNames: string[] | undefined,
): RoleProblem | undefined {
  const roleArn = role?.roleArn ?? puller.roleArn;
  if (!role || inlineNames === undefined) return { kind: 'role-not-found', roleArn, readAccount };
  if (puller.policyName && !inlineNames.includes(puller.policyName)) {
    return { kind: 'policy-not-found', roleArn, policyName: puller.policyName, inlineNames, readAccount };
  }
  return undefined;
}

const source = (policy: NamedPolicy): PolicySource => ({
  name: policy.name,
  statements: policy.document.Statement,
  version: policy.document.Version ?? '2008-10-17',
});

/** The puller as judged at one place (a registry in a region): pure, from what was read once. */
export function pullerAt<Session extends ReadingSession>(puller: PullerFacts<Session>, place: PlaceFacts): PullerAtPlace<Session> {
  const { roleArn, problem, role: facts, organization } = puller;
  const { registry } = place;
  const roleAccount = accountOf(puller.settings.roleArn);
  const base = {
    name: puller.settings.name,
    access: puller.access,
    roleArn,
    policyName: puller.settings.policyName,
    documents: puller.documents,
    notChecked: [...organization.notChecked, ...place.notChecked],
    registryPolicy: registry.policy,
  };
  if (problem?.kind === 'role-not-found' || !facts) return { ...base, role: { roleArn, problem }, model: undefined };

  const pullFacts: PullFacts = {
    role: { arn: roleArn, account: roleAccount, roleId: facts.roleId, tags: facts.tags, sessionTagsPossible: facts.sessionTagsPossible },
    principalOrgId: readable(organization.principalOrganization),
    principalOrgPaths: organization.orgPaths,
    registry: { account: registry.account, region: registry.region },
    resourceOrgId: readable(registry.organization),
  };
  const model: AccessModel = {
    caller: { roleArn, roleId: facts.roleId, hasBoundary: facts.boundary !== undefined },
    context: pullRequestContext(pullFacts),
    loginContext: loginRequestContext(pullFacts),
    identity: puller.documents.map(source),
    boundary: facts.boundary && source(facts.boundary),
    scp: levels(controlPoliciesThatApply(organization.scp, roleAccount, organization.principalOrganization)),
    rcp: levels(controlPoliciesThatApply(place.rcp, registry.account, registry.organization)),
    registryPolicy: registry.policy,
  };
  return { ...base, role: { roleArn, problem, login: judgeLogin(model) }, model };
}
