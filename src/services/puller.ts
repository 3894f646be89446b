import { readPullerIdentity, roleNameOf } from '../adapters/aws/iam.js';
import { readControlPolicies, readOrganization, readOrgPath } from '../adapters/aws/organizations.js';
import { readRoleFacts } from '../adapters/aws/principal.js';
import type { OrganizationFacts, PlaceFacts, PrincipalOrganizationFacts, PullerFacts as PullerFactsOf, RegistryFacts } from '../domain/facts.js';
import { createOrganizationsClient } from '../adapters/aws/clients.js';
import { placeNotChecked, principalNotChecked } from '../domain/not-checked.js';
import type { PullerSettings } from '../domain/pullers.js';
import { log } from '../log.js';
import { inert } from '../util/inert.js';
import { accountOf } from '../domain/arn.js';
import type { Readable } from '../domain/policy/request-context.js';
import { pullerAt, roleProblem, type PullerAtPlace as PullerAtPlaceOf } from '../domain/puller-at-place.js';
import type { organizationAccess, PullerAccess } from './access.js';

/**
 * Resource control policies apply to Amazon ECR (AWS Organizations, "Resource control policies
 * (RCPs)": list of supported services), so the registry account's RCPs are on the repository side.
 */
const RCPS_APPLY_TO_ECR = true;

/** The puller's organization, its OU path and the SCPs over its account: in parallel, each failure said once, never assumed. */
async function readPrincipalOrganization(
  access: PullerAccess,
  roleAccount: string,
  organization: Awaited<ReturnType<typeof organizationAccess>>,
): Promise<PrincipalOrganizationFacts> {
  const principalOrganizationRead: Promise<OrganizationFacts> =
    access.account === roleAccount
      ? createOrganizationsClient(access.credentials).then((client) => readOrganization(client, access.who))
      : Promise.resolve({
          status: 'unread',
          reason: `${access.who} ${access.account ? `are in account ${access.account}` : 'are in an unknown account'}, not in the role's account ${roleAccount}`,
        });
  const management = organization?.organizations;
  // Nothing here waits for another read it does not need: the round trips are the cost.
  const [principalOrganization, scp] = await Promise.all([
    principalOrganizationRead,
    management ? readControlPolicies(management, roleAccount, 'SERVICE_CONTROL_POLICY', organization.who) : Promise.resolve(undefined),
  ]);
  let orgPaths: Readable<string[]> = { status: 'unread', reason: 'organization-assume-role-arn is not set' };
  if (principalOrganization.status === 'none') orgPaths = { status: 'none' };
  else if (management && principalOrganization.status === 'member') {
    const path = await readOrgPath(management, roleAccount, principalOrganization.organizationId, organization.who);
    orgPaths = path.status === 'read' ? { status: 'read', value: path.paths } : path;
  }
  return { principalOrganization, orgPaths, scp, notChecked: principalNotChecked(principalOrganization, scp, orgPaths, management !== undefined) };
}

/**
 * Pullers in one account read through one session share its organization, OU path and SCPs: read
 * once per (session, account). Keyed by the session object, so nothing outlives the run's readers.
 */
const principalOrganizations = new WeakMap<PullerAccess, Map<string, Promise<PrincipalOrganizationFacts>>>();
function principalOrganizationOnce(
  access: PullerAccess,
  roleAccount: string,
  organization: Awaited<ReturnType<typeof organizationAccess>>,
): Promise<PrincipalOrganizationFacts> {
  const byAccount = principalOrganizations.get(access) ?? new Map<string, Promise<PrincipalOrganizationFacts>>();
  principalOrganizations.set(access, byAccount);
  const known = byAccount.get(roleAccount) ?? readPrincipalOrganization(access, roleAccount, organization);
  byAccount.set(roleAccount, known);
  return known;
}

export type { PlaceFacts };

/** The RCPs over a registry's account (with organization-assume-role-arn), beside what the registry read said. */
export async function readPlaceFacts(registryRead: Promise<RegistryFacts>, organization: Awaited<ReturnType<typeof organizationAccess>>): Promise<PlaceFacts> {
  const registry = await registryRead;
  const management = organization?.organizations;
  const rcp =
    management && RCPS_APPLY_TO_ECR ? await readControlPolicies(management, registry.account, 'RESOURCE_CONTROL_POLICY', organization.who) : undefined;
  return { registry, rcp, notChecked: placeNotChecked(registry, rcp, management !== undefined) };
}

/** Everything read of the pulling role itself (domain/facts.ts), with the session it was read with. */
export type PullerFacts = PullerFactsOf<PullerAccess>;

/** The puller judged at one place (domain/puller-at-place.ts), with the session it is read and written with. */
export type PullerAtPlace = PullerAtPlaceOf<PullerAccess>;
export { pullerAt };

/**
 * Reads, in parallel, everything AWS weighs of a session of the pulling role: its policies, its
 * permissions boundary, its tags and unique ID, its organization and (with organization-assume-role-arn)
 * the SCPs and the OU path.
 */
export async function readPullerFacts(
  access: PullerAccess,
  puller: PullerSettings,
  organization: Awaited<ReturnType<typeof organizationAccess>>,
): Promise<PullerFacts> {
  const givenArn = puller.roleArn;
  const [read, facts, organizationReads] = await Promise.all([
    readPullerIdentity(access.iam, givenArn, access.who),
    readRoleFacts(access.iam, roleNameOf(givenArn), access.who),
    principalOrganizationOnce(access, accountOf(givenArn), organization),
  ]);
  log.info(`Read role ${inert(givenArn)} with ${access.who}${access.account ? ` (account ${access.account})` : ''}.`);
  for (const policy of read.documents) log.info(`${inert(policy.name)}: ${policy.document.Statement.length} statement(s)`);
  if (facts?.boundary) log.info(`Permissions boundary ${inert(facts.boundary.name)}: ${facts.boundary.document.Statement.length} statement(s)`);
  return {
    settings: puller,
    access,
    roleArn: facts?.roleArn ?? givenArn,
    documents: read.documents,
    problem: roleProblem(puller, access.account, facts, read.inlineNames),
    role: facts,
    organization: organizationReads,
  };
}
