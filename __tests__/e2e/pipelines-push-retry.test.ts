// Issue 11, point 5: pushes retried on transient registry errors. A fault-injecting TLS front stands
// before the registry under another region's ECR host name (us-west-2, on 127.0.0.3); dockerd pushes
// through it as to any registry. It answers the manifest PUT (the last request of a push, which
// dockerd does not retry by itself) with 5xx or resets the connection.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, beforeEach, describe, it } from 'node:test';
import { CreateRepositoryCommand } from '@aws-sdk/client-ecr';
import { ecrIn } from '../../stack/aws.js';
import { EXTRA_REGISTRY_HOSTS } from '../../stack/engine.js';
import { engineFromEnv } from '../../stack/env.js';
import { helloContext } from '../../stack/fixtures.js';
import { PROD_ACCOUNT, REGISTRY_PASSWORD, dockerEnv, expectOneError, runAction, useMoto } from '../../stack/fixture.js';
import { MANIFEST_PUT, startRegistryFaultProxy, type RegistryFaultProxy } from '../../stack/registry-fault-proxy.js';
import { registryTags, servedDigest } from '../../stack/registry-client.js';

const engine = engineFromEnv();
const REGION = 'us-west-2';
const FRONT_HOST = EXTRA_REGISTRY_HOSTS[1];
const REPOSITORY = 'molecule-ai/push-retry';
const stack = useMoto({
  seed: ({ endpoint }) => ecrIn(endpoint, PROD_ACCOUNT, REGION).send(new CreateRepositoryCommand({ repositoryName: REPOSITORY })),
});
let front: RegistryFaultProxy;
let tag = 0;

function publish() {
  return runAction({ repository: REPOSITORY, context: helloContext(), tags: `r${++tag}` }, dockerEnv(stack.env, { AWS_REGION: REGION }));
}

const manifestPuts = (): number => front.calls.filter((call) => call.method === 'PUT' && MANIFEST_PUT.path.test(call.path)).length;

describe('push retries through a fault-injecting registry front (dockerd + registry + moto)', () => {
  before(async () => {
    front = await startRegistryFaultProxy(engine.caFile, FRONT_HOST);
  });
  after(async () => {
    await front?.stop();
  });
  beforeEach(async () => {
    front.calls.length = 0;
  });

  it('5xx twice on the manifest push: retried with backoff, each attempt logged, pushed on the third', async () => {
    front.setRules([{ ...MANIFEST_PUT, fault: 'http-503', count: 2 }]);
    const run = await publish();
    assert.equal(run.exitCode, 0, run.log);
    assert.match(run.outputs['image-uri'], new RegExp(`^${FRONT_HOST}/${REPOSITORY}@sha256:`));
    assert.equal(await servedDigest(REPOSITORY, `r${tag}`), run.outputs.digest);
    assert.equal(manifestPuts(), 3);
    const ref = `${FRONT_HOST}/${REPOSITORY}:r${tag}`;
    assert.match(
      run.log,
      new RegExp(`docker push ${ref}: attempt 1 of 4 failed \\(received unexpected HTTP status: 503 Service Unavailable\\); retrying in \\d\\.\\ds\\.`),
    );
    assert.match(
      run.log,
      new RegExp(`docker push ${ref}: attempt 2 of 4 failed \\(received unexpected HTTP status: 503 Service Unavailable\\); retrying in \\d\\.\\ds\\.`),
    );
    assert.match(run.log, new RegExp(`docker push ${ref}: pushed on attempt 3 of 4\\.`));
  });

  it('a reset connection is retried too', async () => {
    front.setRules([{ ...MANIFEST_PUT, fault: 'reset', count: 1 }]);
    const run = await publish();
    assert.equal(run.exitCode, 0, run.log);
    assert.equal(await servedDigest(REPOSITORY, `r${tag}`), run.outputs.digest);
    assert.match(run.log, /attempt 1 of 4 failed \((?:EOF|unexpected EOF|connection reset by peer|broken pipe)\); retrying in/);
    assert.match(run.log, /pushed on attempt 2 of 4\./);
  });

  it('a registry that keeps failing: 4 attempts, then one error saying the image was built but not pushed', async () => {
    front.setRules([{ ...MANIFEST_PUT, fault: 'http-502' }]);
    const started = Date.now();
    const run = await publish();
    expectOneError(
      run,
      new RegExp(
        `^The image was built but not pushed: docker push ${FRONT_HOST}/${REPOSITORY}:r${tag} failed 4 times, the last time with:\\n[\\s\\S]*502 Bad Gateway[\\s\\S]*\\nThe registry \\(or the network to it\\) kept failing; re-run the job\\.$`,
      ),
    );
    assert.equal(manifestPuts(), 4, 'bounded: exactly 4 attempts');
    assert.equal(run.log.match(/retrying in/g)?.length, 3);
    assert.ok(Date.now() - started >= 3 * 750, 'with backoff between attempts (1 s, 2 s, 4 s, each 75-100 %)');
    assert.ok(!(await registryTags(REPOSITORY)).includes(`r${tag}`));
    assert.deepEqual(
      readdirSync(run.runnerTemp).filter((name) => name.startsWith('publish-image-docker-')),
      [],
    );
    const shown = run.log
      .split('\n')
      .filter((line) => !line.startsWith('::add-mask::'))
      .join('\n');
    assert.ok(!shown.includes(REGISTRY_PASSWORD) && !readFileSync(run.outputs.report ?? '/dev/null', 'utf8').includes(REGISTRY_PASSWORD));
  });

  it('a refusal (403) is not retried: one attempt, one error', async () => {
    front.setRules([{ ...MANIFEST_PUT, fault: 'http-403' }]);
    const run = await publish();
    expectOneError(
      run,
      /^The image was built but not pushed: docker push .* failed, the last time with:\n[\s\S]*403[\s\S]*Another attempt would fail the same way/,
    );
    assert.equal(manifestPuts(), 1);
    assert.ok(!run.log.includes('retrying in'));
  });
});
