// Publish judges the image it pushed (issue 26): each puller's cell carries the pushed digest's image
// finding, read through the ECR API as verify reads a pinned digest. The registry (docker-registry under
// the ECR host name) tells moto of each push through stack/registry-bridge.ts (PutImage of the stored
// manifest), as ECR lists an image once its push ends. The build makes one platform (the daemon's,
// linux/amd64 here): a puller naming linux/arm64 is refused the pull ("no matching manifest"), so its
// cell is drift `platform-missing`, naming what was pushed.
// Needs the Docker engine stack (dockerd + registry + moto), as every file of __tests__/e2e.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DescribeImagesCommand } from '@aws-sdk/client-ecr';
import { ecrIn } from '../../stack/aws.js';
import { helloContext } from '../../stack/fixtures.js';
import {
  PLATFORM_AGENT,
  PROD_ACCOUNT,
  READER_ROLE_ARN,
  REGION,
  STAGING_ACCOUNT,
  STAGING_ROLE_ARN,
  allowlistPolicy,
  dockerEnv,
  reportOf,
  runAction,
  useMoto,
} from '../../stack/fixture.js';

type Image = { state: string; digest?: string; checked?: string; detail?: string; available?: string[]; unread?: string[] };
type Cell = { puller: string; region: string; grant: string; identity: string; verdict: string; image?: Image };

const puller = (platforms?: string): string =>
  [
    `- role-arn: ${STAGING_ROLE_ARN}`,
    `  assume-role-arn: ${READER_ROLE_ARN}`,
    `  regions: [${REGION}]`,
    ...(platforms ? [`  platforms: [${platforms}]`] : []),
  ].join('\n');

function publish(tag: string, pullers: string) {
  return runAction(
    { repository: PLATFORM_AGENT, context: helloContext(), tags: tag, 'pull-principals': `${STAGING_ACCOUNT}\n${STAGING_ROLE_ARN}`, pullers },
    dockerEnv(stack.env),
    { timeoutMs: 180_000 },
  );
}

const stack = useMoto({
  repositories: [PLATFORM_AGENT],
  seed: ({ seedStaging }) => seedStaging(allowlistPolicy([PLATFORM_AGENT])),
});

const cellOf = (run: { outputs: Record<string, string> }): Cell => (JSON.parse(run.outputs.matrix) as Cell[])[0];

describe('publish: the image it pushed, per puller (dockerd + registry + moto)', () => {
  it('the pushed digest is in ECR (the bridge recorded the push): image present, checked "pushed", the run ok', async () => {
    const run = await publish('v1', puller());
    await stack.bridge?.settled();
    assert.equal(run.exitCode, 0, `${run.log}\nbridge: ${JSON.stringify(stack.bridge?.records)}`);
    const digest = run.outputs.digest;
    assert.match(digest, /^sha256:[0-9a-f]{64}$/);
    // ECR's view (moto, through the bridge) holds the very digest the registry serves, under its tag.
    const listed = await ecrIn(stack.endpoint, PROD_ACCOUNT).send(new DescribeImagesCommand({ repositoryName: PLATFORM_AGENT }));
    assert.deepEqual(
      listed.imageDetails?.map((detail) => [detail.imageDigest, detail.imageTags]),
      [[digest, ['v1']]],
    );
    const cell = cellOf(run);
    assert.deepEqual([cell.grant, cell.identity, cell.verdict], ['allowed', 'allowed', 'ok']);
    assert.deepEqual([cell.image?.state, cell.image?.digest, cell.image?.checked], ['present', digest, 'pushed']);
    assert.equal(run.outputs.drift, 'false');
    assert.match(run.log, /image present/);
  });

  it('a puller on linux/arm64, an amd64-only push: drift "platform-missing" naming what was pushed; the push is reported', async () => {
    const run = await publish('v2', puller('linux/arm64'));
    assert.equal(run.exitCode, 1, run.log);
    const cell = cellOf(run);
    assert.deepEqual(
      [cell.grant, cell.identity, cell.image?.state, cell.image?.detail, cell.image?.available, cell.image?.digest, cell.verdict],
      ['allowed', 'allowed', 'platform-missing', 'linux/arm64', ['linux/amd64'], run.outputs.digest, 'drift'],
    );
    assert.equal(run.outputs.drift, 'true');
    assert.match(
      reportOf<{ findings: { message: string }[] }>(run)
        .findings.map((item) => item.message)
        .join('\n'),
      /linux\/arm64/,
    );
  });

  it('a puller naming linux/amd64 (the platform pushed): present', async () => {
    const run = await publish('v3', puller('linux/amd64'));
    assert.equal(run.exitCode, 0, run.log);
    assert.deepEqual([cellOf(run).image?.state, cellOf(run).image?.digest], ['present', run.outputs.digest]);
  });
});
