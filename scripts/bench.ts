// `npm run bench`: the action against an aws-CLI script doing the same reads (and, for reconcile, the
// same writes), side by side in one run, against moto behind the counting proxy; plus publish
// overhead on dockerd + the registry, cold start, and the size of dist/. `--quick` is CI's short
// form: it checks that everything still works, with fewer rounds and smaller manifests.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { ROOT } from '../__tests__/stack/action.js';
import { createKeys, createRepository, ecrIn } from '../__tests__/stack/aws.js';
import { PROD_ACCOUNT, REGION, REGISTRY_HOST, REGISTRY_PASSWORD, STAGING_ACCOUNT, startEngineStack } from '../__tests__/stack/engine.js';
import { isWrite, startFaultProxy, type FaultProxy } from '../__tests__/stack/fault-proxy.js';
import { helloContext } from '../__tests__/stack/fixtures.js';
import { startMoto } from '../__tests__/stack/moto.js';
import { ALLOWLIST_POLICY, READER_ROLE_ARN, STAGING_ROLE, STAGING_ROLE_ARN, allowlistPolicy, crossAccountGrant, seedStaging } from '../__tests__/stack/staging.js';
import { SetRepositoryPolicyCommand } from '@aws-sdk/client-ecr';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 1 : 5;
const LARGE = quick ? 50 : 500;
const work = mkdtempSync(join(tmpdir(), 'bench-'));

interface Measured { seconds: number; maxRssMb: number; calls: number; writes: number; firstRequestMs?: number; exitCode: number }

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Runs a command under /usr/bin/time, counting the AWS calls the proxy saw. */
function measure(proxy: FaultProxy, command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Measured> {
  proxy.calls.length = 0;
  const timeFile = join(work, 'time');
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn('/usr/bin/time', ['-o', timeFile, '-f', '%e %M', command, ...args], { env, stdio: ['ignore', 'ignore', 'ignore'] });
    child.on('close', (code) => {
      const [seconds, rssKb] = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
      const first = proxy.calls[0]?.at; // /usr/bin/time itself adds ~1 ms before node starts
      resolve({ seconds, maxRssMb: rssKb / 1024, calls: proxy.calls.length, writes: proxy.calls.filter(isWrite).length, firstRequestMs: first ? first - started : undefined, exitCode: code ?? -1 });
    });
  });
}

async function repeat(rounds: number, run: () => Promise<Measured>): Promise<Measured> {
  const results: Measured[] = [];
  for (let round = 0; round < rounds; round++) results.push(await run());
  return {
    seconds: median(results.map((r) => r.seconds)),
    maxRssMb: Math.max(...results.map((r) => r.maxRssMb)),
    calls: results[0].calls,
    writes: Math.max(...results.map((r) => r.writes)),
    firstRequestMs: results[0].firstRequestMs === undefined ? undefined : median(results.map((r) => r.firstRequestMs ?? 0)),
    exitCode: Math.max(...results.map((r) => r.exitCode)),
  };
}

function actionEnv(inputs: Record<string, string>, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, { default: string }> };
  const env: NodeJS.ProcessEnv = { ...base, RUNNER_TEMP: work, GITHUB_OUTPUT: join(work, 'out'), GITHUB_STATE: join(work, 'state') };
  for (const [name, input] of Object.entries(action.inputs)) env[`INPUT_${name.toUpperCase()}`] = inputs[name] ?? input.default;
  writeFileSync(join(work, 'out'), '');
  writeFileSync(join(work, 'state'), '');
  return env;
}

function dirSize(dir: string): number {
  return readdirSync(dir).reduce((sum, name) => {
    const path = join(dir, name);
    return sum + (statSync(path).isDirectory() ? dirSize(path) : statSync(path).size);
  }, 0);
}

const moto = await startMoto();
const proxy = await startFaultProxy(moto.endpoint);
const engine = await startEngineStack();
const rows: string[][] = [];
const failures: string[] = [];
const check = (what: string, ok: boolean): void => {
  if (!ok) failures.push(what);
};

try {
  // Seed: the registry account with 9 + LARGE repositories granting staging, and the staging role.
  const keys = await createKeys(moto.endpoint, PROD_ACCOUNT, 'publisher');
  const templates = ['claude-code', 'codex', 'hermes', 'openclaw', 'seo-agent', 'google-adk', 'deep-research', 'autogen'].map((name) => `molecule-ai/workspace-template-${name}`);
  const nine = [...templates, 'molecule-ai/molecule-platform-agent'];
  const large = Array.from({ length: LARGE }, (_, index) => `molecule-ai/bench-${String(index).padStart(3, '0')}`);
  const ecr = ecrIn(moto.endpoint, PROD_ACCOUNT);
  const grant = JSON.stringify({ Version: '2012-10-17', Statement: [crossAccountGrant()] });
  for (const repository of [...nine, ...large]) {
    await createRepository(moto.endpoint, repository);
    await ecr.send(new SetRepositoryPolicyCommand({ repositoryName: repository, policyText: grant }));
  }
  const allowlist = allowlistPolicy([...nine, 'molecule-ai/bench-*']);
  await seedStaging(moto.endpoint, allowlist);

  const base: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...keys, AWS_REGION: REGION, AWS_ENDPOINT_URL: proxy.endpoint };
  const common = { 'registry-id': PROD_ACCOUNT, 'staging-role-arn': STAGING_ROLE_ARN, 'staging-policy-name': ALLOWLIST_POLICY, 'staging-assume-role-arn': READER_ROLE_ARN };
  const manifestFile = (names: string[]): string => {
    const path = join(work, `manifest-${names.length}.json`);
    writeFileSync(path, JSON.stringify({ workspace_templates: names }));
    return path;
  };
  const repositoriesFile = (names: string[]): string => {
    const path = join(work, `repositories-${names.length}.txt`);
    writeFileSync(path, `${names.join('\n')}\n`);
    return path;
  };
  const action = (inputs: Record<string, string>) => () => measure(proxy, process.execPath, [join(ROOT, 'dist', 'index.js')], actionEnv({ ...common, ...inputs }, base));
  const cli = (names: string[]) => () =>
    measure(proxy, join(ROOT, 'scripts', 'bench-cli.sh'), [proxy.endpoint, PROD_ACCOUNT, READER_ROLE_ARN, STAGING_ROLE, STAGING_ACCOUNT, repositoriesFile(names)], base);

  // Cold start: node itself (spawn to exit), and the bundle from spawn to its first AWS request.
  const bareSamples: number[] = [];
  for (let round = 0; round < ROUNDS * 2; round++) {
    const started = Date.now();
    await new Promise((resolve) => spawn(process.execPath, ['-e', ''], { stdio: 'ignore' }).on('close', resolve));
    bareSamples.push(Date.now() - started);
  }
  const bareMs = median(bareSamples);
  const verifyOne = await repeat(ROUNDS, action({ mode: 'verify', repository: 'molecule-ai/molecule-platform-agent' }));
  check('verify of 1 repository passes', verifyOne.exitCode === 0);
  const coldMs = verifyOne.firstRequestMs ?? NaN;
  rows.push(['cold start: `node -e ""`, spawn to exit', `${bareMs.toFixed(0)} ms`, '', '']);
  rows.push(['cold start: dist/index.js, spawn to its first AWS request', `${coldMs.toFixed(0)} ms`, '', `${(coldMs / bareMs).toFixed(2)}× node -e ""`]);

  const cliOne = await repeat(Math.min(ROUNDS, 3), cli(['molecule-ai/molecule-platform-agent']));
  check('the CLI script finds no drift for 1 repository', cliOne.exitCode === 0);
  rows.push(['verify 1 repository: wall time', `${verifyOne.seconds.toFixed(2)} s`, `${cliOne.seconds.toFixed(2)} s`, `${(cliOne.seconds / verifyOne.seconds).toFixed(1)}× faster`]);
  rows.push(['verify 1 repository: AWS calls', String(verifyOne.calls), String(cliOne.calls), '']);
  rows.push(['verify 1 repository: peak memory', `${verifyOne.maxRssMb.toFixed(0)} MB`, `${cliOne.maxRssMb.toFixed(0)} MB`, '']);

  const nineInputs = { mode: 'verify', manifest: manifestFile(templates), 'repository-template': '{name}', 'extra-repositories': 'molecule-ai/molecule-platform-agent' };
  const verifyNine = await repeat(ROUNDS, action(nineInputs));
  check('verify of 9 repositories passes', verifyNine.exitCode === 0);
  const cliNine = await repeat(quick ? 1 : 3, cli(nine));
  check('the CLI script finds no drift for 9 repositories', cliNine.exitCode === 0);
  rows.push(['verify 9 repositories: wall time', `${verifyNine.seconds.toFixed(2)} s`, `${cliNine.seconds.toFixed(2)} s`, `${(cliNine.seconds / verifyNine.seconds).toFixed(1)}× faster`]);
  rows.push(['verify 9 repositories: AWS calls', String(verifyNine.calls), String(cliNine.calls), '']);
  rows.push(['verify 9 repositories: peak memory', `${verifyNine.maxRssMb.toFixed(0)} MB`, `${cliNine.maxRssMb.toFixed(0)} MB`, '']);

  const verifyLarge = await repeat(quick ? 1 : 3, action({ mode: 'verify', manifest: manifestFile(large), 'repository-template': '{name}' }));
  check(`verify of ${LARGE} repositories passes`, verifyLarge.exitCode === 0);
  const perCall = cliNine.seconds / cliNine.calls;
  const cliLargeCalls = cliNine.calls - nine.length + LARGE;
  rows.push([`verify ${LARGE} repositories: wall time`, `${verifyLarge.seconds.toFixed(2)} s`, `≈ ${(perCall * cliLargeCalls).toFixed(0)} s (estimated: ${cliLargeCalls} calls × ${perCall.toFixed(2)} s measured above)`, `≈ ${((perCall * cliLargeCalls) / verifyLarge.seconds).toFixed(0)}×`]);
  rows.push([`verify ${LARGE} repositories: AWS calls`, String(verifyLarge.calls), String(cliLargeCalls), '']);
  rows.push([`verify ${LARGE} repositories: peak memory`, `${verifyLarge.maxRssMb.toFixed(0)} MB`, '', '']);

  const reconcileInSync = await repeat(quick ? 1 : 3, action({ ...nineInputs, mode: 'reconcile', 'pull-principals': STAGING_ACCOUNT }));
  check('reconcile in sync passes', reconcileInSync.exitCode === 0);
  check('reconcile in sync writes nothing', reconcileInSync.writes === 0);
  rows.push(['reconcile 9 repositories, already in sync: AWS calls (writes)', `${reconcileInSync.calls} (${reconcileInSync.writes} writes)`, `${cliNine.calls} (0 writes)`, '']);
  rows.push(['reconcile 9 repositories, already in sync: wall time', `${reconcileInSync.seconds.toFixed(2)} s`, `${cliNine.seconds.toFixed(2)} s`, `${(cliNine.seconds / reconcileInSync.seconds).toFixed(1)}× faster`]);

  // Publish overhead: the action's publish against `docker build` + `docker login` + `docker push` by hand.
  const dockerEnv = { ...base, DOCKER_HOST: engine.dockerHost, NODE_EXTRA_CA_CERTS: engine.caFile, PATH: `${engine.dockerClientDir}:${process.env.PATH}`, DOCKER_BUILDKIT: '1' };
  const context = helloContext();
  let tag = 0;
  const publish = await repeat(ROUNDS, () =>
    measure(proxy, process.execPath, [join(ROOT, 'dist', 'index.js')], actionEnv({ ...common, repository: 'molecule-ai/molecule-platform-agent', context, tags: `p${++tag}`, 'pull-principals': STAGING_ACCOUNT }, dockerEnv)),
  );
  check('publish passes', publish.exitCode === 0);
  const dockerConfig = mkdtempSync(join(work, 'docker-'));
  const byHand = await repeat(ROUNDS, async () => {
    const started = Date.now();
    const docker = (...args: string[]): void => void execFileSync('/usr/bin/docker', ['--config', dockerConfig, ...args], { env: dockerEnv, stdio: ['pipe', 'ignore', 'pipe'], input: REGISTRY_PASSWORD });
    const ref = `${REGISTRY_HOST}/molecule-ai/molecule-platform-agent:h${++tag}`;
    docker('login', '--username', 'AWS', '--password-stdin', REGISTRY_HOST);
    docker('build', '-t', ref, context);
    docker('push', ref);
    return { seconds: (Date.now() - started) / 1000, maxRssMb: 0, calls: 0, writes: 0, exitCode: 0 };
  });
  rows.push(['publish: wall time (action) vs docker login + build + push by hand', `${publish.seconds.toFixed(2)} s`, `${byHand.seconds.toFixed(2)} s`, `overhead ${((publish.seconds - byHand.seconds) * 1000).toFixed(0)} ms (${publish.calls} AWS calls: token, repository, grant, staging read)`]);

  const distBytes = dirSize(join(ROOT, 'dist'));
  const bundleBytes = statSync(join(ROOT, 'dist', 'index.js')).size;
  rows.push(['size of dist/ (all files; dist/index.js alone)', `${(distBytes / 1024).toFixed(0)} KiB (${(bundleBytes / 1024).toFixed(0)} KiB)`, '', '']);
} finally {
  await proxy.stop();
  await moto.stop();
  await engine.stop();
}

const header = ['measure', 'publish-image', 'aws CLI script', 'ratio'];
const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
const line = (cells: string[]): string => `| ${cells.map((cell, column) => (cell ?? '').padEnd(widths[column])).join(' | ')} |`;
console.log(`\nMachine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}; moto behind a counting proxy on loopback; ${quick ? 'quick run (1 round)' : `median of ${ROUNDS} rounds`}.\n`);
console.log([line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n'));
if (failures.length > 0) {
  console.error(`\nbench: FAILED: ${failures.join('; ')}`);
  process.exit(1);
}
