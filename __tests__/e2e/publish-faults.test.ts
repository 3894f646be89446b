// Faults during publish (fault proxy in front of moto, real dockerd and registry): transient faults
// on every AWS operation publish makes are survived; a grant that keeps failing ends with one error
// that says the image is pushed, and the repository policy stays exactly as it was.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRepository } from '../../stack/aws.js';
import { startFaultProxy, type Fault } from '../../stack/fault-proxy.js';
import { helloContext } from '../../stack/fixtures.js';
import { STAGING_ACCOUNT, dockerEnv, expectOneError, presets, runAction, useMoto } from '../../stack/fixture.js';
import { servedDigest } from '../../stack/registry-client.js';

const REPOSITORY = 'molecule-ai/fault-publish';
let tag = 0;

function publish(extraEnv: NodeJS.ProcessEnv = {}) {
  return runAction(
    { repository: REPOSITORY, context: helloContext(), tags: `f${++tag}`, 'pull-principals': STAGING_ACCOUNT, ...presets.staging },
    dockerEnv(stack.env, { AWS_ENDPOINT_URL: stack.proxy.endpoint, AWS_RETRY_MODE: 'standard', AWS_MAX_ATTEMPTS: '4', ...extraEnv }),
  );
}

const stack = useMoto({
  proxy: startFaultProxy,
  allowlist: [REPOSITORY],
  seed: ({ endpoint }) => createRepository(endpoint, REPOSITORY, { immutable: true }),
});

describe('faults during publish (fault proxy + moto, dockerd + registry)', () => {
  it('survives a transient fault on every operation publish makes', async () => {
    const operations = [
      'GetAuthorizationToken',
      'AssumeRole',
      'ListRolePolicies',
      'ListAttachedRolePolicies',
      'GetRolePolicy',
      'DescribeRepositories',
      'GetRepositoryPolicy',
      'BatchGetImage',
      'SetRepositoryPolicy',
    ];
    const faults: Fault[] = ['throttle', 'http-500', 'http-503', 'http-429', 'drop'];
    stack.proxy.setRules(operations.map((operation, index) => ({ operation, fault: faults[index % faults.length], count: 1 })));
    const run = await publish();
    assert.equal(run.exitCode, 0, run.log);
    assert.deepEqual([...new Set(stack.proxy.calls.filter((call) => call.fault).map((call) => call.operation))].sort(), [...operations].sort());
    assert.equal(await servedDigest(REPOSITORY, `f${tag}`), run.outputs.digest);
    assert.equal(run.outputs['repository-policy-changed'], 'true');
  });

  it('a grant that keeps failing: one error saying the image is pushed; the policy stays as it was', async () => {
    const before = await stack.writableState();
    stack.proxy.setRules([{ operation: 'SetRepositoryPolicy', fault: 'http-503' }]);
    const run = await publish();
    expectOneError(
      run,
      /^The image is pushed \(.*molecule-ai\/fault-publish@sha256:[0-9a-f]{64}\), but the grant was not written: ecr:SetRepositoryPolicy failed after 4 attempts \(ServiceUnavailable/,
    );
    assert.ok(await servedDigest(REPOSITORY, `f${tag}`));
    assert.deepEqual(await stack.writableState(), before);
    assert.equal(await stack.storedRepositoryPolicy(REPOSITORY), undefined);
  });
});
