// publish as a script over its services (modes/publish.ts, services/publish-image.ts), in process:
// a fake docker side (ImageTools: login, build, what the registry serves) and an SDK-level fake ECR
// (aws-fakes.ts). What is checked: the pushed digest is what the report and the log say; a conflict
// with an immutable tag is refused before any login or build; a failing push or a racing push says so
// and writes no grant; a grant that fails after the push keeps the pushed image in the report. The
// real docker and registry: __tests__/e2e (the lead runs those).
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { UserError } from '../../src/errors.js';
import { plainLogger, setLogger } from '../../src/log.js';
import { publishImage } from '../../src/modes/publish.js';
import { FailedRun } from '../../src/modes/result.js';
import type { ImageTools } from '../../src/services/publish-image.js';
import { readSettings, type PublishSettings } from '../../src/settings/settings.js';
import { awsError, fakeEcr, REGION, REGISTRY_ID, type FakeRepository, type Failure } from './aws-fakes.js';

const REPOSITORY = 'team/app';
const HOST = `${REGISTRY_ID}.dkr.ecr.${REGION}.amazonaws.com`;
const DIGEST = `sha256:${'a'.repeat(64)}`;
const OTHER = `sha256:${'b'.repeat(64)}`;
const ARN = `arn:aws:ecr:${REGION}:${REGISTRY_ID}:repository/${REPOSITORY}`;
const registry = { registryId: REGISTRY_ID, registryUrl: `https://${HOST}`, host: HOST, username: 'AWS', password: 'registry-password' };

const workspace = mkdtempSync(join(tmpdir(), 'publish-unit-'));
writeFileSync(join(workspace, 'Dockerfile'), 'FROM scratch\n');

function settingsWith(inputs: Record<string, string> = {}): PublishSettings {
  const values: Record<string, string> = {
    mode: 'publish',
    'aws-region': REGION,
    'registry-id': REGISTRY_ID,
    repository: REPOSITORY,
    context: workspace,
    ...inputs,
  };
  const run = { sha: 'abc123', ref: 'refs/heads/feature', defaultBranch: 'main', sourceUrl: undefined, runId: '7', tempDir: workspace };
  return readSettings((name) => values[name] ?? '', run, {}) as PublishSettings;
}

/** The docker side: records each call; builds `digest` (none with push: false), or fails as told; the registry serves `served` (else the build's digest). */
function fakeTools(options: { digest?: string; served?: Record<string, string>; buildError?: Error } = {}) {
  const calls: string[] = [];
  const tools: ImageTools = {
    daemonVersion: '27.3.1',
    async login(_registry, tempDir, save) {
      calls.push('login');
      save(join(tempDir, 'docker-config'));
      return {
        secrets: () => [],
        async build(plan) {
          calls.push(`build ${plan.imageRefs.join(' ')}${plan.build.push ? ' --push' : ''}`);
          if (options.buildError) throw options.buildError;
          return { builder: 'buildx', digest: plan.build.push ? (options.digest ?? DIGEST) : undefined, imageId: 'sha256:image', metadata: '{}' };
        },
      };
    },
    async served(_registry, repository, tag) {
      calls.push(`served ${repository}:${tag}`);
      return options.served?.[tag] ?? options.digest ?? DIGEST;
    },
  };
  return { tools, calls };
}

function keeper() {
  const events: string[] = [];
  return { events, save: (dir: string) => void events.push(`save ${dir}`), remove: () => void events.push('remove') };
}

async function publish(
  inputs: Record<string, string>,
  repositories: Record<string, FakeRepository>,
  options: Parameters<typeof fakeTools>[0] & { failures?: Failure[] } = {},
) {
  const ecr = fakeEcr(repositories, options.failures);
  const docker = fakeTools(options);
  const config = keeper();
  const run = publishImage(settingsWith(inputs), config, async () => ({ tools: docker.tools, ecr: ecr.client, registry }));
  return { run, ecr, docker, config };
}

const lines: string[] = [];
const logged = (from: number) => lines.slice(from);

describe('publish in process: build, push, confirm (fake docker and ECR)', () => {
  // Inside the suite, not at the file's top: unit files may share one process (scripts/test.ts).
  beforeEach(() => setLogger(plainLogger((text) => void lines.push(...text.trimEnd().split('\n')))));
  afterEach(() => setLogger(plainLogger()));

  it('reports the pushed digest, after login, build and push, and the registry serving it for every tag', async () => {
    const start = lines.length;
    const { run, docker, config, ecr } = await publish({ tags: 'v1,stable' }, { [REPOSITORY]: {} });
    const report = await run;
    assert.equal(report.image?.digest, DIGEST);
    assert.equal(report.image?.imageUri, `${HOST}/${REPOSITORY}@${DIGEST}`);
    assert.deepEqual(report.image?.tags, [`${HOST}/${REPOSITORY}:v1`, `${HOST}/${REPOSITORY}:stable`]);
    assert.deepEqual(docker.calls, [
      'login',
      `build ${HOST}/${REPOSITORY}:v1 ${HOST}/${REPOSITORY}:stable --push`,
      `served ${REPOSITORY}:v1`,
      `served ${REPOSITORY}:stable`,
    ]);
    // The private DOCKER_CONFIG is recorded before it is used, and removed once the image is confirmed.
    assert.deepEqual(config.events, [`save ${join(workspace, 'docker-config')}`, 'remove']);
    assert.deepEqual(ecr.writes(), [], 'no pull-principals and no puller: no grant to write');
    assert.deepEqual(logged(start), [
      `── Repository ${REPOSITORY}`,
      `Found ${ARN} (tags mutable).`,
      `── Login to ${HOST}`,
      'Logged in (credentials in the private DOCKER_CONFIG only, removed when the step ends).',
      '── Build and push (Docker 27.3.1)',
      '── Confirm with the registry',
      `${REPOSITORY}:v1 -> ${DIGEST}`,
      `${REPOSITORY}:stable -> ${DIGEST}`,
      `Pushed ${HOST}/${REPOSITORY}@${DIGEST}`,
      `── Grant cross-account pull on ${REPOSITORY}`,
      `── Verify that staging can pull ${REPOSITORY}`,
      'No staging-role-arn: the identity side is not checked.',
    ]);
  });

  it('refuses a tag that exists in an immutable repository before any login or build', async () => {
    const { run, docker, config, ecr } = await publish({ tags: 'v1' }, { [REPOSITORY]: { mutability: 'IMMUTABLE', images: { v1: OTHER } } });
    await assert.rejects(run, (error: unknown) => {
      assert.ok(error instanceof UserError && !(error instanceof FailedRun));
      assert.equal(
        error.message,
        `tags: v1 already exist in ${REPOSITORY}, whose tags are immutable (tags immutable), so the push would fail. Use a new tag (e.g. the commit SHA or a new version), or delete the old image first.`,
      );
      return true;
    });
    assert.deepEqual(docker.calls, []);
    assert.deepEqual(config.events, []);
    assert.deepEqual(ecr.writes(), []);
  });

  it('a failing push says so, removes the private DOCKER_CONFIG, and writes no grant', async () => {
    const failure = new UserError('docker push: denied: not authorized to push to team/app. Allow ecr:PutImage.');
    const { run, docker, config, ecr } = await publish({ tags: 'v1', 'pull-principals': '004947743811' }, { [REPOSITORY]: {} }, { buildError: failure });
    await assert.rejects(run, (error: unknown) => error === failure);
    assert.deepEqual(docker.calls, ['login', `build ${HOST}/${REPOSITORY}:v1 --push`]);
    assert.equal(config.events.at(-1), 'remove');
    assert.deepEqual(ecr.writes(), []);
  });

  it('a tag the registry serves with another digest (a racing push) is refused, and no grant is written', async () => {
    const { run, ecr } = await publish({ tags: 'v1', 'pull-principals': '004947743811' }, { [REPOSITORY]: {} }, { served: { v1: OTHER } });
    await assert.rejects(
      run,
      new RegExp(`^UserError: registry: ${REPOSITORY}:v1 resolves to ${OTHER}, not the pushed ${DIGEST}\\. Another push raced this one; re-run\\.$`),
    );
    assert.deepEqual(ecr.writes(), []);
  });

  it('push: false builds without pushing, confirms nothing and reports no image', async () => {
    const start = lines.length;
    const { run, docker } = await publish({ tags: 'v1', push: 'false' }, { [REPOSITORY]: {} });
    const report = await run;
    assert.equal(report.image, undefined);
    assert.deepEqual(docker.calls, ['login', `build ${HOST}/${REPOSITORY}:v1`]);
    assert.deepEqual(logged(start).slice(-2), ['── Build (Docker 27.3.1)', 'push: false, so nothing was pushed and nothing is verified (image sha256:image).']);
  });

  it('writes the grant after the push, and reports it', async () => {
    const { run, ecr, docker } = await publish({ tags: 'v1', 'pull-principals': '004947743811' }, { [REPOSITORY]: {} });
    const report = await run;
    assert.equal(docker.calls.length, 3);
    assert.deepEqual(
      ecr.writes().map(({ command }) => command),
      ['SetRepositoryPolicy'],
    );
    assert.equal(report.policyChanges.length, 1);
    assert.equal(report.policyChanges[0].written, true);
    assert.deepEqual(ecr.policy(REPOSITORY)?.Statement[0].Principal, { AWS: ['arn:aws:iam::004947743811:root'] });
    assert.equal(report.repositories[0].grantWritten, true);
    assert.equal(report.repositories[0].digest, DIGEST);
  });

  it('a grant that fails after the push keeps the pushed image in the report and says to reconcile, not rebuild', async () => {
    const failures = [{ command: 'SetRepositoryPolicy', error: awsError('AccessDeniedException', 'not authorized') }];
    const { run } = await publish({ tags: 'v1', 'pull-principals': '004947743811' }, { [REPOSITORY]: {} }, { failures });
    await assert.rejects(run, (error: unknown) => {
      assert.ok(error instanceof FailedRun);
      assert.equal(error.report.image?.digest, DIGEST);
      assert.match(
        error.message,
        new RegExp(`^The image is pushed \\(${HOST}/${REPOSITORY}@${DIGEST}\\), but the grant was not written: ecr:SetRepositoryPolicy was denied`),
      );
      assert.match(error.message, /run mode: reconcile for this repository: it writes the grant without rebuilding\.$/);
      return true;
    });
  });

  it('a re-run of a published commit (default tags, all on one image) builds nothing and reports what the registry serves', async () => {
    const start = lines.length;
    const repositories = { [REPOSITORY]: { mutability: 'IMMUTABLE', images: { abc123: OTHER } } };
    const { run, docker } = await publish({}, repositories, { digest: OTHER });
    const report = await run;
    assert.equal(report.image?.digest, OTHER);
    assert.deepEqual(docker.calls, [`served ${REPOSITORY}:abc123`]);
    assert.ok(
      logged(start).includes(
        `abc123 already in ${REPOSITORY} (${OTHER}): this commit is published already. Nothing is built or pushed; the grant and the verification still run.`,
      ),
    );
  });

  it('a repository that does not exist is refused (create-repository off), or created (on)', async () => {
    const missing = await publish({ tags: 'v1' }, {});
    await assert.rejects(
      missing.run,
      /^UserError: repository: "team\/app" does not exist in registry 153263036946 \(us-east-2\)\. Create it, or set `create-repository: true`\.$/,
    );
    assert.deepEqual(missing.docker.calls, []);

    const start = lines.length;
    const created = await publish({ tags: 'v1', 'create-repository': 'true', 'image-tag-mutability': 'MUTABLE' }, {});
    const report = await created.run;
    assert.equal(report.image?.digest, DIGEST);
    assert.deepEqual(
      created.ecr.writes().map(({ command }) => command),
      ['CreateRepository'],
    );
    assert.deepEqual(logged(start).slice(0, 3), [`── Repository ${REPOSITORY}`, `── Create repository ${REPOSITORY}`, `Created ${ARN} (tags mutable).`]);
  });
});
