// Issue 24, item 1: a role read in the wrong account. IAM reads a role by name in the reading
// session's own account, and IAM weighs the identity policies of the role that pulls, in its own
// account ("Policy evaluation logic", IAM User Guide). So a reader session in another account that
// holds a role of the same name must never be judged: one run error (exit 1) naming the puller, both
// accounts and the input to fix, and nothing written. Through dist/index.js against moto, where
// AssumeRole into a role of account X gives a session in X (as in AWS).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mockClient } from 'aws-sdk-client-mock';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ReaderAccountError, registryAccess } from '../../src/services/access.js';
import { CreateRoleCommand, GetRolePolicyCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { iamIn } from '../../stack/aws.js';
import {
  ALLOWLIST_POLICY,
  PULL_ACTIONS,
  PLATFORM_AGENT,
  PROD_ACCOUNT,
  READER_ROLE_ARN,
  STAGING_ACCOUNT,
  STAGING_ROLE_ARN,
  allowlistPolicy,
  errorLines,
  runAction,
  template,
  useMoto,
  writeManifest,
} from '../../stack/fixture.js';

const CODEX = template('codex');
const REPOSITORIES = [PLATFORM_AGENT, CODEX];
const OTHER_ACCOUNT = '111122223333';
const ROLE_NAME = STAGING_ROLE_ARN.slice(STAGING_ROLE_ARN.lastIndexOf('/') + 1);
const OTHER_READER_ARN = `arn:aws:iam::${OTHER_ACCOUNT}:role/PublishImageStagingReader`;
const trustAnyone = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }] });

/** Staging's real role lacks CODEX; the impostors (same name, other accounts) allow everything the run asks. */
const stack = useMoto({ repositories: REPOSITORIES, allowlist: [PLATFORM_AGENT] });

/** Every repository grants the pull to staging's, the other account's and the registry's own roles: only the identity side can tell them apart. */
const GRANT_ALL = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'CrossAccountPull',
      Effect: 'Allow',
      Principal: { AWS: [STAGING_ACCOUNT, OTHER_ACCOUNT, PROD_ACCOUNT].map((account) => `arn:aws:iam::${account}:root`) },
      Action: PULL_ACTIONS,
    },
  ],
};

/** A role named like the pulling role, in another account, with a full allowlist (and a reader role there). */
async function impostor(account: string): Promise<void> {
  for (const repository of REPOSITORIES) await stack.setRepositoryPolicy(repository, GRANT_ALL);
  const iam = iamIn(stack.endpoint, account);
  await iam.send(new CreateRoleCommand({ RoleName: ROLE_NAME, AssumeRolePolicyDocument: trustAnyone }));
  await iam.send(new CreateRoleCommand({ RoleName: 'PublishImageStagingReader', AssumeRolePolicyDocument: trustAnyone }));
  await iam.send(
    new PutRolePolicyCommand({ RoleName: ROLE_NAME, PolicyName: ALLOWLIST_POLICY, PolicyDocument: JSON.stringify(allowlistPolicy(REPOSITORIES)) }),
  );
}

async function storedAllowlistIn(account: string): Promise<unknown> {
  const { PolicyDocument } = await iamIn(stack.endpoint, account).send(new GetRolePolicyCommand({ RoleName: ROLE_NAME, PolicyName: ALLOWLIST_POLICY }));
  return decodeURIComponent(PolicyDocument ?? '');
}

function run(inputs: Record<string, string>) {
  const manifest = writeManifest([]);
  return runAction({ mode: 'verify', 'registry-id': PROD_ACCOUNT, manifest, 'extra-repositories': REPOSITORIES.join(','), ...inputs }, stack.env, {
    timeoutMs: 90_000,
  });
}

const staging = (assumeRoleArn: string) => ({
  'staging-role-arn': STAGING_ROLE_ARN,
  'staging-policy-name': ALLOWLIST_POLICY,
  'staging-assume-role-arn': assumeRoleArn,
});
const pullers = (assumeRoleArn: string | undefined) =>
  [
    `- name: staging`,
    `  role-arn: ${STAGING_ROLE_ARN}`,
    `  policy-name: ${ALLOWLIST_POLICY}`,
    ...(assumeRoleArn ? [`  assume-role-arn: ${assumeRoleArn}`] : []),
  ].join('\n');

/** One error, naming the input, both accounts and the fix; no verdict, so no "in sync". */
function assertReaderError(result: Awaited<ReturnType<typeof run>>, subject: RegExp, readAccount: string, input: string): void {
  assert.equal(result.exitCode, 1, result.log);
  const errors = errorLines(result.log);
  assert.equal(errors.length, 1, result.log);
  assert.match(errors[0], subject);
  assert.match(
    errors[0],
    new RegExp(
      `in account ${readAccount}, where .* — the role is in account ${STAGING_ACCOUNT}\\. Set ${input.replace(/[[\].]/g, '\\$&')} to a role in ${STAGING_ACCOUNT}`,
    ),
  );
  assert.notEqual(result.outputs.drift, 'false', 'a run that judged nothing never says in sync');
  assert.doesNotMatch(result.log, /molecule-ai\/workspace-template-codex\s+ok\s+allowed\s+-?\s*ok/);
}

describe('a role read in the wrong account is never judged (issue 24 item 1)', () => {
  it('the correct setup still passes: a reader in the role’s own account', async () => {
    await stack.putAllowlist(allowlistPolicy(REPOSITORIES));
    await impostor(OTHER_ACCOUNT);
    const result = await run(staging(READER_ROLE_ARN));
    assert.equal(result.exitCode, 0, result.log);
    assert.equal(result.outputs.drift, 'false');
  });

  it('staging-assume-role-arn in another account holding a same-named role with a full allowlist: one error, not a pass', async () => {
    await impostor(OTHER_ACCOUNT);
    const result = await run(staging(OTHER_READER_ARN));
    assertReaderError(
      result,
      /^staging-role-arn: assumed role arn:aws:iam::111122223333:role\/PublishImageStagingReader \(staging-assume-role-arn\) is in account 111122223333/,
      OTHER_ACCOUNT,
      'staging-assume-role-arn',
    );
  });

  it('pullers[0].assume-role-arn in another account: the same error, naming the puller and its field', async () => {
    await impostor(OTHER_ACCOUNT);
    const result = await run({ pullers: pullers(OTHER_READER_ARN) });
    assertReaderError(
      result,
      /^pullers\[0\] \(staging\): assumed role .* \(pullers\[0\]\.assume-role-arn\) is in account 111122223333/,
      OTHER_ACCOUNT,
      'pullers[0].assume-role-arn',
    );
  });

  it('no assume-role-arn, the job’s credentials in the registry account, which has its own role of that name: one error', async () => {
    await impostor(PROD_ACCOUNT);
    const result = await run({ 'staging-role-arn': STAGING_ROLE_ARN, 'staging-policy-name': ALLOWLIST_POLICY });
    assertReaderError(result, /^staging-role-arn: the current credentials \(the job's\) are in account 153263036946/, PROD_ACCOUNT, 'staging-assume-role-arn');
    assert.match(errorLines(result.log)[0], /\(or run with credentials in 004947743811\)/);
  });

  it('the same through pullers without assume-role-arn', async () => {
    await impostor(PROD_ACCOUNT);
    const result = await run({ pullers: pullers(undefined) });
    assertReaderError(result, /^pullers\[0\] \(staging\): the current credentials/, PROD_ACCOUNT, 'pullers[0].assume-role-arn');
  });

  it('reconcile never writes an allowlist to the role of the wrong account (nor anything else)', async () => {
    await impostor(OTHER_ACCOUNT);
    // The impostor lacks CODEX, so a reconcile that believed it would write there.
    await iamIn(stack.endpoint, OTHER_ACCOUNT).send(
      new PutRolePolicyCommand({ RoleName: ROLE_NAME, PolicyName: ALLOWLIST_POLICY, PolicyDocument: JSON.stringify(allowlistPolicy([PLATFORM_AGENT])) }),
    );
    const [impostorBefore, realBefore, grantBefore] = [
      await storedAllowlistIn(OTHER_ACCOUNT),
      await stack.storedAllowlist(),
      await stack.storedRepositoryPolicy(CODEX),
    ];
    const result = await run({ mode: 'reconcile', ...staging(OTHER_READER_ARN) });
    assertReaderError(result, /^staging-role-arn: assumed role/, OTHER_ACCOUNT, 'staging-assume-role-arn');
    assert.equal(await storedAllowlistIn(OTHER_ACCOUNT), impostorBefore);
    assert.deepEqual(await stack.storedAllowlist(), realBefore);
    assert.deepEqual(await stack.storedRepositoryPolicy(CODEX), grantBefore);
    assert.deepEqual(grantBefore, GRANT_ALL);
  });
});

describe('a replica reader in the wrong account is never used (issue 24 item 1)', () => {
  // AWS (and moto) put a session of a role of account X in X: a reader in another account than its
  // ARN says cannot be made in moto, so only sts:GetCallerIdentity's answer is mocked here; AssumeRole
  // is moto's. In process: registryAccess is what readReplicas opens for each destination.
  it("the assumed replica reader's account is proven before any read: a mismatch is the run's error, naming the destination, both accounts and the input", async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: stack.endpoint,
      AWS_ACCESS_KEY_ID: stack.env.AWS_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: stack.env.AWS_SECRET_ACCESS_KEY,
      AWS_MAX_ATTEMPTS: '1',
    });
    const sts = mockClient(STSClient);
    try {
      const reader = 'arn:aws:iam::222233334444:role/PublishImageReplicaReader';
      await iamIn(stack.endpoint, '222233334444').send(new CreateRoleCommand({ RoleName: 'PublishImageReplicaReader', AssumeRolePolicyDocument: trustAnyone }));
      sts.on(GetCallerIdentityCommand).resolves({ Account: OTHER_ACCOUNT });
      await assert.rejects(registryAccess(reader, 'us-west-2', 'test'), (error: unknown) => {
        assert.ok(error instanceof ReaderAccountError, String(error));
        assert.match(
          error.message,
          /^replica-assume-role-arns: assumed role arn:aws:iam::222233334444:role\/PublishImageReplicaReader, given to read the replica registry 222233334444 \(us-west-2\), is in account 111122223333, not 222233334444\. Give in replica-assume-role-arns a role in account 222233334444/,
        );
        return true;
      });
      // Before: the reader's account was taken from its ARN, never asked.
      sts.on(GetCallerIdentityCommand).resolves({ Account: '222233334444' });
      assert.equal((await registryAccess(reader, 'us-west-2', 'test')).account, '222233334444');
    } finally {
      sts.restore();
      process.env = saved;
    }
  });
});
