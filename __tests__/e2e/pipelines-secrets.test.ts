// Issue 11, point 4: build secrets, SSH and extra contexts with build-push-action's names. On the
// BuildKit path here (Debian's dockerd, docker 20.10): a RUN --mount=type=secret sees each secret
// (it writes the secret's SHA-256 into the image), the saved image holds none of them, SSH agent
// forwarding reaches RUN --mount=type=ssh, and no secret appears in the log, an output, the summary,
// the report or the post step. Each is masked before the build starts. Also: imageid and metadata
// outputs on this path, and build-contexts refused clearly without buildx.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createRepository } from '../../stack/aws.js';
import { engineFromEnv } from '../../stack/env.js';
import { helloContext } from '../../stack/fixtures.js';
import { REGISTRY_HOST, dockerEnv, errorLines, everythingShown, runAction, useMoto } from '../../stack/fixture.js';
import { registryTags, servedDigest } from '../../stack/registry-client.js';

const engine = engineFromEnv();
const stack = useMoto();

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const random = (): string => Math.random().toString(36).slice(2, 12);

function docker(args: string[]): Buffer {
  return execFileSync('/usr/bin/docker', args, { env: { ...process.env, DOCKER_HOST: engine.dockerHost }, maxBuffer: 256 * 1024 * 1024 });
}

function actionEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return dockerEnv(stack.env, {
    GITHUB_SHA: 'c'.repeat(40),
    GITHUB_REF: 'refs/heads/feature',
    ...extra,
  });
}

/** Each RUN writes only the SHA-256 of what it saw, never the secret itself. */
const DOCKERFILE = `FROM scratch
COPY busybox /bin/busybox
RUN --mount=type=secret,id=token ["/bin/busybox", "sh", "-c", "/bin/busybox sha256sum /run/secrets/token | /bin/busybox cut -d' ' -f1 > /token.sha256"]
RUN --mount=type=secret,id=multi ["/bin/busybox", "sh", "-c", "/bin/busybox sha256sum /run/secrets/multi | /bin/busybox cut -d' ' -f1 > /multi.sha256"]
RUN --mount=type=secret,id=npmrc ["/bin/busybox", "sh", "-c", "/bin/busybox sha256sum /run/secrets/npmrc | /bin/busybox cut -d' ' -f1 > /npmrc.sha256"]
RUN --mount=type=secret,id=envtoken ["/bin/busybox", "sh", "-c", "/bin/busybox sha256sum /run/secrets/envtoken | /bin/busybox cut -d' ' -f1 > /envtoken.sha256"]
RUN --mount=type=ssh ["/bin/busybox", "sh", "-c", "test -S \\"$SSH_AUTH_SOCK\\" && echo forwarded > /ssh-agent"]
RUN ["/bin/busybox", "sh", "-c", "test ! -e /run/secrets/token && echo absent > /secret-after-build"]
`;

describe('build secrets, ssh and build contexts (dockerd + registry + moto)', () => {
  it('RUN --mount=type=secret sees every secret, the image holds none, and none is ever printed', async () => {
    const repository = 'molecule-ai/pipelines-secrets';
    await createRepository(stack.endpoint, repository);
    const secrets = {
      token: `tok-${random()}-${random()}`,
      multi: `first line ${random()}\nsecond line ${random()}`,
      npmrc: `//registry.npmjs.org/:_authToken=npm-${random()}${random()}\n`,
      envtoken: `env-${random()}-${random()}`,
    };
    const dir = mkdtempSync(join(tmpdir(), 'secret-files-'));
    const npmrc = join(dir, '.npmrc');
    writeFileSync(npmrc, secrets.npmrc);
    const key = join(dir, 'id_ed25519');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'publish-image-test', '-f', key]);
    const multiQuoted = `"multi=${secrets.multi.replace(/"/g, '""')}"`;

    const run = await runAction(
      {
        repository,
        context: helloContext(DOCKERFILE),
        tags: 's1',
        secrets: `token=${secrets.token}\n${multiQuoted}`,
        'secret-files': `npmrc=${npmrc}`,
        'secret-envs': 'envtoken=BUILD_ENV_TOKEN',
        ssh: `default=${key}`,
      },
      actionEnv({ BUILD_ENV_TOKEN: secrets.envtoken }),
    );
    assert.equal(run.exitCode, 0, run.log);
    const image = `${REGISTRY_HOST}/${repository}:s1`;
    assert.equal(await servedDigest(repository, 's1'), run.outputs.digest);

    // The RUN steps saw each secret …
    for (const [id, value] of Object.entries(secrets)) {
      assert.equal(
        docker(['run', '--rm', image, '/bin/busybox', 'cat', `/${id}.sha256`])
          .toString()
          .trim(),
        sha256(value),
        `RUN saw secret ${id}`,
      );
    }
    assert.equal(
      docker(['run', '--rm', image, '/bin/busybox', 'cat', '/ssh-agent']).toString().trim(),
      'forwarded',
      'the SSH agent reached RUN --mount=type=ssh',
    );
    assert.equal(docker(['run', '--rm', image, '/bin/busybox', 'cat', '/secret-after-build']).toString().trim(), 'absent');

    // … and the image (every layer, its config and history) holds none of them.
    const saved = docker(['save', image]);
    const config = docker(['image', 'inspect', image]).toString() + docker(['history', '--no-trunc', image]).toString();
    const values = [secrets.token, ...secrets.multi.split('\n'), secrets.npmrc.trim(), secrets.envtoken];
    for (const value of values) {
      assert.ok(!saved.includes(Buffer.from(value)), 'no layer holds a secret');
      assert.ok(!config.includes(value), 'no config or history line holds a secret');
    }

    // Masked before the build starts; never shown anywhere.
    const lines = run.log.split('\n');
    const buildStarts = lines.findIndex((line) => line.startsWith('[command]') && line.includes(' build '));
    assert.ok(buildStarts > 0, run.log);
    for (const value of [secrets.token, secrets.multi, ...secrets.multi.split('\n'), secrets.envtoken]) {
      const masked = lines.findIndex((line) => line === `::add-mask::${value.replace(/\n/g, '%0A')}`);
      assert.ok(masked >= 0 && masked < buildStarts, `masked before the build: ${JSON.stringify(value)}`);
    }
    assert.ok(readFileSync(run.outputs.report, 'utf8'), 'the report was written');
    const everything = everythingShown(run);
    for (const value of values) assert.ok(!everything.includes(value), `never printed: ${JSON.stringify(value)}`);
    assert.match(
      lines[buildStarts],
      /--secret id=token,src=\S+\/secrets\/secret-0 --secret id=multi,src=\S+\/secrets\/secret-1 --secret id=envtoken,src=\S+\/secrets\/secret-2 --secret id=npmrc,src=\S+\.npmrc --ssh default=\S+id_ed25519/,
    );
    assert.deepEqual(
      readdirSync(run.runnerTemp).filter((name) => name.startsWith('publish-image-docker-')),
      [],
      'the secret files went with the private DOCKER_CONFIG',
    );

    // build-push-action's outputs, on the path without buildx too.
    assert.equal(run.outputs.registry, REGISTRY_HOST);
    assert.equal(run.outputs.imageid, docker(['image', 'inspect', '--format', '{{.Id}}', image]).toString().trim());
    assert.deepEqual(JSON.parse(run.outputs.metadata), {
      'containerimage.config.digest': run.outputs.imageid,
      'containerimage.digest': run.outputs.digest,
      'image.name': image,
    });
  });

  it('a secret input that is not id=value, or an env secret that is not set, stops before anything runs, without showing the value', async () => {
    const repository = 'molecule-ai/pipelines-secrets-bad';
    await createRepository(stack.endpoint, repository);
    const value = `oops-${random()}`;
    const bad = await runAction({ repository, context: helloContext(), tags: 'b1', secrets: `just-a-value-${value}` }, actionEnv());
    assert.equal(bad.exitCode, 1);
    assert.deepEqual(errorLines(bad.log), ['secrets: entry 1 (its value is not shown) is not id=value.']);
    assert.ok(!bad.log.includes(value));
    const unset = await runAction({ repository, context: helloContext(), tags: 'b2', 'secret-envs': 'token=NOT_SET_ANYWHERE' }, actionEnv());
    assert.match(errorLines(unset.log)[0], /^secret-envs: the environment variable NOT_SET_ANYWHERE \(for secret token\) is not set in this step/);
    const missing = await runAction({ repository, context: helloContext(), tags: 'b3', 'secret-files': 'npmrc=/nonexistent/.npmrc' }, actionEnv());
    assert.match(errorLines(missing.log)[0], /^secret-files: "\/nonexistent\/\.npmrc" \(secret npmrc\) is not a file/);
    assert.deepEqual(await registryTags(repository), []);
  });

  it('build-contexts without buildx: one clear error before the build', async () => {
    const repository = 'molecule-ai/pipelines-contexts';
    await createRepository(stack.endpoint, repository);
    const run = await runAction({ repository, context: helloContext(), tags: 'c1', 'build-contexts': 'shared=../shared' }, actionEnv());
    assert.equal(run.exitCode, 1);
    assert.deepEqual(errorLines(run.log), [
      'build-contexts: extra build contexts need docker buildx, which this runner lacks. Install the buildx plugin (e.g. docker/setup-buildx-action) or remove build-contexts.',
    ]);
    assert.deepEqual(await registryTags(repository), []);
  });
});
