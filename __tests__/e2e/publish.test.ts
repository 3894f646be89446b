import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DescribeRepositoriesCommand, PutImageCommand } from '@aws-sdk/client-ecr';
import { createRepository, ecrIn } from '../../stack/aws.js';
import { engineFromEnv } from '../../stack/env.js';
import { helloContext } from '../../stack/fixtures.js';
import {
  PROD_ACCOUNT,
  REGION,
  REGISTRY_HOST,
  REGISTRY_PASSWORD,
  dockerEnv,
  everythingShown,
  expectOneError as assertOneError,
  runAction,
  useMoto,
  type ActionRun,
} from '../../stack/fixture.js';
import { registryTags, servedDigest } from '../../stack/registry-client.js';

const engine = engineFromEnv();
const stack = useMoto();

function actionEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return dockerEnv(stack.env, {
    GITHUB_SHA: 'f'.repeat(40),
    GITHUB_REF: 'refs/heads/feature',
    GITHUB_SERVER_URL: 'https://git.example.com',
    GITHUB_REPOSITORY: 'molecule-ai/example',
    ...extra,
  });
}

function docker(...args: string[]): string {
  return execFileSync('/usr/bin/docker', args, { env: { ...process.env, DOCKER_HOST: engine.dockerHost }, encoding: 'utf8' });
}

function assertNoCredentialsLeft(run: ActionRun): void {
  assert.deepEqual(
    readdirSync(run.runnerTemp).filter((name) => name.startsWith('publish-image-docker-')),
    [],
    'private DOCKER_CONFIG removed',
  );
  const token = Buffer.from(`AWS:${REGISTRY_PASSWORD}`).toString('base64');
  // `::add-mask::` lines are consumed by the runner (which then hides the value); everything else is shown.
  assert.ok(run.log.includes(`::add-mask::${REGISTRY_PASSWORD}`), 'the password is masked');
  const everything = everythingShown(run);
  assert.ok(!everything.includes(REGISTRY_PASSWORD), 'registry password never printed');
  assert.ok(!everything.includes(token), 'authorization token never printed');
}

describe('publish (dockerd + registry + moto)', () => {
  it('builds, pushes, confirms the digest with the registry, and the image pulls back by digest and runs', async () => {
    const repository = 'molecule-ai/e2e-hello';
    await createRepository(stack.endpoint, repository);
    const run = await runAction({ repository, context: helloContext(), tags: 'v1,stable' }, actionEnv());

    assert.equal(run.exitCode, 0, run.log);
    const digest = run.outputs.digest;
    assert.match(digest, /^sha256:[a-f0-9]{64}$/);
    assert.equal(run.outputs['image-uri'], `${REGISTRY_HOST}/${repository}@${digest}`);
    assert.equal(run.outputs.tags, `${REGISTRY_HOST}/${repository}:v1\n${REGISTRY_HOST}/${repository}:stable`);
    assert.equal(run.outputs['repository-arn'], `arn:aws:ecr:${REGION}:${PROD_ACCOUNT}:repository/${repository}`);
    assert.equal(await servedDigest(repository, 'v1'), digest, 'the registry serves the digest the action reported');
    assert.equal(await servedDigest(repository, 'stable'), digest);
    assert.match(run.summary, new RegExp(digest));

    docker('rmi', '-f', `${REGISTRY_HOST}/${repository}:v1`, `${REGISTRY_HOST}/${repository}:stable`);
    const pulledBy = `${REGISTRY_HOST}/${repository}@${digest}`;
    const dockerConfig = join(run.runnerTemp, 'pull-config');
    execFileSync('/usr/bin/docker', ['--config', dockerConfig, 'login', '--username', 'AWS', '--password-stdin', REGISTRY_HOST], {
      env: { ...process.env, DOCKER_HOST: engine.dockerHost },
      input: REGISTRY_PASSWORD,
    });
    execFileSync('/usr/bin/docker', ['--config', dockerConfig, 'pull', pulledBy], { env: { ...process.env, DOCKER_HOST: engine.dockerHost } });
    assert.equal(docker('run', '--rm', pulledBy).trim(), 'hello from publish-image');

    assertNoCredentialsLeft(run);
    assert.equal(run.post.exitCode, 0);
  });

  it('tags with the commit SHA, and latest on the default branch, with OCI labels from the runner', async () => {
    const repository = 'molecule-ai/e2e-default-tags';
    await createRepository(stack.endpoint, repository);
    const eventPath = join(helloContext(), 'event.json');
    writeFileSync(eventPath, JSON.stringify({ repository: { default_branch: 'trunk' } }));
    const sha = 'a'.repeat(40);
    const run = await runAction(
      { repository, context: helloContext() },
      actionEnv({ GITHUB_SHA: sha, GITHUB_REF: 'refs/heads/trunk', GITHUB_EVENT_PATH: eventPath }),
    );
    assert.equal(run.exitCode, 0, run.log);
    assert.deepEqual((await registryTags(repository)).sort(), [sha, 'latest']);
    const labels = JSON.parse(docker('inspect', '--format', '{{json .Config.Labels}}', `${REGISTRY_HOST}/${repository}:${sha}`));
    assert.equal(labels['org.opencontainers.image.revision'], sha);
    assert.equal(labels['org.opencontainers.image.source'], 'https://git.example.com/molecule-ai/example');
    assert.match(labels['org.opencontainers.image.created'], /^\d{4}-\d\d-\d\dT/);
  });

  it('creates the repository when asked, with immutable tags and scan on push', async () => {
    const repository = 'molecule-ai/e2e-created';
    const run = await runAction({ repository, context: helloContext(), tags: 'v1', 'create-repository': 'true' }, actionEnv());
    assert.equal(run.exitCode, 0, run.log);
    const { repositories } = await ecrIn(stack.endpoint, PROD_ACCOUNT).send(new DescribeRepositoriesCommand({ repositoryNames: [repository] }));
    // Immutable except `latest` (image-tag-mutability's default), so the default tags work on every run.
    assert.equal(repositories?.[0].imageTagMutability, 'IMMUTABLE_WITH_EXCLUSION');
    assert.deepEqual(repositories?.[0].imageTagMutabilityExclusionFilters, [{ filterType: 'WILDCARD', filter: 'latest' }]);
    assert.equal(repositories?.[0].imageScanningConfiguration?.scanOnPush, true);
  });

  it('refuses a missing repository unless create-repository is set, before building', async () => {
    const run = await runAction({ repository: 'molecule-ai/e2e-absent', context: helloContext(), tags: 'v1' }, actionEnv());
    assertOneError(run, /repository: "molecule-ai\/e2e-absent" does not exist in registry 153263036946 .*create-repository: true/);
    assert.deepEqual(await registryTags('molecule-ai/e2e-absent'), []);
  });

  it('refuses to overwrite a tag in an immutable repository, before building', async () => {
    const repository = 'molecule-ai/e2e-immutable';
    await createRepository(stack.endpoint, repository, { immutable: true });
    const manifest = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json', config: {}, layers: [] });
    await ecrIn(stack.endpoint, PROD_ACCOUNT).send(new PutImageCommand({ repositoryName: repository, imageManifest: manifest, imageTag: 'v1' }));
    const run = await runAction({ repository, context: helloContext(), tags: 'v1' }, actionEnv());
    assertOneError(run, /tags: v1 already exist in molecule-ai\/e2e-immutable, whose tags are immutable/);
    assert.deepEqual(await registryTags(repository), []);
  });

  it('stops with the failing build line, and removes its credentials', async () => {
    const repository = 'molecule-ai/e2e-broken';
    await createRepository(stack.endpoint, repository);
    const context = helloContext(
      'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "sh", "-c", "echo compile error: missing semicolon >&2; exit 3"]\n',
    );
    const run = await runAction({ repository, context, tags: 'v1' }, actionEnv());
    assertOneError(run, /docker build failed[\s\S]*exit code: 3/);
    assert.deepEqual(await registryTags(repository), []);
    assertNoCredentialsLeft(run);
  });

  const refusals: [string, Record<string, string>, NodeJS.ProcessEnv, RegExp][] = [
    ['a missing Dockerfile', { file: 'nope/Dockerfile' }, {}, /file: "nope\/Dockerfile" does not exist/],
    ['no Docker daemon', {}, { DOCKER_HOST: 'unix:///nonexistent/docker.sock' }, /Docker daemon: cannot reach it at unix:\/\/\/nonexistent\/docker.sock/],
    ['a bad repository name', { repository: 'Molecule_AI/Bad' }, {}, /repository: "Molecule_AI\/Bad" is not a valid ECR repository name/],
    ['a bad tag', { tags: 'v1,-oops' }, {}, /tags: "-oops" is not a valid image tag/],
    ['a bad region', { 'aws-region': 'mars-1' }, {}, /aws-region: "mars-1" is not an AWS region/],
  ];
  for (const [what, inputs, env, message] of refusals) {
    it(`stops with one clear error on ${what}, and writes nothing`, async () => {
      const repository = 'molecule-ai/e2e-refused';
      await createRepository(stack.endpoint, repository);
      const context = helloContext();
      const run = await runAction({ repository, context, tags: 'v1', ...inputs }, actionEnv(env), { timeoutMs: 60_000 });
      assertOneError(run, message);
      assert.deepEqual(await registryTags(repository), []);
      assert.ok(!existsSync(join(run.runnerTemp, 'publish-image-docker-')));
    });
  }
});
