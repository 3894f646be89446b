import type { IAMClient } from '@aws-sdk/client-iam';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { assumedRoleCredentials, createIamClient, createOrganizationsClient, roleSessionName } from '../adapters/aws/clients.js';
import { awsCall } from '../adapters/aws/errors.js';
import { readStagingIdentity, roleNameOf, type NamedPolicy } from '../adapters/aws/iam.js';
import { readControlPolicies, readOrganization, readOrgPath, type ControlPolicies, type OrganizationFacts } from '../adapters/aws/organizations.js';
import { readRoleFacts, type RoleFacts } from '../adapters/aws/principal.js';
import { callerAccount } from '../adapters/aws/sts.js';
import type { ECRClient } from '@aws-sdk/client-ecr';
import { createEcrClient } from '../adapters/aws/clients.js';
import { readRegistryPolicy, readRegistryPolicyScope } from '../adapters/aws/registry-policy.js';
import type { PolicyDocument } from '../domain/policy/document.js';
import { beyondV1, registryPolicyModel } from '../domain/policy/registry-policy.js';
import type { AccessModel, ControlLevels, RegistryPolicyModel } from '../domain/checks/judge.js';
import { judgeLogin } from '../domain/checks/judge.js';
import type { NotChecked, RoleProblem, RoleVerdict } from '../domain/checks/model.js';
import type { Inputs } from '../action/inputs.js';
import { log } from '../log.js';
import { inert } from '../util/inert.js';
import { accountOf } from '../domain/arn.js';
import { loginRequestContext, pullRequestContext, type PullFacts, type Readable } from '../domain/policy/request-context.js';
import type { RunnerContext } from '../action/runner-context.js';

/**
 * Resource control policies apply to Amazon ECR (AWS Organizations, "Resource control policies
 * (RCPs)": list of supported services), so the registry account's RCPs are on the repository side.
 */
const RCPS_APPLY_TO_ECR = true;

/** Credentials that read one account, and which account that is (messages must say where they looked). */
export interface AccountAccess {
  credentials: AwsCredentialIdentityProvider | undefined;
  /** "the current credentials" or "assumed role …", for messages. */
  who: string;
  /** The account these credentials are in; undefined when it could not be told. */
  account: string | undefined;
}

export interface StagingAccess extends AccountAccess {
  iam: IAMClient;
}

/** Assumes a role once per run and reuses the session until a minute before it expires. */
async function assumeOnce(roleArn: string, sessionName: string, region: string, externalId: string | undefined): Promise<AwsCredentialIdentityProvider> {
  const credentials = await assumedRoleCredentials(roleArn, sessionName, region, externalId);
  // Assume now, so a refusal is reported as sts:AssumeRole, not as the first read.
  let session = await awsCall('sts:AssumeRole', () => credentials(), `the current credentials (on ${roleArn})`);
  return async (): Promise<AwsCredentialIdentity> => {
    if (session.expiration && session.expiration.getTime() - Date.now() < 60_000) session = await credentials();
    return session;
  };
}

/** The current credentials' account, asked once per run (sts:GetCallerIdentity needs no permission). */
let currentAccount: Promise<string | undefined> | undefined;
export function currentCredentialsAccount(): Promise<string | undefined> {
  currentAccount ??= callerAccount(undefined);
  return currentAccount;
}

/** IAM of the staging account: the current credentials, or a role assumed there (chained from static keys). */
export async function stagingAccess(inputs: Inputs, runner: RunnerContext, subject: string | undefined): Promise<StagingAccess> {
  if (!inputs.stagingAssumeRoleArn) {
    return { iam: await createIamClient(), credentials: undefined, who: 'the current credentials', account: await currentCredentialsAccount() };
  }
  const credentials = await assumeOnce(inputs.stagingAssumeRoleArn, roleSessionName(subject, runner.runId), inputs.region, inputs.stagingExternalId);
  return {
    iam: await createIamClient(credentials),
    credentials,
    who: `assumed role ${inputs.stagingAssumeRoleArn}`,
    account: accountOf(inputs.stagingAssumeRoleArn),
  };
}

/** The organization's management account, when `organization-assume-role-arn` is given. */
export async function organizationAccess(inputs: Inputs, runner: RunnerContext): Promise<(AccountAccess & { organizations: OrganizationsClient }) | undefined> {
  if (!inputs.organizationAssumeRoleArn) return undefined;
  const credentials = await assumeOnce(inputs.organizationAssumeRoleArn, roleSessionName('organization', runner.runId), inputs.region, undefined);
  return {
    organizations: await createOrganizationsClient(credentials),
    credentials,
    who: `assumed role ${inputs.organizationAssumeRoleArn}`,
    account: accountOf(inputs.organizationAssumeRoleArn),
  };
}

/** What the registry side contributes: its account, region and organization, and its registry policy. */
export interface RegistryFacts {
  account: string;
  region: string;
  organization: OrganizationFacts;
  policy: RegistryPolicyModel;
  /** Why the registry policy's scope could not be read, when it mattered (it was then judged as V2). */
  scopeUnread?: string;
}

/** Only a registry policy that holds more than V1's actions can speak to a pull: only then is its scope worth a read. */
async function readScopeIfNeeded(region: string, policy: Readable<PolicyDocument>): Promise<Readable<'V1' | 'V2'> | undefined> {
  if (policy.status !== 'read' || !beyondV1(policy.value)) return undefined;
  // A refinement: one retry at most, so an endpoint that does not serve it costs no backoff.
  return readRegistryPolicyScope(await createEcrClient(region, { maxAttempts: 2 }));
}

/**
 * The registry account's organization and registry policy, read with the current credentials when
 * they are in that account (ecr:GetRegistryPolicy reads the caller's own registry); otherwise unread.
 */
export async function readRegistryFacts(ecr: ECRClient, registryId: string, region: string): Promise<RegistryFacts> {
  const account = await currentCredentialsAccount();
  if (account !== registryId) {
    const reason = `the current credentials are ${account ? `in account ${account}` : 'in an unknown account'}, not in the registry account ${registryId}`;
    return {
      account: registryId,
      region,
      organization: { status: 'unread', reason },
      policy: registryPolicyModel(registryId, { status: 'unread', reason }, undefined),
    };
  }
  const organizations = await createOrganizationsClient(undefined);
  const policyRead = readRegistryPolicy(ecr, registryId);
  const [organization, policy, scope] = await Promise.all([
    readOrganization(organizations, 'the current credentials'),
    policyRead,
    policyRead.then((read) => readScopeIfNeeded(region, read)),
  ]);
  const scopeUnread = scope?.status === 'unread' ? scope.reason : undefined;
  return { account: registryId, region, organization, policy: registryPolicyModel(registryId, policy, scope), scopeUnread };
}

export interface Staging {
  access: StagingAccess;
  /** The role's ARN as IAM has it (with its path), or as given when it could not be read. */
  roleArn: string;
  policyName: string | undefined;
  documents: NamedPolicy[];
  /** The role (login) verdict, and why the role could not be judged. */
  role: RoleVerdict;
  /** Undefined when the role could not be found. */
  model: AccessModel | undefined;
  notChecked: NotChecked[];
  /** The registry policy (judged with the repository side even when the role was not found). */
  registryPolicy: RegistryPolicyModel;
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

interface OrganizationReads {
  principalOrganization: OrganizationFacts;
  orgPaths: Readable<string[]>;
  scp: ControlPolicies | undefined;
  rcp: ControlPolicies | undefined;
  notChecked: NotChecked[];
  registry: RegistryFacts;
}

/** Everything read about the organizations: in parallel, and each read that fails is said once, never assumed. */
async function readOrganizations(
  access: StagingAccess,
  roleAccount: string,
  registryRead: Promise<RegistryFacts>,
  organization: Awaited<ReturnType<typeof organizationAccess>>,
): Promise<OrganizationReads> {
  const notChecked: NotChecked[] = [];
  const principalOrganizationRead: Promise<OrganizationFacts> =
    access.account === roleAccount
      ? createOrganizationsClient(access.credentials).then((client) => readOrganization(client, access.who))
      : Promise.resolve({
          status: 'unread',
          reason: `${access.who} ${access.account ? `are in account ${access.account}` : 'are in an unknown account'}, not in the role's account ${roleAccount}`,
        });
  const management = organization?.organizations;
  // Nothing here waits for another read it does not need: the round trips are the cost.
  const [principalOrganization, scp, rcp, registry] = await Promise.all([
    principalOrganizationRead,
    management ? readControlPolicies(management, roleAccount, 'SERVICE_CONTROL_POLICY', organization.who) : Promise.resolve(undefined),
    management && RCPS_APPLY_TO_ECR
      ? registryRead.then((facts) => readControlPolicies(management, facts.account, 'RESOURCE_CONTROL_POLICY', organization.who))
      : Promise.resolve(undefined),
    registryRead,
  ]);
  let orgPaths: Readable<string[]> = { status: 'unread', reason: 'organization-assume-role-arn is not set' };
  if (principalOrganization.status === 'none') orgPaths = { status: 'none' };
  else if (management && principalOrganization.status === 'member') {
    const path = await readOrgPath(management, roleAccount, principalOrganization.organizationId, organization.who);
    orgPaths = path.status === 'read' ? { status: 'read', value: path.paths } : path;
  }

  if (principalOrganization.status === 'unread') notChecked.push({ what: 'organization', reason: principalOrganization.reason });
  if (registry.organization.status === 'unread') notChecked.push({ what: 'registry-organization', reason: registry.organization.reason });
  if (principalOrganization.status !== 'none') {
    if (!management) notChecked.push({ what: 'service-control-policies', reason: 'organization-assume-role-arn is not set' });
    else if (scp?.status === 'unread') notChecked.push({ what: 'service-control-policies', reason: scp.reason });
    if (orgPaths.status === 'unread' && management) notChecked.push({ what: 'org-paths', reason: orgPaths.reason });
  }
  if (registry.organization.status !== 'none' && management && rcp?.status === 'unread')
    notChecked.push({ what: 'resource-control-policies', reason: rcp.reason });
  if (registry.scopeUnread) notChecked.push({ what: 'registry-policy-scope', reason: registry.scopeUnread });
  return { principalOrganization, orgPaths, scp, rcp, notChecked, registry };
}

/** SCPs do not restrict the management account, and RCPs do not restrict its resources. */
function applies(policies: ControlPolicies | undefined, account: string, organization: OrganizationFacts): ControlPolicies | undefined {
  if (organization.status === 'member' && organization.managementAccountId === account) return undefined;
  return policies;
}

function roleProblem(inputs: Inputs, access: StagingAccess, facts: RoleFacts | undefined, inlineNames: string[] | undefined): RoleProblem | undefined {
  const roleArn = facts?.roleArn ?? (inputs.stagingRoleArn as string);
  if (!facts || inlineNames === undefined) return { kind: 'role-not-found', roleArn, readAccount: access.account };
  if (inputs.stagingPolicyName && !inlineNames.includes(inputs.stagingPolicyName)) {
    return { kind: 'policy-not-found', roleArn, policyName: inputs.stagingPolicyName, inlineNames, readAccount: access.account };
  }
  return undefined;
}

/**
 * Reads, in parallel, everything AWS weighs when a session of the staging role pulls: its policies,
 * its permissions boundary, its tags and unique ID, the organizations of both accounts, and (with
 * organization-assume-role-arn) the SCPs and RCPs and the OU path.
 */
export async function readStaging(
  access: StagingAccess,
  inputs: Inputs,
  registryRead: Promise<RegistryFacts>,
  organization: Awaited<ReturnType<typeof organizationAccess>>,
): Promise<Staging> {
  const givenArn = inputs.stagingRoleArn as string;
  {
    const roleAccount = accountOf(givenArn);
    const [read, facts, organizations] = await Promise.all([
      readStagingIdentity(access.iam, givenArn, access.who),
      readRoleFacts(access.iam, roleNameOf(givenArn), access.who),
      readOrganizations(access, roleAccount, registryRead, organization),
    ]);
    const registry = organizations.registry;
    log.info(`Read role ${inert(givenArn)} with ${access.who}${access.account ? ` (account ${access.account})` : ''}.`);
    for (const policy of read.documents) log.info(`${inert(policy.name)}: ${policy.document.Statement.length} statement(s)`);
    if (facts?.boundary) log.info(`Permissions boundary ${inert(facts.boundary.name)}: ${facts.boundary.document.Statement.length} statement(s)`);
    const roleArn = facts?.roleArn ?? givenArn;
    const problem = roleProblem(inputs, access, facts, read.inlineNames);
    const base = {
      access,
      roleArn,
      policyName: inputs.stagingPolicyName,
      documents: read.documents,
      notChecked: organizations.notChecked,
      registryPolicy: registry.policy,
    };
    if (problem?.kind === 'role-not-found' || !facts) return { ...base, role: { roleArn, problem }, model: undefined };

    const pullFacts: PullFacts = {
      role: { arn: roleArn, account: roleAccount, roleId: facts.roleId, tags: facts.tags, sessionTagsPossible: facts.sessionTagsPossible },
      principalOrgId: readable(organizations.principalOrganization),
      principalOrgPaths: organizations.orgPaths,
      registry: { account: registry.account, region: registry.region },
      resourceOrgId: readable(registry.organization),
    };
    const model: AccessModel = {
      caller: { roleArn, roleId: facts.roleId, hasBoundary: facts.boundary !== undefined },
      context: pullRequestContext(pullFacts),
      loginContext: loginRequestContext(pullFacts),
      identity: read.documents.map((policy) => ({
        name: policy.name,
        statements: policy.document.Statement,
        version: policy.document.Version ?? '2008-10-17',
      })),
      boundary: facts.boundary && {
        name: facts.boundary.name,
        statements: facts.boundary.document.Statement,
        version: facts.boundary.document.Version ?? '2008-10-17',
      },
      scp: levels(applies(organizations.scp, roleAccount, organizations.principalOrganization)),
      rcp: levels(applies(organizations.rcp, registry.account, registry.organization)),
      registryPolicy: registry.policy,
    };
    return { ...base, role: { roleArn, problem, login: judgeLogin(model) }, model };
  }
}
