// Publish and the action's own statement (docs/security.md), and a publish whose grant failed (dockerd +
// registry + moto, fault proxy in front of moto): a widened or copied owned statement is rewritten
// to exactly the owned form in the grant's one write, every other statement kept; a grant that
// fails leaves the run's `drift` output true, naming the repository as not proven pullable.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startFaultProxy } from '../../stack/fault-proxy.js';
import { helloContext } from '../../stack/fixtures.js';
import {
  PLATFORM_AGENT,
  PULL_ACTIONS,
  STAGING_ROLE_ARN,
  crossAccountGrant,
  dockerEnv,
  expectOneError,
  presets,
  runAction,
  useMoto,
} from '../../stack/fixture.js';

const SID = 'PublishImageCrossAccountPull';
const OWNED = { Sid: SID, Effect: 'Allow', Principal: { AWS: [STAGING_ROLE_ARN] }, Action: [...PULL_ACTIONS].sort() };
const FOREIGN = crossAccountGrant(['arn:aws:iam::111122223333:root'], 'TeamPull');
let tag = 0;

function publish() {
  return runAction(
    { repository: PLATFORM_AGENT, context: helloContext(), tags: `o${++tag}`, ...presets.staging, 'pull-principals': STAGING_ROLE_ARN },
    dockerEnv(stack.env, { AWS_ENDPOINT_URL: stack.proxy.endpoint, AWS_RETRY_MODE: 'standard', AWS_MAX_ATTEMPTS: '4' }),
  );
}

const stack = useMoto({ proxy: startFaultProxy, repositories: [PLATFORM_AGENT], allowlist: [PLATFORM_AGENT] });

describe('publish: the owned statement, and drift after a failed grant (fault proxy + moto, dockerd + registry)', () => {
  it('a public, widened copy of the owned statement is rewritten to exactly the owned form in one write', async () => {
    await stack.setRepositoryPolicy(PLATFORM_AGENT, {
      Version: '2012-10-17',
      Statement: [FOREIGN, { ...OWNED, Principal: { AWS: ['*', STAGING_ROLE_ARN] }, Action: [...PULL_ACTIONS, 'ecr:PutImage'] }, { ...OWNED, Principal: '*' }],
    });
    const run = await publish();
    assert.equal(run.exitCode, 0, run.log);
    assert.equal(run.outputs.drift, 'false');
    assert.equal(run.outputs['repository-policy-changed'], 'true');
    assert.equal(stack.proxy.calls.filter((call) => call.operation === 'SetRepositoryPolicy').length, 1, 'one write');
    const stored = (await stack.storedRepositoryPolicy(PLATFORM_AGENT)) as { Statement: { Sid: string }[] };
    assert.deepEqual(
      stored.Statement.map((statement) => statement.Sid),
      ['TeamPull', SID],
    );
    assert.deepEqual(stored.Statement[1], OWNED);
  });

  it('a grant that keeps failing: exit 1, drift true, missing names the repository', async () => {
    stack.proxy.setRules([{ operation: 'SetRepositoryPolicy', fault: 'http-503' }]);
    const run = await publish();
    expectOneError(run, /^The image is pushed \(.*\), but the grant was not written: ecr:SetRepositoryPolicy failed after 4 attempts/);
    assert.equal(run.outputs.drift, 'true');
    assert.deepEqual(JSON.parse(run.outputs.missing), [PLATFORM_AGENT]);
  });
});
