import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildxArgs,
  defaultTags,
  digestFromMetadata,
  digestFromPushOutput,
  legacyBuildArgs,
  withOciLabels,
  type BuildPlan,
} from '../../src/adapters/docker/args.js';
import type { BuildInputs } from '../../src/settings/inputs.js';
import { PLAIN_BUILD } from '../../stack/fixture.js';

const build: BuildInputs = {
  ...PLAIN_BUILD,
  context: 'app',
  buildArgs: ['VERSION=1'],
  target: 'runtime',
  cacheFrom: ['type=registry,ref=r/cache'],
  provenance: '',
};
const plan = (overrides: Partial<BuildInputs> = {}, secrets: string[] = []): BuildPlan => ({
  build: { ...build, ...overrides },
  imageRefs: ['h/r:v1', 'h/r:latest'],
  labels: ['a=b'],
  dockerfile: 'app/Dockerfile',
  secrets,
});
const digest = `sha256:${'ab'.repeat(32)}`;
/** What every build of `plan()` passes, up to the platform and the first cache source. */
const planArgs = (platform: string): string[] => [
  '--file',
  'app/Dockerfile',
  '--tag',
  'h/r:v1',
  '--tag',
  'h/r:latest',
  '--build-arg',
  'VERSION=1',
  '--label',
  'a=b',
  '--target',
  'runtime',
  '--platform',
  platform,
  '--cache-from',
  'type=registry,ref=r/cache',
];

describe('docker arguments', () => {
  it('buildx pushes itself and writes the metadata file', () => {
    assert.deepEqual(
      buildxArgs(
        plan({
          platforms: ['linux/amd64', 'linux/arm64'],
          provenance: 'false',
          cacheTo: ['type=registry,ref=r/cache,image-manifest=true,oci-mediatypes=true'],
        }),
        '/tmp/m.json',
      ),
      [
        'buildx',
        'build',
        ...planArgs('linux/amd64,linux/arm64'),
        '--cache-to',
        'type=registry,ref=r/cache,image-manifest=true,oci-mediatypes=true',
        '--provenance=false',
        '--metadata-file',
        '/tmp/m.json',
        '--push',
        'app',
      ],
    );
  });

  it('buildx without push loads a single-platform image', () => {
    const args = buildxArgs(plan({ push: false, noCache: true }), '/m');
    assert.ok(args.includes('--load') && args.includes('--no-cache') && !args.includes('--push'));
  });

  it('secrets, ssh and build contexts: build-push-action names, secret values only in files', () => {
    const secrets = ['id=token,src=/private/secrets/secret-0', 'id=npmrc,src=/home/u/.npmrc'];
    const args = buildxArgs(plan({ ssh: ['default'], buildContexts: ['base=docker-image://alpine:3.20'], provenance: 'false' }, secrets), '/m');
    assert.deepEqual(args.slice(args.indexOf('--secret'), args.indexOf('--metadata-file')), [
      '--secret',
      secrets[0],
      '--secret',
      secrets[1],
      '--ssh',
      'default',
      '--build-context',
      'base=docker-image://alpine:3.20',
      '--provenance=false',
    ]);
    const legacy = legacyBuildArgs(plan({ ssh: ['default=/k'] }, secrets), '/iid');
    assert.deepEqual(legacy.slice(legacy.indexOf('--secret')), [
      '--secret',
      secrets[0],
      '--secret',
      secrets[1],
      '--ssh',
      'default=/k',
      '--iidfile',
      '/iid',
      'app',
    ]);
    assert.throws(() => legacyBuildArgs(plan({ buildContexts: ['x=../x'] })), /build-contexts: extra build contexts need docker buildx/);
  });

  it('docker build (BuildKit, no buildx) builds; pushes happen per tag afterwards', () => {
    assert.deepEqual(legacyBuildArgs(plan({ platforms: ['linux/amd64'] })), ['build', ...planArgs('linux/amd64'), 'app']);
  });

  it('says multi-platform and cache export need buildx', () => {
    assert.throws(() => legacyBuildArgs(plan({ platforms: ['linux/amd64', 'linux/arm64'] })), /platforms: .* needs docker buildx/);
    assert.throws(() => legacyBuildArgs(plan({ cacheTo: ['type=inline'] })), /cache-to: .* needs docker buildx/);
  });

  it('reads the digest from buildx metadata and from docker push output', () => {
    assert.equal(digestFromMetadata(JSON.stringify({ 'containerimage.digest': digest, 'image.name': 'h/r:v1' })), digest);
    assert.equal(digestFromMetadata('{}'), undefined);
    assert.equal(digestFromMetadata('not json'), undefined);
    assert.equal(digestFromPushOutput(`The push refers to repository [h/r]\n5f70bf18a086: Pushed\nv1: digest: ${digest} size: 527\n`), digest);
    assert.equal(digestFromPushOutput('denied'), undefined);
  });

  it('tags with the SHA, plus latest on the default branch', () => {
    const sha = 'c'.repeat(40);
    assert.deepEqual(defaultTags({ sha, ref: 'refs/heads/main', defaultBranch: undefined }), [sha, 'latest']);
    assert.deepEqual(defaultTags({ sha, ref: 'refs/heads/trunk', defaultBranch: 'trunk' }), [sha, 'latest']);
    assert.deepEqual(defaultTags({ sha, ref: 'refs/heads/main', defaultBranch: 'trunk' }), [sha]);
    assert.deepEqual(defaultTags({ sha, ref: 'refs/tags/v1.0.0', defaultBranch: 'main' }), ['v1.0.0'], 'a tag push: the git tag');
    assert.deepEqual(
      defaultTags({ sha, ref: 'refs/tags/release/2.0+build.5', defaultBranch: 'main' }),
      ['release-2.0-build.5'],
      'as metadata-action sanitises it',
    );
    assert.deepEqual(defaultTags({ sha, ref: 'refs/pull/7/merge', defaultBranch: 'main' }), [sha], 'a pull request: the SHA only');
    assert.throws(() => defaultTags({ sha, ref: 'refs/tags/...', defaultBranch: 'main' }), /git tag "\.\.\." leaves no valid image tag/);
    assert.throws(() => defaultTags({ sha: undefined, ref: undefined, defaultBranch: undefined }), /tags: none given and GITHUB_SHA is not set/);
  });

  it('adds OCI labels unless given', () => {
    const now = new Date('2026-11-23T10:00:00Z');
    assert.deepEqual(withOciLabels(['org.opencontainers.image.source=mine'], { sha: 'abc', sourceUrl: 'https://g/x/y' }, now), [
      'org.opencontainers.image.source=mine',
      'org.opencontainers.image.revision=abc',
      'org.opencontainers.image.created=2026-11-23T10:00:00.000Z',
    ]);
  });
});
