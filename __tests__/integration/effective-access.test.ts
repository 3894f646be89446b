// Effective access through the real dist/index.js against moto: permissions boundaries, organization
// conditions, SCPs, role paths, NotPrincipal, login, and who read what. Each case is decided as AWS
// decides it ("Policy evaluation logic", IAM User Guide), never as a text match.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { iamIn } from '../../stack/aws.js';
import { seedOrganization, seedRoleWithBoundary } from '../../stack/organizations.js';
import {
  ALLOWLIST_POLICY,
  PLATFORM_AGENT as REPOSITORY,
  PROD_ACCOUNT,
  PULL_ACTIONS,
  STAGING_ACCOUNT,
  STAGING_ROLE as ROLE,
  allowlistPolicy,
  crossAccountGrant,
  errorLines,
  presets,
  reportOf as readReport,
  repoArn,
  runAction,
  useMoto,
} from '../../stack/fixture.js';

const trustAnyone = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }] });

const stack = useMoto({ repositories: [REPOSITORY] });

/** The pulling role (with a path, tags, maybe a boundary) and a reader role, in `account`. */
async function seedPullingRole(
  account: string,
  options: { path?: string; tags?: Record<string, string>; boundary?: object; allowlist?: object } = {},
): Promise<string> {
  const { roleArn } = await seedRoleWithBoundary(stack.endpoint, account, {
    roleName: ROLE,
    path: options.path,
    tags: options.tags,
    boundaryVersions: options.boundary ? [{ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }] }, options.boundary] : undefined,
  });
  const iam = iamIn(stack.endpoint, account);
  await iam.send(new CreateRoleCommand({ RoleName: 'PublishImageStagingReader', AssumeRolePolicyDocument: trustAnyone }));
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: ROLE,
      PolicyName: ALLOWLIST_POLICY,
      PolicyDocument: JSON.stringify(options.allowlist ?? allowlistPolicy([REPOSITORY])),
    }),
  );
  return roleArn;
}

function verify(account: string, extra: Record<string, string> = {}) {
  return runAction(
    {
      ...presets.verifyRepository,
      'staging-role-arn': `arn:aws:iam::${account}:role/${ROLE}`,
      'staging-assume-role-arn': `arn:aws:iam::${account}:role/PublishImageStagingReader`,
      ...extra,
    },
    stack.env,
    { timeoutMs: 60_000 },
  );
}

function reportOf(run: { outputs: Record<string, string> }) {
  return readReport<{
    repositories: { identity?: { status: string; layer?: string; unknownKeys: string[] }; grant?: { status: string; layer?: string } }[];
    notChecked: { what: string }[];
    warnings: string[];
    findings: { message: string }[];
  }>(run);
}

describe('effective access: what AWS would decide for a session of the staging role (moto)', () => {
  it('a permissions boundary that does not allow pulling fails the identity side, naming the boundary', async () => {
    await stack.setRepositoryPolicy(REPOSITORY, { Version: '2012-10-17', Statement: [crossAccountGrant()] });
    await seedPullingRole(STAGING_ACCOUNT, {
      boundary: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['ecr:GetAuthorizationToken', 's3:*'], Resource: '*' }] },
    });
    const before = await stack.writableState();
    const run = await verify(STAGING_ACCOUNT);
    assert.equal(run.exitCode, 1, run.log);
    assert.equal(run.outputs.missing, JSON.stringify([REPOSITORY]));
    const identity = reportOf(run).repositories[0].identity!;
    assert.deepEqual([identity.status, identity.layer], ['missing', 'boundary']);
    assert.ok(
      errorLines(run.log).some((line) => /permissions boundary arn:aws:iam::004947743811:policy\/boundaries\/.* does not allow ecr:/.test(line)),
      run.log,
    );
    assert.deepEqual(await stack.writableState(), before, 'verify writes nothing');
  });

  it('a permissions boundary that allows pulling (default version) passes: an allow it can prove', async () => {
    await stack.setRepositoryPolicy(REPOSITORY, { Version: '2012-10-17', Statement: [crossAccountGrant()] });
    await seedPullingRole(STAGING_ACCOUNT, { boundary: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:*', Resource: '*' }] } });
    const run = await verify(STAGING_ACCOUNT);
    assert.equal(run.exitCode, 0, run.log);
    assert.equal(run.outputs.drift, 'false');
  });

  it('the org-wide grant (Principal "*" limited by aws:PrincipalOrgID) passes for a member account, and is reported as limited, not public', async () => {
    const organization = await seedOrganization(stack.endpoint, { management: STAGING_ACCOUNT, place: 'management' });
    await stack.setRepositoryPolicy(REPOSITORY, {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'OrgPull',
          Effect: 'Allow',
          Principal: '*',
          Action: PULL_ACTIONS,
          Condition: { StringEquals: { 'aws:PrincipalOrgID': organization.organizationId } },
        },
      ],
    });
    await seedPullingRole(STAGING_ACCOUNT);
    const run = await verify(STAGING_ACCOUNT);
    assert.equal(run.exitCode, 0, run.log);
    assert.equal(reportOf(run).repositories[0].grant!.status, 'allowed');
    assert.match(run.log, new RegExp(`statement "OrgPull" .* lets any principal pull, limited to aws:PrincipalOrgID ${organization.organizationId}`));
    assert.doesNotMatch(run.log, /lets anyone pull/);
  });

  it('the same grant for another organization is missing on the repository side', async () => {
    await seedOrganization(stack.endpoint, { management: STAGING_ACCOUNT, place: 'management' });
    await stack.setRepositoryPolicy(REPOSITORY, {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'OrgPull', Effect: 'Allow', Principal: '*', Action: PULL_ACTIONS, Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-otherorg123' } } },
      ],
    });
    await seedPullingRole(STAGING_ACCOUNT);
    const run = await verify(STAGING_ACCOUNT);
    assert.equal(run.exitCode, 1, run.log);
    assert.equal(reportOf(run).repositories[0].grant!.status, 'missing');
  });

  it('a grant that depends on the VPC endpoint of the pull is conditional, naming the key, never a pass', async () => {
    await stack.setRepositoryPolicy(REPOSITORY, {
      Version: '2012-10-17',
      Statement: [{ Sid: 'OrgPull', Effect: 'Allow', Principal: '*', Action: PULL_ACTIONS, Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-1' } } }],
    });
    await seedPullingRole(STAGING_ACCOUNT);
    const run = await verify(STAGING_ACCOUNT);
    assert.equal(run.exitCode, 1, run.log);
    const grant = reportOf(run).repositories[0].grant!;
    assert.equal(grant.status, 'conditional');
    assert.ok(
      errorLines(run.log).some((line) => /depending on aws:SourceVpce, which only the pull itself knows/.test(line)),
      run.log,
    );
  });

  it('an SCP that denies pulling, read through organization-assume-role-arn, denies; without the input the report says SCPs were not checked', async () => {
    const organization = await seedOrganization(stack.endpoint, {
      ous: ['workloads', 'staging'],
      scps: [
        {
          name: 'NoEcrPull',
          at: 1,
          document: { Version: '2012-10-17', Statement: [{ Sid: 'NoPull', Effect: 'Deny', Action: 'ecr:BatchGetImage', Resource: '*' }] },
        },
      ],
    });
    const staging = organization.accountId;
    await iamIn(stack.endpoint, organization.managementAccountId).send(new CreateRoleCommand({ RoleName: 'OrgReader', AssumeRolePolicyDocument: trustAnyone }));
    await stack.setRepositoryPolicy(REPOSITORY, { Version: '2012-10-17', Statement: [crossAccountGrant([`arn:aws:iam::${staging}:root`])] });
    await seedPullingRole(staging);

    const denied = await verify(staging, { 'organization-assume-role-arn': `arn:aws:iam::${organization.managementAccountId}:role/OrgReader` });
    assert.equal(denied.exitCode, 1, denied.log);
    const identity = reportOf(denied).repositories[0].identity!;
    assert.deepEqual([identity.status, identity.layer], ['denied', 'scp']);
    assert.ok(
      errorLines(denied.log).some((line) => /statement "NoPull" of service control policy .*NoEcrPull.* denies ecr:BatchGetImage/.test(line)),
      denied.log,
    );

    const unchecked = await verify(staging);
    assert.equal(unchecked.exitCode, 0, unchecked.log);
    assert.ok(reportOf(unchecked).notChecked.some((item) => item.what === 'service-control-policies'));
    assert.match(unchecked.log, /service control policies not checked \(organization-assume-role-arn is not set\)/);
  });

  it('a role with a path: the input may omit it, and a grant naming the role ARN with its path covers its sessions', async () => {
    const roleArn = await seedPullingRole(STAGING_ACCOUNT, { path: '/tenants/eic/' });
    assert.equal(roleArn, `arn:aws:iam::${STAGING_ACCOUNT}:role/tenants/eic/${ROLE}`);
    await stack.setRepositoryPolicy(REPOSITORY, { Version: '2012-10-17', Statement: [crossAccountGrant([roleArn])] });
    const run = await verify(STAGING_ACCOUNT);
    assert.equal(run.exitCode, 0, run.log);
  });

  it('a NotPrincipal Deny naming the role and its account but not the session denies the session (IAM: "NotPrincipal")', async () => {
    await stack.setRepositoryPolicy(REPOSITORY, {
      Version: '2012-10-17',
      Statement: [
        crossAccountGrant(),
        {
          Sid: 'OnlyStaging',
          Effect: 'Deny',
          NotPrincipal: { AWS: [`arn:aws:iam::${STAGING_ACCOUNT}:role/${ROLE}`, `arn:aws:iam::${STAGING_ACCOUNT}:root`] },
          Action: 'ecr:*',
        },
      ],
    });
    await seedPullingRole(STAGING_ACCOUNT);
    const run = await verify(STAGING_ACCOUNT);
    assert.equal(run.exitCode, 1, run.log);
    assert.equal(reportOf(run).repositories[0].grant!.status, 'denied');
    assert.ok(
      errorLines(run.log).some((line) => /statement "OnlyStaging" of the repository policy .* denies ecr:/.test(line)),
      run.log,
    );
  });

  it('a role that may not call ecr:GetAuthorizationToken can pull nothing: every repository is missing and says the login fails', async () => {
    await stack.setRepositoryPolicy(REPOSITORY, { Version: '2012-10-17', Statement: [crossAccountGrant()] });
    await seedPullingRole(STAGING_ACCOUNT, {
      allowlist: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: PULL_ACTIONS, Resource: repoArn(REPOSITORY) }] },
    });
    const run = await verify(STAGING_ACCOUNT);
    assert.equal(run.exitCode, 1, run.log);
    assert.equal(run.outputs.missing, JSON.stringify([REPOSITORY]));
    assert.ok(
      errorLines(run.log).some((line) => /docker login fails for MoleculeTenantEICRole-staging/.test(line)),
      run.log,
    );
    assert.match(run.log, /molecule-platform-agent\s+ok\s+no login\s+-\s+drift/);
  });

  it("identity statements limited by the role's own tags and by aws:ResourceAccount are decided, not conditional", async () => {
    await stack.setRepositoryPolicy(REPOSITORY, { Version: '2012-10-17', Statement: [crossAccountGrant()] });
    await seedPullingRole(STAGING_ACCOUNT, {
      tags: { team: 'platform' },
      allowlist: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
          {
            Effect: 'Allow',
            Action: PULL_ACTIONS,
            Resource: '*',
            Condition: { StringEquals: { 'aws:PrincipalTag/team': 'platform', 'aws:ResourceAccount': PROD_ACCOUNT } },
          },
        ],
      },
    });
    const run = await verify(STAGING_ACCOUNT);
    assert.equal(run.exitCode, 0, run.log);
  });

  it('reading staging IAM in the wrong account says which account it read and what to set', async () => {
    await stack.setRepositoryPolicy(REPOSITORY, { Version: '2012-10-17', Statement: [crossAccountGrant()] });
    await seedPullingRole(STAGING_ACCOUNT);
    const run = await verify(STAGING_ACCOUNT, { 'staging-assume-role-arn': '' });
    assert.equal(run.exitCode, 1, run.log);
    assert.ok(
      errorLines(run.log).some((line) =>
        new RegExp(`account ${PROD_ACCOUNT}, where staging IAM was read — the role is in account ${STAGING_ACCOUNT}\\. Set staging-assume-role-arn`).test(line),
      ),
      run.log,
    );
    assert.doesNotMatch(run.log, /does not exist in account 153263036946/);
  });
});
