// Faults during publish (fault proxy in front of moto, real dockerd and registry): transient faults
// on every AWS operation publish makes are survived; a grant that keeps failing ends with one error
// that says the image is pushed, and the repository policy stays exactly as it was.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { errorLines, runAction } from '../../stack/action.js';
import { STAGING_ACCOUNT } from '../../stack/engine.js';
import { engineFromEnv } from '../../stack/env.js';
import { startFaultProxy, type Fault, type FaultProxy } from '../../stack/fault-proxy.js';
import { helloContext } from '../../stack/fixtures.js';
import { startMoto, writableState, type Moto } from '../../stack/moto.js';
import { prodEnvironment } from '../../stack/prod.js';
import { servedDigest } from '../../stack/registry-client.js';
import { ALLOWLIST_POLICY, READER_ROLE_ARN, STAGING_ROLE_ARN, allowlistPolicy, seedStaging, storedRepositoryPolicy } from '../../stack/staging.js';
import { createRepository } from '../../stack/aws.js';

const engine = engineFromEnv();
const REPOSITORY = 'molecule-ai/fault-publish';
let moto: Moto;
let proxy: FaultProxy;
let env: NodeJS.ProcessEnv;
let tag = 0;

function publish(extraEnv: NodeJS.ProcessEnv = {}) {
  return runAction(
    {
      repository: REPOSITORY,
      context: helloContext(),
      tags: `f${++tag}`,
      'pull-principals': STAGING_ACCOUNT,
      'staging-role-arn': STAGING_ROLE_ARN,
      'staging-policy-name': ALLOWLIST_POLICY,
      'staging-assume-role-arn': READER_ROLE_ARN,
    },
    {
      ...env,
      AWS_ENDPOINT_URL: proxy.endpoint,
      AWS_RETRY_MODE: 'standard',
      AWS_MAX_ATTEMPTS: '4',
      DOCKER_HOST: engine.dockerHost,
      NODE_EXTRA_CA_CERTS: engine.caFile,
      PATH: `${engine.dockerClientDir}:${process.env.PATH}`,
      ...extraEnv,
    },
  );
}

describe('faults during publish (fault proxy + moto, dockerd + registry)', () => {
  before(async () => {
    moto = await startMoto();
    proxy = await startFaultProxy(moto.endpoint);
  });
  after(async () => {
    await proxy?.stop();
    await moto?.stop();
  });
  beforeEach(async () => {
    await moto.reset();
    proxy.clear();
    env = await prodEnvironment(moto, []);
    await createRepository(moto.endpoint, REPOSITORY, { immutable: true });
    await seedStaging(moto.endpoint, allowlistPolicy([REPOSITORY]));
  });

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
    proxy.setRules(operations.map((operation, index) => ({ operation, fault: faults[index % faults.length], count: 1 })));
    const run = await publish();
    assert.equal(run.exitCode, 0, run.log);
    assert.deepEqual([...new Set(proxy.calls.filter((call) => call.fault).map((call) => call.operation))].sort(), [...operations].sort());
    assert.equal(await servedDigest(REPOSITORY, `f${tag}`), run.outputs.digest);
    assert.equal(run.outputs['repository-policy-changed'], 'true');
  });

  it('a grant that keeps failing: one error saying the image is pushed; the policy stays as it was', async () => {
    const before = await writableState(moto.endpoint);
    proxy.setRules([{ operation: 'SetRepositoryPolicy', fault: 'http-503' }]);
    const run = await publish();
    assert.equal(run.exitCode, 1, run.log);
    const errors = errorLines(run.log);
    assert.equal(errors.length, 1, run.log);
    assert.match(
      errors[0],
      /^The image is pushed \(.*molecule-ai\/fault-publish@sha256:[0-9a-f]{64}\), but the grant was not written: ecr:SetRepositoryPolicy failed after 4 attempts \(ServiceUnavailable/,
    );
    assert.ok(await servedDigest(REPOSITORY, `f${tag}`));
    assert.deepEqual(await writableState(moto.endpoint), before);
    assert.equal(await storedRepositoryPolicy(moto.endpoint, REPOSITORY), undefined);
  });
});
