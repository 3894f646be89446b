// The image layer wired into every cell (issue 26), through the real dist/index.js against moto and
// the image block of stack/moto-server.py (imageStatus, UpdateImageStorageClass, replication status
// hooks, ECR's KMS grant): an archived pinned digest, an image pushed before replication was
// configured, replication in progress / failed / complete, an arm64 puller against an amd64-only
// index, a lifecycle rule that will expire the digest, a disabled key, a denied read, and a present
// image (the existing outputs unchanged but for the image field).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CreateKeyCommand, DisableKeyCommand } from '@aws-sdk/client-kms';
import {
  PLATFORM_AGENT as AGENT,
  PROD_ACCOUNT,
  PULL_ACTIONS,
  READER_ROLE_ARN,
  REGION,
  STAGING_ACCOUNT,
  STAGING_ROLE_ARN,
  crossAccountGrant,
  errorLines,
  presets,
  reportOf,
  runAction,
  useMoto,
} from '../../stack/fixture.js';
import { startFaultProxy } from '../../stack/fault-proxy.js';
import {
  createImageRepository,
  imageIndex,
  imageManifest,
  kmsIn,
  moveStorageClass,
  putLifecycle,
  putManifest,
  setImageState,
  setReplicationStatus,
  type ImagePlace,
} from '../../stack/images.js';
import { putReplication } from '../../stack/replication.js';

const WEST = 'us-west-2';
const ENCRYPTED = 'molecule-ai/encrypted';
const HOME: ImagePlace = { account: PROD_ACCOUNT, region: REGION, repository: AGENT };
const REPLICA: ImagePlace = { ...HOME, region: WEST };
const arnIn = (region: string, repository: string): string => `arn:aws:ecr:${region}:${PROD_ACCOUNT}:repository/${repository}`;
const GRANT = { Version: '2012-10-17', Statement: [crossAccountGrant([`arn:aws:iam::${STAGING_ACCOUNT}:root`, STAGING_ROLE_ARN])] };

/** Staging may pull the agent (and the encrypted repository) at home and in us-west-2. */
function allowlist(): object {
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'EcrLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
      {
        Sid: 'Pull',
        Effect: 'Allow',
        Action: PULL_ACTIONS,
        Resource: [arnIn(REGION, AGENT), arnIn(WEST, AGENT), arnIn(REGION, ENCRYPTED)],
      },
    ],
  };
}

const stack = useMoto({
  proxy: startFaultProxy,
  repositories: [AGENT],
  seed: async ({ endpoint, seedStaging, setRepositoryPolicy }) => {
    await setRepositoryPolicy(AGENT, GRANT);
    await seedStaging(allowlist());
    void endpoint;
  },
});

type Image = {
  state: string;
  digest?: string;
  checked?: string;
  detail?: string;
  available?: string[];
  unread?: string[];
  warnings: { rulePriority: number }[];
};
type Cell = { region: string; grant: string; identity: string; verdict: string; image?: Image };
type Report = { matrix: Cell[]; findings: { subject: string; severity: string; message: string }[] };

function verify(extra: Record<string, string> = {}) {
  return runAction(
    { ...presets.verifyRepository, 'registry-id': PROD_ACCOUNT, ...extra },
    { ...stack.env, AWS_ENDPOINT_URL: stack.proxy.endpoint },
    { timeoutMs: 90_000 },
  );
}

/** Staging pulling the agent in us-west-2 only (from its replica). */
const westPuller = [`- role-arn: ${STAGING_ROLE_ARN}`, `  assume-role-arn: ${READER_ROLE_ARN}`, `  regions: [${WEST}]`].join('\n');

async function replicaWest(): Promise<void> {
  await putReplication(stack.endpoint, { account: PROD_ACCOUNT, region: REGION }, [
    { destinations: [{ region: WEST, registryId: PROD_ACCOUNT }], filters: [] },
  ]);
  await createImageRepository(stack.endpoint, REPLICA);
  await stack.setRepositoryPolicy(AGENT, GRANT);
  const { SetRepositoryPolicyCommand } = await import('@aws-sdk/client-ecr');
  const { ecrIn } = await import('../../stack/aws.js');
  await ecrIn(stack.endpoint, PROD_ACCOUNT, WEST).send(new SetRepositoryPolicyCommand({ repositoryName: AGENT, policyText: JSON.stringify(GRANT) }));
}

const cellOf = (run: { outputs: Record<string, string> }): Cell => (JSON.parse(run.outputs.matrix) as Cell[])[0];

describe('the image of every cell (issue 26, through dist/index.js)', () => {
  it('an image present: ok, the newest said as the one checked, the outputs as before but for the image field', async () => {
    const digest = await putManifest(stack.endpoint, HOME, imageManifest('present'), 'v1');
    const run = await verify();
    assert.equal(run.exitCode, 0, run.log);
    assert.equal(run.outputs.drift, 'false');
    assert.equal(run.outputs.missing, '[]');
    const cell = cellOf(run);
    assert.deepEqual([cell.grant, cell.identity, cell.verdict], ['allowed', 'allowed', 'ok']);
    assert.deepEqual([cell.image?.state, cell.image?.digest, cell.image?.checked], ['present', digest, 'newest']);
    assert.match(run.log, /molecule-ai\/molecule-platform-agent\s+ok\s+allowed\s+-\s+ok\s+present/);
  });

  it('a repository with no image and none named: no image field, the table as before', async () => {
    const run = await verify();
    assert.equal(run.exitCode, 0, run.log);
    assert.equal(cellOf(run).image, undefined);
    assert.match(run.log, /molecule-ai\/molecule-platform-agent\s+ok\s+allowed\s+-\s+ok/);
  });

  it('an archived pinned digest: drift "archived", with the restore command', async () => {
    const digest = await putManifest(stack.endpoint, HOME, imageManifest('archived'), 'v1');
    await putManifest(stack.endpoint, HOME, imageManifest('newer'), 'v2');
    await moveStorageClass(stack.endpoint, HOME, digest, 'ARCHIVE');
    const run = await verify({ images: `${AGENT}: ${digest}` });
    assert.equal(run.exitCode, 1, run.log);
    const cell = cellOf(run);
    assert.deepEqual([cell.image?.state, cell.image?.checked, cell.verdict], ['archived', 'input', 'drift']);
    const finding = reportOf<Report>(run).findings.find((item) => item.message.includes('archived'));
    assert.match(finding?.message ?? '', /aws ecr update-image-storage-class .* --target-storage-class STANDARD/);
    assert.ok(
      errorLines(run.log).some((line) => line.includes('update-image-storage-class')),
      run.log,
    );
  });

  it('an image named by a tag that is not there: drift "absent"', async () => {
    await putManifest(stack.endpoint, HOME, imageManifest('other'), 'v1');
    const run = await verify({ images: `${AGENT}: v9` });
    assert.equal(run.exitCode, 1, run.log);
    assert.equal(cellOf(run).image?.state, 'absent');
  });

  it('an arm64 puller against an amd64-only index: drift "platform-missing", naming what the index holds', async () => {
    const digest = await putManifest(stack.endpoint, HOME, imageIndex(['linux/amd64']), 'v1');
    const pullers = [`- role-arn: ${STAGING_ROLE_ARN}`, `  assume-role-arn: ${READER_ROLE_ARN}`, `  platforms: [linux/arm64]`].join('\n');
    const run = await verify({ 'staging-role-arn': '', 'staging-assume-role-arn': '', 'staging-policy-name': '', pullers, images: `${AGENT}: ${digest}` });
    assert.equal(run.exitCode, 1, run.log);
    const cell = cellOf(run);
    assert.deepEqual([cell.image?.state, cell.image?.available], ['platform-missing', ['linux/amd64']]);
    assert.match(
      reportOf<Report>(run)
        .findings.map((item) => item.message)
        .join('\n'),
      /no manifest for linux\/arm64.*Push the platform/,
    );
  });

  it('a lifecycle rule that will expire the digest: warning "expires-soon" naming rule 7, the verdict still ok', async () => {
    const old = await putManifest(stack.endpoint, HOME, imageManifest('old'), 'old');
    await putManifest(stack.endpoint, HOME, imageManifest('new'), 'new');
    await setImageState(stack.endpoint, HOME, old, { imagePushedAt: Math.floor(Date.now() / 1000) - 3600 });
    await putLifecycle(stack.endpoint, HOME, {
      rules: [{ rulePriority: 7, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } }],
    });
    const run = await verify({ images: `${AGENT}: ${old}` });
    assert.equal(run.exitCode, 0, run.log);
    const cell = cellOf(run);
    assert.deepEqual([cell.image?.state, cell.image?.warnings.map((warning) => warning.rulePriority), cell.verdict], ['present', [7], 'ok']);
    const finding = reportOf<Report>(run).findings.find((item) => item.message.includes('lifecycle rule 7'));
    assert.equal(finding?.severity, 'warning');
    assert.match(finding?.message ?? '', /Change lifecycle rule 7/);
  });

  it('a disabled KMS key: drift "key-unusable", with the fix', async () => {
    const { KeyMetadata } = await kmsIn(stack.endpoint, PROD_ACCOUNT, REGION).send(new CreateKeyCommand({}));
    const place = { ...HOME, repository: ENCRYPTED };
    await createImageRepository(stack.endpoint, place, KeyMetadata!.Arn);
    await stack.setRepositoryPolicy(ENCRYPTED, GRANT);
    await putManifest(stack.endpoint, place, imageManifest('encrypted'), 'v1');
    await kmsIn(stack.endpoint, PROD_ACCOUNT, REGION).send(new DisableKeyCommand({ KeyId: KeyMetadata!.KeyId }));
    const run = await verify({ repository: ENCRYPTED });
    assert.equal(run.exitCode, 1, run.log);
    const cell = cellOf(run);
    assert.deepEqual([cell.image?.state, cell.image?.detail], ['key-unusable', 'Disabled']);
    assert.match(
      reportOf<Report>(run)
        .findings.map((item) => item.message)
        .join('\n'),
      /aws kms enable-key/,
    );
  });

  it('DescribeImages denied: the cell conditional naming ecr:DescribeImages, and the gate fails', async () => {
    await putManifest(stack.endpoint, HOME, imageManifest('denied'), 'v1');
    stack.proxy.setRules([{ operation: 'DescribeImages', fault: 'access-denied' }]);
    const run = await verify();
    assert.equal(run.exitCode, 1, run.log);
    const cell = cellOf(run);
    assert.deepEqual([cell.image?.state, cell.image?.unread, cell.verdict], ['conditional', ['ecr:DescribeImages'], 'drift']);
    assert.match(
      reportOf<Report>(run)
        .findings.map((item) => item.message)
        .join('\n'),
      /ecr:DescribeImages was denied/,
    );
  });

  // A fact the run could not read is never a pass: the repository's encryption (ecr:DescribeRepositories) unread is not AES256.
  for (const [why, fault] of [
    ['DescribeRepositories denied', 'access-denied'],
    ['DescribeRepositories does not list the repository (the policy and images are read)', 'repository-not-found'],
  ] as const) {
    it(`${why}: the cell conditional naming ecr:DescribeRepositories, never taken for AES256; the gate fails`, async () => {
      const digest = await putManifest(stack.endpoint, HOME, imageManifest(`encryption-${fault}`), 'v1');
      stack.proxy.setRules([{ operation: 'DescribeRepositories', fault }]);
      const run = await verify({ images: `${AGENT}: ${digest}` });
      assert.equal(run.exitCode, 1, run.log);
      const cell = cellOf(run);
      assert.deepEqual(
        [cell.grant, cell.identity, cell.image?.state, cell.image?.unread, cell.image?.digest, cell.verdict],
        ['allowed', 'allowed', 'conditional', ['ecr:DescribeRepositories'], digest, 'drift'],
      );
      assert.match(
        reportOf<Report>(run)
          .findings.map((item) => item.message)
          .join('\n'),
        /ecr:DescribeRepositories/,
      );
    });
  }

  it('an image pushed before replication was configured: the replica lacks it, no record: drift "not-replicated" with the backfill', async () => {
    const digest = await putManifest(stack.endpoint, HOME, imageManifest('early'), 'v1');
    await replicaWest();
    const run = await verify({
      'staging-role-arn': '',
      'staging-assume-role-arn': '',
      'staging-policy-name': '',
      pullers: westPuller,
      images: `${AGENT}: ${digest}`,
    });
    assert.equal(run.exitCode, 1, run.log);
    const cell = cellOf(run);
    assert.deepEqual([cell.region, cell.grant, cell.image?.state, cell.verdict], [WEST, 'allowed', 'not-replicated', 'drift']);
    assert.match(
      reportOf<Report>(run)
        .findings.map((item) => item.message)
        .join('\n'),
      /aws ecr start-replication-backfill/,
    );
  });

  for (const [status, expected, exitCode] of [
    ['IN_PROGRESS', 'replicating', 1],
    ['FAILED', 'replication-failed', 1],
    ['COMPLETE', 'present', 0],
  ] as const) {
    it(`replication ${status}: ${expected}`, async () => {
      await replicaWest();
      const manifest = imageManifest(`replicated-${status}`);
      const digest = await putManifest(stack.endpoint, HOME, manifest, 'v1');
      if (status === 'COMPLETE') await putManifest(stack.endpoint, REPLICA, manifest, 'v1');
      await setReplicationStatus(stack.endpoint, HOME, digest, [
        { region: WEST, registryId: PROD_ACCOUNT, status, ...(status === 'FAILED' ? { failureCode: 'KMS_KEY_NOT_FOUND' } : {}) },
      ]);
      const run = await verify({ 'staging-role-arn': '', 'staging-assume-role-arn': '', 'staging-policy-name': '', pullers: westPuller });
      assert.equal(run.exitCode, exitCode, run.log);
      const cell = cellOf(run);
      assert.deepEqual([cell.region, cell.image?.state, cell.image?.digest], [WEST, expected, digest]);
      if (status === 'FAILED') {
        assert.equal(cell.image?.detail, 'KMS_KEY_NOT_FOUND');
        assert.match(
          reportOf<Report>(run)
            .findings.map((item) => item.message)
            .join('\n'),
          /FAILED \(KMS_KEY_NOT_FOUND\)/,
        );
      }
    });
  }
});
