// Hangs and cleanup. SIGTERM from the runner must end the step within ~2 s wherever it waits (a
// propagation backoff, a build), leaving no private DOCKER_CONFIG; a FIFO manifest never blocks.
// The post: step takes its path from saved state, which a log line can forge (::save-state): it
// deletes only the folder the main step made and marked, and refuses anything else with a warning.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { markOurDockerConfig } from '../../src/action/state.js';
import { ALLOWLIST_POLICY, PLATFORM_AGENT, PROD_ACCOUNT, STAGING_ACCOUNT, STAGING_ROLE_ARN, presets, template, workspace } from '../../stack/fixture.js';
import { assertNoForgedCommands, runPost, spawnAction, useStoredMoto, until } from './stack.js';

const UNGRANTED = template('codex');

/** A docker client that answers version and login, and whose build hangs (no dockerd needed). */
function fakeDocker(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fake-docker-'));
  const script = [
    '#!/bin/sh',
    'case "$1" in',
    '  version) echo 20.10.24; exit 0 ;;',
    '  buildx) exit 1 ;;',
    '  login) cat >/dev/null; echo "Login Succeeded"; exit 0 ;;',
    '  build) echo "building in $DOCKER_CONFIG"; exec sleep 20 ;;',
    '  *) exit 1 ;;',
    'esac',
    '',
  ].join('\n');
  writeFileSync(join(dir, 'docker'), script);
  chmodSync(join(dir, 'docker'), 0o755);
  return dir;
}

describe('SIGTERM ends every wait within ~2 s and leaves no credentials', () => {
  const stack = useStoredMoto({ repositories: [PLATFORM_AGENT, UNGRANTED], granted: [PLATFORM_AGENT], allowlist: [PLATFORM_AGENT, UNGRANTED] });

  it('a reconcile stuck retrying SetRepositoryPolicy (a principal IAM does not know yet) ends within 2 s of SIGTERM, having written nothing', async () => {
    stack.proxy.clear();
    stack.proxy.refuseSetRepositoryPolicy = true;
    const run = spawnAction(
      {
        ...presets.verifyRepository,
        mode: 'reconcile',
        'aws-region': 'us-east-2',
        'registry-id': PROD_ACCOUNT,
        repository: UNGRANTED,
        'pull-principals': STAGING_ACCOUNT,
        'propagation-timeout': '600',
      },
      { ...stack.env, AWS_ENDPOINT_URL: stack.proxy.endpoint },
    );
    await until('a propagation retry', () => /retrying in/.test(run.log()), 60_000, run);
    const signalled = Date.now();
    run.child.kill('SIGTERM');
    const exit = await run.exited;
    assert.ok(exit.at - signalled < 2000, `ended ${exit.at - signalled} ms after SIGTERM`);
    assert.notEqual(exit.code, 0);
    assertNoForgedCommands(run.log());
    assert.deepEqual(await stack.writableState(), stack.state, 'nothing was written');
  });

  it('a publish stuck in the build ends within 2 s of SIGTERM; its private DOCKER_CONFIG is gone; post then finds nothing to delete', async () => {
    stack.proxy.clear();
    const context = workspace({ Dockerfile: 'FROM scratch\n' });
    const run = spawnAction(
      { mode: 'publish', 'aws-region': 'us-east-2', repository: PLATFORM_AGENT, tags: 'cancelled', context },
      { ...stack.env, AWS_ENDPOINT_URL: stack.proxy.endpoint, PATH: `${fakeDocker()}:${process.env.PATH}`, DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
    );
    await until('the build', () => /building in /.test(run.log()), 60_000, run);
    const dockerConfig = readdirSync(run.runnerTemp).find((name) => name.startsWith('publish-image-docker-'));
    assert.ok(dockerConfig, run.log());
    const dir = join(run.runnerTemp, dockerConfig);
    assert.ok(existsSync(join(dir, 'config.json')) && existsSync(join(dir, '.publish-image-owned')), 'made and marked');
    const signalled = Date.now();
    run.child.kill('SIGTERM');
    const exit = await run.exited;
    assert.ok(exit.at - signalled < 2000, `ended ${exit.at - signalled} ms after SIGTERM`);
    assert.ok(!existsSync(dir), 'the private DOCKER_CONFIG is gone');
    assert.ok(readFileSync(run.stateFile, 'utf8').includes(dir), 'saved for post');
    const post = await runPost({ 'docker-config': dir }, { RUNNER_TEMP: run.runnerTemp });
    assert.equal(post.exitCode, 0, post.log);
    assert.ok(!/::warning::|Removed/.test(post.log), post.log);
    assert.deepEqual(await stack.writableState(), stack.state, 'nothing was written');
  });

  it('a FIFO as manifest never blocks: the run ends by itself at once, and a SIGTERM sent meanwhile still ends it promptly', async () => {
    const ws = workspace();
    execFileSync('mkfifo', [join(ws, 'manifest.json')]);
    const run = spawnAction(
      {
        mode: 'verify',
        'aws-region': 'us-east-2',
        'registry-id': '153263036946',
        manifest: 'manifest.json',
        'staging-role-arn': STAGING_ROLE_ARN,
        'staging-policy-name': ALLOWLIST_POLICY,
      },
      { ...stack.env, AWS_ENDPOINT_URL: stack.proxy.endpoint, GITHUB_WORKSPACE: ws },
    );
    const started = Date.now();
    let signalled = false;
    setTimeout(() => {
      signalled = true;
      run.child.kill('SIGTERM');
    }, 3000).unref();
    // Before the fix the read blocked the event loop, so SIGTERM did nothing: fail, don't hang.
    setTimeout(() => run.child.kill('SIGKILL'), 10_000).unref();
    const exit = await run.exited;
    assert.ok(exit.at - started < 5000, `ended after ${exit.at - started} ms`);
    assert.equal(exit.code, 1, run.log());
    // On a loaded machine the signal may come first; then it still ended within 2 s of it.
    if (!signalled) assert.match(run.log(), /::error::manifest: "manifest.json" is a FIFO, not a regular file/);
  });
});

describe('post: deletes only the private DOCKER_CONFIG it made; forged state deletes nothing', () => {
  const runnerTemp = mkdtempSync(join(tmpdir(), 'runner-post-'));
  /** A folder with a file in it that must survive post. */
  const victim = (parent: string, name: string): string => {
    const dir = join(parent, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'precious'), 'keep me');
    return dir;
  };
  const cases: [string, () => string, RegExp][] = [
    ['/etc', () => '/etc', /its name is not publish-image-docker-XXXXXX/],
    ["a folder of the user's", () => victim(mkdtempSync(join(tmpdir(), 'home-')), 'project'), /its name is not publish-image-docker-XXXXXX/],
    ['a relative path', () => 'publish-image-docker-abcdef', /it is not an absolute path/],
    [
      'a path that climbs out of the temp folder',
      () => (mkdirSync(join(runnerTemp, 'publish-image-docker-abcdef'), { recursive: true }), `${runnerTemp}/publish-image-docker-abcdef/../../../etc`),
      /its name is not publish-image-docker-XXXXXX/,
    ],
    ['a look-alike folder without our marker', () => victim(runnerTemp, 'publish-image-docker-nomark'), /it has no marker file of ours/],
    [
      'a look-alike symlink to a marked folder',
      () => {
        const target = victim(mkdtempSync(join(tmpdir(), 'elsewhere-')), 'data');
        markOurDockerConfig(target);
        const link = join(runnerTemp, 'publish-image-docker-linked');
        symlinkSync(target, link);
        return link;
      },
      /it is not a directory \(or is a link\)/,
    ],
    [
      'a look-alike whose marker names another folder',
      () => {
        const dir = victim(runnerTemp, 'publish-image-docker-copied');
        const other = join(runnerTemp, 'publish-image-docker-other1');
        mkdirSync(other);
        markOurDockerConfig(other);
        writeFileSync(join(dir, '.publish-image-owned'), readFileSync(join(other, '.publish-image-owned')));
        return dir;
      },
      /its marker file is not ours/,
    ],
    [
      "a marked folder outside the job's temp folder",
      () => {
        const dir = victim(mkdtempSync(join(tmpdir(), 'not-runner-temp-')), 'publish-image-docker-abcdef');
        markOurDockerConfig(dir);
        return dir;
      },
      /it is not in the job's temp folder/,
    ],
    [
      'a marker that is a symlink',
      () => {
        const dir = victim(runnerTemp, 'publish-image-docker-mlink1');
        const elsewhere = join(mkdtempSync(join(tmpdir(), 'marker-')), 'm');
        writeFileSync(elsewhere, `publish-image private DOCKER_CONFIG ${dir}\n`);
        symlinkSync(elsewhere, join(dir, '.publish-image-owned'));
        return dir;
      },
      /its marker file is not ours/,
    ],
    [
      'a forged path with a newline that would start a command',
      () => `${runnerTemp}/publish-image-docker-abcdef\n::error::forged`,
      /its name is not publish-image-docker-XXXXXX/,
    ],
  ];

  for (const [what, make, reason] of cases) {
    it(`refuses ${what}: a warning, and nothing deleted`, async () => {
      const dir = make();
      const before = existsSync(dir) ? readdirSync(dir).sort() : undefined;
      const post = await runPost({ 'docker-config': dir }, { RUNNER_TEMP: runnerTemp, TMPDIR: runnerTemp });
      assert.equal(post.exitCode, 0, post.log);
      if (before !== undefined) {
        assert.match(post.log, /::warning::post: the saved DOCKER_CONFIG path ".*" is not a folder this action made \(/, post.log);
        assert.match(post.log, reason, post.log);
        assert.deepEqual(readdirSync(dir).sort(), before, 'nothing deleted');
      }
      assert.ok(!/Removed/.test(post.log), post.log);
      assertNoForgedCommands(post.log, 'post');
    });
  }

  it("removes the marked folder it made in the job's temp folder", async () => {
    const dir = victim(runnerTemp, 'publish-image-docker-Ab12Cd');
    writeFileSync(join(dir, 'config.json'), '{"auths":{"x":{"auth":"secret"}}}');
    // The private config links the user's CLI plugins and contexts: the links go, never their targets.
    const plugins = victim(mkdtempSync(join(tmpdir(), 'user-docker-')), 'cli-plugins');
    symlinkSync(plugins, join(dir, 'cli-plugins'));
    markOurDockerConfig(dir);
    const post = await runPost({ 'docker-config': dir }, { RUNNER_TEMP: runnerTemp });
    assert.equal(post.exitCode, 0, post.log);
    assert.ok(!existsSync(dir), post.log);
    assert.equal(readFileSync(join(plugins, 'precious'), 'utf8'), 'keep me', "the user's plugins are untouched");
    assert.match(post.log, /Removed the private DOCKER_CONFIG /);
  });

  it('says nothing when the folder is already gone, or no state was saved', async () => {
    for (const saved of [{ 'docker-config': join(runnerTemp, 'publish-image-docker-gone12') }, {}] as Record<string, string>[]) {
      const post = await runPost(saved, { RUNNER_TEMP: runnerTemp });
      assert.equal(post.exitCode, 0, post.log);
      assert.equal(post.log.trim(), '', post.log);
    }
  });
});
