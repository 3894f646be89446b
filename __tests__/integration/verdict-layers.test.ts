// Every layer AWS enforces on a real pull, through the real dist/index.js against moto: the registry
// policy (scope V2: "Amazon ECR ... enforces the registry policy in all ECR requests", ECR User Guide,
// "Private registry permissions in Amazon ECR"), what a pull needs whatever pull-actions says, IAM's
// Resource wildcards across the resource type, repository tags as known keys, absent principal tags.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PutRegistryPolicyCommand, TagResourceCommand } from '@aws-sdk/client-ecr';
import { TagRoleCommand, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { ecrIn, iamIn } from '../../stack/aws.js';
import { startFaultProxy } from '../../stack/fault-proxy.js';
import {
  GRANTED,
  PLATFORM_AGENT as AGENT,
  PROD_ACCOUNT,
  PULL_ACTIONS,
  STAGING_ACCOUNT,
  STAGING_ROLE,
  STAGING_ROLE_ARN,
  TEMPLATE,
  allowlistPolicy,
  crossAccountGrant,
  errorLines,
  presets,
  reportOf,
  repoArn,
  runAction,
  template,
  useMoto,
  writeManifest,
} from '../../stack/fixture.js';

const CODEX = template('codex');
const REGISTRY_STATEMENTS_ON = `arn:aws:ecr:us-east-2:${PROD_ACCOUNT}:repository/*`;

const verifyInputs = { ...presets.verifyRepository, 'registry-id': PROD_ACCOUNT };

/** An allowlist for AGENT that denies everything to a role tagged quarantined=true. */
const QUARANTINE = allowlistPolicy(
  [AGENT],
  [{ Sid: 'Quarantine', Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/quarantined': 'true' } } }],
);

function run(inputs: Record<string, string>) {
  return runAction({ ...verifyInputs, ...inputs }, stack.env, { timeoutMs: 60_000 });
}

type Report = {
  repositories: { repository: string; grant?: { status: string; layer?: string; unknownKeys: string[] }; identity?: { status: string; layer?: string } }[];
  notChecked: { what: string }[];
  findings: { message: string }[];
  plan?: { text: string[] };
};

async function putRegistryPolicy(...statements: object[]): Promise<void> {
  await ecrIn(stack.endpoint, PROD_ACCOUNT).send(
    new PutRegistryPolicyCommand({ policyText: JSON.stringify({ Version: '2012-10-17', Statement: statements }) }),
  );
}

async function tagRepository(repository: string, tags: Record<string, string>): Promise<void> {
  await ecrIn(stack.endpoint, PROD_ACCOUNT).send(
    new TagResourceCommand({ resourceArn: repoArn(repository), tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }),
  );
}

async function tagRole(tags: Record<string, string>): Promise<void> {
  await iamIn(stack.endpoint, STAGING_ACCOUNT).send(
    new TagRoleCommand({ RoleName: STAGING_ROLE, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }),
  );
}

/** Both sides allow AGENT (and CODEX): only the layer a test adds decides. */
async function seedBothSides(repositories = [AGENT]): Promise<void> {
  for (const repository of repositories) await stack.setRepositoryPolicy(repository, GRANTED);
  await stack.seedStaging(allowlistPolicy(repositories));
}

const stack = useMoto({ repositories: [AGENT, CODEX] });

describe('every layer of a real pull (moto, through dist/index.js)', () => {
  it('the incident shape still passes with both sides allowed and no registry policy', async () => {
    await seedBothSides();
    const result = await run({});
    assert.equal(result.exitCode, 0, result.log);
    assert.equal(result.outputs.drift, 'false');
  });

  const registryDenies: [string, object, RegExp][] = [
    [
      'a registry Deny for the staging account',
      { Sid: 'DenyLegacyPulls', Effect: 'Deny', Principal: { AWS: STAGING_ACCOUNT }, Action: 'ecr:BatchGetImage', Resource: REGISTRY_STATEMENTS_ON },
      /statement "DenyLegacyPulls" of the registry policy of 153263036946 denies ecr:BatchGetImage/,
    ],
    [
      'a registry Deny for everyone on a prefix',
      { Sid: 'DenyAgents', Effect: 'Deny', Principal: '*', Action: 'ecr:*', Resource: `arn:aws:ecr:us-east-2:${PROD_ACCOUNT}:repository/molecule-ai/*` },
      /statement "DenyAgents" of the registry policy of 153263036946 denies/,
    ],
    [
      'a registry Deny through NotResource',
      { Sid: 'OnlyPublic', Effect: 'Deny', Principal: '*', Action: 'ecr:*', NotResource: `arn:aws:ecr:us-east-2:${PROD_ACCOUNT}:repository/public/*` },
      /statement "OnlyPublic" of the registry policy of 153263036946 denies/,
    ],
    [
      'a data perimeter on aws:PrincipalOrgID (staging is in no organization)',
      {
        Sid: 'Perimeter',
        Effect: 'Deny',
        Principal: '*',
        Action: 'ecr:*',
        Resource: '*',
        Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
      },
      /statement "Perimeter" of the registry policy of 153263036946 denies/,
    ],
  ];
  for (const [name, statement, message] of registryDenies) {
    it(`${name} denies the pull (scope V2), although both other sides allow it; nothing is written`, async () => {
      await seedBothSides();
      await putRegistryPolicy(statement);
      const before = await stack.writableState();
      const result = await run({});
      assert.equal(result.exitCode, 1, result.log);
      assert.equal(result.outputs.missing, JSON.stringify([AGENT]));
      const grant = reportOf<Report>(result).repositories[0].grant!;
      assert.deepEqual([grant.status, grant.layer], ['denied', 'registry']);
      assert.ok(
        errorLines(result.log).some((line) => message.test(line) && /This action does not edit registry policies/.test(line)),
        result.log,
      );
      assert.deepEqual(await stack.writableState(), before);
    });
  }

  it('a registry Deny outside a VPC endpoint is conditional, naming aws:SourceVpce', async () => {
    await seedBothSides();
    await putRegistryPolicy({
      Sid: 'OnlyVpce',
      Effect: 'Deny',
      Principal: '*',
      Action: 'ecr:*',
      Resource: '*',
      Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-1a2b' } },
    });
    const result = await run({});
    assert.equal(result.exitCode, 1, result.log);
    const grant = reportOf<Report>(result).repositories[0].grant!;
    assert.deepEqual([grant.status, grant.layer, grant.unknownKeys], ['conditional', 'registry', ['aws:SourceVpce']]);
    assert.match(result.log, /statement "OnlyVpce" of the registry policy of 153263036946 decides ecr:BatchGetImage .* only depending on aws:SourceVpce/);
  });

  it('a registry-level Allow without a repository grant is not counted, and is said with the fix', async () => {
    await stack.seedStaging(allowlistPolicy([AGENT]));
    await putRegistryPolicy({
      Sid: 'CentralPull',
      Effect: 'Allow',
      Principal: { AWS: STAGING_ACCOUNT },
      Action: PULL_ACTIONS,
      Resource: REGISTRY_STATEMENTS_ON,
    });
    const result = await run({});
    assert.equal(result.exitCode, 1, result.log);
    const grant = reportOf<Report>(result).repositories[0].grant!;
    assert.deepEqual([grant.status, grant.layer], ['missing', 'resource']);
    assert.ok(
      errorLines(result.log).some((line) =>
        line.includes(
          'statement "CentralPull" of the registry policy of 153263036946 allows it, but ECR does not document registry-level grants for pulls: add the repository grant',
        ),
      ),
      result.log,
    );
  });

  it('a registry Deny on one repository of a manifest: only it is missing; reconcile names the statement and writes nothing for it', async () => {
    await stack.setRepositoryPolicy(AGENT, GRANTED);
    await stack.seedStaging(allowlistPolicy([AGENT]));
    await putRegistryPolicy({ Sid: 'DenyCodex', Effect: 'Deny', Principal: '*', Action: 'ecr:*', Resource: repoArn(CODEX) });
    const onlyCodex = await runAction(
      {
        ...verifyInputs,
        repository: '',
        manifest: writeManifest(['codex']),
        'repository-template': TEMPLATE,
        'extra-repositories': AGENT,
      },
      stack.env,
    );
    assert.equal(onlyCodex.exitCode, 1, onlyCodex.log);
    assert.equal(onlyCodex.outputs.missing, JSON.stringify([CODEX]));

    const reconciled = await runAction(
      {
        ...verifyInputs,
        mode: 'reconcile',
        repository: '',
        manifest: writeManifest(['codex']),
        'repository-template': TEMPLATE,
        'extra-repositories': AGENT,
        'pull-principals': STAGING_ROLE_ARN,
      },
      stack.env,
    );
    assert.equal(reconciled.exitCode, 1, reconciled.log);
    assert.match(
      reconciled.log,
      /! molecule-ai\/workspace-template-codex: the registry policy \(statement "DenyCodex"\) denies the pull; reconcile does not edit the registry policy, so it writes nothing for this repository/,
    );
    assert.equal(await stack.storedRepositoryPolicy(CODEX), undefined, 'no grant written where a registry Deny wins');
    assert.ok(!JSON.stringify(await stack.storedAllowlist()).includes(repoArn(CODEX)), 'no allowlist entry written where a registry Deny wins');
  });

  it('a denied ecr:GetRegistryPolicy stops the run naming the permission: a registry Deny is never assumed away', async () => {
    await seedBothSides();
    const proxy = await startFaultProxy(stack.endpoint);
    try {
      proxy.setRules([{ operation: 'GetRegistryPolicy', fault: 'access-denied' }]);
      const result = await runAction({ ...verifyInputs, repository: AGENT }, { ...stack.env, AWS_ENDPOINT_URL: proxy.endpoint }, { timeoutMs: 60_000 });
      assert.equal(result.exitCode, 1, result.log);
      const [line] = errorLines(result.log);
      assert.match(line, /^ecr:GetRegistryPolicy was denied for the current credentials .*Allow ecr:GetRegistryPolicy/);
    } finally {
      await proxy.stop();
    }
  });

  it('pull-actions without what a pull needs is refused before anything is written', async () => {
    await stack.seedStaging(allowlistPolicy([CODEX]));
    const before = await stack.writableState();
    const result = await run({ mode: 'reconcile', 'pull-principals': STAGING_ROLE_ARN, 'pull-actions': 'ecr:BatchGetImage' });
    assert.equal(result.exitCode, 1, result.log);
    assert.deepEqual(errorLines(result.log), [
      'pull-actions: lacks ecr:GetDownloadUrlForLayer, which every docker pull calls, so a grant of ecr:BatchGetImage lets nobody pull. Add ecr:GetDownloadUrlForLayer (or leave pull-actions unset for the three pull actions).',
    ]);
    assert.deepEqual(await stack.writableState(), before);
  });

  it('a grant of the two actions a pull calls passes (ecr:BatchCheckLayerAvailability is not needed to pull)', async () => {
    await stack.setRepositoryPolicy(AGENT, {
      Version: '2012-10-17',
      Statement: [{ Sid: 'Pull', Effect: 'Allow', Principal: { AWS: STAGING_ROLE_ARN }, Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] }],
    });
    await stack.seedStaging(allowlistPolicy([AGENT]));
    const result = await run({});
    assert.equal(result.exitCode, 0, result.log);
  });

  it('an identity Deny whose Resource wildcard spans the resource type denies the pull', async () => {
    await stack.setRepositoryPolicy(AGENT, GRANTED);
    await stack.seedStaging(
      allowlistPolicy([AGENT], [{ Sid: 'NoMolecule', Effect: 'Deny', Action: 'ecr:*', Resource: `arn:aws:ecr:us-east-2:${PROD_ACCOUNT}:repo*/molecule-ai/*` }]),
    );
    const result = await run({});
    assert.equal(result.exitCode, 1, result.log);
    const identity = reportOf<Report>(result).repositories[0].identity!;
    assert.deepEqual([identity.status, identity.layer], ['denied', 'identity']);
    assert.match(result.log, /statement "NoMolecule" of inline policy WorkspaceTemplatePrimaryECRPull denies ecr:BatchGetImage/);
  });

  it('ABAC on repository tags (aws:ResourceTag/team = ${aws:PrincipalTag/team}) is decided from the tags read', async () => {
    await stack.setRepositoryPolicy(AGENT, GRANTED);
    await stack.setRepositoryPolicy(CODEX, GRANTED);
    await stack.seedStaging({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'EcrLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
        {
          Sid: 'TeamPull',
          Effect: 'Allow',
          Action: PULL_ACTIONS,
          Resource: '*',
          Condition: { StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } },
        },
      ],
    });
    await tagRole({ team: 'platform' });
    await tagRepository(AGENT, { team: 'platform' });
    await tagRepository(CODEX, { team: 'billing' });
    const ours = await run({});
    assert.equal(ours.exitCode, 0, ours.log);
    const theirs = await run({ repository: CODEX });
    assert.equal(theirs.exitCode, 1, theirs.log);
    assert.deepEqual(reportOf(theirs).repositories[0].identity?.status, 'missing');
  });

  it('a tag-conditioned grant and a tag-conditioned Deny are decided from the repository tags', async () => {
    await stack.setRepositoryPolicy(AGENT, {
      Version: '2012-10-17',
      Statement: [{ ...crossAccountGrant(), Condition: { StringEquals: { 'aws:ResourceTag/share': 'staging' } } }],
    });
    await stack.seedStaging(
      allowlistPolicy(
        [AGENT],
        [{ Sid: 'NoQuarantined', Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringEquals: { 'ecr:ResourceTag/quarantine': 'true' } } }],
      ),
    );
    await tagRepository(AGENT, { share: 'staging' });
    const shared = await run({});
    assert.equal(shared.exitCode, 0, shared.log);
    await tagRepository(AGENT, { quarantine: 'true' });
    const quarantined = await run({});
    assert.equal(quarantined.exitCode, 1, quarantined.log);
    assert.match(quarantined.log, /statement "NoQuarantined" of inline policy WorkspaceTemplatePrimaryECRPull denies/);
  });

  it('a Deny on a principal tag the role does not carry does not apply when no session can add one (absent)', async () => {
    await seedBothSides();
    await stack.putAllowlist(QUARANTINE);
    const result = await run({});
    assert.equal(result.exitCode, 0, result.log);
  });

  it('when the trust policy allows sts:TagSession, the same Deny is conditional: a session tag could carry it', async () => {
    await seedBothSides();
    await iamIn(stack.endpoint, STAGING_ACCOUNT).send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: STAGING_ROLE,
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: ['sts:AssumeRole', 'sts:TagSession'] }],
        }),
      }),
    );
    await stack.putAllowlist(QUARANTINE);
    const result = await run({});
    assert.equal(result.exitCode, 1, result.log);
    assert.deepEqual(reportOf<Report>(result).repositories[0].identity?.status, 'conditional');
    assert.match(result.log, /only depending on aws:PrincipalTag\/quarantined/);
  });
});
