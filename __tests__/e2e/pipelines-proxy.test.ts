// Issue 11, point 3: HTTPS_PROXY / HTTP_PROXY / NO_PROXY (either case) for every AWS call and the
// registry check, through Debian's tinyproxy on loopback. Direct access is blocked for the action
// only: it runs in a mount namespace whose /etc/hosts lacks moto's host name and the registry's, so
// it cannot resolve them, while tinyproxy (and dockerd, which pulls and pushes) resolve both. Only the
// proxy path can work, and tinyproxy's log shows which hosts it carried.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { helloContext } from '../../stack/fixtures.js';
import { mapHost, unmapHost } from '../../stack/loopback-host.js';
import { freePort } from '../../stack/process.js';
import { servedDigest } from '../../stack/registry-client.js';
import { REGISTRY_HOST, STAGING_ROLE_ARN, dockerEnv, errorLines, expectOneError as assertOneError, presets, runAction, useMoto } from '../../stack/fixture.js';
import { startTinyproxy, type Tinyproxy } from '../../stack/tinyproxy.js';
import { hostsWithout, runWrappedAction } from '../../stack/wrapped-action.js';

/** moto under a host name: resolvable on the machine, not inside the action's namespace. */
const MOTO_HOST = 'moto.publish-image.test';
const REPOSITORY = 'molecule-ai/proxied';
const stack = useMoto({ repositories: [REPOSITORY], allowlist: [REPOSITORY] });
let motoPort: number;
let proxy: Tinyproxy;
let refusing: Tinyproxy;
let isolated: string[];
let tag = 0;

const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy'];

function actionEnv(proxies: Record<string, string>): NodeJS.ProcessEnv {
  const base = dockerEnv(stack.env, { AWS_ENDPOINT_URL: `http://${MOTO_HOST}:${motoPort}` });
  for (const name of PROXY_VARIABLES) delete base[name];
  return { ...base, ...proxies };
}

const publishInputs = (extra: Record<string, string> = {}): Record<string, string> => ({
  repository: REPOSITORY,
  context: helloContext(),
  tags: `p${++tag}`,
  ...extra,
});

describe('proxies: tinyproxy is the only way out (dockerd + registry + moto)', () => {
  before(async () => {
    motoPort = Number(new URL(stack.endpoint).port);
    mapHost('127.0.0.1', MOTO_HOST);
    proxy = await startTinyproxy({ connectPorts: [443, motoPort] });
    refusing = await startTinyproxy({ allow: '127.0.0.2', connectPorts: [443, motoPort] });
    isolated = hostsWithout([MOTO_HOST, REGISTRY_HOST]);
  });
  after(async () => {
    await proxy?.stop();
    await refusing?.stop();
    unmapHost(MOTO_HOST);
  });
  it('without a proxy the action cannot reach AWS at all (the direct path is blocked)', async () => {
    const run = await runWrappedAction(publishInputs(), actionEnv({}), { wrap: isolated });
    assertOneError(run, /ENOTFOUND|getaddrinfo/);
  });

  it('HTTPS_PROXY/HTTP_PROXY: every AWS call (ECR, STS, IAM, …) and the registry check go through the proxy', async () => {
    const before = proxy.connects().length;
    const run = await runWrappedAction(
      publishInputs({ 'pull-principals': STAGING_ROLE_ARN, ...presets.staging }),
      actionEnv({ HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url }),
      { wrap: isolated },
    );
    assert.equal(run.exitCode, 0, run.log);
    assert.equal(await servedDigest(REPOSITORY, `p${tag}`), run.outputs.digest);
    assert.equal(run.outputs.drift, 'false');
    const policy = (await stack.storedRepositoryPolicy(REPOSITORY)) as { Statement: { Sid: string }[] } | undefined;
    assert.deepEqual(
      policy?.Statement.map((statement) => statement.Sid),
      ['PublishImageCrossAccountPull'],
      `the grant was written through the proxy:\n${run.log}`,
    );
    const carried = proxy.connects().slice(before);
    assert.ok(carried.includes(`${MOTO_HOST}:${motoPort}`), `AWS calls went through the proxy: ${carried.join(', ')}`);
    assert.ok(carried.includes(`${REGISTRY_HOST}:443`), `the registry check went through the proxy: ${carried.join(', ')}`);
  });

  it('https_proxy/http_proxy in lower case work the same', async () => {
    const before = proxy.connects().length;
    const run = await runWrappedAction(publishInputs(), actionEnv({ https_proxy: proxy.url, http_proxy: proxy.url }), { wrap: isolated });
    assert.equal(run.exitCode, 0, run.log);
    assert.ok(proxy.connects().slice(before).includes(`${REGISTRY_HOST}:443`));
  });

  it('NO_PROXY sends the listed hosts direct (the proxy here is down, and nothing needs it)', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const run = await runAction(publishInputs(), actionEnv({ HTTPS_PROXY: dead, HTTP_PROXY: dead, NO_PROXY: `${MOTO_HOST},.amazonaws.com` }));
    assert.equal(run.exitCode, 0, run.log);
    const lower = await runAction(publishInputs(), actionEnv({ https_proxy: dead, http_proxy: dead, no_proxy: `${MOTO_HOST}:${motoPort},.amazonaws.com` }));
    assert.equal(lower.exitCode, 0, lower.log);
  });

  it('a proxy that is down: one error naming the proxy and its variable', async () => {
    const port = await freePort();
    const dead = `http://127.0.0.1:${port}`;
    const run = await runWrappedAction(publishInputs(), actionEnv({ HTTPS_PROXY: dead, HTTP_PROXY: dead, AWS_MAX_ATTEMPTS: '2' }), { wrap: isolated });
    assertOneError(
      run,
      new RegExp(
        `cannot reach ${MOTO_HOST}:${motoPort} through the proxy http://127\\.0\\.0\\.1:${port} \\(from HTTP_PROXY\\): connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\. Check that the proxy is running`,
      ),
    );
  });

  it('a proxy that refuses this runner: one error naming the proxy and what it answered', async () => {
    const run = await runWrappedAction(publishInputs(), actionEnv({ https_proxy: refusing.url, http_proxy: refusing.url }), { wrap: isolated });
    assertOneError(
      run,
      new RegExp(
        `the proxy ${refusing.url.replace(/\./g, '\\.')} \\(from http_proxy\\) refused to connect to ${MOTO_HOST}:${motoPort} \\(it answered 403 Access denied to CONNECT\\)`,
      ),
    );
    assert.match(refusing.log(), /Unauthorized connection from "127\.0\.0\.1"/);
  });

  it('credentials in a proxy URL are never printed', async () => {
    const port = await freePort();
    const run = await runWrappedAction(publishInputs(), actionEnv({ HTTP_PROXY: `http://ci:pr0xy-pa55@127.0.0.1:${port}`, AWS_MAX_ATTEMPTS: '1' }), {
      wrap: isolated,
    });
    assert.equal(run.exitCode, 1);
    assert.match(errorLines(run.log)[0], new RegExp(`through the proxy http://\\*\\*\\*@127\\.0\\.0\\.1:${port} \\(from HTTP_PROXY\\)`));
    assert.ok(run.log.split('\n').includes('::add-mask::pr0xy-pa55'), 'masked for the runner');
    assert.ok(
      !run.log
        .split('\n')
        .filter((line) => !line.startsWith('::add-mask::'))
        .join('\n')
        .includes('pr0xy-pa55'),
      'never printed',
    );
  });
});
