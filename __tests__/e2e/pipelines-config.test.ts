// Issue 11, point 1: the private DOCKER_CONFIG keeps what the job set up. A second registry on
// 127.0.0.2 (its own host name and htpasswd user, TLS by the same CA) holds the base image; the runner
// user logs in to it with the real docker CLI before the action runs (through a credential store, or
// inline); the publish builds FROM it. The user's ~/.docker stays byte-for-byte as it was, their
// store never receives the ECR password, and a stand-in buildx plugin in their cli-plugins shows the
// action found it and pointed it at their builder state. Also: provenance is false on buildx by
// default, metadata-action's references are accepted, and registry/imageid/metadata are output.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createRepository } from '../../stack/aws.js';
import { buildxCalls, credentialCalls, writeBuildxStandIn, writeCredentialStoreStandIn } from '../../stack/docker-standins.js';
import { engineFromEnv } from '../../stack/env.js';
import { helloContext } from '../../stack/fixtures.js';
import { REGISTRY_HOST, REGISTRY_PASSWORD, dockerEnv, errorLines, everythingShown, runAction, useMoto, type ActionRun } from '../../stack/fixture.js';
import { servedDigest } from '../../stack/registry-client.js';
import { loginAsUser, runnerUser, snapshot, writeBuilderState, type RunnerUser } from '../../stack/runner-user.js';
import { startSecondRegistry, type SecondRegistry } from '../../stack/second-registry.js';
import { startAction, runPost } from '../../stack/wrapped-action.js';

const engine = engineFromEnv();
const stack = useMoto();
let base: SecondRegistry;
let baseImage: string;

function docker(args: string[], env: NodeJS.ProcessEnv = {}, input?: string): string {
  return execFileSync('/usr/bin/docker', args, {
    env: { ...process.env, DOCKER_HOST: engine.dockerHost, ...env },
    encoding: 'utf8',
    input,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** dockerd forgets the base image and its build cache, so the next build must pull it (with credentials). */
function forgetBaseImage(): void {
  try {
    docker(['rmi', '-f', baseImage]);
  } catch {
    // not pulled yet
  }
  docker(['builder', 'prune', '-af']);
}

function actionEnv(user: RunnerUser, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return dockerEnv(stack.env, {
    HOME: user.home,
    PATH: `${user.bin}:${engine.dockerClientDir}:${process.env.PATH}`,
    GITHUB_SHA: 'b'.repeat(40),
    GITHUB_REF: 'refs/heads/feature',
    ...extra,
  });
}

const fromBase = (): string => helloContext(`FROM ${baseImage}\nRUN ["/bin/busybox", "sh", "-c", "echo built on the base image > /from-base"]\n`);

function privateConfigs(run: { runnerTemp: string }): string[] {
  return readdirSync(run.runnerTemp).filter((name) => name.startsWith('publish-image-docker-'));
}

function assertPasswordNowhere(run: ActionRun): void {
  const everything = everythingShown(run);
  assert.ok(!everything.includes(REGISTRY_PASSWORD), 'the ECR password is never printed');
}

describe("private DOCKER_CONFIG keeps the job's builder, plugins and logins (dockerd + 2 registries + moto)", () => {
  before(async () => {
    base = await startSecondRegistry(engine.caFile);
    baseImage = `${base.host}/base/busybox:1`;
    // The base image, pushed to the second registry with credentials of its own.
    const config = mkdtempSync(join(tmpdir(), 'base-push-'));
    docker(['--config', config, 'login', '--username', base.username, '--password-stdin', base.host], {}, base.password);
    docker(['build', '--tag', baseImage, helloContext('FROM scratch\nCOPY busybox /bin/busybox\n')], { DOCKER_BUILDKIT: '1' });
    docker(['--config', config, 'push', baseImage]);
  });
  after(async () => {
    await base?.stop();
  });
  beforeEach(async () => {
    forgetBaseImage();
  });

  it('builds FROM a registry the user logged in to through their credential store; the store never gets the ECR password; ~/.docker unchanged', async () => {
    const repository = 'molecule-ai/pipelines-base-store';
    await createRepository(stack.endpoint, repository);
    // A runner user whose docker config keeps logins in a credential store (the CLI's default on a desktop).
    const user = runnerUser(engine.dockerHost, engine.dockerClientDir, { credsStore: 'secretservice', psFormat: 'table {{.ID}}\t{{.Names}}' });
    const store = { db: join(user.home, 'store.json'), log: join(user.home, 'store.log') };
    writeCredentialStoreStandIn(user.bin, 'secretservice', store.db, store.log);

    // Without the login, the base image cannot be pulled: the build needs those credentials.
    const denied = await runAction({ repository, context: fromBase(), tags: 'v0' }, actionEnv(user));
    assert.equal(denied.exitCode, 1, denied.log);
    assert.match(errorLines(denied.log)[0], /docker build failed/);
    assert.match(denied.log, /401|unauthorized|authorization/i);
    forgetBaseImage();

    loginAsUser(user, base.host, base.username, base.password);
    assert.ok(
      credentialCalls(store.log).some((call) => call.command === 'store'),
      "the user's login went into their store",
    );
    const before = snapshot(user.dockerDir);
    const startedAt = Date.now();

    const run = await runAction({ repository, context: fromBase(), tags: 'v1' }, actionEnv(user));
    assert.equal(run.exitCode, 0, run.log);
    assert.equal(await servedDigest(repository, 'v1'), run.outputs.digest);
    const image = `${REGISTRY_HOST}/${repository}:v1`;
    assert.equal(docker(['run', '--rm', image, '/bin/busybox', 'cat', '/from-base']).trim(), 'built on the base image');

    assert.deepEqual(snapshot(user.dockerDir), before, "the user's ~/.docker is byte-for-byte what it was");
    const calls = credentialCalls(store.log).filter((call) => call.at >= startedAt);
    assert.ok(
      calls.some((call) => call.command === 'get' && call.serverURL?.includes(base.host)),
      `the build read the base login from the store: ${JSON.stringify(calls)}`,
    );
    assert.deepEqual(
      calls.filter((call) => call.command !== 'get' && call.command !== 'list'),
      [],
      "nothing was stored in or erased from the user's store",
    );
    const db = readFileSync(store.db, 'utf8');
    assert.ok(!db.includes(REGISTRY_HOST) && !db.includes(REGISTRY_PASSWORD), 'the store never holds the ECR login');
    assert.deepEqual(privateConfigs(run), [], 'the private DOCKER_CONFIG is removed');
    assertPasswordNowhere(run);
  });

  it("finds buildx in the user's cli-plugins, points it at their builder stack.state, and reports what buildx wrote", async () => {
    const repository = 'molecule-ai/pipelines-buildx';
    await createRepository(stack.endpoint, repository);
    const user = runnerUser(engine.dockerHost, engine.dockerClientDir);
    loginAsUser(user, base.host, base.username, base.password); // inline in config.json: no store on this user's PATH
    mkdirSync(join(user.dockerDir, 'cli-plugins'));
    const record = join(user.home, 'buildx-calls.jsonl');
    writeBuildxStandIn(join(user.dockerDir, 'cli-plugins'), record, REGISTRY_HOST);
    writeBuilderState(join(user.dockerDir, 'buildx'));
    const before = snapshot(user.dockerDir);

    // Tags as docker/metadata-action outputs them, next to a bare one.
    const tags = `${REGISTRY_HOST}/${repository}:v2\n${REGISTRY_HOST}/${repository}:sha-bbbbbbb\nlatest`;
    const run = await runAction({ repository, context: fromBase(), tags, 'build-contexts': 'extra=docker-image://busybox:stable' }, actionEnv(user));
    assert.equal(run.exitCode, 0, run.log);

    const calls = buildxCalls(record);
    const build = calls.find((call) => call.args[1] === 'build');
    assert.ok(
      calls.some((call) => call.args[1] === 'version'),
      'the action asked the plugin for its version',
    );
    assert.ok(build, `buildx build ran: ${JSON.stringify(calls)}`);
    assert.match(build.env.DOCKER_CONFIG ?? '', new RegExp(`^${run.runnerTemp}/publish-image-docker-`), 'with the private DOCKER_CONFIG');
    assert.equal(build.env.BUILDX_CONFIG, join(user.dockerDir, 'buildx'), "pointed at the user's builder state");
    assert.deepEqual(build.builders, ['ci-builder'], "where setup-buildx-action's builder is");
    assert.ok(build.sawEcrLogin, 'with the ECR login in its config');
    assert.ok(build.args.includes('--provenance=false'), 'provenance is false unless opted in');
    assert.ok(build.args.includes('--push') && build.args.includes('--metadata-file'));
    assert.deepEqual(
      build.args.filter((_, index) => build.args[index - 1] === '--build-context'),
      ['extra=docker-image://busybox:stable'],
    );
    assert.deepEqual(
      build.args.filter((_, index) => build.args[index - 1] === '--tag'),
      ['v2', 'sha-bbbbbbb', 'latest'].map((tag) => `${REGISTRY_HOST}/${repository}:${tag}`),
    );

    assert.equal(run.outputs.registry, REGISTRY_HOST);
    const metadata = JSON.parse(run.outputs.metadata) as Record<string, string>;
    assert.equal(metadata['containerimage.digest'], run.outputs.digest);
    assert.equal(run.outputs.imageid, metadata['containerimage.config.digest']);
    assert.match(run.outputs.imageid, /^sha256:[0-9a-f]{64}$/);
    assert.equal(docker(['image', 'inspect', '--format', '{{.Id}}', `${REGISTRY_HOST}/${repository}:v2`]).trim(), run.outputs.imageid);
    for (const tag of ['v2', 'sha-bbbbbbb', 'latest']) assert.equal(await servedDigest(repository, tag), run.outputs.digest, tag);

    assert.deepEqual(snapshot(user.dockerDir), before, "the user's ~/.docker (config, plugins, builder stack.state) is unchanged");
    assert.deepEqual(privateConfigs(run), []);
    assertPasswordNowhere(run);
  });

  it("takes the user's folder from DOCKER_CONFIG and the builder state from BUILDX_CONFIG", async () => {
    const repository = 'molecule-ai/pipelines-buildx-env';
    await createRepository(stack.endpoint, repository);
    const user = runnerUser(engine.dockerHost, engine.dockerClientDir);
    const dockerConfig = join(user.home, 'ci-docker');
    const buildxConfig = join(user.home, 'ci-buildx');
    mkdirSync(join(dockerConfig, 'cli-plugins'), { recursive: true });
    loginAsUser(user, base.host, base.username, base.password, { DOCKER_CONFIG: dockerConfig });
    const record = join(user.home, 'buildx-calls.jsonl');
    writeBuildxStandIn(join(dockerConfig, 'cli-plugins'), record, REGISTRY_HOST);
    writeBuilderState(buildxConfig, 'setup-buildx-builder');
    const before = snapshot(dockerConfig);

    const run = await runAction({ repository, context: fromBase(), tags: 'v3' }, actionEnv(user, { DOCKER_CONFIG: dockerConfig, BUILDX_CONFIG: buildxConfig }));
    assert.equal(run.exitCode, 0, run.log);
    const build = buildxCalls(record).find((call) => call.args[1] === 'build');
    assert.equal(build?.env.BUILDX_CONFIG, buildxConfig);
    assert.deepEqual(build?.builders, ['setup-buildx-builder']);
    assert.notEqual(build?.env.DOCKER_CONFIG, dockerConfig);
    assert.deepEqual(snapshot(dockerConfig), before);
    assert.deepEqual(readdirSync(user.dockerDir), [], 'nothing is made in ~/.docker either');
  });

  it("SIGTERM during the build removes everything of ours (login, secret files, links) and nothing of the user's", async () => {
    const repository = 'molecule-ai/pipelines-sigterm';
    await createRepository(stack.endpoint, repository);
    const user = runnerUser(engine.dockerHost, engine.dockerClientDir);
    loginAsUser(user, base.host, base.username, base.password);
    mkdirSync(join(user.dockerDir, 'cli-plugins'));
    writeBuildxStandIn(join(user.dockerDir, 'cli-plugins'), join(user.home, 'buildx-calls.jsonl'), REGISTRY_HOST);
    writeBuilderState(join(user.dockerDir, 'buildx'));
    const before = snapshot(user.dockerDir);

    const context = helloContext(`FROM ${baseImage}\nRUN --mount=type=secret,id=token ["/bin/busybox", "sleep", "8"]\n`);
    const started = startAction({ repository, context, tags: 'cancelled', secrets: 'token=sigterm-s3cret-value' }, actionEnv(user));
    const deadline = Date.now() + 60_000;
    while (!started.log().includes('::group::Build') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const [dir] = privateConfigs(started);
    assert.ok(dir, `a private DOCKER_CONFIG exists during the build:\n${started.log()}`);
    const path = join(started.runnerTemp, dir);
    assert.ok(existsSync(join(path, 'config.json')) && existsSync(join(path, 'secrets', 'secret-0')) && existsSync(join(path, 'cli-plugins', 'docker-buildx')));
    started.child.kill('SIGTERM');
    assert.notEqual(await started.exited, 0);
    assert.ok(!existsSync(path), 'removed on SIGTERM');
    assert.deepEqual(snapshot(user.dockerDir), before, "the links were removed, not followed: the user's plugins and builder state are intact");
    const post = await runPost(started);
    assert.equal(post.exitCode, 0, post.log);
    assert.ok(!existsSync(path));
  });
});
