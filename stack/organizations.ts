// Seeds for what fixes a pulling session's request context: an AWS organization (nested OUs, SCPs and
// RCPs at account, OU and root) and a role with a path, tags and a permissions boundary, in moto.
//
// moto 5.2.1 facts these helpers work around (see __tests__/integration/principal-reads.test.ts):
// - CreateAccount picks a random 12-digit ID; there is no way to put a chosen ID (STAGING_ACCOUNT)
//   into an organization as a member. It can only be the management account (the caller of
//   CreateOrganization), which moto lets you move into OUs like any other account.
// - FullAWSAccess / RCPFullAWSAccess are attached to the root, every OU and every account even before
//   the policy type is enabled; whether a type is enabled shows only in ListRoots' PolicyTypes.
// - moto enforces no IAM unless told to (`enforceIam`), and then for every request of the server.
import {
  AttachPolicyCommand,
  CreateAccountCommand,
  CreateOrganizationCommand,
  CreateOrganizationalUnitCommand,
  CreatePolicyCommand,
  EnablePolicyTypeCommand,
  ListParentsCommand,
  ListRootsCommand,
  MoveAccountCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import {
  CreateAccessKeyCommand,
  CreatePolicyCommand as CreateIamPolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  CreateUserCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import type { ControlPolicyKind } from '../src/adapters/aws/organizations.js';
import { iamIn, type Keys } from './aws.js';

/** The account that creates the test organization (neither prod nor staging: SCPs skip the management account). */
export const ORG_MANAGEMENT_ACCOUNT = '210987654321';

const setupCredentials = { accessKeyId: 'setup', secretAccessKey: 'setup' };

/** An Organizations client whose requests land in `account` (moto's x-moto-account-id header). */
export function orgIn(endpoint: string, account: string): OrganizationsClient {
  const client = new OrganizationsClient({ region: 'us-east-1', endpoint, credentials: setupCredentials });
  client.middlewareStack.add(
    (next) => async (args) => {
      (args.request as { headers: Record<string, string> }).headers['x-moto-account-id'] = account;
      return next(args);
    },
    { step: 'build', name: 'motoAccount' },
  );
  return client;
}

/** An Organizations client signed with static keys: moto takes the account from the key. */
export function orgWithKeys(endpoint: string, keys: Keys): OrganizationsClient {
  return new OrganizationsClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: keys.AWS_ACCESS_KEY_ID, secretAccessKey: keys.AWS_SECRET_ACCESS_KEY },
  });
}

/** One policy to attach: at the root, at the seeded account, or at OU number `at` (0 = outermost). */
export interface PolicySeed {
  name: string;
  document: object;
  at: 'root' | 'account' | number;
}

export interface OrgSeed {
  /** Who calls CreateOrganization (default ORG_MANAGEMENT_ACCOUNT). */
  management?: string;
  /**
   * The account placed in the OUs: a new member (moto picks its ID, returned as `accountId`), or the
   * management account itself, the only way to get a chosen ID such as STAGING_ACCOUNT into the tree.
   */
  place?: 'new-member' | 'management';
  /** Nested OU names, outermost first; the placed account ends in the innermost. */
  ous?: string[];
  scps?: PolicySeed[];
  rcps?: PolicySeed[];
  /** Policy types enabled on the root (default both). */
  enable?: ControlPolicyKind[];
  /** More members directly under the root, e.g. a registry account (IDs returned in `otherMembers`). */
  otherMembers?: number;
}

export interface SeededOrganization {
  organizationId: string;
  rootId: string;
  managementAccountId: string;
  /** The account placed in the OUs. */
  accountId: string;
  /** Outermost first. */
  ouIds: string[];
  otherMembers: string[];
  /** Policy name → ID, for the seeded SCPs and RCPs (FullAWSAccess is `p-FullAWSAccess`). */
  policyIds: Record<string, string>;
  /** The placed account's aws:PrincipalOrgPaths value. */
  path: string;
}

async function newMember(org: OrganizationsClient, name: string): Promise<string> {
  const { CreateAccountStatus } = await org.send(new CreateAccountCommand({ AccountName: name, Email: `${name}@example.com` }));
  return CreateAccountStatus!.AccountId!;
}

/** An organization with `ous` nested under the root, one account in the innermost, SCPs and RCPs attached. */
export async function seedOrganization(endpoint: string, seed: OrgSeed = {}): Promise<SeededOrganization> {
  const managementAccountId = seed.management ?? ORG_MANAGEMENT_ACCOUNT;
  const org = orgIn(endpoint, managementAccountId);
  const { Organization } = await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  const { Roots } = await org.send(new ListRootsCommand({}));
  const rootId = Roots![0].Id!;
  for (const type of seed.enable ?? ['SERVICE_CONTROL_POLICY', 'RESOURCE_CONTROL_POLICY']) {
    await org.send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: type }));
  }
  const accountId = seed.place === 'management' ? managementAccountId : await newMember(org, 'placed');
  const otherMembers: string[] = [];
  for (let i = 0; i < (seed.otherMembers ?? 0); i += 1) otherMembers.push(await newMember(org, `member${i}`));

  const ouIds: string[] = [];
  let parent = rootId;
  for (const name of seed.ous ?? []) {
    const { OrganizationalUnit } = await org.send(new CreateOrganizationalUnitCommand({ ParentId: parent, Name: name }));
    parent = OrganizationalUnit!.Id!;
    ouIds.push(parent);
  }
  if (parent !== rootId) {
    const { Parents } = await org.send(new ListParentsCommand({ ChildId: accountId }));
    await org.send(new MoveAccountCommand({ AccountId: accountId, SourceParentId: Parents![0].Id!, DestinationParentId: parent }));
  }

  const policyIds: Record<string, string> = {};
  const attach = async (policies: PolicySeed[], type: ControlPolicyKind) => {
    for (const policy of policies) {
      const { Policy } = await org.send(
        new CreatePolicyCommand({ Name: policy.name, Description: policy.name, Type: type, Content: JSON.stringify(policy.document) }),
      );
      const id = Policy!.PolicySummary!.Id!;
      policyIds[policy.name] = id;
      const target = policy.at === 'root' ? rootId : policy.at === 'account' ? accountId : ouIds[policy.at];
      if (!target) throw new Error(`seedOrganization: policy ${policy.name} is attached at OU ${policy.at}, but only ${ouIds.length} OUs were seeded`);
      await org.send(new AttachPolicyCommand({ PolicyId: id, TargetId: target }));
    }
  };
  await attach(seed.scps ?? [], 'SERVICE_CONTROL_POLICY');
  await attach(seed.rcps ?? [], 'RESOURCE_CONTROL_POLICY');

  const organizationId = Organization!.Id!;
  return { organizationId, rootId, managementAccountId, accountId, ouIds, otherMembers, policyIds, path: `${[organizationId, rootId, ...ouIds].join('/')}/` };
}

export interface RoleSeed {
  roleName: string;
  /** IAM path, e.g. `/tenants/` (default `/`). */
  path?: string;
  tags?: Record<string, string>;
  /** Versions of a customer managed boundary policy, oldest first; the last one is the default. */
  boundaryVersions?: object[];
  boundaryName?: string;
}

export interface SeededRole {
  roleArn: string;
  roleId: string;
  boundaryArn: string | undefined;
}

const trustAnyone = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }] });

/** A role with a path, tags and (when `boundaryVersions` is given) a permissions boundary whose default is the last version. */
export async function seedRoleWithBoundary(endpoint: string, account: string, seed: RoleSeed): Promise<SeededRole> {
  const iam = iamIn(endpoint, account);
  let boundaryArn: string | undefined;
  const [first, ...later] = seed.boundaryVersions ?? [];
  if (first) {
    const { Policy } = await iam.send(
      new CreateIamPolicyCommand({ PolicyName: seed.boundaryName ?? `${seed.roleName}-boundary`, Path: '/boundaries/', PolicyDocument: JSON.stringify(first) }),
    );
    boundaryArn = Policy!.Arn!;
    for (const version of later) {
      await iam.send(new CreatePolicyVersionCommand({ PolicyArn: boundaryArn, PolicyDocument: JSON.stringify(version), SetAsDefault: true }));
    }
  }
  const { Role } = await iam.send(
    new CreateRoleCommand({
      RoleName: seed.roleName,
      Path: seed.path,
      AssumeRolePolicyDocument: trustAnyone,
      PermissionsBoundary: boundaryArn,
      Tags: Object.entries(seed.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
  return { roleArn: Role!.Arn!, roleId: Role!.RoleId!, boundaryArn };
}

/** Static keys of a user in `account` whose only permission is `actions` (none: an empty list). */
export async function keysAllowedOnly(endpoint: string, account: string, userName: string, actions: string[]): Promise<Keys> {
  const iam = iamIn(endpoint, account);
  await iam.send(new CreateUserCommand({ UserName: userName }));
  if (actions.length > 0) {
    await iam.send(
      new PutUserPolicyCommand({
        UserName: userName,
        PolicyName: 'only',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] }),
      }),
    );
  }
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
  return { AWS_ACCESS_KEY_ID: AccessKey!.AccessKeyId!, AWS_SECRET_ACCESS_KEY: AccessKey!.SecretAccessKey! };
}

/**
 * Turns moto's IAM enforcement on or off for the whole server (POST /moto-api/reset-auth). While on,
 * every request must be signed by keys moto issued and allowed by their identity policies; the
 * `setup` keys of the other helpers fail. Denials of JSON-protocol services (Organizations) come back
 * as HTTP 403 with an XML body the SDK cannot parse: only `$metadata.httpStatusCode` says "denied".
 */
export async function enforceIam(endpoint: string, on: boolean): Promise<void> {
  const response = await fetch(`${endpoint}/moto-api/reset-auth`, { method: 'POST', body: on ? '0' : 'inf' });
  if (!response.ok) throw new Error(`moto reset-auth failed: ${response.status}`);
}
