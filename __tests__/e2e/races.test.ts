// Concurrency: two publishes of different repositories at once, 20 times: no statement or grant may
// be lost. And cancellation: SIGTERM during the build leaves no registry credentials behind. (Two
// reconciles on the same role need no Docker engine: integration/reconcile-race.test.ts.)
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { helloContext } from '../../stack/fixtures.js';
import { INCIDENT_ALLOWLIST, ROOT, STAGING_ACCOUNT, dockerEnv, runAction, useMoto } from '../../stack/fixture.js';
import { servedDigest } from '../../stack/registry-client.js';

const ROUNDS = 20;

// The publishes race on repositories of their own; the allowlist is the incident's.
const stack = useMoto({ once: true, repositories: [...INCIDENT_ALLOWLIST, 'molecule-ai/race-one', 'molecule-ai/race-two'], allowlist: INCIDENT_ALLOWLIST });

describe(`races, ${ROUNDS} rounds each (dockerd + registry + moto)`, () => {
  it('two publishes of different repositories at once both land, with their grants', async () => {
    const publish = (repository: string, tag: string) =>
      runAction({ repository, context: helloContext(), tags: tag, 'pull-principals': `${STAGING_ACCOUNT}` }, dockerEnv(stack.env));
    for (let round = 1; round <= ROUNDS; round++) {
      const [one, two] = await Promise.all([publish('molecule-ai/race-one', `r${round}`), publish('molecule-ai/race-two', `r${round}`)]);
      assert.equal(one.exitCode, 0, `round ${round}: ${one.log}`);
      assert.equal(two.exitCode, 0, `round ${round}: ${two.log}`);
      assert.equal(await servedDigest('molecule-ai/race-one', `r${round}`), one.outputs.digest);
      assert.equal(await servedDigest('molecule-ai/race-two', `r${round}`), two.outputs.digest);
      for (const repository of ['molecule-ai/race-one', 'molecule-ai/race-two']) {
        const policy = (await stack.storedRepositoryPolicy(repository)) as { Statement: { Sid: string }[] };
        assert.deepEqual(
          policy.Statement.map((statement) => statement.Sid),
          ['PublishImageCrossAccountPull'],
          `round ${round}: ${repository}`,
        );
      }
    }
  });

  it('SIGTERM during the build removes the private DOCKER_CONFIG; the post step, run after, finds nothing left', async () => {
    const repository = 'molecule-ai/race-one';
    const runnerTemp = mkdtempSync(join(tmpdir(), 'runner-'));
    const files = { GITHUB_OUTPUT: join(runnerTemp, 'output'), GITHUB_STATE: join(runnerTemp, 'state'), GITHUB_STEP_SUMMARY: join(runnerTemp, 'summary') };
    for (const path of Object.values(files)) writeFileSync(path, '');
    const defaults = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, { default: string }> };
    const inputs: Record<string, string> = {};
    for (const [name, input] of Object.entries(defaults.inputs)) inputs[`INPUT_${name.toUpperCase()}`] = input.default;
    Object.assign(inputs, {
      INPUT_REPOSITORY: repository,
      INPUT_TAGS: 'cancelled',
      INPUT_CONTEXT: helloContext('FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "sleep", "30"]\n'),
    });
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'index.js')], {
      env: { ...dockerEnv(stack.env), ...files, ...inputs, RUNNER_TEMP: runnerTemp },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout.on('data', (chunk: Buffer) => (log += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const deadline = Date.now() + 60_000;
    while (!log.includes('::group::Build') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const dockerConfig = readdirSync(runnerTemp).find((name) => name.startsWith('publish-image-docker-'));
    assert.ok(dockerConfig, `a private DOCKER_CONFIG exists during the build:\n${log}`);
    assert.ok(existsSync(join(runnerTemp, dockerConfig, 'config.json')));
    child.kill('SIGTERM');
    assert.notEqual(await exited, 0);
    assert.ok(!existsSync(join(runnerTemp, dockerConfig)), 'removed on SIGTERM');
    assert.ok(readFileSync(files.GITHUB_STATE, 'utf8').includes(join(runnerTemp, dockerConfig)), 'saved for the post step');
    const post = spawn(process.execPath, [join(ROOT, 'dist', 'post', 'index.js')], {
      env: { ...process.env, [`STATE_docker-config`]: join(runnerTemp, dockerConfig) },
      stdio: 'ignore',
    });
    assert.equal(await new Promise((resolve) => post.on('close', resolve)), 0);
  });
});
