import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { iamIn } from '../../stack/aws.js';
import {
  ALLOWLIST_POLICY,
  INCIDENT_ALLOWLIST,
  PLATFORM_AGENT,
  PROD_ACCOUNT,
  PULL_ACTIONS,
  STAGING_ACCOUNT,
  STAGING_ROLE_ARN,
  allowlistPolicy,
  crossAccountGrant,
  errorLines,
  presets,
  reportOf,
  repoArn,
  runAction,
  setRepositoryPolicy,
  template,
  useMoto,
} from '../../stack/fixture.js';

const verifyInputs = (extra: Record<string, string> = {}): Record<string, string> => ({ ...presets.verifyRepository, 'registry-id': PROD_ACCOUNT, ...extra });

async function verify(extra: Record<string, string> = {}) {
  return runAction(verifyInputs(extra), stack.env, { timeoutMs: 60_000 });
}

const stack = useMoto({
  repositories: [PLATFORM_AGENT, template('codex')],
  seed: ({ endpoint }) =>
    setRepositoryPolicy(endpoint, PLATFORM_AGENT, {
      Version: '2012-10-17',
      Statement: [crossAccountGrant([`arn:aws:iam::${STAGING_ACCOUNT}:root`, STAGING_ROLE_ARN])],
    }),
});

describe('verify one repository (moto: prod registry, staging IAM)', () => {
  it('replays incident #3054: the grant exists, the allowlist lacks the repository; fixed, it passes; nothing is written', async () => {
    await stack.seedStaging(allowlistPolicy(INCIDENT_ALLOWLIST));
    const policyBefore = await stack.storedRepositoryPolicy(PLATFORM_AGENT);

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
    const report = reportOf(failing);
    assert.equal(report.repositories[0].identity.status, 'missing');

    await stack.putAllowlist(allowlistPolicy([...INCIDENT_ALLOWLIST, PLATFORM_AGENT]));
    const passing = await verify();
    assert.equal(passing.exitCode, 0, passing.log);
    assert.equal(passing.outputs.drift, 'false');
    assert.equal(passing.outputs.missing, '[]');
    assert.equal(passing.outputs['repository-policy-changed'], 'false');
    assert.deepEqual(await stack.storedRepositoryPolicy(PLATFORM_AGENT), policyBefore, 'verify writes nothing');
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
      await stack.seedStaging(policy);
      const run = await verify();
      const report = reportOf(run);
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
    await stack.seedStaging(undefined);
    const run = await verify({ 'staging-role-arn': `arn:aws:iam::${STAGING_ACCOUNT}:role/Gone` });
    assert.equal(run.exitCode, 1);
    assert.ok(
      errorLines(run.log).some((line) => /role Gone does not exist in account 004947743811.*fix staging-role-arn/.test(line)),
      run.log,
    );
  });

  it('says when the named inline policy is not on the role', async () => {
    await stack.seedStaging(allowlistPolicy([PLATFORM_AGENT]));
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
    await stack.seedStaging(allowlistPolicy([PLATFORM_AGENT]));
    await stack.setRepositoryPolicy(PLATFORM_AGENT, { Version: '2012-10-17', Statement: [crossAccountGrant(['arn:aws:iam::111111111111:root'])] });
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
    await stack.seedStaging({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: PULL_ACTIONS, Resource: repoArn(PLATFORM_AGENT) }] });
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
    const prodIam = iamIn(stack.endpoint, PROD_ACCOUNT);
    await prodIam.send(new CreateRoleCommand({ RoleName: 'Puller', AssumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[]}' }));
    await prodIam.send(
      new PutRolePolicyCommand({ RoleName: 'Puller', PolicyName: ALLOWLIST_POLICY, PolicyDocument: JSON.stringify(allowlistPolicy([PLATFORM_AGENT])) }),
    );
    const puller = `arn:aws:iam::${PROD_ACCOUNT}:role/Puller`;
    await stack.setRepositoryPolicy(PLATFORM_AGENT, { Version: '2012-10-17', Statement: [crossAccountGrant([puller])] });
    const run = await runAction(verifyInputs({ 'staging-assume-role-arn': '', 'staging-role-arn': puller }), stack.env, { timeoutMs: 60_000 });
    assert.equal(run.exitCode, 0, run.log);
    assert.match(run.log, /molecule-ai\/molecule-platform-agent\s+ok\s+allowed/);
  });

  it('warns about foreign statements that make the repository public; a unique-ID principal is drift', async () => {
    await stack.seedStaging(allowlistPolicy([PLATFORM_AGENT]));
    await stack.setRepositoryPolicy(PLATFORM_AGENT, {
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
    await stack.seedStaging(allowlistPolicy([PLATFORM_AGENT]));
    const run = await verify({ simulate: 'true' });
    assert.equal(run.exitCode, 0, run.log);
    assert.match(
      run.log,
      /::warning::simulate: could not cross-check arn:aws:ecr:us-east-2:153263036946:repository\/molecule-ai\/molecule-platform-agent with iam:SimulatePrincipalPolicy/,
    );
    assert.match(run.summary, /simulate: could not cross-check/);
  });

  it('reconcile replaces a unique-ID principal in its own statement with the current ARN', async () => {
    await stack.seedStaging(allowlistPolicy([PLATFORM_AGENT]));
    const stale = { Sid: 'PublishImageCrossAccountPull', Effect: 'Allow', Principal: { AWS: ['AROAEXAMPLEUNIQUEID1'] }, Action: PULL_ACTIONS };
    await stack.setRepositoryPolicy(PLATFORM_AGENT, { Version: '2012-10-17', Statement: [crossAccountGrant(), stale] });
    const reconciled = await runAction(verifyInputs({ mode: 'reconcile', 'pull-principals': STAGING_ROLE_ARN }), stack.env, { timeoutMs: 60_000 });
    assert.equal(reconciled.exitCode, 0, reconciled.log);
    assert.match(reconciled.log, /\+ grant {6}molecule-ai\/molecule-platform-agent/);
    const stored = (await stack.storedRepositoryPolicy(PLATFORM_AGENT)) as { Statement: { Principal: unknown }[] };
    assert.deepEqual(stored.Statement[1].Principal, { AWS: [STAGING_ROLE_ARN] });
    assert.equal((await verify()).exitCode, 0);
  });

  it('leaves the staging allowlist untouched', async () => {
    const policy = allowlistPolicy(INCIDENT_ALLOWLIST);
    await stack.seedStaging(policy);
    await verify();
    assert.deepEqual(await stack.storedAllowlist(), policy);
  });
});
