// `npm run bench`: the action against an aws-CLI script doing the same reads (and, for reconcile, the
// same writes), side by side in one run, against moto behind the counting proxy; plus publish
// overhead on dockerd + the registry, cold start, and the size of dist/. `--quick` is CI's short
// form: it checks that everything still works, with fewer rounds and smaller manifests.
// A second table runs the action against AWS's own behaviour, modelled by the fault proxy: token
// buckets at ECR's and IAM's rates (throttling) and policy reads that lag behind writes (eventual
// consistency). An effective-access table measures verify with a permissions boundary, organization
// conditions and SCPs: sequential round trips at 80 ms a call, and 500 repositories.
// A pullers table measures several pullers in two regions with replicas (issue 18): 3 pullers × 500
// repositories × 2 regions, the calls per operation, and round trips at 80 ms a call.
// `--only baseline,access,pullers,throttling,consistency` runs only those sections (default: all).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { parseCommandFile, ROOT } from '../stack/action.js';
import { createKeys, createRepository, ecrIn, iamIn } from '../stack/aws.js';
import { PROD_ACCOUNT, REGION, REGISTRY_HOST, REGISTRY_PASSWORD, STAGING_ACCOUNT, startEngineStack } from '../stack/engine.js';
import {
  AWS_RATE_LIMITS,
  isWrite,
  rateLimitFor,
  startFaultProxy,
  type FaultProxy,
  type ProxyCall,
  type ProxyStats,
  type RateLimits,
  type StaleReads,
} from '../stack/fault-proxy.js';
import { seedOrganization, seedRoleWithBoundary } from '../stack/organizations.js';
import { ensureStack } from './setup-stack.js';
import { CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { helloContext } from '../stack/fixtures.js';
import { startMoto } from '../stack/moto.js';
import { startRegistryBridge } from '../stack/registry-bridge.js';
import { prodEnvironment } from '../stack/prod.js';
import {
  ALLOWLIST_POLICY,
  INCIDENT_ALLOWLIST,
  PULL_ACTIONS,
  READER_ROLE_ARN,
  STAGING_ROLE,
  STAGING_ROLE_ARN,
  allowlistPolicy,
  crossAccountGrant,
  presets,
  putAllowlist,
  repoArn,
  seedStaging,
  storedAllowlist,
} from '../stack/fixture.js';
import { createCreationTemplates, putReplication } from '../stack/replication.js';
import { imageManifest, putManifest } from '../stack/images.js';
import {
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  DeleteRepositoryPolicyCommand,
  GetRepositoryPolicyCommand,
  PutRegistryPolicyCommand,
  SetRepositoryPolicyCommand,
  TagResourceCommand,
} from '@aws-sdk/client-ecr';

ensureStack({ bench: true });
const quick = process.argv.includes('--quick');
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt >= 0 ? (process.argv[onlyAt + 1] ?? '').split(',') : undefined;
const wants = (section: 'baseline' | 'access' | 'pullers' | 'throttling' | 'consistency'): boolean => !only || only.includes(section);
const ROUNDS = quick ? 1 : 5;
const LARGE = quick ? 50 : 500;
const work = mkdtempSync(join(tmpdir(), 'bench-'));
/** The bundle the pullers section runs: dist/index.js, or another build (PUBLISH_IMAGE_BENCH_BUNDLE) to compare before and after a change. */
const BUNDLE = process.env.PUBLISH_IMAGE_BENCH_BUNDLE ?? join(ROOT, 'dist', 'index.js');

/** verify of a manifest in the bench's workspace that lists these repositories by name. */
const namesInputs = (names: string[]): Record<string, string> => ({
  ...presets.verifyManifest,
  manifest: manifestIn(work, names),
  'repository-template': '{name}',
  'extra-repositories': '',
});

interface Measured {
  seconds: number;
  maxRssMb: number;
  calls: number;
  writes: number;
  exitCode: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Runs a command under /usr/bin/time, counting the AWS calls the proxy saw. */
function measure(proxy: FaultProxy, command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Measured> {
  proxy.calls.length = 0;
  const timeFile = join(work, 'time');
  return new Promise((resolve) => {
    const child = spawn('/usr/bin/time', ['-o', timeFile, '-f', '%e %M', command, ...args], { env, stdio: ['ignore', 'ignore', 'ignore'] });
    child.on('close', (code) => {
      const [seconds, rssKb] = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
      resolve({
        seconds,
        maxRssMb: rssKb / 1024,
        calls: proxy.calls.length,
        writes: proxy.calls.filter(isWrite).length,
        exitCode: code ?? -1,
      });
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
    exitCode: Math.max(...results.map((r) => r.exitCode)),
  };
}

/** Milliseconds from spawn to the first AWS request the proxy records (the child is killed then), or to exit. */
function spawnTo(proxy: FaultProxy, args: string[], env: NodeJS.ProcessEnv, until: 'first-request' | 'exit'): Promise<number> {
  proxy.calls.length = 0;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: 'ignore' });
    const poll =
      until === 'first-request'
        ? setInterval(() => {
            if (proxy.calls.length === 0) return;
            clearInterval(poll);
            child.kill('SIGKILL');
          }, 2)
        : undefined;
    child.on('close', () => {
      clearInterval(poll);
      if (until === 'exit') return resolve(Date.now() - started);
      const first = proxy.calls[0]?.at;
      if (first === undefined) reject(new Error(`${args.join(' ')} exited before any AWS request`));
      else resolve(first - started);
    });
  });
}

/**
 * Cold start, medians of interleaved rounds (15; 3 with --quick): `node -e ""`, `dist/index.js --help`,
 * and spawn to the first AWS request of the action (verify, `env`) and of amazon-ecr-login when
 * BENCH_ECR_LOGIN names its dist/index.js (its inputs as a runner passes them; not vendored here).
 * Every call is answered 500 by the proxy, so each child is killed at its first request.
 */
async function coldStart(
  proxy: FaultProxy,
  env: NodeJS.ProcessEnv,
  base: NodeJS.ProcessEnv,
): Promise<{ bare: number; help: number; action: number; ecrLogin?: number }> {
  const ecrLogin = process.env.BENCH_ECR_LOGIN;
  const ecrEnv = {
    ...env,
    'INPUT_MASK-PASSWORD': 'true',
    INPUT_REGISTRIES: '',
    'INPUT_REGISTRY-TYPE': 'private',
    'INPUT_SKIP-LOGOUT': 'false',
    'INPUT_HTTP-PROXY': '',
  };
  const samples = { bare: [] as number[], help: [] as number[], action: [] as number[], ecrLogin: [] as number[] };
  // The proxy answers every call 500 itself: moto's work on one run's request never competes with the next start.
  proxy.setRules([{ operation: '*', fault: 'http-500' }]);
  try {
    for (let round = 0; round < (quick ? 3 : 15); round++) {
      samples.bare.push(await spawnTo(proxy, ['-e', ''], base, 'exit'));
      samples.help.push(await spawnTo(proxy, [join(ROOT, 'dist', 'index.js'), '--help'], base, 'exit'));
      samples.action.push(await spawnTo(proxy, [join(ROOT, 'dist', 'index.js')], env, 'first-request'));
      if (ecrLogin) samples.ecrLogin.push(await spawnTo(proxy, [ecrLogin], ecrEnv, 'first-request'));
    }
  } finally {
    proxy.clear();
  }
  return {
    bare: median(samples.bare),
    help: median(samples.help),
    action: median(samples.action),
    ...(ecrLogin ? { ecrLogin: median(samples.ecrLogin) } : {}),
  };
}

function actionEnv(inputs: Record<string, string>, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, { default: string }> };
  // The manifests live in `work`, which is the workspace (the action reads manifests only from inside it).
  const env: NodeJS.ProcessEnv = { ...base, RUNNER_TEMP: work, GITHUB_WORKSPACE: work, GITHUB_OUTPUT: join(work, 'out'), GITHUB_STATE: join(work, 'state') };
  for (const [name, input] of Object.entries(action.inputs)) env[`INPUT_${name.toUpperCase()}`] = inputs[name] ?? input.default;
  writeFileSync(join(work, 'out'), '');
  writeFileSync(join(work, 'state'), '');
  return env;
}

let manifests = 0;
/** A manifest file of these names in `dir` (the workspace), each under its own name. */
function manifestIn(dir: string, names: string[]): string {
  const path = join(dir, `manifest-${++manifests}.json`);
  writeFileSync(path, JSON.stringify({ workspace_templates: names }));
  return path;
}

function dirSize(dir: string): number {
  return readdirSync(dir).reduce((sum, name) => {
    const path = join(dir, name);
    return sum + (statSync(path).isDirectory() ? dirSize(path) : statSync(path).size);
  }, 0);
}

const failures: string[] = [];
const check = (what: string, ok: boolean): void => {
  if (!ok) failures.push(what);
};

/** Wall time, AWS calls and peak memory of the action and the CLI script, side by side. */
function sideBySide(what: string, ours: Measured, script: Measured): string[][] {
  return [
    [`${what}: wall time`, `${ours.seconds.toFixed(2)} s`, `${script.seconds.toFixed(2)} s`, `${(script.seconds / ours.seconds).toFixed(1)}× faster`],
    [`${what}: AWS calls`, String(ours.calls), String(script.calls), ''],
    [`${what}: peak memory`, `${ours.maxRssMb.toFixed(0)} MB`, `${script.maxRssMb.toFixed(0)} MB`, ''],
  ];
}

/** The action against the aws CLI script, cold start, publish overhead, size: the first table. */
async function baseline(): Promise<string[][]> {
  const moto = await startMoto();
  const proxy = await startFaultProxy(moto.endpoint);
  const engine = await startEngineStack();
  // Each push to the registry is recorded in moto's ECR, as ECR itself lists it: publish judges the image it pushed.
  const bridge = await startRegistryBridge(moto.endpoint, engine.caFile);
  const rows: string[][] = [];
  try {
    // Seed: the registry account with 9 + LARGE repositories granting staging, and the staging role.
    const keys = await createKeys(moto.endpoint, PROD_ACCOUNT, 'publisher');
    const templates = ['claude-code', 'codex', 'hermes', 'openclaw', 'seo-agent', 'google-adk', 'deep-research', 'autogen'].map(
      (name) => `molecule-ai/workspace-template-${name}`,
    );
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
    const common = { 'registry-id': PROD_ACCOUNT, ...presets.staging };
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
    const action = (inputs: Record<string, string>) => () =>
      measure(proxy, process.execPath, [join(ROOT, 'dist', 'index.js')], actionEnv({ ...common, ...inputs }, base));
    const cli = (names: string[]) => () =>
      measure(
        proxy,
        join(ROOT, 'scripts', 'bench-cli.sh'),
        [proxy.endpoint, PROD_ACCOUNT, READER_ROLE_ARN, STAGING_ROLE, STAGING_ACCOUNT, repositoriesFile(names)],
        base,
      );

    // Cold start, interleaved rounds: node itself and the bundle's `--help` (spawn to exit: what loading
    // dist/index.js costs without the SDK), then spawn to the first AWS request the proxy sees, for the
    // action and, when BENCH_ECR_LOGIN names amazon-ecr-login's dist/index.js, for amazon-ecr-login.
    const cold = await coldStart(proxy, actionEnv({ ...common, mode: 'verify', repository: 'molecule-ai/molecule-platform-agent' }, base), base);
    const verifyOne = await repeat(ROUNDS, action({ mode: 'verify', repository: 'molecule-ai/molecule-platform-agent' }));
    check('verify of 1 repository passes', verifyOne.exitCode === 0);
    const times = (ms: number, of: number, what: string): string => `${(ms / of).toFixed(2)}× ${what}`;
    rows.push(['cold start: `node -e ""`, spawn to exit', `${cold.bare.toFixed(0)} ms`, '', '']);
    rows.push([
      'cold start: `node dist/index.js --help`, spawn to exit (the bundle without the SDK)',
      `${cold.help.toFixed(0)} ms`,
      '',
      times(cold.help, cold.bare, 'node -e ""'),
    ]);
    rows.push(['cold start: dist/index.js, spawn to its first AWS request', `${cold.action.toFixed(0)} ms`, '', times(cold.action, cold.bare, 'node -e ""')]);
    if (cold.ecrLogin !== undefined) {
      rows.push([
        'cold start: amazon-ecr-login (BENCH_ECR_LOGIN), spawn to its first AWS request',
        `${cold.ecrLogin.toFixed(0)} ms`,
        '',
        `${times(cold.ecrLogin, cold.bare, 'node -e ""')}; publish-image at ${times(cold.action, cold.ecrLogin, 'amazon-ecr-login')}`,
      ]);
    }

    const cliOne = await repeat(Math.min(ROUNDS, 3), cli(['molecule-ai/molecule-platform-agent']));
    check('the CLI script finds no drift for 1 repository', cliOne.exitCode === 0);
    rows.push(...sideBySide('verify 1 repository', verifyOne, cliOne));

    const nineInputs = {
      mode: 'verify',
      manifest: manifestFile(templates),
      'repository-template': '{name}',
      'extra-repositories': 'molecule-ai/molecule-platform-agent',
    };
    const verifyNine = await repeat(ROUNDS, action(nineInputs));
    check('verify of 9 repositories passes', verifyNine.exitCode === 0);
    const cliNine = await repeat(quick ? 1 : 3, cli(nine));
    check('the CLI script finds no drift for 9 repositories', cliNine.exitCode === 0);
    rows.push(...sideBySide('verify 9 repositories', verifyNine, cliNine));

    const verifyLarge = await repeat(quick ? 1 : 3, action({ mode: 'verify', manifest: manifestFile(large), 'repository-template': '{name}' }));
    check(`verify of ${LARGE} repositories passes`, verifyLarge.exitCode === 0);
    const perCall = cliNine.seconds / cliNine.calls;
    const cliLargeCalls = cliNine.calls - nine.length + LARGE;
    rows.push([
      `verify ${LARGE} repositories: wall time`,
      `${verifyLarge.seconds.toFixed(2)} s`,
      `≈ ${(perCall * cliLargeCalls).toFixed(0)} s (estimated: ${cliLargeCalls} calls × ${perCall.toFixed(2)} s measured above)`,
      `≈ ${((perCall * cliLargeCalls) / verifyLarge.seconds).toFixed(0)}×`,
    ]);
    rows.push([`verify ${LARGE} repositories: AWS calls`, String(verifyLarge.calls), String(cliLargeCalls), '']);
    rows.push([`verify ${LARGE} repositories: peak memory`, `${verifyLarge.maxRssMb.toFixed(0)} MB`, '', '']);

    const reconcileInSync = await repeat(quick ? 1 : 3, action({ ...nineInputs, mode: 'reconcile', 'pull-principals': STAGING_ACCOUNT }));
    check('reconcile in sync passes', reconcileInSync.exitCode === 0);
    check('reconcile in sync writes nothing', reconcileInSync.writes === 0);
    rows.push([
      'reconcile 9 repositories, already in sync: AWS calls (writes)',
      `${reconcileInSync.calls} (${reconcileInSync.writes} writes)`,
      `${cliNine.calls} (0 writes)`,
      '',
    ]);
    rows.push([
      'reconcile 9 repositories, already in sync: wall time',
      `${reconcileInSync.seconds.toFixed(2)} s`,
      `${cliNine.seconds.toFixed(2)} s`,
      `${(cliNine.seconds / reconcileInSync.seconds).toFixed(1)}× faster`,
    ]);

    // Publish overhead: the action's publish against `docker build` + `docker login` + `docker push` by hand.
    const dockerEnv = {
      ...base,
      DOCKER_HOST: engine.dockerHost,
      NODE_EXTRA_CA_CERTS: engine.caFile,
      PATH: `${engine.dockerClientDir}:${process.env.PATH}`,
      DOCKER_BUILDKIT: '1',
    };
    const context = helloContext();
    let tag = 0;
    const publish = await repeat(ROUNDS, () =>
      measure(
        proxy,
        process.execPath,
        [join(ROOT, 'dist', 'index.js')],
        actionEnv({ ...common, repository: 'molecule-ai/molecule-platform-agent', context, tags: `p${++tag}`, 'pull-principals': STAGING_ACCOUNT }, dockerEnv),
      ),
    );
    check('publish passes', publish.exitCode === 0);
    const dockerConfig = mkdtempSync(join(work, 'docker-'));
    const byHand = await repeat(ROUNDS, async () => {
      const started = Date.now();
      const docker = (...args: string[]): void =>
        void execFileSync('/usr/bin/docker', ['--config', dockerConfig, ...args], {
          env: dockerEnv,
          stdio: ['pipe', 'ignore', 'pipe'],
          input: REGISTRY_PASSWORD,
        });
      const ref = `${REGISTRY_HOST}/molecule-ai/molecule-platform-agent:h${++tag}`;
      docker('login', '--username', 'AWS', '--password-stdin', REGISTRY_HOST);
      docker('build', '-t', ref, context);
      docker('push', ref);
      return { seconds: (Date.now() - started) / 1000, maxRssMb: 0, calls: 0, writes: 0, exitCode: 0 };
    });
    rows.push([
      'publish: wall time (action) vs docker login + build + push by hand',
      `${publish.seconds.toFixed(2)} s`,
      `${byHand.seconds.toFixed(2)} s`,
      `overhead ${((publish.seconds - byHand.seconds) * 1000).toFixed(0)} ms (${publish.calls} AWS calls: token, repository, grant, staging read)`,
    ]);

    const distBytes = dirSize(join(ROOT, 'dist'));
    const bundleBytes = statSync(join(ROOT, 'dist', 'index.js')).size;
    rows.push(['size of dist/ (all files; dist/index.js alone)', `${(distBytes / 1024).toFixed(0)} KiB (${(bundleBytes / 1024).toFixed(0)} KiB)`, '', '']);
  } finally {
    await bridge.stop();
    await proxy.stop();
    await moto.stop();
    await engine.stop();
  }
  return rows;
}

// --- Effective access: what reading the boundary, the organizations and the SCPs costs ---

/**
 * Sequential steps: the longest chain of calls each started after the one before it was answered (a
 * call can only wait for an answer it has). A call's step is one more than the highest step among the
 * calls answered before it started; so CPU work between an answer and the next request (loading a
 * client's module, judging) does not count as a round trip unless it outlasts a whole call. With a
 * fixed delay on every call, this is the number of sequential waits a run makes.
 */
function roundTripSteps(calls: ProxyCall[], latencyMs: number): ProxyCall[][] {
  const ordered = [...calls].sort((a, b) => a.at - b.at);
  const depth = new Map<ProxyCall, number>();
  for (const call of ordered) {
    let before = 0;
    for (const earlier of ordered) {
      if (earlier === call) break;
      // An answer without a time (none recorded) is taken as answered one delay after it started.
      if ((earlier.answeredAt ?? earlier.at + latencyMs) <= call.at) before = Math.max(before, depth.get(earlier)!);
    }
    depth.set(call, before + 1);
  }
  const steps: ProxyCall[][] = [];
  for (const call of ordered) (steps[depth.get(call)! - 1] ??= []).push(call);
  return steps;
}

const roundTrips = (calls: ProxyCall[], latencyMs: number): number => roundTripSteps(calls, latencyMs).length;

async function effectiveAccess(): Promise<string[][]> {
  const moto = await startMoto();
  const proxy = await startFaultProxy(moto.endpoint);
  const rows: string[][] = [];
  try {
    // Staging is a member two OUs deep, under an SCP; its role has a boundary and tags; every
    // repository grants the organization (Principal "*" limited by aws:PrincipalOrgID).
    const organization = await seedOrganization(moto.endpoint, {
      ous: ['workloads', 'staging'],
      scps: [
        {
          name: 'NoPush',
          at: 1,
          document: {
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Action: '*', Resource: '*' },
              { Effect: 'Deny', Action: ['ecr:PutImage', 'ecr:InitiateLayerUpload'], Resource: '*' },
            ],
          },
        },
      ],
    });
    const staging = organization.accountId;
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }] });
    await iamIn(moto.endpoint, organization.managementAccountId).send(new CreateRoleCommand({ RoleName: 'OrgReader', AssumeRolePolicyDocument: trust }));
    const { roleArn } = await seedRoleWithBoundary(moto.endpoint, staging, {
      roleName: STAGING_ROLE,
      tags: { team: 'platform' },
      boundaryVersions: [
        {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'ecr:*', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalOrgID': organization.organizationId } } }],
        },
      ],
    });
    const iam = iamIn(moto.endpoint, staging);
    await iam.send(new CreateRoleCommand({ RoleName: 'PublishImageStagingReader', AssumeRolePolicyDocument: trust }));
    const allowlist = {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'EcrLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
        {
          Sid: 'PullTeam',
          Effect: 'Allow',
          Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
          Resource: 'arn:aws:ecr:*:*:repository/molecule-ai/*',
          Condition: { StringEquals: { 'aws:ResourceAccount': PROD_ACCOUNT, 'aws:PrincipalTag/team': 'platform' } },
        },
      ],
    };
    await iam.send(new PutRolePolicyCommand({ RoleName: STAGING_ROLE, PolicyName: ALLOWLIST_POLICY, PolicyDocument: JSON.stringify(allowlist) }));
    const keys = await createKeys(moto.endpoint, PROD_ACCOUNT, 'publisher');
    const ecr = ecrIn(moto.endpoint, PROD_ACCOUNT);
    const grant = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'OrgPull',
          Effect: 'Allow',
          Principal: '*',
          Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
          Condition: { StringEquals: { 'aws:PrincipalOrgID': organization.organizationId } },
        },
      ],
    });
    const large = Array.from({ length: LARGE }, (_, index) => `molecule-ai/org-${String(index).padStart(3, '0')}`);
    for (const repository of large) {
      await createRepository(moto.endpoint, repository);
      await ecr.send(new SetRepositoryPolicyCommand({ repositoryName: repository, policyText: grant }));
    }

    const base: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...keys, AWS_REGION: REGION, AWS_ENDPOINT_URL: proxy.endpoint };
    const common = {
      'registry-id': PROD_ACCOUNT,
      'staging-role-arn': roleArn,
      'staging-policy-name': ALLOWLIST_POLICY,
      'staging-assume-role-arn': `arn:aws:iam::${staging}:role/PublishImageStagingReader`,
    };
    const withOrganization = { 'organization-assume-role-arn': `arn:aws:iam::${organization.managementAccountId}:role/OrgReader` };
    const action = (inputs: Record<string, string>) => () =>
      measure(proxy, process.execPath, [join(ROOT, 'dist', 'index.js')], actionEnv({ ...common, ...inputs }, base));
    const one = { mode: 'verify', repository: large[0] };

    const LATENCY = 80;
    for (const [label, inputs] of [
      ['boundary, tags, organization conditions', one],
      ['the same, and SCPs/RCPs/OU path read (organization-assume-role-arn)', { ...one, ...withOrganization }],
    ] as const) {
      proxy.setRules([]);
      const fast = await repeat(ROUNDS, action(inputs));
      proxy.setRules([{ operation: '*', fault: 'latency', latencyMs: LATENCY }]);
      const slow = await repeat(ROUNDS, action(inputs));
      const steps = roundTrips(proxy.calls, LATENCY);
      proxy.setRules([]);
      check(`verify of 1 repository (${label}) passes`, fast.exitCode === 0 && slow.exitCode === 0);
      rows.push([
        `verify 1 repository, ${LATENCY} ms added to every AWS call: ${label}`,
        `${slow.seconds.toFixed(2)} s (${fast.seconds.toFixed(2)} s without)`,
        `${steps} sequential round trips`,
        `${slow.calls} calls`,
      ]);
    }

    const verifyLarge = await repeat(
      quick ? 1 : 3,
      action({ mode: 'verify', manifest: manifestIn(work, large), 'repository-template': '{name}', ...withOrganization }),
    );
    check(`verify of ${LARGE} repositories with a boundary, organization conditions and SCPs passes`, verifyLarge.exitCode === 0);
    rows.push([
      `verify ${LARGE} repositories: boundary, organization conditions, SCPs and RCPs read`,
      `${verifyLarge.seconds.toFixed(2)} s`,
      `${verifyLarge.maxRssMb.toFixed(0)} MB peak`,
      `${verifyLarge.calls} calls`,
    ]);

    // The registry policy (scope V2) with a Deny that does not apply: read once, beside the repository policies.
    await ecr.send(
      new PutRegistryPolicyCommand({
        policyText: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Sid: 'NoLegacy', Effect: 'Deny', Principal: '*', Action: 'ecr:*', Resource: `arn:aws:ecr:${REGION}:${PROD_ACCOUNT}:repository/legacy/*` },
          ],
        }),
      }),
    );
    const manifestLarge = { mode: 'verify', manifest: manifestIn(work, large), 'repository-template': '{name}', ...withOrganization };
    const withRegistryPolicy = await repeat(quick ? 1 : 3, action(manifestLarge));
    check(`verify of ${LARGE} repositories with a registry policy passes`, withRegistryPolicy.exitCode === 0);
    rows.push([
      `verify ${LARGE} repositories: the same, and a registry policy (scope V2 Deny that does not apply)`,
      `${withRegistryPolicy.seconds.toFixed(2)} s`,
      `${withRegistryPolicy.maxRssMb.toFixed(0)} MB peak`,
      `${withRegistryPolicy.calls} calls`,
    ]);

    // A tag condition in the allowlist: every repository's tags are read (ecr:ListTagsForResource), in parallel.
    for (const repository of large) {
      await ecr.send(
        new TagResourceCommand({ resourceArn: `arn:aws:ecr:${REGION}:${PROD_ACCOUNT}:repository/${repository}`, tags: [{ Key: 'team', Value: 'platform' }] }),
      );
    }
    const [login, pull] = allowlist.Statement;
    const tagged = {
      ...allowlist,
      Statement: [login, { ...pull, Condition: { StringEquals: { ...pull.Condition?.StringEquals, 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } } }],
    };
    await iam.send(new PutRolePolicyCommand({ RoleName: STAGING_ROLE, PolicyName: ALLOWLIST_POLICY, PolicyDocument: JSON.stringify(tagged) }));
    const withTags = await repeat(quick ? 1 : 3, action(manifestLarge));
    check(`verify of ${LARGE} repositories with a tag condition on every repository passes`, withTags.exitCode === 0);
    rows.push([
      `verify ${LARGE} repositories: the same, and a tag condition (aws:ResourceTag/team) on every repository`,
      `${withTags.seconds.toFixed(2)} s`,
      `${withTags.maxRssMb.toFixed(0)} MB peak`,
      `${withTags.calls} calls`,
    ]);
  } finally {
    await proxy.stop();
    await moto.stop();
  }
  return rows;
}

// --- Several pullers, regions and replicas (issue 18): each read shared, whatever the number of pullers ---

/** `n operation` per operation the proxy saw, most first. */
function perOperation(calls: ProxyCall[]): string {
  const counts = new Map<string, number>();
  for (const call of calls) counts.set(call.operation, (counts.get(call.operation) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([operation, count]) => `${count} ${operation}`)
    .join(', ');
}

/** The chain of sequential steps, e.g. `1: AssumeRole, GetRepositoryPolicy → 2: GetRolePolicy`. */
const chainText = (calls: ProxyCall[], latencyMs: number): string =>
  roundTripSteps(calls, latencyMs)
    .map((step, index) => `${index + 1}: ${[...new Set(step.map((call) => call.operation))].join(', ')}`)
    .join(' → ');

/**
 * What the stack itself serves: calls a second through the counting proxy to moto, 16 in flight (the
 * action's own limit), from one keep-alive client in this process. moto answers one call at a time
 * (one Python process; its server closes every connection), so a row of N calls cannot take less
 * than N ÷ this rate here, however little the action does: the floor each large row is shown against.
 */
async function stackRate(proxy: FaultProxy, repositories: string[]): Promise<number> {
  const ecr = ecrIn(proxy.endpoint, PROD_ACCOUNT, REGION);
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < repositories.length) await ecr.send(new GetRepositoryPolicyCommand({ repositoryName: repositories[next++] }));
    }),
  );
  return repositories.length / ((performance.now() - started) / 1000);
}

const floorText = (calls: number, rate: number, seconds: number): string =>
  `the stack's floor for ${calls} calls at ${rate.toFixed(0)} calls/s: ${(calls / rate).toFixed(2)} s (this row ${(seconds / (calls / rate)).toFixed(2)}× it)`;

/** 3 pullers (2 in staging's account, 1 in another) × LARGE repositories × 2 regions, the replicas created in the second. */
async function pullersSection(): Promise<{ rows: string[][]; notes: string[] }> {
  const moto = await startMoto();
  const proxy = await startFaultProxy(moto.endpoint);
  const rows: string[][] = [];
  const notes: string[] = [];
  try {
    const WEST = 'us-west-2';
    const DEV_ACCOUNT = '111122223333';
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }] });
    const allowlist = {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'EcrLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
        { Sid: 'PullTeam', Effect: 'Allow', Action: PULL_ACTIONS, Resource: `arn:aws:ecr:*:${PROD_ACCOUNT}:repository/molecule-ai/*` },
      ],
    };
    const role = async (account: string, name: string, policy?: object): Promise<string> => {
      const iam = iamIn(moto.endpoint, account);
      await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust }));
      if (policy) await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: ALLOWLIST_POLICY, PolicyDocument: JSON.stringify(policy) }));
      return `arn:aws:iam::${account}:role/${name}`;
    };
    await seedStaging(moto.endpoint, allowlist);
    const qaRole = await role(STAGING_ACCOUNT, 'qa-puller', allowlist);
    const devRole = await role(DEV_ACCOUNT, 'dev-puller', allowlist);
    const devReader = await role(DEV_ACCOUNT, 'PublishImageReader');

    // LARGE repositories granting both accounts, replicated to us-west-2 (moto creates no replica: created here, with the grant).
    const keys = await createKeys(moto.endpoint, PROD_ACCOUNT, 'publisher');
    const grant = JSON.stringify({
      Version: '2012-10-17',
      Statement: [crossAccountGrant([`arn:aws:iam::${STAGING_ACCOUNT}:root`, `arn:aws:iam::${DEV_ACCOUNT}:root`])],
    });
    const large = Array.from({ length: LARGE }, (_, index) => `molecule-ai/multi-${String(index).padStart(3, '0')}`);
    for (const region of [REGION, WEST]) {
      const ecr = ecrIn(moto.endpoint, PROD_ACCOUNT, region);
      for (const repository of large) {
        await ecr.send(new CreateRepositoryCommand({ repositoryName: repository }));
        await ecr.send(new SetRepositoryPolicyCommand({ repositoryName: repository, policyText: grant }));
      }
    }
    await putReplication(moto.endpoint, { account: PROD_ACCOUNT, region: REGION }, [
      { destinations: [{ region: WEST, registryId: PROD_ACCOUNT }], filters: [] },
    ]);

    const puller = (name: string, roleArn: string, reader: string): string =>
      [
        `- name: ${name}`,
        `  role-arn: ${roleArn}`,
        `  policy-name: ${ALLOWLIST_POLICY}`,
        `  assume-role-arn: ${reader}`,
        `  regions: [${REGION}, ${WEST}]`,
      ].join('\n');
    const staging = puller('staging', STAGING_ROLE_ARN, READER_ROLE_ARN);
    const three = [staging, puller('qa', qaRole, READER_ROLE_ARN), puller('dev', devRole, devReader)].join('\n');
    const base: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...keys, AWS_REGION: REGION, AWS_ENDPOINT_URL: proxy.endpoint };
    const run = (inputs: Record<string, string>) => () =>
      measure(proxy, process.execPath, [BUNDLE], actionEnv({ mode: 'verify', 'registry-id': PROD_ACCOUNT, ...inputs }, base));

    // 0. What the stack serves at best (after seeding, before the action's rows).
    const rate = await stackRate(proxy, large);

    // 1. The manifest: 3 × LARGE × 2 cells; each repository policy read once per (registry, region).
    const verifyLarge = await repeat(quick ? 1 : 3, run({ manifest: manifestIn(work, large), 'repository-template': '{name}', pullers: three }));
    const outputs = parseCommandFile(readFileSync(join(work, 'out'), 'utf8'));
    const cells = JSON.parse(outputs.matrix ?? '[]') as { verdict: string }[];
    check(
      `verify of 3 pullers × ${LARGE} repositories × 2 regions passes, every cell ok`,
      verifyLarge.exitCode === 0 && cells.length === 3 * 2 * LARGE && cells.every((cell) => cell.verdict === 'ok'),
    );
    const policyReads = proxy.calls.filter((call) => call.operation === 'GetRepositoryPolicy').length;
    check(`each repository policy read once per region (${policyReads} GetRepositoryPolicy for ${2 * LARGE})`, policyReads === 2 * LARGE);
    rows.push([
      `verify 3 pullers (2 accounts) × ${LARGE} repositories × 2 regions (${cells.length} cells), replicas in ${WEST}`,
      `${verifyLarge.seconds.toFixed(2)} s`,
      `${verifyLarge.maxRssMb.toFixed(0)} MB peak`,
      `${verifyLarge.calls} calls: ${perOperation(proxy.calls)}`,
    ]);
    notes.push(`verify 3 pullers × ${LARGE} × 2 regions: ${floorText(verifyLarge.calls, rate, verifyLarge.seconds)}.`);

    // The same manifest for one puller in one region: what the other two pullers and the replicas add.
    const single = `- name: staging\n  role-arn: ${STAGING_ROLE_ARN}\n  policy-name: ${ALLOWLIST_POLICY}\n  assume-role-arn: ${READER_ROLE_ARN}`;
    const verifySingle = await repeat(quick ? 1 : 3, run({ manifest: manifestIn(work, large), 'repository-template': '{name}', pullers: single }));
    check(`verify of 1 puller × ${LARGE} repositories × 1 region passes`, verifySingle.exitCode === 0);
    rows.push([
      `the same ${LARGE} repositories, one puller in ${REGION} only (${LARGE} cells)`,
      `${verifySingle.seconds.toFixed(2)} s`,
      `${verifySingle.maxRssMb.toFixed(0)} MB peak`,
      `${verifySingle.calls} calls`,
    ]);

    // 2. One repository at 80 ms a call: one puller with one replica, all three pullers, and a replica still to be created.
    const LATENCY = 80;
    const atLatency = async (label: string, pullers: string, repository = large[0]): Promise<void> => {
      const inputs = { repository, pullers };
      proxy.setRules([]);
      const fast = await repeat(ROUNDS, run(inputs));
      proxy.setRules([{ operation: '*', fault: 'latency', latencyMs: LATENCY }]);
      const slow = await repeat(ROUNDS, run(inputs));
      proxy.setRules([]);
      check(`verify of 1 repository (${label}) passes`, fast.exitCode === 0 && slow.exitCode === 0);
      rows.push([
        `verify 1 repository, ${LATENCY} ms added to every AWS call: ${label}`,
        `${slow.seconds.toFixed(2)} s (${fast.seconds.toFixed(2)} s without)`,
        `${roundTrips(proxy.calls, LATENCY)} sequential round trips`,
        `${slow.calls} calls`,
      ]);
      notes.push(`${label}, the chain at ${LATENCY} ms: ${chainText(proxy.calls, LATENCY)}.`);
    };
    await atLatency('one puller, one replica', staging);
    await atLatency('three pullers (2 accounts), one replica', three);
    // A replica not created yet is judged by the creation template it will get (read after its policy read says so).
    await ecrIn(moto.endpoint, PROD_ACCOUNT, WEST).send(new DeleteRepositoryCommand({ repositoryName: large[1], force: true }));
    await createCreationTemplates(moto.endpoint, { account: PROD_ACCOUNT, region: WEST }, [{ prefix: 'molecule-ai', repositoryPolicy: grant }]);
    await atLatency('one puller, a replica still to be created (its creation template)', staging, large[1]);

    // 3. The image layer (issue 26): an image in every repository, at home and in its replica (as replication
    // would have copied it), so that each cell judges one: DescribeImages (ANY) and GetLifecyclePolicy per place,
    // DescribeRepositories per registry, the replication status of each pinned digest at its source.
    await ecrIn(moto.endpoint, PROD_ACCOUNT, WEST).send(new CreateRepositoryCommand({ repositoryName: large[1] }));
    await ecrIn(moto.endpoint, PROD_ACCOUNT, WEST).send(new SetRepositoryPolicyCommand({ repositoryName: large[1], policyText: grant }));
    const digests = new Map<string, string>();
    for (const region of [REGION, WEST])
      await Promise.all(
        large.map(async (repository) => {
          const digest = await putManifest(moto.endpoint, { account: PROD_ACCOUNT, region, repository }, imageManifest(repository), 'v1');
          digests.set(repository, digest);
        }),
      );
    const imageLarge = await repeat(quick ? 1 : 3, run({ manifest: manifestIn(work, large), 'repository-template': '{name}', pullers: three }));
    const imageCells = JSON.parse(parseCommandFile(readFileSync(join(work, 'out'), 'utf8')).matrix ?? '[]') as { verdict: string; image?: { state: string } }[];
    check(
      `verify with the image layer of 3 pullers × ${LARGE} repositories × 2 regions passes, every cell ok with its image present`,
      imageLarge.exitCode === 0 && imageCells.length === 3 * 2 * LARGE && imageCells.every((cell) => cell.verdict === 'ok' && cell.image?.state === 'present'),
    );
    check(`verify with the image layer of ${LARGE} × 3 × 2 under 5 s and 200 MB`, imageLarge.seconds < 5 && imageLarge.maxRssMb < 200);
    rows.push([
      `with the image layer: verify 3 pullers × ${LARGE} repositories × 2 regions (${imageCells.length} cells, an image in each place)`,
      `${imageLarge.seconds.toFixed(2)} s`,
      `${imageLarge.maxRssMb.toFixed(0)} MB peak`,
      `${imageLarge.calls} calls: ${perOperation(proxy.calls)}`,
    ]);
    notes.push(`with the image layer, 3 pullers × ${LARGE} × 2 regions: ${floorText(imageLarge.calls, rate, imageLarge.seconds)}.`);
    await atLatency('with the image layer (the newest image judged), one puller, one replica', staging);
    const pinned = `${large[0]}: ${digests.get(large[0])}`;
    const atLatencyPinned = async (label: string, pullers: string): Promise<void> => {
      const inputs = { repository: large[0], pullers, images: pinned };
      proxy.setRules([{ operation: '*', fault: 'latency', latencyMs: LATENCY }]);
      const slow = await repeat(ROUNDS, run(inputs));
      proxy.setRules([]);
      check(`verify of 1 repository (${label}) passes`, slow.exitCode === 0);
      rows.push([
        `verify 1 repository, ${LATENCY} ms added to every AWS call: ${label}`,
        `${slow.seconds.toFixed(2)} s`,
        `${roundTrips(proxy.calls, LATENCY)} sequential round trips`,
        `${slow.calls} calls`,
      ]);
      notes.push(`${label}, the chain at ${LATENCY} ms: ${chainText(proxy.calls, LATENCY)}.`);
    };
    await atLatencyPinned('with the image layer (a pinned digest), one puller, one replica', staging);
    await atLatencyPinned('with the image layer (a pinned digest), three pullers (2 accounts), one replica', three);
  } finally {
    await proxy.stop();
    await moto.stop();
  }
  return { rows, notes };
}

// --- AWS's own behaviour: throttling and eventual consistency (the second table) ---

interface BehaviourRun {
  measured: Measured;
  stats: ProxyStats;
  outputs: Record<string, string>;
}

/** The action once through the proxy (as the runner starts it), with what the proxy counted and the outputs it wrote. */
async function behaviourRun(proxy: FaultProxy, inputs: Record<string, string>, env: NodeJS.ProcessEnv): Promise<BehaviourRun> {
  const measured = await measure(proxy, process.execPath, [join(ROOT, 'dist', 'index.js')], actionEnv(inputs, env));
  return { measured, stats: proxy.stats(), outputs: parseCommandFile(readFileSync(join(work, 'out'), 'utf8')) };
}

/** The least time the limits allow: the busiest bucket's answered calls beyond its burst, at its rate (a lower bound). */
function rateFloor(stats: ProxyStats, limits: RateLimits): { seconds: number; text: string } {
  let floor = { seconds: 0, text: '0 s (no bucket ran dry)' };
  for (const [bucket, calls] of Object.entries(stats.servedBy)) {
    const [service, operation] = bucket.split(':');
    const limit = rateLimitFor(limits, service, operation);
    const seconds = limit ? Math.max(0, calls - limit.burst) / limit.rate : 0;
    if (seconds > floor.seconds) floor = { seconds, text: `${seconds.toFixed(1)} s (${calls} ${operation} − ${limit!.burst} burst, ÷ ${limit!.rate}/s)` };
  }
  return floor;
}

const callsText = (stats: ProxyStats): string =>
  `${stats.invocations} calls, ${stats.rateLimited} throttled, ${stats.staleReads} stale reads, ${stats.failedInvocations.length} failed`;

/** verify of LARGE and reconcile of 50 repositories, without and with AWS's rate limits. */
async function throttling(): Promise<string[][]> {
  const rows: string[][] = [];
  const moto = await startMoto();
  const proxy = await startFaultProxy(moto.endpoint);
  try {
    const verifyNames = Array.from({ length: LARGE }, (_, index) => `molecule-ai/verify-${String(index).padStart(3, '0')}`);
    const reconcileNames = Array.from({ length: quick ? 10 : 50 }, (_, index) => `molecule-ai/reconcile-${String(index).padStart(2, '0')}`);
    const env = { ...(await prodEnvironment(moto, [...verifyNames, ...reconcileNames])), AWS_ENDPOINT_URL: proxy.endpoint };
    const ecr = ecrIn(moto.endpoint, PROD_ACCOUNT);
    const grant = JSON.stringify({ Version: '2012-10-17', Statement: [crossAccountGrant()] });
    for (const repository of verifyNames) await ecr.send(new SetRepositoryPolicyCommand({ repositoryName: repository, policyText: grant }));
    const wildcard = allowlistPolicy(['molecule-ai/verify-*']);
    await seedStaging(moto.endpoint, wildcard);
    const inputs = (mode: string, names: string[]): Record<string, string> => ({ ...namesInputs(names), mode });
    const limited = AWS_RATE_LIMITS;
    for (const [mode, names] of [
      ['verify', verifyNames],
      ['reconcile', reconcileNames],
    ] as const) {
      for (const limits of [undefined, limited]) {
        if (mode === 'reconcile') {
          await putAllowlist(moto.endpoint, wildcard);
          for (const repository of names) await ecr.send(new DeleteRepositoryPolicyCommand({ repositoryName: repository })).catch(() => undefined);
        }
        proxy.clear();
        proxy.setRateLimits(limits);
        const { measured, stats, outputs } = await behaviourRun(proxy, inputs(mode, names), env);
        const what = `${mode} ${names.length} repositories, ${limits ? "AWS's rate limits" : 'no rate limit'}`;
        check(`${what}: passes`, measured.exitCode === 0 && outputs.missing === '[]');
        check(`${what}: no call failed`, stats.failedInvocations.length === 0);
        if (limits && !quick) check(`${what}: the limit bit`, stats.rateLimited > 0);
        const floor = limits ? rateFloor(stats, limits) : undefined;
        rows.push([`${what}: wall time`, `${measured.seconds.toFixed(2)} s`, floor ? `floor ${floor.text}` : '', callsText(stats)]);
      }
    }
  } finally {
    await proxy.stop();
    await moto.stop();
  }
  return rows;
}

/** Reconcile while IAM and ECR lag behind writes (by time), and two reconciles racing under a lag. */
async function consistency(): Promise<string[][]> {
  const rows: string[][] = [];
  const moto = await startMoto();
  const proxy = await startFaultProxy(moto.endpoint);
  const template = (name: string): string => `molecule-ai/workspace-template-${name}`;
  const expected = [
    ...['claude-code', 'codex', 'hermes', 'openclaw', 'seo-agent', 'google-adk', 'deep-research'].map(template),
    'molecule-ai/molecule-platform-agent',
  ];
  const raceA = ['molecule-ai/race-a1', 'molecule-ai/race-a2'];
  const raceB = ['molecule-ai/race-b1', 'molecule-ai/race-b2'];
  const grant = JSON.stringify({ Version: '2012-10-17', Statement: [crossAccountGrant()] });
  let env: NodeJS.ProcessEnv = {};
  // Incident #3054: four repositories missing from the allowlist, one without the grant.
  const seed = async (): Promise<void> => {
    await moto.reset();
    env = { ...(await prodEnvironment(moto, [...expected, ...raceA, ...raceB])), AWS_ENDPOINT_URL: proxy.endpoint };
    const ecr = ecrIn(moto.endpoint, PROD_ACCOUNT);
    for (const repository of [...expected, ...raceA, ...raceB])
      if (repository !== template('deep-research')) await ecr.send(new SetRepositoryPolicyCommand({ repositoryName: repository, policyText: grant }));
    await seedStaging(moto.endpoint, allowlistPolicy(INCIDENT_ALLOWLIST));
  };
  const inputs = (names: string[], mode = 'reconcile'): Record<string, string> => ({ ...namesInputs(names), mode, 'propagation-timeout': '60' });
  /** What AWS holds: verify straight against moto (no proxy, no lag). */
  const truth = async (names: string[]): Promise<Record<string, string>> =>
    (await behaviourRun(proxy, inputs(names, 'verify'), { ...env, AWS_ENDPOINT_URL: moto.endpoint })).outputs;
  try {
    const cases: [string, StaleReads | undefined][] = [
      ['no lag', undefined],
      ...(quick ? [2000] : [1000, 3000, 10_000]).map((lagMs): [string, StaleReads] => [`IAM and ECR lag ${lagMs / 1000} s`, { lagMs }]),
      ['grant only, ECR lags 3 s', { lagMs: 3000, services: ['ecr'] }],
    ];
    for (const [what, stale] of cases) {
      await seed();
      if (what.startsWith('grant only')) await putAllowlist(moto.endpoint, allowlistPolicy(expected));
      proxy.clear();
      proxy.setStaleReads(stale);
      const { measured, stats, outputs } = await behaviourRun(proxy, inputs(expected), env);
      const held = await truth(expected);
      const agrees = outputs.missing === held.missing && outputs.drift === held.drift;
      if (!what.startsWith('grant only'))
        check(`reconcile, ${what}: converges and reports what AWS holds`, measured.exitCode === 0 && held.missing === '[]' && agrees);
      const verdict = agrees
        ? `reported missing ${outputs.missing} = AWS holds ${held.missing}`
        : `MISMATCH: reported missing ${outputs.missing}, AWS holds ${held.missing} (exit ${measured.exitCode})`;
      rows.push([`reconcile 8 repositories, ${what}: wall time`, `${measured.seconds.toFixed(2)} s`, verdict, callsText(stats)]);
    }

    const rounds = quick ? 2 : 10;
    let lost = 0;
    let merges = 0;
    let staleReads = 0;
    let exits = 0;
    const started = Date.now();
    await seed();
    for (let round = 0; round < rounds; round++) {
      await putAllowlist(moto.endpoint, allowlistPolicy(INCIDENT_ALLOWLIST));
      proxy.clear();
      proxy.setStaleReads({ lagMs: 2000 });
      const runs = await Promise.all(
        [raceA, raceB].map(async (names, index) => {
          await new Promise((resolve) => setTimeout(resolve, index * ((round * 150) % 1500)));
          const runnerTemp = mkdtempSync(join(work, 'race-'));
          for (const file of ['out', 'state']) writeFileSync(join(runnerTemp, file), '');
          const raceEnv = {
            ...actionEnv(inputs(names), env),
            RUNNER_TEMP: runnerTemp,
            GITHUB_OUTPUT: join(runnerTemp, 'out'),
            GITHUB_STATE: join(runnerTemp, 'state'),
          };
          return new Promise<number>((resolve) =>
            spawn(process.execPath, [join(ROOT, 'dist', 'index.js')], { env: raceEnv, stdio: 'ignore' }).on('close', (exit) => resolve(exit ?? -1)),
          );
        }),
      );
      staleReads += proxy.stats().staleReads;
      exits += runs.filter((code) => code !== 0).length;
      const resources = ((await storedAllowlist(moto.endpoint)) as { Statement: { Resource: string[] }[] }).Statement[1].Resource;
      lost += [...INCIDENT_ALLOWLIST, ...raceA, ...raceB].filter((repository) => !resources.includes(repoArn(repository))).length;
      merges += proxy.calls.filter((call) => call.operation === 'PutRolePolicy').length - 2;
    }
    check('two reconciles racing under a 2 s lag lose nothing', lost === 0 && exits === 0);
    rows.push([
      `two reconciles racing, IAM lags 2 s, B starts 0–1.35 s after A: ${rounds} rounds`,
      `${((Date.now() - started) / 1000 / rounds).toFixed(2)} s a round`,
      `${lost} allowlist entries lost, ${exits} failed runs`,
      `${staleReads} stale reads, ${merges} extra allowlist writes (lost updates merged again)`,
    ]);
  } finally {
    await proxy.stop();
    await moto.stop();
  }
  return rows;
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]): string => `| ${cells.map((cell, column) => (cell ?? '').padEnd(widths[column])).join(' | ')} |`;
  console.log([line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n'));
}

const baselineRows = wants('baseline') ? await baseline() : [];
const accessRows = wants('access') ? await effectiveAccess() : [];
const pullersRun = wants('pullers') ? await pullersSection() : { rows: [], notes: [] };
const behaviourRows = [...(wants('throttling') ? await throttling() : []), ...(wants('consistency') ? await consistency() : [])];
console.log(
  `\nMachine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}; moto behind a counting proxy on loopback; ${quick ? 'quick run (1 round)' : `median of ${ROUNDS} rounds`}${behaviourRows.length > 0 ? '; AWS-behaviour rows: one run each' : ''}.\n`,
);
if (baselineRows.length > 0) printTable(['measure', 'publish-image', 'aws CLI script', 'ratio'], baselineRows);
if (accessRows.length > 0) {
  if (baselineRows.length > 0) console.log('');
  printTable(['effective access (moto behind the counting proxy)', 'publish-image', 'round trips / memory', 'AWS calls'], accessRows);
}
if (pullersRun.rows.length > 0) {
  if (baselineRows.length + accessRows.length > 0) console.log('');
  printTable(['several pullers, regions and replicas (moto behind the counting proxy)', 'publish-image', 'round trips / memory', 'AWS calls'], pullersRun.rows);
  console.log(`\n${pullersRun.notes.join('\n')}`);
}
if (behaviourRows.length > 0) {
  if (baselineRows.length + accessRows.length + pullersRun.rows.length > 0) console.log('');
  printTable(['AWS behaviour (fault proxy in front of moto)', 'publish-image', 'floor, or what AWS holds', 'AWS calls'], behaviourRows);
}
if (failures.length > 0) {
  console.error(`\nbench: FAILED: ${failures.join('; ')}`);
  process.exit(1);
}
