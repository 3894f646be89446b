// Throttling as AWS does it: the fault proxy keeps a token bucket per operation and answers an
// empty bucket with AWS's own "Rate exceeded" (ECR: JSON ThrottlingException, IAM/STS: query-XML
// Throttling, HTTP 400). The rates here are scaled so the limit bites in a short test; the bench
// runs the same at AWS's rates (scripts/bench.ts --only throttling, BENCHMARKS.md). A 500-repository
// verify and a 50-repository reconcile must finish with the right answer and no failed call: the
// SDK's adaptive retry mode (src/adapters/aws/clients.ts) slows down instead of giving up.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { isThrottlingError } from '@smithy/core/retry';
import { rateLimitFor, startFaultProxy, type ProxyStats, type RateLimits } from '../../stack/fault-proxy.js';
import { REGION, READER_ROLE_ARN, presets, repoArn, runAction, useMoto, workspace, writeManifest, type ActionRun } from '../../stack/fixture.js';

/** AWS's rates scaled so the limit bites within seconds: ECR's policy reads at 40/s with a small burst, IAM and STS at 2/s. */
const SCALED: RateLimits = { 'ecr:*': { rate: 40, burst: 10 }, 'iam:*': { rate: 2, burst: 1 }, 'sts:*': { rate: 2, burst: 1 } };
const VERIFY = Array.from({ length: 500 }, (_, index) => `molecule-ai/verify-${String(index).padStart(3, '0')}`);
const RECONCILE = Array.from({ length: 50 }, (_, index) => `molecule-ai/reconcile-${String(index).padStart(2, '0')}`);

/** The checked-out workspace the action runs in: manifests must live inside it. */
const WORKSPACE = workspace();

const inputs = (mode: string, names: string[]): Record<string, string> => ({
  ...presets.verifyManifest,
  mode,
  manifest: writeManifest(names, WORKSPACE),
  'repository-template': '{name}',
  'extra-repositories': '',
});

const stack = useMoto({
  once: true,
  proxy: startFaultProxy,
  env: { GITHUB_WORKSPACE: WORKSPACE },
  repositories: [...VERIFY, ...RECONCILE],
  granted: VERIFY,
  allowlist: ['molecule-ai/verify-*'],
});

/** The action through the proxy with the SDK's default retries (adaptive, 5 attempts), timed. */
async function timed(mode: string, names: string[]): Promise<{ run: ActionRun; seconds: number; stats: ProxyStats }> {
  stack.proxy.calls.length = 0;
  const started = Date.now();
  const run = await runAction(inputs(mode, names), { ...stack.env, AWS_ENDPOINT_URL: stack.proxy.endpoint }, { timeoutMs: 120_000 });
  return { run, seconds: (Date.now() - started) / 1000, stats: stack.proxy.stats() };
}

/** The least time the rate limit allows: the busiest bucket's answered calls beyond its burst, at its rate. */
function floorSeconds(stats: ProxyStats, limits: RateLimits): { seconds: number; bucket: string; calls: number } {
  let floor = { seconds: 0, bucket: '-', calls: 0 };
  for (const [bucket, calls] of Object.entries(stats.servedBy)) {
    const [service, operation] = bucket.split(':');
    const limit = rateLimitFor(limits, service, operation);
    const seconds = limit ? Math.max(0, calls - limit.burst) / limit.rate : 0;
    if (seconds > floor.seconds) floor = { seconds, bucket, calls };
  }
  return floor;
}

function describeRun(what: string, seconds: number, stats: ProxyStats, limits: RateLimits): string {
  const floor = floorSeconds(stats, limits);
  return (
    `${what}: ${seconds.toFixed(1)} s (floor ${floor.seconds.toFixed(1)} s: ${floor.calls} ${floor.bucket} at ${rateLimitFor(limits, ...(floor.bucket.split(':') as [string, string]))?.rate}/s); ` +
    `${stats.invocations} calls, ${stats.rateLimited} throttled (${Object.entries(stats.rateLimitedBy)
      .map(([op, n]) => `${op} ${n}`)
      .join(', ')}), ${stats.failedInvocations.length} failed`
  );
}

describe('throttling as AWS does it (token buckets in the fault proxy + moto)', () => {
  it('answers an empty bucket as AWS does, and the SDK classifies it as throttling', async () => {
    stack.proxy.clear();
    stack.proxy.setRateLimits({ '*': { rate: 0.001, burst: 0 } });
    const credentials = { accessKeyId: 'probe', secretAccessKey: 'probe' };
    const probes: [string, () => Promise<unknown>, string][] = [
      [
        'ecr',
        () => new ECRClient({ region: REGION, endpoint: stack.proxy.endpoint, credentials, maxAttempts: 1 }).send(new DescribeRepositoriesCommand({})),
        'ThrottlingException',
      ],
      [
        'iam',
        () => new IAMClient({ region: 'us-east-1', endpoint: stack.proxy.endpoint, credentials, maxAttempts: 1 }).send(new ListRolesCommand({})),
        'Throttling',
      ],
      [
        'sts',
        () =>
          new STSClient({ region: REGION, endpoint: stack.proxy.endpoint, credentials, maxAttempts: 1 }).send(
            new AssumeRoleCommand({ RoleArn: READER_ROLE_ARN, RoleSessionName: 'probe' }),
          ),
        'Throttling',
      ],
    ];
    for (const [service, call, code] of probes) {
      const error = (await call().then(
        () => assert.fail(`${service} was not throttled`),
        (caught: unknown) => caught,
      )) as Error & { $metadata: { httpStatusCode?: number } };
      assert.equal(error.name, code, service);
      assert.equal(error.message, 'Rate exceeded', service);
      assert.equal(error.$metadata.httpStatusCode, 400, service);
      assert.ok(isThrottlingError(error as Parameters<typeof isThrottlingError>[0]), `${service}: the SDK's retry strategy sees ${code} as throttling`);
    }
    assert.equal(stack.proxy.stats().rateLimited, 3);

    // With the SDK's adaptive retries (what the action configures), 8 calls at once against a burst of 2 all succeed.
    stack.proxy.clear();
    stack.proxy.setRateLimits({ 'ecr:*': { rate: 10, burst: 2 } });
    const ecr = new ECRClient({ region: REGION, endpoint: stack.proxy.endpoint, credentials, retryMode: 'adaptive', maxAttempts: 5 });
    await Promise.all(Array.from({ length: 8 }, () => ecr.send(new DescribeRepositoriesCommand({ maxResults: 1 }))));
    const stats = stack.proxy.stats();
    assert.ok(stats.rateLimited > 0, 'the limit bit');
    assert.deepEqual(stats.failedInvocations, []);
    assert.equal(stats.invocations, 8);
  });

  it(`verify of ${VERIFY.length} repositories under ECR's and IAM's rate limits: right answer, no failed call`, async (t) => {
    stack.proxy.clear();
    stack.proxy.setRateLimits(SCALED);
    const { run, seconds, stats } = await timed('verify', VERIFY);
    t.diagnostic(describeRun(`verify ${VERIFY.length}`, seconds, stats, SCALED));
    assert.equal(run.exitCode, 0, run.log);
    assert.equal(run.outputs.drift, 'false');
    assert.equal(run.outputs.missing, '[]');
    assert.equal(run.outputs.extra, '[]');
    assert.ok(stats.rateLimited > 0, 'throttled responses were served');
    assert.ok((stats.rateLimitedBy['ecr:GetRepositoryPolicy'] ?? 0) > 0, 'GetRepositoryPolicy was throttled');
    assert.deepEqual(stats.failedInvocations, [], 'no call failed for the action');
    assert.ok((stats.servedBy['ecr:GetRepositoryPolicy'] ?? 0) >= VERIFY.length, 'every policy read answered');
    assert.ok(seconds >= floorSeconds(stats, SCALED).seconds, 'no faster than the rate limit allows');
  });

  it(`reconcile of ${RECONCILE.length} repositories under the same limits: every grant and allowlist entry written, no failed call`, async (t) => {
    stack.proxy.clear();
    stack.proxy.setRateLimits(SCALED);
    const { run, seconds, stats } = await timed('reconcile', RECONCILE);
    t.diagnostic(describeRun(`reconcile ${RECONCILE.length}`, seconds, stats, SCALED));
    assert.equal(run.exitCode, 0, run.log);
    assert.equal(run.outputs.drift, 'false');
    assert.equal(run.outputs.missing, '[]');
    assert.equal(run.outputs['repository-policy-changed'], 'true');
    assert.ok(stats.rateLimited > 0, 'throttled responses were served');
    assert.deepEqual(stats.failedInvocations, [], 'no call failed for the action');
    assert.equal(stats.servedBy['ecr:SetRepositoryPolicy'], RECONCILE.length, 'one grant written per repository');
    assert.equal(stats.servedBy['iam:PutRolePolicy'], 1, 'one allowlist write');

    const allowlist = (await stack.storedAllowlist()) as { Statement: { Resource: string | string[] }[] };
    const resources = allowlist.Statement.flatMap((statement) => statement.Resource);
    for (const repository of RECONCILE) {
      assert.ok(resources.includes(repoArn(repository)), `${repository} in the allowlist`);
      const policy = (await stack.storedRepositoryPolicy(repository)) as { Statement: { Sid: string }[] } | undefined;
      assert.deepEqual(
        policy?.Statement.map((statement) => statement.Sid),
        ['PublishImageCrossAccountPull'],
        `${repository} granted`,
      );
    }

    // What AWS holds now, read without the proxy, agrees with what reconcile reported.
    const check = await runAction(inputs('verify', RECONCILE), stack.env, { timeoutMs: 60_000 });
    assert.equal(check.exitCode, 0, check.log);
    assert.equal(check.outputs.missing, run.outputs.missing);
  });
});
