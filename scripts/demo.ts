// `npm run demo`: incident #3054 replayed on the local stack (dockerd, a registry under the ECR host
// name, moto as AWS), each step a heading and the action's own output, through the real
// dist/index.js as a runner starts it:
//   1. publish the platform agent and grant staging pull on its repository;
//   2. the drift gate over the seven-template manifest fails, naming the missing and extra
//      repositories of the staging allowlist as the incident left it, and the fix;
//   3. reconcile's plan, then reconcile;  4. the gate green;
//   5. several pullers and a replica region, as a matrix;  6. a proposed change judged before apply;
//   7. where the report and the step summary were written.
// Exits 0 only when every step behaved as expected (__tests__/e2e/demo.test.ts runs it). Inside
// `npm test` it uses the engine stack the test runner started; alone, it starts its own.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BatchGetImageCommand, SetRepositoryPolicyCommand } from '@aws-sdk/client-ecr';
import { CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { ensureStack } from './setup-stack.js';
import { createKeys, createRepository, ecrIn, iamIn } from '../stack/aws.js';
import { createImageRepository, putManifest, setReplicationStatus } from '../stack/images.js';
import { startEngineStack, type EngineStack } from '../stack/engine.js';
import type { EngineEnv } from '../stack/env.js';
import {
  ALLOWLIST_POLICY,
  EXPECTED,
  GRANTED,
  INCIDENT_ALLOWLIST,
  PLATFORM_AGENT,
  PROD_ACCOUNT,
  PULL_ACTIONS,
  READER_ROLE_ARN,
  REGION,
  ROOT,
  STAGING_ACCOUNT,
  STAGING_ROLE,
  STAGING_ROLE_ARN,
  TEMPLATE,
  allowlistPolicy,
  presets,
  runAction,
  seedStaging,
  setRepositoryPolicy,
  template,
  workspace,
  type ActionRun,
} from '../stack/fixture.js';
import { helloContext } from '../stack/fixtures.js';
import { startMoto } from '../stack/moto.js';
import { startRegistryBridge } from '../stack/registry-bridge.js';
import { createCreationTemplates, putReplication } from '../stack/replication.js';

const WEST = 'us-west-2';
const QA_ROLE_ARN = `arn:aws:iam::${STAGING_ACCOUNT}:role/MoleculeTenantEICRole-qa`;
const arnIn = (region: string, repository: string): string => `arn:aws:ecr:${region}:${PROD_ACCOUNT}:repository/${repository}`;
const sorted = (list: string[]): string[] => [...list].sort();

const failures: string[] = [];
function expect(ok: boolean, what: string): void {
  console.log(`  ${ok ? 'as expected' : 'NOT AS EXPECTED'}: ${what}`);
  if (!ok) failures.push(what);
}

function heading(text: string): void {
  console.log(`\n== ${text}\n`);
}

/**
 * The step's log as a person reads it on a runner: groups as headings, masks and debug left out,
 * and an annotation only when the action did not also print its text as a plain line (it does, for
 * Gitea, which shows no annotations).
 */
function show(run: ActionRun): void {
  const decode = (text: string): string => text.replace(/%0A/g, '\n').replace(/%0D/g, '').replace(/%25/g, '%');
  const lines = run.log.split('\n');
  const plain = new Set(lines.filter((line) => !line.startsWith('::')).map((line) => line.trim()));
  for (const line of lines) {
    if (/^::(add-mask|debug|endgroup)::/.test(line) || line.trim() === '') continue;
    const text = /^::(?:error|warning|notice)[^:]*::(.*)$/.exec(line)?.[1];
    if (text !== undefined && [...plain].some((other) => other.endsWith(decode(text).trim()))) continue;
    const group = /^::group::(.*)$/.exec(line);
    const annotation = /^::(error|warning|notice)[^:]*::(.*)$/.exec(line);
    if (group) console.log(`  ▸ ${group[1]}`);
    else if (annotation) console.log(`  ${annotation[1].toUpperCase()} ${decode(annotation[2]).split('\n').join('\n    ')}`);
    else console.log(`    ${line}`);
  }
}

function json<T>(value: string | undefined, fallback: T): T {
  try {
    return value === undefined ? fallback : (JSON.parse(value) as T);
  } catch {
    return fallback;
  }
}

/** The tests and the demo run the bundle: rebuild it when it is missing or older than src/. */
function ensureFreshDist(): void {
  const newest = (path: string): number =>
    statSync(path).isDirectory() ? Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name)))) : statSync(path).mtimeMs;
  const bundle = join(ROOT, 'dist', 'index.js');
  if (existsSync(bundle) && statSync(bundle).mtimeMs >= newest(join(ROOT, 'src'))) return;
  console.log('dist/ is missing or older than src/: building it (npm run package) …');
  execFileSync('npm', ['run', '-s', 'package'], { cwd: ROOT, stdio: 'inherit' });
}

/** The engine stack `npm test` started for this run, if any (the demo test); else one of our own. */
function sharedEngine(): EngineEnv | undefined {
  const { PUBLISH_IMAGE_TEST_DOCKER_HOST: dockerHost, PUBLISH_IMAGE_TEST_CA: caFile, PUBLISH_IMAGE_TEST_DOCKER_BIN: dockerClientDir } = process.env;
  return dockerHost && caFile && dockerClientDir ? { dockerHost, caFile, dockerClientDir } : undefined;
}

const started = Date.now();
const shared = sharedEngine();
if (!shared) ensureStack({ log: (line) => console.log(line) });
ensureFreshDist();
console.log(shared ? 'Using the engine stack of this test run; starting moto …' : 'Starting dockerd, docker-registry (under the ECR host name) and moto …');
let own: EngineStack | undefined;
const engine: EngineEnv = shared ?? (own = await startEngineStack());
const moto = await startMoto();
// Each push to the registry is recorded in moto's ECR, as ECR itself would list it (stack/registry-bridge.ts).
const bridge = await startRegistryBridge(moto.endpoint, engine.caFile);
let report = '';
let summary = '';
try {
  // The registry account (153263036946) with the seven templates' repositories, each granting staging
  // pull, and the platform agent's repository without a grant; the staging role's allowlist as the
  // incident left it after the hand fix: the platform agent added, seo-agent, google-adk and
  // deep-research never, autogen and langgraph still there.
  const keys = await createKeys(moto.endpoint, PROD_ACCOUNT, 'publisher');
  for (const repository of EXPECTED) await createRepository(moto.endpoint, repository);
  for (const repository of EXPECTED.filter((name) => name !== PLATFORM_AGENT)) await setRepositoryPolicy(moto.endpoint, repository, GRANTED);
  await seedStaging(moto.endpoint, allowlistPolicy([...INCIDENT_ALLOWLIST, PLATFORM_AGENT]));
  const env: NodeJS.ProcessEnv = {
    ...keys,
    AWS_REGION: REGION,
    AWS_ENDPOINT_URL: moto.endpoint,
    DOCKER_HOST: engine.dockerHost,
    NODE_EXTRA_CA_CERTS: engine.caFile,
    PATH: `${engine.dockerClientDir}:${process.env.PATH}`,
    GITHUB_SHA: '0'.repeat(40),
    GITHUB_WORKSPACE: ROOT,
    // This machine's Node 20 makes the AWS SDK warn about Node 22 on every run (docs/layout.md#runtime); not the story here.
    NODE_NO_WARNINGS: '1',
  };

  heading('1. Publish the platform agent, grant staging pull, prove staging can pull it');
  const publish = await runAction(
    {
      repository: PLATFORM_AGENT,
      context: helloContext(),
      tags: 'demo',
      'pull-principals': STAGING_ACCOUNT,
      ...presets.staging,
    },
    env,
  );
  show(publish);
  expect(publish.exitCode === 0, 'publish exits 0');
  expect(publish.outputs['repository-policy-changed'] === 'true', 'the grant was written (repository-policy-changed: true)');
  expect(publish.outputs.drift === 'false', 'staging may pull what was pushed (drift: false)');
  console.log(`  image-uri = ${publish.outputs['image-uri']}`);

  heading('2. The drift gate over the seven-template manifest (examples/manifest.json): fails on the allowlist the incident left');
  // The gate as .gitea/workflows/drift-gate.yml runs it (on-extra: fail, so the extras fail it too).
  const manifestRun = {
    mode: 'verify',
    'registry-id': PROD_ACCOUNT,
    manifest: 'examples/manifest.json',
    'repository-template': TEMPLATE,
    'extra-repositories': PLATFORM_AGENT,
    'pull-principals': STAGING_ACCOUNT,
    'on-extra': 'fail',
  };
  const gate = { ...manifestRun, ...presets.staging };
  const drifted = await runAction(gate, env);
  show(drifted);
  const missing = sorted(json<string[]>(drifted.outputs.missing, []));
  const extra = sorted(json<string[]>(drifted.outputs.extra, []));
  expect(drifted.exitCode === 1 && drifted.outputs.drift === 'true', 'the gate fails (drift: true)');
  expect(
    JSON.stringify(missing) === JSON.stringify(sorted(['seo-agent', 'google-adk', 'deep-research'].map(template))),
    `missing = ${JSON.stringify(missing)}: seo-agent, google-adk and deep-research`,
  );
  expect(JSON.stringify(extra) === JSON.stringify(sorted(['autogen', 'langgraph'].map(template))), `extra = ${JSON.stringify(extra)}: autogen and langgraph`);
  expect(
    /Add "arn:aws:ecr:us-east-2:153263036946:repository\/molecule-ai\/workspace-template-seo-agent" to the Resource list/.test(drifted.log),
    'the fix is named',
  );

  heading("3. Reconcile's plan (dry-run: true, prune: true): what it would write, nothing written");
  const reconcile = { ...gate, mode: 'reconcile', prune: 'true' };
  const plan = await runAction({ ...reconcile, 'dry-run': 'true' }, env);
  show(plan);
  expect(plan.exitCode === 1, 'the dry run fails as the gate does while drift remains');
  expect(
    ['seo-agent', 'google-adk', 'deep-research'].every((name) => plan.log.includes(`+ allowlist  ${arnIn(REGION, template(name))}`)),
    'the plan adds the three missing ARNs',
  );
  expect(
    ['autogen', 'langgraph'].every((name) => plan.log.includes(`- allowlist  ${arnIn(REGION, template(name))}`)),
    'the plan removes the two extras',
  );

  heading('3b. Reconcile: the minimal change, written, then verified');
  const applied = await runAction(reconcile, env);
  show(applied);
  expect(applied.exitCode === 0 && applied.outputs.drift === 'false', 'reconcile exits 0, in sync');

  heading('4. The drift gate again: green');
  const green = await runAction(gate, env);
  show(green);
  expect(green.exitCode === 0 && green.outputs.drift === 'false', 'the gate passes (drift: false)');
  expect(green.outputs.missing === '[]' && green.outputs.extra === '[]', 'nothing missing, nothing extra');

  heading('5. Several pullers and a replica region (us-west-2), as a matrix');
  // QA pulls the platform agent in us-east-2 and from its replica in us-west-2, which ECR will
  // create from the registry's creation template (which grants staging's account).
  await putReplication(moto.endpoint, { account: PROD_ACCOUNT, region: REGION }, [
    { destinations: [{ region: WEST, registryId: PROD_ACCOUNT }], filters: [{ filter: 'molecule-ai/', filterType: 'PREFIX_MATCH' }] },
  ]);
  await createCreationTemplates(moto.endpoint, { account: PROD_ACCOUNT, region: WEST }, [{ prefix: 'molecule-ai', repositoryPolicy: GRANTED }]);
  // The platform agent was pushed in step 1, before replication was configured: ECR copies only what is
  // pushed after, so its copy in us-west-2 comes from a backfill (`aws ecr start-replication-backfill`).
  // moto never replicates: the copy the backfill makes (the replica repository from the creation
  // template, the same manifest, its replication COMPLETE) is made here as ECR would make it.
  const pushedDigest = publish.outputs.digest;
  const got = await ecrIn(moto.endpoint, PROD_ACCOUNT, REGION).send(
    new BatchGetImageCommand({ repositoryName: PLATFORM_AGENT, imageIds: [{ imageDigest: pushedDigest }] }),
  );
  const manifest = got.images?.[0]?.imageManifest;
  if (!manifest) throw new Error(`demo: the pushed image ${pushedDigest} is not in moto (the registry bridge did not record it)`);
  const westPlace = { account: PROD_ACCOUNT, region: WEST, repository: PLATFORM_AGENT };
  await createImageRepository(moto.endpoint, westPlace);
  await ecrIn(moto.endpoint, PROD_ACCOUNT, WEST).send(new SetRepositoryPolicyCommand({ repositoryName: PLATFORM_AGENT, policyText: JSON.stringify(GRANTED) }));
  await putManifest(moto.endpoint, westPlace, manifest, 'demo');
  await setReplicationStatus(moto.endpoint, { account: PROD_ACCOUNT, region: REGION, repository: PLATFORM_AGENT }, pushedDigest, [
    { region: WEST, registryId: PROD_ACCOUNT, status: 'COMPLETE' },
  ]);
  const iam = iamIn(moto.endpoint, STAGING_ACCOUNT);
  const trust = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${STAGING_ACCOUNT}:root` }, Action: 'sts:AssumeRole' }],
  };
  await iam.send(new CreateRoleCommand({ RoleName: 'MoleculeTenantEICRole-qa', AssumeRolePolicyDocument: JSON.stringify(trust) }));
  const qaAllowlist = {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'EcrLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
      { Sid: 'PullAgent', Effect: 'Allow', Action: PULL_ACTIONS, Resource: [arnIn(REGION, PLATFORM_AGENT), arnIn(WEST, PLATFORM_AGENT)] },
    ],
  };
  await iam.send(new PutRolePolicyCommand({ RoleName: 'MoleculeTenantEICRole-qa', PolicyName: ALLOWLIST_POLICY, PolicyDocument: JSON.stringify(qaAllowlist) }));
  const pullers = [
    '- name: staging',
    `  role-arn: ${STAGING_ROLE_ARN}`,
    `  policy-name: ${ALLOWLIST_POLICY}`,
    `  assume-role-arn: ${READER_ROLE_ARN}`,
    '- name: qa',
    `  role-arn: ${QA_ROLE_ARN}`,
    `  policy-name: ${ALLOWLIST_POLICY}`,
    `  assume-role-arn: ${READER_ROLE_ARN}`,
    `  regions: [${REGION}, ${WEST}]`,
    `  repositories: [${PLATFORM_AGENT}]`,
  ].join('\n');
  const several = await runAction({ ...manifestRun, pullers }, env);
  show(several);
  type Cell = { puller: string; region: string; repository: string; grant: string; identity: string; verdict: string; replica?: object };
  const matrix = json<Cell[]>(several.outputs.matrix, []);
  console.log('  matrix:');
  for (const cell of matrix) console.log(`    ${JSON.stringify(cell)}`);
  expect(several.exitCode === 0 && several.outputs.drift === 'false', 'every (puller, region, repository) cell is proven pullable');
  expect(matrix.length === EXPECTED.length + 2, `${matrix.length} cells: staging × ${EXPECTED.length} repositories, qa × 2 regions`);
  expect(
    matrix.some((cell) => cell.puller === 'qa' && cell.region === WEST && cell.replica !== undefined),
    'the us-west-2 cell is judged on the replica (made from the creation template), which holds the pushed image',
  );

  heading('6. A proposed change judged before apply: a Terraform plan that drops deep-research from the allowlist');
  const current = allowlistPolicy(EXPECTED);
  const proposedAfter = allowlistPolicy(EXPECTED.filter((name) => name !== template('deep-research')));
  const values = (policy: object) => ({ role: STAGING_ROLE, name: ALLOWLIST_POLICY, policy: JSON.stringify(policy) });
  const planJson = JSON.stringify({
    format_version: '1.2',
    terraform_version: '1.9.5',
    resource_changes: [
      {
        address: 'aws_iam_role_policy.staging_pull',
        mode: 'managed',
        type: 'aws_iam_role_policy',
        name: 'staging_pull',
        change: { actions: ['update'], before: values(current), after: values(proposedAfter), after_unknown: {} },
      },
    ],
  });
  const dir = workspace({ 'plan.json': planJson, 'manifest.json': readFileSync(join(ROOT, 'examples', 'manifest.json'), 'utf8') });
  const judged = await runAction({ ...gate, manifest: 'manifest.json', proposed: 'plan.json' }, { ...env, GITHUB_WORKSPACE: dir });
  show(judged);
  expect(judged.exitCode === 1, 'the change is refused before apply');
  expect(
    /would make MoleculeTenantEICRole-staging fail to pull molecule-ai\/workspace-template-deep-research/.test(judged.log),
    'it names the repository staging would 403 on after the change',
  );
  report = green.outputs.report ?? '';
  summary = join(green.runnerTemp, 'summary');
} catch (error) {
  failures.push(`the demo itself failed: ${(error as Error).stack ?? String(error)}`);
} finally {
  await bridge.stop();
  await moto.stop();
  await own?.stop();
}

heading('Where it was written');
console.log(`  The JSON report of the green gate (the \`report\` output): ${report || '(none)'}`);
console.log(`  Its step summary (GITHUB_STEP_SUMMARY, what a runner shows on the run page): ${summary || '(none)'}`);
console.log(
  `\n${failures.length === 0 ? 'Every step behaved as expected' : `${failures.length} step(s) did not behave as expected:\n  ${failures.join('\n  ')}`} (${Math.round((Date.now() - started) / 1000)} s).`,
);
process.exit(failures.length === 0 ? 0 : 1);
