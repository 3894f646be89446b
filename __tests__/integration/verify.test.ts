import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, beforeEach, describe, it } from 'node:test';
import { errorLines, runAction } from '../../stack/action.js';
import { CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { iamIn } from '../../stack/aws.js';
import { PROD_ACCOUNT, STAGING_ACCOUNT } from '../../stack/engine.js';
import { startMoto, type Moto } from '../../stack/moto.js';
import { prodEnvironment } from '../../stack/prod.js';
import {
  ALLOWLIST_POLICY,
  INCIDENT_ALLOWLIST,
  PULL_ACTIONS,
  READER_ROLE_ARN,
  STAGING_ROLE_ARN,
  allowlistPolicy,
  crossAccountGrant,
  putAllowlist,
  repoArn,
  seedStaging,
  setRepositoryPolicy,
  storedAllowlist,
  storedRepositoryPolicy,
} from '../../stack/staging.js';

const PLATFORM_AGENT = 'molecule-ai/molecule-platform-agent';
let moto: Moto;
let env: NodeJS.ProcessEnv;

const verifyInputs = (extra: Record<string, string> = {}): Record<string, string> => ({
  mode: 'verify',
  repository: PLATFORM_AGENT,
  'registry-id': '153263036946',
  'staging-role-arn': STAGING_ROLE_ARN,
  'staging-policy-name': ALLOWLIST_POLICY,
  'staging-assume-role-arn': READER_ROLE_ARN,
  ...extra,
});

async function verify(extra: Record<string, string> = {}) {
  return runAction(verifyInputs(extra), env, { timeoutMs: 60_000 });
}

describe('verify one repository (moto: prod registry, staging IAM)', () => {
  before(async () => {
    moto = await startMoto();
  });
  after(async () => moto?.stop());
  beforeEach(async () => {
    await moto.reset();
    env = await prodEnvironment(moto, [PLATFORM_AGENT, 'molecule-ai/workspace-template-codex']);
    await setRepositoryPolicy(moto.endpoint, PLATFORM_AGENT, {
      Version: '2012-10-17',
      Statement: [crossAccountGrant([`arn:aws:iam::${STAGING_ACCOUNT}:root`, STAGING_ROLE_ARN])],
    });
  });

  it('replays incident #3054: the grant exists, the allowlist lacks the repository; fixed, it passes; nothing is written', async () => {
    await seedStaging(moto.endpoint, allowlistPolicy(INCIDENT_ALLOWLIST));
    const policyBefore = await storedRepositoryPolicy(moto.endpoint, PLATFORM_AGENT);

    const failing = await verify();
    assert.equal(failing.exitCode, 1, failing.log);
    assert.equal(failing.outputs.drift, 'true');
    assert.deepEqual(JSON.parse(failing.outputs.missing), [PLATFORM_AGENT]);
    assert.match(failing.log, /molecule-ai\/molecule-platform-agent\s+ok\s+missing\s+-\s+drift/, 'the table names the identity side');
    const finding = errorLines(failing.log).find((line) => line.includes('may not'));
    assert.ok(finding, failing.log);
    assert.match(
      finding,
      new RegExp(
        `Add "${repoArn(PLATFORM_AGENT).replace(/[/.]/g, '\\$&')}" to the Resource list of inline policy ${ALLOWLIST_POLICY} on role MoleculeTenantEICRole-staging \\(account 004947743811\\)`,
      ),
    );
    assert.match(errorLines(failing.log).at(-1)!, /staging cannot pull molecule-ai\/molecule-platform-agent: cross-account pull drift/);
    assert.match(failing.summary, /molecule-platform-agent/);
    const report = JSON.parse(readFileSync(failing.outputs.report, 'utf8'));
    assert.equal(report.repositories[0].identity.status, 'missing');

    await putAllowlist(moto.endpoint, allowlistPolicy([...INCIDENT_ALLOWLIST, PLATFORM_AGENT]));
    const passing = await verify();
    assert.equal(passing.exitCode, 0, passing.log);
    assert.equal(passing.outputs.drift, 'false');
    assert.equal(passing.outputs.missing, '[]');
    assert.equal(passing.outputs['repository-policy-changed'], 'false');
    assert.deepEqual(await storedRepositoryPolicy(moto.endpoint, PLATFORM_AGENT), policyBefore, 'verify writes nothing');
  });

  const identityCases: [string, object, string, RegExp | undefined][] = [
    ['a name-prefix wildcard allowlist', allowlistPolicy(['molecule-ai/*']), 'ok', undefined],
    [
      'a NotResource allowlist that excludes something else',
      { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['ecr:*'], NotResource: repoArn('molecule-ai/secret') }] },
      'ok',
      undefined,
    ],
    [
      'a NotResource allowlist that excludes this repository',
      { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['ecr:*'], NotResource: repoArn('molecule-ai/molecule-*') }] },
      'missing',
      /may not ecr:BatchGetImage/,
    ],
    [
      'an explicit Deny',
      allowlistPolicy([PLATFORM_AGENT], [{ Sid: 'NoPlatformAgent', Effect: 'Deny', Action: 'ecr:BatchGetImage', Resource: repoArn(PLATFORM_AGENT) }]),
      'denied',
      /statement "NoPlatformAgent" of inline policy WorkspaceTemplatePrimaryECRPull denies ecr:BatchGetImage on .* for role MoleculeTenantEICRole-staging/,
    ],
    [
      'a conditional allow',
      {
        Version: '2012-10-17',
        Statement: [
          { Sid: 'EcrLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
          {
            Sid: 'OnlyFromVpc',
            Effect: 'Allow',
            Action: PULL_ACTIONS,
            Resource: repoArn(PLATFORM_AGENT),
            Condition: { StringEquals: { 'aws:SourceVpc': 'vpc-1' } },
          },
        ],
      },
      'conditional',
      /statement "OnlyFromVpc" .* only depending on aws:SourceVpc, which only the pull itself knows: "conditional"/,
    ],
  ];
  for (const [what, policy, identity, message] of identityCases) {
    it(`judges ${what}: identity ${identity}`, async () => {
      await seedStaging(moto.endpoint, policy);
      const run = await verify();
      const report = JSON.parse(readFileSync(run.outputs.report, 'utf8'));
      assert.equal(report.repositories[0].identity.status, identity === 'ok' ? 'allowed' : identity, run.log);
      assert.equal(run.exitCode, identity === 'ok' ? 0 : 1, run.log);
      if (message)
        assert.ok(
          errorLines(run.log).some((line) => message.test(line)),
          run.log,
        );
    });
  }

  it('says when the role does not exist', async () => {
    await seedStaging(moto.endpoint, undefined);
    const run = await verify({ 'staging-role-arn': `arn:aws:iam::${STAGING_ACCOUNT}:role/Gone` });
    assert.equal(run.exitCode, 1);
    assert.ok(
      errorLines(run.log).some((line) => /role Gone does not exist in account 004947743811.*fix staging-role-arn/.test(line)),
      run.log,
    );
  });

  it('says when the named inline policy is not on the role', async () => {
    await seedStaging(moto.endpoint, allowlistPolicy([PLATFORM_AGENT]));
    const run = await verify({ 'staging-policy-name': 'SomethingElse' });
    assert.equal(run.exitCode, 1);
    assert.ok(
      errorLines(run.log).some((line) =>
        /inline policy SomethingElse is not on role MoleculeTenantEICRole-staging .* it has WorkspaceTemplatePrimaryECRPull/.test(line),
      ),
      run.log,
    );
  });

  it('reports a missing grant with the exact statement to add', async () => {
    await seedStaging(moto.endpoint, allowlistPolicy([PLATFORM_AGENT]));
    await setRepositoryPolicy(moto.endpoint, PLATFORM_AGENT, { Version: '2012-10-17', Statement: [crossAccountGrant(['arn:aws:iam::111111111111:root'])] });
    const run = await verify();
    assert.equal(run.exitCode, 1);
    assert.match(run.log, /molecule-ai\/molecule-platform-agent\s+missing\s+allowed/);
    const fix = errorLines(run.log).find((line) => line.includes('Add this statement'));
    assert.ok(fix, run.log);
    assert.ok(
      fix.includes(
        `{"Sid":"PublishImageCrossAccountPull","Effect":"Allow","Principal":{"AWS":"${STAGING_ROLE_ARN}"},"Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer","ecr:BatchCheckLayerAvailability"]}`,
      ),
      fix,
    );
  });

  it('requires ecr:GetAuthorizationToken on * for the pulling role', async () => {
    await seedStaging(moto.endpoint, { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: PULL_ACTIONS, Resource: repoArn(PLATFORM_AGENT) }] });
    const run = await verify();
    assert.equal(run.exitCode, 1);
    assert.ok(
      errorLines(run.log).some((line) => /may not call ecr:GetAuthorizationToken on "\*"/.test(line)),
      run.log,
    );
  });

  it('reads IAM with the current credentials when no role is to be assumed', async () => {
    // One set of keys reads both sides only when the pulling role lives in the registry's account
    // (moto keeps each account's ECR apart, as AWS does without a cross-account read grant).
    const prodIam = iamIn(moto.endpoint, PROD_ACCOUNT);
    await prodIam.send(new CreateRoleCommand({ RoleName: 'Puller', AssumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[]}' }));
    await prodIam.send(
      new PutRolePolicyCommand({ RoleName: 'Puller', PolicyName: ALLOWLIST_POLICY, PolicyDocument: JSON.stringify(allowlistPolicy([PLATFORM_AGENT])) }),
    );
    const puller = `arn:aws:iam::${PROD_ACCOUNT}:role/Puller`;
    await setRepositoryPolicy(moto.endpoint, PLATFORM_AGENT, { Version: '2012-10-17', Statement: [crossAccountGrant([puller])] });
    const run = await runAction(verifyInputs({ 'staging-assume-role-arn': '', 'staging-role-arn': puller }), env, { timeoutMs: 60_000 });
    assert.equal(run.exitCode, 0, run.log);
    assert.match(run.log, /molecule-ai\/molecule-platform-agent\s+ok\s+allowed/);
  });

  it('warns about foreign statements that make the repository public; a unique-ID principal is drift', async () => {
    await seedStaging(moto.endpoint, allowlistPolicy([PLATFORM_AGENT]));
    await setRepositoryPolicy(moto.endpoint, PLATFORM_AGENT, {
      Version: '2012-10-17',
      Statement: [
        crossAccountGrant(),
        { Sid: 'Public', Effect: 'Allow', Principal: '*', Action: 'ecr:BatchGetImage' },
        { Sid: 'Stale', Effect: 'Allow', Principal: { AWS: 'AROAEXAMPLEUNIQUEID1' }, Action: 'ecr:BatchGetImage' },
      ],
    });
    const run = await verify();
    assert.equal(run.exitCode, 1, run.log);
    assert.match(run.log, /::warning::statement "Public" of the repository policy of molecule-ai\/molecule-platform-agent lets anyone pull/);
    assert.match(run.log, /molecule-ai\/molecule-platform-agent\s+stale principal\s+allowed\s+-\s+drift/);
    assert.ok(
      errorLines(run.log).some((line) => /statement "Stale" .* names principal AROAEXAMPLEUNIQUEID1, a unique ID: the role it named was deleted/.test(line)),
      run.log,
    );
  });

  it('simulate: asks IAM SimulatePrincipalPolicy too, and only warns when it cannot (moto answers 500)', async () => {
    await seedStaging(moto.endpoint, allowlistPolicy([PLATFORM_AGENT]));
    const run = await verify({ simulate: 'true' });
    assert.equal(run.exitCode, 0, run.log);
    assert.match(
      run.log,
      /::warning::simulate: could not cross-check arn:aws:ecr:us-east-2:153263036946:repository\/molecule-ai\/molecule-platform-agent with iam:SimulatePrincipalPolicy/,
    );
    assert.match(run.summary, /simulate: could not cross-check/);
  });

  it('reconcile replaces a unique-ID principal in its own statement with the current ARN', async () => {
    await seedStaging(moto.endpoint, allowlistPolicy([PLATFORM_AGENT]));
    const stale = { Sid: 'PublishImageCrossAccountPull', Effect: 'Allow', Principal: { AWS: ['AROAEXAMPLEUNIQUEID1'] }, Action: PULL_ACTIONS };
    await setRepositoryPolicy(moto.endpoint, PLATFORM_AGENT, { Version: '2012-10-17', Statement: [crossAccountGrant(), stale] });
    const reconciled = await runAction(verifyInputs({ mode: 'reconcile', 'pull-principals': STAGING_ROLE_ARN }), env, { timeoutMs: 60_000 });
    assert.equal(reconciled.exitCode, 0, reconciled.log);
    assert.match(reconciled.log, /\+ grant {6}molecule-ai\/molecule-platform-agent/);
    const stored = (await storedRepositoryPolicy(moto.endpoint, PLATFORM_AGENT)) as { Statement: { Principal: unknown }[] };
    assert.deepEqual(stored.Statement[1].Principal, { AWS: [STAGING_ROLE_ARN] });
    assert.equal((await verify()).exitCode, 0);
  });

  it('leaves the staging allowlist untouched', async () => {
    const policy = allowlistPolicy(INCIDENT_ALLOWLIST);
    await seedStaging(moto.endpoint, policy);
    await verify();
    assert.deepEqual(await storedAllowlist(moto.endpoint), policy);
  });
});
