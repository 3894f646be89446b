// Issue 11's pure parts: tags (references, mutability filters), the private docker config, build
// secrets, push retry classification and attempts (with a stand-in docker binary), proxy choice.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { describeRepository } from '../../src/adapters/aws/ecr.js';
import { buildAndPush, transientPushFailure, type PushRetry } from '../../src/adapters/docker/build.js';
import { privateConfig, registryHostname } from '../../src/adapters/docker/config.js';
import { secretSpecs } from '../../src/adapters/docker/secrets.js';
import { maskableParts, parseSecretEnvs, parseSecretFiles, parseSecrets, parseSsh, quotedEntries } from '../../src/domain/build/secrets.js';
import { readExclusionFilters, refNameAsTag, resolveTags, tagInputProblem, tagIsImmutable, wildcardMatches } from '../../src/domain/build/tags.js';
import type { BuildInputs } from '../../src/settings/inputs.js';
import { PLAIN_BUILD } from '../../stack/fixture.js';
import { displayProxy, proxyFor } from '../../src/adapters/net/proxy.js';
import { plainLogger, setLogger } from '../../src/log.js';

const HOST = '153263036946.dkr.ecr.us-east-2.amazonaws.com';

describe('tags', () => {
  it('accepts metadata-action references to this repository, and refuses any other clearly', () => {
    assert.deepEqual(resolveTags([`${HOST}/team/app:v1.2.3`, `${HOST}/team/app:latest`, 'sha-abc', 'v1.2.3'], HOST, 'team/app'), [
      'v1.2.3',
      'latest',
      'sha-abc',
    ]);
    assert.throws(
      () => resolveTags([`${HOST}/team/other:v1`], HOST, 'team/app'),
      /tags: ".*team\/other:v1" names the image .*team\/other, not 153263036946\.dkr\.ecr\.us-east-2\.amazonaws\.com\/team\/app, the only repository this step pushes to/,
    );
    assert.throws(() => resolveTags(['ghcr.io/team/app:v1'], HOST, 'team/app'), /names the image ghcr\.io\/team\/app, not/);
    assert.throws(() => resolveTags(['123456789012.dkr.ecr.us-east-2.amazonaws.com/team/app:v1'], HOST, 'team/app'), /names the image 123456789012\./);
    assert.equal(tagInputProblem(`${HOST}/team/app:v1`), undefined);
    assert.match(tagInputProblem(`${HOST}/team/app@sha256:${'a'.repeat(64)}`) ?? '', /digest reference/);
    assert.match(tagInputProblem(`${HOST}/team/app`) ?? '', /without a tag/);
    assert.match(tagInputProblem(`${HOST}/team/app:-bad`) ?? '', /not a valid image tag/);
    assert.match(tagInputProblem('app:v1') ?? '', /full reference <registry>\/<repository>:<tag>/);
  });

  it('git tags become image tags as metadata-action makes them', () => {
    assert.equal(refNameAsTag('v1.2.3'), 'v1.2.3');
    assert.equal(refNameAsTag('release/2.0'), 'release-2.0');
    assert.equal(refNameAsTag('.hidden'), 'hidden');
    assert.equal(refNameAsTag('///'), undefined);
  });

  it('judges IMMUTABLE_WITH_EXCLUSION by its filters, not as all-immutable', () => {
    const excluded = { mode: 'IMMUTABLE_WITH_EXCLUSION', exclusionFilters: ['latest', 'dev-*'] };
    assert.equal(tagIsImmutable(excluded, 'latest'), false);
    assert.equal(tagIsImmutable(excluded, 'dev-42'), false);
    assert.equal(tagIsImmutable(excluded, 'v1.2.3'), true);
    assert.equal(tagIsImmutable({ mode: 'IMMUTABLE', exclusionFilters: [] }, 'latest'), true);
    assert.equal(tagIsImmutable({ mode: 'MUTABLE', exclusionFilters: [] }, 'v1'), false);
    assert.equal(tagIsImmutable({ mode: 'MUTABLE_WITH_EXCLUSION', exclusionFilters: ['v*'] }, 'v1'), true);
    assert.equal(tagIsImmutable({ mode: 'MUTABLE_WITH_EXCLUSION', exclusionFilters: ['v*'] }, 'latest'), false);
  });

  it('matches ECR wildcards without backtracking', () => {
    const cases: [string, string, boolean][] = [
      ['latest', 'latest', true],
      ['latest', 'latest2', false],
      ['*', 'anything', true],
      ['v*', 'v1.2', true],
      ['v*', 'x1', false],
      ['*-rc', '1.0-rc', true],
      ['*-rc', '1.0-rc1', false],
      ['a*b*c', 'aXbYc', true],
      ['a*b*c', 'acb', false],
      ['a*a', 'a', false],
      ['**', '', true],
    ];
    for (const [filter, tag, expected] of cases) assert.equal(wildcardMatches(filter, tag), expected, `${filter} ~ ${tag}`);
    const started = Date.now();
    assert.equal(wildcardMatches(`${'*a'.repeat(60)}b`, 'a'.repeat(5000)), false);
    assert.ok(Date.now() - started < 200);
  });

  it('reads exclusion filters with ECR limits', () => {
    assert.deepEqual(readExclusionFilters('latest, dev-*\nlatest'), ['latest', 'dev-*']);
    assert.throws(() => readExclusionFilters('a b'), /not an ECR wildcard filter/);
    assert.throws(() => readExclusionFilters('a,b,c,d,e,f'), /at most 5/);
  });

  it('reads the mode and the exclusion filters that DescribeRepositories returns (SDK mock)', async () => {
    const ecr = mockClient(ECRClient);
    ecr.on(DescribeRepositoriesCommand).resolves({
      repositories: [
        {
          repositoryArn: 'arn:aws:ecr:us-east-2:153263036946:repository/team/app',
          repositoryUri: `${HOST}/team/app`,
          imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
          imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'latest' }],
        },
      ],
    });
    const info = await describeRepository(new ECRClient({ region: 'us-east-2' }), '153263036946', 'team/app');
    assert.deepEqual(info?.mutability, { mode: 'IMMUTABLE_WITH_EXCLUSION', exclusionFilters: ['latest'] });
    assert.equal(tagIsImmutable(info!.mutability, 'latest'), false);
    ecr.restore();
  });
});

describe('private docker config', () => {
  const auth = Buffer.from('AWS:ecr-password').toString('base64');

  it("keeps the user's logins, helpers and settings; the ECR login goes into auths only", () => {
    const user = {
      auths: { 'ghcr.io': { auth: 'Z2g6dG9r' }, [`https://${HOST}`]: { auth: 'old' } },
      credHelpers: { 'public.ecr.aws': 'ecr-login', [HOST]: 'ecr-login' },
      proxies: { default: { httpProxy: 'http://proxy:3128' } },
      psFormat: 'table {{.ID}}',
    };
    assert.deepEqual(privateConfig(user, HOST, auth), {
      auths: { 'ghcr.io': { auth: 'Z2g6dG9r' }, [HOST]: { auth } },
      credHelpers: { 'public.ecr.aws': 'ecr-login' },
      proxies: { default: { httpProxy: 'http://proxy:3128' } },
      psFormat: 'table {{.ID}}',
    });
  });

  it('never keeps credsStore: the logins it holds are read through credHelpers entries', () => {
    const user = { credsStore: 'secretservice', auths: { 'https://index.docker.io/v1/': {}, 'base.example.com': {}, 'inline.example.com': { auth: 'eDp5' } } };
    const config = privateConfig(user, HOST, auth);
    assert.equal(config.credsStore, undefined);
    assert.deepEqual(config.credHelpers, { 'index.docker.io': 'secretservice', 'base.example.com': 'secretservice' });
    assert.deepEqual(Object.keys(config.auths ?? {}).sort(), ['base.example.com', 'https://index.docker.io/v1/', 'inline.example.com', HOST].sort());
  });

  it('names registries as docker does', () => {
    assert.equal(registryHostname('https://index.docker.io/v1/'), 'index.docker.io');
    assert.equal(registryHostname('Registry.Example.com:5000'), 'registry.example.com:5000');
  });
});

describe('build secrets', () => {
  it("reads build-push-action's formats, quoted multi-line values included", () => {
    assert.deepEqual(parseSecrets('GIT_AUTH_TOKEN=abc=def\n"MULTI=line one\nline ""two"""\n  npm=x'), [
      { id: 'GIT_AUTH_TOKEN', value: 'abc=def' },
      { id: 'MULTI', value: 'line one\nline "two"' },
      { id: 'npm', value: 'x' },
    ]);
    assert.deepEqual(quotedEntries('\n\na\n\n'), ['a']);
    assert.deepEqual(parseSecretFiles('npmrc=/home/u/.npmrc'), [{ id: 'npmrc', path: '/home/u/.npmrc' }]);
    assert.deepEqual(parseSecretEnvs('token=GH_TOKEN'), [{ id: 'token', env: 'GH_TOKEN' }]);
    assert.deepEqual(parseSsh('default\ngithub=/keys/id_ed25519'), ['default', 'github=/keys/id_ed25519']);
  });

  it('never shows a secret value in an error', () => {
    for (const bad of ['no-separator-s3cr3t', '=s3cr3t', 'bad id=s3cr3t', '"UNCLOSED=s3cr3t']) {
      assert.throws(
        () => parseSecrets(bad),
        (error: Error) => !error.message.includes('s3cr3t') && /^secrets: entry 1/.test(error.message),
        bad,
      );
    }
    assert.throws(() => parseSecrets('a=1\na=2'), /the id "a" is given twice/);
  });

  it('masks each value and each line of a multi-line value', () => {
    assert.deepEqual(maskableParts('line one\nline two\nab'), ['line one\nline two\nab', 'line one', 'line two']);
  });

  it('writes values to private files; the --secret specs hold paths only', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'secrets-')), 'secrets');
    const specs = secretSpecs(dir, [{ id: 'token', value: 's3cr3t' }], [{ id: 'npmrc', path: '/x/.npmrc' }], [{ id: 'env', env: 'MY_SECRET' }], {
      MY_SECRET: 'from-env',
    });
    assert.deepEqual(specs, [`id=token,src=${dir}/secret-0`, `id=env,src=${dir}/secret-1`, 'id=npmrc,src=/x/.npmrc']);
    assert.equal(readFileSync(join(dir, 'secret-0'), 'utf8'), 's3cr3t');
    assert.ok(!specs.join(' ').includes('s3cr3t'));
    assert.throws(() => secretSpecs(dir, [], [], [{ id: 'env', env: 'UNSET' }], {}), /secret-envs: the environment variable UNSET/);
  });
});

describe('push retries', () => {
  it('tells transient registry failures from refusals', () => {
    const transient = [
      'received unexpected HTTP status: 503 Service Unavailable',
      'received unexpected HTTP status: 500 Internal Server Error',
      'Put "https://r/v2/a/manifests/v1": EOF',
      'read tcp 127.0.0.1:1->127.0.0.1:443: read: connection reset by peer',
      'net/http: TLS handshake timeout',
      'dial tcp 10.0.0.1:443: i/o timeout',
      'ERROR: failed to solve: failed to push r/a:v1: unexpected status from PUT request to https://r/v2/a/manifests/v1: 502 Bad Gateway',
      'toomanyrequests: Rate exceeded',
    ];
    for (const output of transient) assert.ok(transientPushFailure(output), output);
    const refusals = [
      'denied: requested access to the resource is denied',
      'unauthorized: authentication required',
      "tag invalid: The image tag 'v1' already exists in the 'a' repository and cannot be overwritten because the repository is immutable.",
      'manifest invalid: manifest invalid',
    ];
    for (const output of refusals) assert.equal(transientPushFailure(output), undefined, output);
  });

  /** A docker binary that builds at once and fails `push` with the given stderr lines, one per attempt, then succeeds. */
  function fakeDocker(failures: string[]): { path: string; pushes: () => number } {
    const dir = mkdtempSync(join(tmpdir(), 'fake-docker-'));
    const counter = join(dir, 'count');
    writeFileSync(counter, '0');
    const script = join(dir, 'docker');
    const cases = failures.map((failure, index) => `  ${index + 1}) echo ${JSON.stringify(failure)} >&2; exit 1;;`).join('\n');
    writeFileSync(
      script,
      `#!/bin/sh
case "$1" in
  buildx) exit 1;;
  build) for a in "$@"; do if [ "$prev" = "--iidfile" ]; then echo "sha256:${'c'.repeat(64)}" > "$a"; fi; prev="$a"; done; exit 0;;
  push) n=$(($(cat ${counter}) + 1)); echo $n > ${counter}
case $n in
${cases}
  *) echo "$2: digest: sha256:${'d'.repeat(64)} size: 527"; exit 0;;
esac;;
esac
`,
    );
    chmodSync(script, 0o755);
    return { path: script, pushes: () => Number(readFileSync(counter, 'utf8')) };
  }

  const build: BuildInputs = { ...PLAIN_BUILD };
  const plan = { build, imageRefs: ['r/a:v1'], labels: [], dockerfile: 'Dockerfile', secrets: [] };
  const delays: number[] = [];
  const retry: PushRetry = { attempts: 4, delayMs: (failed) => 1000 * 2 ** (failed - 1), sleep: async (ms) => void delays.push(ms) };

  it('retries a transient failure with backoff, logging each attempt, and reports the image', async () => {
    const lines: string[] = [];
    setLogger(plainLogger((text) => void lines.push(text)));
    const docker = fakeDocker(['received unexpected HTTP status: 503 Service Unavailable', 'Put "https://r/v2/a/manifests/v1": EOF']);
    delays.length = 0;
    const result = await buildAndPush({ path: docker.path, env: {} }, plan, mkdtempSync(join(tmpdir(), 't-')), retry);
    assert.equal(result.digest, `sha256:${'d'.repeat(64)}`);
    assert.equal(result.imageId, `sha256:${'c'.repeat(64)}`);
    assert.deepEqual(JSON.parse(result.metadata), {
      'containerimage.config.digest': result.imageId,
      'containerimage.digest': result.digest,
      'image.name': 'r/a:v1',
    });
    assert.equal(docker.pushes(), 3);
    assert.deepEqual(delays, [1000, 2000]);
    const log = lines.join('');
    assert.match(log, /docker push r\/a:v1: attempt 1 of 4 failed \(received unexpected HTTP status: 503 Service Unavailable\); retrying in 1\.0s/);
    assert.match(log, /docker push r\/a:v1: attempt 2 of 4 failed \(EOF\); retrying in 2\.0s/);
    assert.match(log, /docker push r\/a:v1: pushed on attempt 3 of 4/);
  });

  it('gives up after the last attempt with one error: built but not pushed', async () => {
    const docker = fakeDocker(Array(10).fill('received unexpected HTTP status: 502 Bad Gateway'));
    await assert.rejects(
      buildAndPush({ path: docker.path, env: {} }, plan, mkdtempSync(join(tmpdir(), 't-')), retry),
      /^UserError: The image was built but not pushed: docker push r\/a:v1 failed 4 times, the last time with:\n.*502 Bad Gateway\nThe registry \(or the network to it\) kept failing; re-run the job\./,
    );
    assert.equal(docker.pushes(), 4);
  });

  it('does not retry a refusal', async () => {
    const docker = fakeDocker(['denied: requested access to the resource is denied']);
    await assert.rejects(
      buildAndPush({ path: docker.path, env: {} }, plan, mkdtempSync(join(tmpdir(), 't-')), retry),
      /The image was built but not pushed: docker push r\/a:v1 failed, the last time with:\ndenied/,
    );
    assert.equal(docker.pushes(), 1);
  });
});

describe('proxy choice', () => {
  // Taken when the suite runs, not when the file is imported (unit files share a process).
  let saved: NodeJS.ProcessEnv = {};
  before(() => {
    saved = { ...process.env };
  });
  const restore = (): void => {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  };
  const setEnv = (env: Record<string, string>): void => {
    for (const name of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy']) delete process.env[name];
    Object.assign(process.env, env);
  };
  const withEnv = <T>(env: Record<string, string>, body: () => T): T => {
    setEnv(env);
    try {
      return body();
    } finally {
      restore();
    }
  };
  const withEnvAsync = async (env: Record<string, string>, body: () => Promise<unknown>): Promise<void> => {
    setEnv(env);
    try {
      await body();
    } finally {
      restore();
    }
  };

  it('takes HTTPS_PROXY / HTTP_PROXY in either case and honours NO_PROXY', () => {
    withEnv({ https_proxy: 'http://127.0.0.1:3128' }, () => {
      assert.deepEqual(proxyFor('https://api.ecr.us-east-2.amazonaws.com'), { url: 'http://127.0.0.1:3128', variable: 'https_proxy' });
      assert.equal(proxyFor('http://moto:5000'), undefined, 'http targets take HTTP_PROXY');
    });
    withEnv({ HTTP_PROXY: 'http://p:1', HTTPS_PROXY: 'http://p:2', NO_PROXY: '.amazonaws.com,localhost' }, () => {
      assert.equal(proxyFor(`https://${HOST}`), undefined);
      assert.deepEqual(proxyFor('http://moto:5000'), { url: 'http://p:1', variable: 'HTTP_PROXY' });
      assert.deepEqual(proxyFor('https://sts.example.com'), { url: 'http://p:2', variable: 'HTTPS_PROXY' });
    });
  });

  it('never prints proxy credentials', () => {
    assert.equal(displayProxy('http://user:pa55@proxy.corp:3128'), 'http://***@proxy.corp:3128');
  });

  it('a proxy that is down or refuses: the error names the proxy and its variable', async () => {
    const { resolveTagDigest } = await import('../../src/adapters/docker/registry.js');
    const refusing = createServer();
    refusing.on('connect', (_request, socket) => socket.end('HTTP/1.0 403 Access denied\r\nServer: tinyproxy/1.11.1\r\n\r\n'));
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
    const port = (refusing.address() as AddressInfo).port;
    try {
      await withEnvAsync({ HTTPS_PROXY: `http://127.0.0.1:${port}` }, () =>
        assert.rejects(
          resolveTagDigest(`https://${HOST}`, 'a/b', 'v1', { username: 'AWS', password: 'x' }),
          /registry: cannot reach https:\/\/153263036946\.dkr\.ecr\.us-east-2\.amazonaws\.com to confirm a\/b:v1 \(the proxy http:\/\/127\.0\.0\.1:\d+ \(from HTTPS_PROXY\) refused to connect to 153263036946\.dkr\.ecr\.us-east-2\.amazonaws\.com:443 \(it answered 403 Access denied to CONNECT\)/,
        ),
      );
    } finally {
      refusing.close();
    }
    await withEnvAsync({ https_proxy: 'http://127.0.0.1:9' }, () =>
      assert.rejects(
        resolveTagDigest(`https://${HOST}`, 'a/b', 'v1', { username: 'AWS', password: 'x' }),
        /cannot reach 153263036946\.dkr\.ecr\.us-east-2\.amazonaws\.com:443 through the proxy http:\/\/127\.0\.0\.1:9 \(from https_proxy\): connect ECONNREFUSED 127\.0\.0\.1:9/,
      ),
    );
  });
});
