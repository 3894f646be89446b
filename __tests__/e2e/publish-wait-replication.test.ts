// Publish waits for its replicas (issue 26): with `wait-for-replication`, after the push (and the
// grant) publish polls DescribeImageReplicationStatus for the pushed digest until every region a
// puller pulls in holds it COMPLETE. moto never replicates: the copy to us-west-2 is never recorded,
// so the wait ends at its deadline, failing and naming the destination; without the input nothing waits.
// Needs the Docker engine stack (dockerd + registry + moto), as every file of __tests__/e2e.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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
  errorLines,
  runAction,
  useMoto,
} from '../../stack/fixture.js';
import { putReplication } from '../../stack/replication.js';

const WEST = 'us-west-2';

/** Staging pulls the agent at home and in us-west-2 (from the replica there). */
const pullers = [`- role-arn: ${STAGING_ROLE_ARN}`, `  assume-role-arn: ${READER_ROLE_ARN}`, `  regions: [${REGION}, ${WEST}]`].join('\n');

function publish(tag: string, extra: Record<string, string> = {}) {
  return runAction(
    { repository: PLATFORM_AGENT, context: helloContext(), tags: tag, 'pull-principals': `${STAGING_ACCOUNT}\n${STAGING_ROLE_ARN}`, pullers, ...extra },
    dockerEnv(stack.env),
    { timeoutMs: 180_000 },
  );
}

const stack = useMoto({
  repositories: [PLATFORM_AGENT],
  seed: async ({ endpoint, seedStaging }) => {
    await seedStaging(allowlistPolicy([PLATFORM_AGENT]));
    await putReplication(endpoint, { account: PROD_ACCOUNT, region: REGION }, [{ destinations: [{ region: WEST, registryId: PROD_ACCOUNT }], filters: [] }]);
  },
});

describe('publish: wait-for-replication (dockerd + registry + moto)', () => {
  it('a copy never recorded: the wait ends at its deadline, failing and naming us-west-2; the push is reported', async () => {
    const started = Date.now();
    const run = await publish('v1', { 'wait-for-replication': '5' });
    assert.equal(run.exitCode, 1, run.log);
    assert.ok(Date.now() - started >= 5_000, 'it waited');
    const error = errorLines(run.log).find((line) => line.includes('wait-for-replication'));
    assert.match(error ?? '', /is not replicated to us-west-2 not started after 5 s/);
    assert.match(run.outputs.digest ?? '', /^sha256:[0-9a-f]{64}$/, 'the pushed digest is still an output');
  });

  it('without wait-for-replication (0, the default): no wait, the run as before', async () => {
    const run = await publish('v2');
    assert.doesNotMatch(run.log, /Wait for the replicas/);
  });

  it('more than an hour is refused before anything is built', async () => {
    const run = await publish('v3', { 'wait-for-replication': '3601' });
    assert.equal(run.exitCode, 1);
    assert.match(errorLines(run.log).join('\n'), /wait-for-replication: 3601 seconds; the limit is 3600/);
    assert.doesNotMatch(run.log, /Pushed /);
  });
});
