// Issue 11, point 2: tags that work on every run. The same workflow run twice on main, on a
// repository the action created; a tag push; a pull request; IMMUTABLE_WITH_EXCLUSION judged by its
// filters; metadata-action references to another repository refused. moto does not see pushes to the
// registry, so after each push the test shows ECR's view to moto (PutImage of the very manifest the
// registry serves): moto then enforces tag immutability, filters included, as ECR does.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CreateRepositoryCommand, DescribeRepositoriesCommand, PutImageCommand } from '@aws-sdk/client-ecr';
import { createRepository, ecrIn } from '../../stack/aws.js';
import { engineFromEnv } from '../../stack/env.js';
import { helloContext } from '../../stack/fixtures.js';
import { PROD_ACCOUNT, REGISTRY_HOST, REGISTRY_PASSWORD, dockerEnv, errorLines, runAction, useMoto, type ActionRun } from '../../stack/fixture.js';
import { registryTags, servedDigest } from '../../stack/registry-client.js';

const engine = engineFromEnv();
const stack = useMoto({ registryBridge: false }); // shows each push to moto itself (showPushToEcr)

function actionEnv(ref: string, sha: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const eventPath = join(helloContext(), 'event.json');
  return dockerEnv(stack.env, {
    GITHUB_SHA: sha,
    GITHUB_REF: ref,
    GITHUB_EVENT_PATH: eventPath,
    ...extra,
  });
}

/** The manifest the registry serves for a tag, as bytes. */
function registryManifest(repository: string, tag: string): Promise<{ body: string; mediaType: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: REGISTRY_HOST,
        path: `/v2/${repository}/manifests/${tag}`,
        ca: readFileSync(engine.caFile),
        headers: {
          Authorization: `Basic ${Buffer.from(`AWS:${REGISTRY_PASSWORD}`).toString('base64')}`,
          Accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json',
        },
      },
      (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk));
        response.on('end', () =>
          response.statusCode === 200
            ? resolve({ body, mediaType: String(response.headers['content-type']) })
            : reject(new Error(`manifest ${tag}: ${response.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** ECR's view of a push: PutImage of the pushed manifest under each tag (moto enforces immutability here). */
async function showPushToEcr(repository: string, tags: string[]): Promise<void> {
  for (const tag of tags) {
    const { body, mediaType } = await registryManifest(repository, tag);
    await ecrIn(stack.endpoint, PROD_ACCOUNT).send(
      new PutImageCommand({ repositoryName: repository, imageManifest: body, imageManifestMediaType: mediaType, imageTag: tag }),
    );
  }
}

function assertOneError(run: ActionRun, pattern: RegExp): void {
  assert.equal(run.exitCode, 1, run.log);
  const errors = errorLines(run.log);
  assert.equal(errors.length, 1, `exactly one error:\n${run.log}`);
  assert.match(errors[0], pattern);
}

const MAIN = 'refs/heads/main';
const sha = (char: string): string => char.repeat(40);
/** A build whose image differs per run (the created label alone would do; this makes it explicit). */
const context = (run: string): string => helloContext(`FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "sh", "-c", "echo ${run} > /run-id"]\n`);

describe('tags on every run (dockerd + registry + moto)', () => {
  it('the second push to main succeeds on a repository the action created: immutable except latest', async () => {
    const repository = 'molecule-ai/tags-second-run';
    const first = await runAction({ repository, context: context('one'), 'create-repository': 'true' }, actionEnv(MAIN, sha('1')));
    assert.equal(first.exitCode, 0, first.log);
    const { repositories } = await ecrIn(stack.endpoint, PROD_ACCOUNT).send(new DescribeRepositoriesCommand({ repositoryNames: [repository] }));
    assert.equal(repositories?.[0].imageTagMutability, 'IMMUTABLE_WITH_EXCLUSION');
    assert.deepEqual(repositories?.[0].imageTagMutabilityExclusionFilters, [{ filterType: 'WILDCARD', filter: 'latest' }]);
    assert.match(first.log, /Created arn:aws:ecr:.*tags-second-run \(tags immutable except latest\)/);
    await showPushToEcr(repository, [sha('1'), 'latest']);

    const second = await runAction({ repository, context: context('two') }, actionEnv(MAIN, sha('2')));
    assert.equal(second.exitCode, 0, second.log);
    assert.match(second.log, /Found .*tags-second-run \(tags immutable except latest\)/);
    assert.notEqual(second.outputs.digest, first.outputs.digest);
    assert.equal(await servedDigest(repository, 'latest'), second.outputs.digest, 'latest moved');
    assert.equal(await servedDigest(repository, sha('1')), first.outputs.digest, 'the first SHA stays');
    assert.equal(await servedDigest(repository, sha('2')), second.outputs.digest);
    // ECR (moto) agrees: latest may be pushed again, a SHA may not.
    await showPushToEcr(repository, ['latest', sha('2')]);
    const { body } = await registryManifest(repository, sha('2'));
    await assert.rejects(
      ecrIn(stack.endpoint, PROD_ACCOUNT).send(new PutImageCommand({ repositoryName: repository, imageManifest: body, imageTag: sha('1') })),
      /already exists/i,
    );

    const again = await runAction({ repository, context: context('three'), tags: sha('1') }, actionEnv(MAIN, sha('3')));
    assertOneError(
      again,
      new RegExp(`tags: ${sha('1')} already exist in molecule-ai/tags-second-run, whose tags are immutable \\(tags immutable except latest\\)`),
    );
    assert.equal(await servedDigest(repository, sha('1')), first.outputs.digest);
  });

  it('a re-run of a commit already published builds and pushes nothing, and still grants and verifies', async () => {
    const repository = 'molecule-ai/tags-rerun';
    const first = await runAction({ repository, context: context('r1'), 'create-repository': 'true' }, actionEnv(MAIN, sha('4')));
    assert.equal(first.exitCode, 0, first.log);
    await showPushToEcr(repository, [sha('4'), 'latest']);
    // "Re-run failed jobs": the same commit again, now with a grant to write.
    const rerun = await runAction({ repository, context: context('r2'), 'pull-principals': '004947743811' }, actionEnv(MAIN, sha('4')));
    assert.equal(rerun.exitCode, 0, rerun.log);
    assert.match(rerun.log, /this commit is published already\. Nothing is built or pushed; the grant and the verification still run/);
    assert.doesNotMatch(rerun.log, /::group::Build/);
    assert.equal(rerun.outputs.digest, first.outputs.digest, 'the digest of what the first run pushed');
    assert.equal(rerun.outputs['repository-policy-changed'], 'true');
    assert.equal(await servedDigest(repository, sha('4')), first.outputs.digest);
  });

  it('an all-immutable repository: the default tags leave latest out, with a warning saying how to keep it; every run works', async () => {
    const repository = 'molecule-ai/tags-all-immutable';
    await createRepository(stack.endpoint, repository, { immutable: true });
    for (const [index, char] of ['4', '5'].entries()) {
      const run = await runAction({ repository, context: context(`all-${index}`) }, actionEnv(MAIN, sha(char)));
      assert.equal(run.exitCode, 0, run.log);
      assert.match(
        run.log,
        /::warning::latest: not pushed, because molecule-ai\/tags-all-immutable keeps it immutable \(tags immutable\).*put-image-tag-mutability --repository-name molecule-ai\/tags-all-immutable --image-tag-mutability IMMUTABLE_WITH_EXCLUSION --image-tag-mutability-exclusion-filters filterType=WILDCARD,filter=latest/,
      );
      assert.equal(run.outputs.tags, `${REGISTRY_HOST}/${repository}:${sha(char)}`);
      await showPushToEcr(repository, [sha(char)]);
    }
    assert.deepEqual((await registryTags(repository)).sort(), [sha('4'), sha('5')]);
  });

  it("a tag push publishes the git tag; a pull request the merge commit's SHA only", async () => {
    const repository = 'molecule-ai/tags-events';
    await createRepository(stack.endpoint, repository, { immutable: true });
    const tagged = await runAction({ repository, context: context('tag') }, actionEnv('refs/tags/v1.2.3', sha('6')));
    assert.equal(tagged.exitCode, 0, tagged.log);
    assert.equal(tagged.outputs.tags, `${REGISTRY_HOST}/${repository}:v1.2.3`);
    const pull = await runAction({ repository, context: context('pr') }, actionEnv('refs/pull/7/merge', sha('7')));
    assert.equal(pull.exitCode, 0, pull.log);
    assert.equal(pull.outputs.tags, `${REGISTRY_HOST}/${repository}:${sha('7')}`);
    assert.deepEqual((await registryTags(repository)).sort(), [sha('7'), 'v1.2.3'].sort());
    assert.ok(!tagged.log.includes('::warning::') && !pull.log.includes('::warning::'), 'no latest to leave out');
  });

  it('IMMUTABLE_WITH_EXCLUSION is judged by its filters: an excluded tag is pushed again, any other is refused before the build', async () => {
    const repository = 'molecule-ai/tags-filters';
    await ecrIn(stack.endpoint, PROD_ACCOUNT).send(
      new CreateRepositoryCommand({
        repositoryName: repository,
        imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
        imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'dev-*' }],
      }),
    );
    const first = await runAction({ repository, context: context('f1'), tags: 'dev-main,v1' }, actionEnv(MAIN, sha('8')));
    assert.equal(first.exitCode, 0, first.log);
    await showPushToEcr(repository, ['dev-main', 'v1']);
    const moved = await runAction({ repository, context: context('f2'), tags: 'dev-main' }, actionEnv(MAIN, sha('9')));
    assert.equal(moved.exitCode, 0, moved.log);
    assert.equal(await servedDigest(repository, 'dev-main'), moved.outputs.digest);
    const refused = await runAction({ repository, context: context('f3'), tags: 'dev-main,v1' }, actionEnv(MAIN, sha('a')));
    assertOneError(refused, /tags: v1 already exist in molecule-ai\/tags-filters, whose tags are immutable \(tags immutable except dev-\*\)/);
    assert.equal(await servedDigest(repository, 'dev-main'), moved.outputs.digest, 'nothing was pushed');
  });

  it('metadata-action references to another repository or registry are refused clearly, before anything is written', async () => {
    const repository = 'molecule-ai/tags-references';
    for (const [reference, names] of [
      [`${REGISTRY_HOST}/molecule-ai/other:v1`, `${REGISTRY_HOST}/molecule-ai/other`],
      ['ghcr.io/molecule-ai/tags-references:v1', 'ghcr.io/molecule-ai/tags-references'],
    ]) {
      const run = await runAction(
        { repository, context: context('refused'), tags: `${REGISTRY_HOST}/${repository}:v1\n${reference}`, 'create-repository': 'true' },
        actionEnv(MAIN, sha('b')),
      );
      assertOneError(
        run,
        new RegExp(
          `^tags: "${reference.replace(/[.]/g, '\\.')}" names the image ${names.replace(/[.]/g, '\\.')}, not ${REGISTRY_HOST.replace(/[.]/g, '\\.')}/molecule-ai/tags-references, the only repository this step pushes to`,
        ),
      );
    }
    const { repositories } = await ecrIn(stack.endpoint, PROD_ACCOUNT).send(new DescribeRepositoriesCommand({}));
    assert.deepEqual(repositories ?? [], [], 'not even the repository was created');
    assert.deepEqual(await registryTags(repository), []);
  });
});
