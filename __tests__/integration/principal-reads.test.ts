// The AWS reads that fix a pulling session's request context: the role (path, unique ID, tags,
// permissions boundary), the organization (ID, OU path) and the SCPs/RCPs over an account.
// Against real moto; SDK-level mocks only for what moto cannot answer as AWS does (a JSON
// AccessDeniedException from Organizations, ListParents refused to a member account).
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { mockClient } from 'aws-sdk-client-mock';
import { CreateRoleCommand, GetRoleCommand, IAMClient, ListRoleTagsCommand } from '@aws-sdk/client-iam';
import {
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  ListParentsCommand,
  ListPoliciesForTargetCommand,
  ListRootsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { readControlPolicies, readOrganization, readOrgPath } from '../../src/adapters/aws/organizations.js';
import { readRoleFacts } from '../../src/adapters/aws/principal.js';
import { UserError } from '../../src/errors.js';
import { iamIn } from '../../stack/aws.js';
import { STAGING_ACCOUNT } from '../../stack/engine.js';
import { useMoto } from '../../stack/fixture.js';
import {
  ORG_MANAGEMENT_ACCOUNT,
  enforceIam,
  keysAllowedOnly,
  orgIn,
  orgWithKeys,
  seedOrganization,
  seedRoleWithBoundary,
  type SeededOrganization,
} from '../../stack/organizations.js';

type AnyClient = { middlewareStack: IAMClient['middlewareStack'] };

/** Makes the SDK ask for pages of `size` on `command`, so that moto really paginates. */
function pageSize<T extends AnyClient>(client: T, command: string, field: string, size: number): T {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === command) (args.input as Record<string, unknown>)[field] = size;
      return next(args);
    },
    { step: 'initialize', name: `pageSize${command}` },
  );
  return client;
}

interface Call {
  command: string;
  start: number;
  end: number;
}

/** Records every call (and, with `delayMs`, adds that latency to each, as the bench does). */
function recordCalls<T extends AnyClient>(client: T, delayMs = 0): { client: T; calls: Call[] } {
  const calls: Call[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const call = { command: String(context.commandName), start: Date.now(), end: 0 };
      calls.push(call);
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      try {
        return await next(args);
      } finally {
        call.end = Date.now();
      }
    },
    { step: 'initialize', name: 'recordCalls' },
  );
  return { client, calls };
}

const count = (calls: Call[], command: string): number => calls.filter((call) => call.command === command).length;

const DENY_DELETE = { Version: '2012-10-17', Statement: [{ Sid: 'NoDelete', Effect: 'Deny', Action: 'ecr:DeleteRepository', Resource: '*' }] };
const OU_GUARD = {
  Version: '2012-10-17',
  Statement: [
    { Sid: 'RegionGuard', Effect: 'Deny', NotAction: 'iam:*', Resource: '*', Condition: { StringNotEquals: { 'aws:RequestedRegion': ['us-east-2'] } } },
  ],
};
const ROOT_GUARD = { Version: '2012-10-17', Statement: [{ Sid: 'NoLeave', Effect: 'Deny', Action: 'organizations:LeaveOrganization', Resource: '*' }] };
const EXTRA = { Version: '2012-10-17', Statement: [{ Sid: 'NoPublic', Effect: 'Deny', Action: 'ecr:SetRepositoryPolicy', Resource: '*' }] };
const RCP_PERIMETER = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'OrgOnly',
      Effect: 'Deny',
      Principal: '*',
      Action: 'ecr:*',
      Resource: '*',
      Condition: { StringNotEqualsIfExists: { 'aws:PrincipalOrgID': 'o-placeholder' } },
    },
  ],
};
const FULL_ACCESS = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

describe('principal and organization reads (moto)', () => {
  const stack = useMoto({ bare: true });

  describe('readRoleFacts', () => {
    const boundaryV1 = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:*', Resource: '*' }] };
    const boundaryV2 = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'PullOnly',
          Effect: 'Allow',
          Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability', 'ecr:GetAuthorizationToken'],
          Resource: '*',
        },
      ],
    };
    const tags = { team: 'eic', env: 'staging', 'cost-center': '42', owner: 'platform', tier: 'pull' };

    it('reads the ARN with its path, the unique ID, every page of tags and the default boundary version', async () => {
      const seeded = await seedRoleWithBoundary(stack.endpoint, STAGING_ACCOUNT, {
        roleName: 'MoleculeTenantEICRole-staging',
        path: '/tenants/',
        tags,
        boundaryVersions: [boundaryV1, boundaryV2],
        boundaryName: 'TenantBoundary',
      });
      const { client, calls } = recordCalls(pageSize(iamIn(stack.endpoint, STAGING_ACCOUNT), 'ListRoleTagsCommand', 'MaxItems', 2));

      // The input omits the path; GetRole's ARN has it.
      const facts = await readRoleFacts(client, 'MoleculeTenantEICRole-staging', 'the staging reader');
      assert.ok(facts);
      assert.equal(facts.roleArn, `arn:aws:iam::${STAGING_ACCOUNT}:role/tenants/MoleculeTenantEICRole-staging`);
      assert.equal(facts.roleArn, seeded.roleArn);
      assert.equal(facts.roleName, 'MoleculeTenantEICRole-staging');
      assert.equal(facts.path, '/tenants/');
      assert.equal(facts.account, STAGING_ACCOUNT);
      assert.equal(facts.roleId, seeded.roleId);
      assert.match(facts.roleId, /^AROA/);
      assert.deepEqual(facts.tags, tags);
      assert.equal(count(calls, 'ListRoleTagsCommand'), 3, 'five tags in pages of two');
      assert.ok(facts.boundary);
      assert.equal(facts.boundary.name, `permissions boundary arn:aws:iam::${STAGING_ACCOUNT}:policy/boundaries/TenantBoundary`);
      assert.deepEqual(facts.boundary.document, boundaryV2, 'the default (second) version, not the first');
      assert.equal(facts.boundary.inlineName, undefined);
    });

    it('accepts the role ARN (with or without path); no boundary and no tags read as such', async () => {
      await seedRoleWithBoundary(stack.endpoint, STAGING_ACCOUNT, { roleName: 'Plain' });
      const iam = iamIn(stack.endpoint, STAGING_ACCOUNT);
      for (const input of [`arn:aws:iam::${STAGING_ACCOUNT}:role/Plain`, `arn:aws:iam::${STAGING_ACCOUNT}:role/some/path/Plain`]) {
        const facts = await readRoleFacts(iam, input, 'the staging reader');
        assert.deepEqual(
          { ...facts, roleId: undefined },
          {
            roleArn: `arn:aws:iam::${STAGING_ACCOUNT}:role/Plain`,
            roleName: 'Plain',
            path: '/',
            account: STAGING_ACCOUNT,
            roleId: undefined,
            tags: {},
            sessionTagsPossible: false,
            boundary: undefined,
          },
        );
      }
    });

    it("tells whether the trust policy lets sessions carry tags (they override the role's tags)", async () => {
      const iam = iamIn(stack.endpoint, STAGING_ACCOUNT);
      const trust = (actions: string[]) =>
        JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Federated: 'arn:aws:iam::004947743811:oidc-provider/token.actions.example' }, Action: actions }],
        });
      await iam.send(new CreateRoleCommand({ RoleName: 'Tagged', AssumeRolePolicyDocument: trust(['sts:AssumeRoleWithWebIdentity', 'sts:TagSession']) }));
      await iam.send(new CreateRoleCommand({ RoleName: 'AllOfSts', AssumeRolePolicyDocument: trust(['sts:*']) }));
      await iam.send(new CreateRoleCommand({ RoleName: 'Untagged', AssumeRolePolicyDocument: trust(['sts:AssumeRoleWithWebIdentity']) }));
      assert.equal((await readRoleFacts(iam, 'Tagged', 'the staging reader'))?.sessionTagsPossible, true);
      assert.equal((await readRoleFacts(iam, 'AllOfSts', 'the staging reader'))?.sessionTagsPossible, true);
      assert.equal((await readRoleFacts(iam, 'Untagged', 'the staging reader'))?.sessionTagsPossible, false);
    });

    it('returns undefined for a role that does not exist', async () => {
      assert.equal(await readRoleFacts(iamIn(stack.endpoint, STAGING_ACCOUNT), 'Nope', 'the staging reader'), undefined);
    });

    it('a denied read (moto enforcing IAM) is a UserError naming the permission and the identity', async () => {
      await seedRoleWithBoundary(stack.endpoint, STAGING_ACCOUNT, { roleName: 'Guarded', tags: { a: '1' } });
      const keys = await keysAllowedOnly(stack.endpoint, STAGING_ACCOUNT, 'nobody', []);
      await enforceIam(stack.endpoint, true);
      try {
        const iam = new IAMClient({
          region: 'us-east-1',
          endpoint: stack.endpoint,
          credentials: { accessKeyId: keys.AWS_ACCESS_KEY_ID, secretAccessKey: keys.AWS_SECRET_ACCESS_KEY },
          maxAttempts: 1,
        });
        await assert.rejects(readRoleFacts(iam, 'Guarded', 'user nobody'), (error: unknown) => {
          assert.ok(error instanceof UserError, String(error));
          assert.match(error.message, /^iam:GetRole was denied for user nobody \(AccessDenied: .*\)\. Allow iam:GetRole on that identity/);
          return true;
        });
      } finally {
        await enforceIam(stack.endpoint, false);
      }
    });
  });

  describe('organization', () => {
    let seeded: SeededOrganization;
    beforeEach(async () => {
      seeded = await seedOrganization(stack.endpoint, {
        ous: ['workloads', 'staging'],
        scps: [
          { name: 'deny-delete', document: DENY_DELETE, at: 'account' },
          { name: 'region-guard', document: OU_GUARD, at: 1 },
          { name: 'no-leave', document: ROOT_GUARD, at: 'root' },
          { name: 'no-public', document: EXTRA, at: 'account' },
        ],
        rcps: [{ name: 'org-only', document: RCP_PERIMETER, at: 0 }],
        otherMembers: 1,
      });
    });
    afterEach(async () => enforceIam(stack.endpoint, false));

    it('readOrganization: the management account and a member read the same organization; an outsider has none', async () => {
      const expected = { status: 'member', organizationId: seeded.organizationId, managementAccountId: ORG_MANAGEMENT_ACCOUNT };
      assert.deepEqual(await readOrganization(orgIn(stack.endpoint, ORG_MANAGEMENT_ACCOUNT), 'the management account'), expected);
      assert.deepEqual(await readOrganization(orgIn(stack.endpoint, seeded.accountId), 'the member'), expected);
      assert.match(seeded.organizationId, /^o-[a-z0-9]{10,32}$/);
      assert.deepEqual(await readOrganization(orgIn(stack.endpoint, STAGING_ACCOUNT), 'the staging reader'), { status: 'none' });
    });

    it('readOrgPath: root first, then each OU downward, in aws:PrincipalOrgPaths form', async () => {
      const org = orgIn(stack.endpoint, ORG_MANAGEMENT_ACCOUNT);
      const path = await readOrgPath(org, seeded.accountId, seeded.organizationId, 'the management account');
      assert.deepEqual(path, { status: 'read', paths: [`${seeded.organizationId}/${seeded.rootId}/${seeded.ouIds[0]}/${seeded.ouIds[1]}/`] });
      assert.deepEqual(path.paths, [seeded.path]);
      // A member directly under the root.
      assert.deepEqual(await readOrgPath(org, seeded.otherMembers[0], seeded.organizationId, 'the management account'), {
        status: 'read',
        paths: [`${seeded.organizationId}/${seeded.rootId}/`],
      });
      // An account the organization does not hold.
      const outside = await readOrgPath(org, STAGING_ACCOUNT, seeded.organizationId, 'the management account');
      assert.equal(outside.status, 'unread');
      assert.match(
        (outside as { reason: string }).reason,
        /^organizations:ListParents: account 004947743811 is not in the organization that the management account reads \(AccountNotFoundException\), so the OU path of account 004947743811 \(aws:PrincipalOrgPaths\) could not be read/,
      );
    });

    it('readControlPolicies (SCP): account, each OU upward, root; FullAWSAccess described once; every page read', async () => {
      const { client, calls } = recordCalls(pageSize(orgIn(stack.endpoint, ORG_MANAGEMENT_ACCOUNT), 'ListPoliciesForTargetCommand', 'MaxResults', 1));
      const result = await readControlPolicies(client, seeded.accountId, 'SERVICE_CONTROL_POLICY', 'the management account');
      assert.equal(result.status, 'read');
      const levels = result.status === 'read' ? result.levels : [];
      const [inner, outer] = [seeded.ouIds[1], seeded.ouIds[0]];
      assert.deepEqual(
        levels.map((level) => [level.target, level.label, level.policies.map((policy) => policy.name)]),
        [
          [
            seeded.accountId,
            `account ${seeded.accountId}`,
            [
              'service control policy p-FullAWSAccess (FullAWSAccess)',
              `service control policy ${seeded.policyIds['deny-delete']} (deny-delete)`,
              `service control policy ${seeded.policyIds['no-public']} (no-public)`,
            ],
          ],
          [
            inner,
            `OU ${inner}`,
            ['service control policy p-FullAWSAccess (FullAWSAccess)', `service control policy ${seeded.policyIds['region-guard']} (region-guard)`],
          ],
          [outer, `OU ${outer}`, ['service control policy p-FullAWSAccess (FullAWSAccess)']],
          [
            seeded.rootId,
            `root ${seeded.rootId}`,
            ['service control policy p-FullAWSAccess (FullAWSAccess)', `service control policy ${seeded.policyIds['no-leave']} (no-leave)`],
          ],
        ],
      );
      assert.deepEqual(levels[0].policies[0].document, FULL_ACCESS);
      assert.deepEqual(levels[0].policies[1].document, DENY_DELETE);
      assert.deepEqual(levels[1].policies[1].document, OU_GUARD);
      assert.deepEqual(levels[3].policies[1].document, ROOT_GUARD);
      assert.equal(count(calls, 'DescribePolicyCommand'), 5, 'FullAWSAccess (at four levels) and four SCPs, each described once');
      assert.equal(count(calls, 'ListPoliciesForTargetCommand'), 3 + 2 + 1 + 2, 'one page per policy and level (pages of one)');
      assert.equal(count(calls, 'ListParentsCommand'), 3);
      assert.equal(count(calls, 'ListRootsCommand'), 1);
    });

    it('readControlPolicies (RCP) of another member: RCPFullAWSAccess at its levels; the RCP attached on the OU is not above it', async () => {
      const org = orgIn(stack.endpoint, ORG_MANAGEMENT_ACCOUNT);
      const result = await readControlPolicies(org, seeded.otherMembers[0], 'RESOURCE_CONTROL_POLICY', 'the management account');
      assert.deepEqual(result.status === 'read' && result.levels.map((level) => [level.label, level.policies.map((policy) => policy.name)]), [
        [`account ${seeded.otherMembers[0]}`, ['resource control policy p-RCPFullAWSAccess (RCPFullAWSAccess)']],
        [`root ${seeded.rootId}`, ['resource control policy p-RCPFullAWSAccess (RCPFullAWSAccess)']],
      ]);
      const placed = await readControlPolicies(org, seeded.accountId, 'RESOURCE_CONTROL_POLICY', 'the management account');
      assert.equal(placed.status, 'read');
      const outerOu = placed.status === 'read' ? placed.levels[2] : undefined;
      assert.equal(outerOu?.label, `OU ${seeded.ouIds[0]}`);
      assert.deepEqual(
        outerOu?.policies.map((policy) => policy.document),
        [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] }, RCP_PERIMETER],
      );
    });

    it('readControlPolicies walks the tree once per client: the OU path and the SCPs share ListParents, SCPs and RCPs share ListRoots', async () => {
      const { client, calls } = recordCalls(orgIn(stack.endpoint, ORG_MANAGEMENT_ACCOUNT));
      const [path, scps, rcps] = await Promise.all([
        readOrgPath(client, seeded.accountId, seeded.organizationId, 'the management account'),
        readControlPolicies(client, seeded.accountId, 'SERVICE_CONTROL_POLICY', 'the management account'),
        readControlPolicies(client, seeded.accountId, 'RESOURCE_CONTROL_POLICY', 'the management account'),
      ]);
      assert.equal(path.status, 'read');
      assert.equal(scps.status, 'read');
      assert.equal(rcps.status, 'read');
      assert.equal(count(calls, 'ListParentsCommand'), 3);
      assert.equal(count(calls, 'ListRootsCommand'), 1);
    });

    it('with 80 ms per call, two nested OUs cost four round trips, not one per call', async () => {
      const DELAY = 80;
      const { client, calls } = recordCalls(orgIn(stack.endpoint, ORG_MANAGEMENT_ACCOUNT), DELAY);
      const started = Date.now();
      const result = await readControlPolicies(client, seeded.accountId, 'SERVICE_CONTROL_POLICY', 'the management account');
      const elapsed = Date.now() - started;
      assert.equal(result.status, 'read');
      // Sequential: 3 ListParents + 1 ListRoots + 4 ListPoliciesForTarget + 5 DescribePolicy = 13 calls.
      assert.equal(calls.length, 13);
      // The critical path: ListParents ×2 (account → inner OU → outer OU), then the outer OU's policies, then DescribePolicy.
      let waves = 0;
      for (let end = 0; ; waves += 1) {
        const next = calls.filter((call) => call.start >= end).sort((a, b) => a.end - b.end)[0];
        if (!next) break;
        end = next.end;
      }
      assert.ok(waves <= 4, `${waves} sequential round trips`);
      assert.ok(elapsed < 13 * DELAY, `${elapsed} ms: calls ran one after another`);
    });

    it('disabled: the policy type is not enabled on the root (moto still lists RCPFullAWSAccess; ListRoots says)', async () => {
      await stack.moto.reset();
      const only = await seedOrganization(stack.endpoint, { ous: ['a'], enable: ['SERVICE_CONTROL_POLICY'] });
      const org = orgIn(stack.endpoint, ORG_MANAGEMENT_ACCOUNT);
      assert.deepEqual(await readControlPolicies(org, only.accountId, 'RESOURCE_CONTROL_POLICY', 'the management account'), { status: 'disabled' });
      assert.equal((await readControlPolicies(org, only.accountId, 'SERVICE_CONTROL_POLICY', 'the management account')).status, 'read');
      await stack.moto.reset();
      const none = await seedOrganization(stack.endpoint, { enable: [] });
      assert.deepEqual(
        await readControlPolicies(orgIn(stack.endpoint, ORG_MANAGEMENT_ACCOUNT), none.accountId, 'SERVICE_CONTROL_POLICY', 'the management account'),
        { status: 'disabled' },
      );
    });

    it('the management account itself can be placed in the OUs (the only way moto puts a chosen ID, e.g. staging, in the tree)', async () => {
      await stack.moto.reset();
      const mine = await seedOrganization(stack.endpoint, {
        management: STAGING_ACCOUNT,
        place: 'management',
        ous: ['x', 'y'],
        scps: [{ name: 'd', document: DENY_DELETE, at: 'account' }],
      });
      const org = orgIn(stack.endpoint, STAGING_ACCOUNT);
      assert.deepEqual(await readOrgPath(org, STAGING_ACCOUNT, mine.organizationId, 'staging'), { status: 'read', paths: [mine.path] });
      const scps = await readControlPolicies(org, STAGING_ACCOUNT, 'SERVICE_CONTROL_POLICY', 'staging');
      assert.equal(scps.status === 'read' && scps.levels.length, 4);
    });

    it('a member that may only DescribeOrganization (moto enforcing IAM): member; the path and the SCPs are unread, naming permission and identity', async () => {
      const describer = await keysAllowedOnly(stack.endpoint, seeded.accountId, 'org-describer', ['organizations:DescribeOrganization']);
      const nobody = await keysAllowedOnly(stack.endpoint, seeded.accountId, 'nobody', []);
      await enforceIam(stack.endpoint, true);
      const org = orgWithKeys(stack.endpoint, describer);
      const who = 'user org-describer';
      assert.deepEqual(await readOrganization(org, who), {
        status: 'member',
        organizationId: seeded.organizationId,
        managementAccountId: ORG_MANAGEMENT_ACCOUNT,
      });

      const path = await readOrgPath(org, seeded.accountId, seeded.organizationId, who);
      assert.equal(path.status, 'unread');
      assert.match(
        (path as { reason: string }).reason,
        /^organizations:ListParents was denied for user org-describer \(only the organization's management account or a delegated administrator may call it\) \(HTTP 403\), so the OU path of account \d{12} \(aws:PrincipalOrgPaths\) could not be read and did not enter the verdict\.$/,
      );

      const scps = await readControlPolicies(org, seeded.accountId, 'SERVICE_CONTROL_POLICY', who);
      assert.equal(scps.status, 'unread');
      assert.match(
        (scps as { reason: string }).reason,
        /^organizations:ListRoots was denied for user org-describer .*, so the service control policies over account \d{12} could not be read and did not enter the verdict\.$/,
      );
      assert.doesNotMatch((scps as { reason: string }).reason, /\n/);

      const denied = await readOrganization(orgWithKeys(stack.endpoint, nobody), 'user nobody');
      assert.equal(denied.status, 'unread');
      assert.match(
        (denied as { reason: string }).reason,
        /^organizations:DescribeOrganization was denied for user nobody \(.+\), so the organization \(aws:PrincipalOrgID\) is unknown/,
      );
    });
  });
});

describe('principal and organization reads (SDK-level mocks: AWS error shapes moto does not produce)', () => {
  const credentials = { accessKeyId: 'k', secretAccessKey: 's' };
  const organizations = () => {
    const client = new OrganizationsClient({ region: 'us-east-1', credentials });
    return { client, mock: mockClient(client) };
  };
  const denied = (message = "You don't have permissions to access this resource.") =>
    Object.assign(new Error(message), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });

  it('ListParents refused to a member account (AccessDeniedException, as AWS answers) is unread', async () => {
    const { client, mock } = organizations();
    mock.on(ListParentsCommand).rejects(denied());
    const path = await readOrgPath(client, '004947743811', 'o-abcdefghij', 'role PublishImageStagingReader');
    assert.deepEqual(path, {
      status: 'unread',
      reason:
        "organizations:ListParents was denied for role PublishImageStagingReader (only the organization's management account or a delegated administrator may call it) (AccessDeniedException), so the OU path of account 004947743811 (aws:PrincipalOrgPaths) could not be read and did not enter the verdict.",
    });
  });

  it('DescribeOrganization: AccessDeniedException is unread, AWSOrganizationsNotInUseException is none, a 5xx is a UserError', async () => {
    const { client, mock } = organizations();
    mock
      .on(DescribeOrganizationCommand)
      .rejectsOnce(denied())
      .rejectsOnce(Object.assign(new Error('Your account is not a member of an organization.'), { name: 'AWSOrganizationsNotInUseException' }))
      .rejectsOnce(Object.assign(new Error('internal'), { name: 'ServiceException', $metadata: { httpStatusCode: 500, attempts: 5 } }));
    const unread = await readOrganization(client, 'role R');
    assert.equal(unread.status, 'unread');
    assert.match((unread as { reason: string }).reason, /^organizations:DescribeOrganization was denied for role R \(AccessDeniedException\)/);
    assert.deepEqual(await readOrganization(client, 'role R'), { status: 'none' });
    await assert.rejects(readOrganization(client, 'role R'), /organizations:DescribeOrganization failed after 5 attempts \(ServiceException: internal\)/);
  });

  it('readControlPolicies: a denied DescribePolicy is unread; a policy type pending enable counts as enabled', async () => {
    const { client, mock } = organizations();
    mock.on(ListRootsCommand).resolves({ Roots: [{ Id: 'r-ab12', PolicyTypes: [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'PENDING_ENABLE' }] }] });
    mock.on(ListParentsCommand, { ChildId: '004947743811' }).resolves({ Parents: [{ Id: 'r-ab12', Type: 'ROOT' }] });
    mock.on(ListPoliciesForTargetCommand).resolves({ Policies: [{ Id: 'p-FullAWSAccess', Name: 'FullAWSAccess' }] });
    mock.on(DescribePolicyCommand).rejects(denied());
    const result = await readControlPolicies(client, '004947743811', 'SERVICE_CONTROL_POLICY', 'role R');
    assert.equal(result.status, 'unread');
    assert.match((result as { reason: string }).reason, /^organizations:DescribePolicy was denied for role R/);

    mock
      .on(DescribePolicyCommand)
      .resolves({ Policy: { PolicySummary: { Id: 'p-FullAWSAccess', Name: 'FullAWSAccess' }, Content: JSON.stringify(FULL_ACCESS) } });
    const read = await readControlPolicies(client, '004947743811', 'SERVICE_CONTROL_POLICY', 'role R');
    assert.deepEqual(read.status === 'read' && read.levels.map((level) => level.label), ['account 004947743811', 'root r-ab12']);
  });

  it('a policy name with a newline is quoted inert', async () => {
    const { client, mock } = organizations();
    mock.on(ListRootsCommand).resolves({ Roots: [{ Id: 'r-ab12', PolicyTypes: [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }] }] });
    mock.on(ListParentsCommand).resolves({ Parents: [{ Id: 'r-ab12', Type: 'ROOT' }] });
    mock.on(ListPoliciesForTargetCommand).resolves({ Policies: [{ Id: 'p-evil' }] });
    mock.on(DescribePolicyCommand).resolves({ Policy: { PolicySummary: { Id: 'p-evil', Name: 'x\n::error::pwned' }, Content: JSON.stringify(FULL_ACCESS) } });
    const read = await readControlPolicies(client, '004947743811', 'SERVICE_CONTROL_POLICY', 'role R');
    assert.equal(read.status === 'read' && read.levels[0].policies[0].name, 'service control policy p-evil (x\\u000a::error::pwned)');
  });

  it('readRoleFacts: a denied ListRoleTags is a UserError naming iam:ListRoleTags', async () => {
    const client = new IAMClient({ region: 'us-east-1', credentials });
    const mock = mockClient(client);
    mock.on(GetRoleCommand).resolves({
      Role: {
        Arn: 'arn:aws:iam::004947743811:role/R',
        RoleName: 'R',
        Path: '/',
        RoleId: 'AROAEXAMPLE',
        CreateDate: new Date(),
        AssumeRolePolicyDocument: '{}',
      },
    });
    mock.on(ListRoleTagsCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDenied' }));
    await assert.rejects(readRoleFacts(client, 'R', 'role Reader'), /^UserError: iam:ListRoleTags was denied for role Reader \(AccessDenied: not authorized\)/);
  });
});
