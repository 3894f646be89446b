// Faults between the action and AWS: the fault proxy sits in front of moto and injects throttling,
// 5xx, latency and dropped connections by rule. Transient faults are survived by the SDK's retries;
// persistent ones end with one error naming the operation, and moto's state is checked after every
// case: exactly as before, or exactly as intended.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { errorLines, ROOT, runAction, type ActionRun } from '../../stack/action.js';
import { STAGING_ACCOUNT } from '../../stack/engine.js';
import { startFaultProxy, isWrite, type Fault, type FaultProxy } from '../../stack/fault-proxy.js';
import { startMoto, writableState, type Moto } from '../../stack/moto.js';
import { prodEnvironment } from '../../stack/prod.js';
import {
  ALLOWLIST_POLICY,
  INCIDENT_ALLOWLIST,
  READER_ROLE_ARN,
  STAGING_ROLE_ARN,
  allowlistPolicy,
  crossAccountGrant,
  seedStaging,
  setRepositoryPolicy,
} from '../../stack/staging.js';
import { join } from 'node:path';

const template = (name: string): string => `molecule-ai/workspace-template-${name}`;
const PLATFORM_AGENT = 'molecule-ai/molecule-platform-agent';
const EXPECTED = [...['claude-code', 'codex', 'hermes', 'openclaw', 'seo-agent', 'google-adk', 'deep-research'].map(template), PLATFORM_AGENT];

let moto: Moto;
let proxy: FaultProxy;
let env: NodeJS.ProcessEnv;

const inputs = (extra: Record<string, string> = {}): Record<string, string> => ({
  mode: 'reconcile',
  'registry-id': '153263036946',
  manifest: join(ROOT, 'examples', 'manifest.json'),
  'repository-template': 'molecule-ai/workspace-template-{name}',
  'extra-repositories': PLATFORM_AGENT,
  'staging-role-arn': STAGING_ROLE_ARN,
  'staging-policy-name': ALLOWLIST_POLICY,
  'staging-assume-role-arn': READER_ROLE_ARN,
  'pull-principals': STAGING_ACCOUNT,
  'propagation-timeout': '5',
  ...extra,
});

async function run(extra: Record<string, string> = {}, extraEnv: NodeJS.ProcessEnv = {}): Promise<ActionRun> {
  return runAction(inputs(extra), { ...env, AWS_ENDPOINT_URL: proxy.endpoint, AWS_MAX_ATTEMPTS: '4', ...extraEnv }, { timeoutMs: 120_000 });
}

async function intendedState(): Promise<unknown> {
  // The same seed reconciled without faults, in a scratch moto: what "exactly as intended" means.
  const scratch = await startMoto();
  try {
    const scratchProxy = await startFaultProxy(scratch.endpoint);
    const saved = { moto, proxy, env };
    moto = scratch;
    proxy = scratchProxy;
    await seed();
    const clean = await run();
    assert.equal(clean.exitCode, 0, clean.log);
    const state = await writableState(scratch.endpoint);
    await scratchProxy.stop();
    ({ moto, proxy, env } = saved);
    return state;
  } finally {
    await scratch.stop();
  }
}

async function seed(): Promise<void> {
  env = await prodEnvironment(moto, EXPECTED);
  for (const repository of EXPECTED)
    if (repository !== template('deep-research'))
      await setRepositoryPolicy(moto.endpoint, repository, { Version: '2012-10-17', Statement: [crossAccountGrant()] });
  await seedStaging(moto.endpoint, allowlistPolicy(INCIDENT_ALLOWLIST));
}

// Every call reconcile makes: who the credentials are, the staging role (policies, facts, tags), both organizations, both policies.
const OPERATIONS = [
  'GetCallerIdentity',
  'AssumeRole',
  'ListRolePolicies',
  'ListAttachedRolePolicies',
  'GetRolePolicy',
  'GetRole',
  'ListRoleTags',
  'DescribeOrganization',
  'GetRepositoryPolicy',
  'SetRepositoryPolicy',
  'PutRolePolicy',
];
const TRANSIENT: Fault[] = ['throttle', 'http-500', 'http-503', 'http-429', 'drop', 'latency'];

describe('faults between the action and AWS (fault proxy + moto)', () => {
  let intended: unknown;
  before(async () => {
    moto = await startMoto();
    proxy = await startFaultProxy(moto.endpoint);
    intended = await intendedState();
  });
  after(async () => {
    await proxy?.stop();
    await moto?.stop();
  });
  beforeEach(async () => {
    await moto.reset();
    proxy.clear();
    await seed();
  });

  for (const fault of TRANSIENT) {
    it(`survives ${fault} on the first call of every operation reconcile makes`, async () => {
      proxy.setRules(OPERATIONS.map((operation) => ({ operation, fault, count: 1, latencyMs: 300 })));
      // Adaptive retry (the default) slows down after throttling; one throttling case keeps it, the rest run faster in standard mode.
      const reconciled = await run({ 'registry-id': '' }, fault === 'throttle' ? {} : { AWS_RETRY_MODE: 'standard' });
      assert.equal(reconciled.exitCode, 0, reconciled.log);
      const faulted = new Set(proxy.calls.filter((call) => call.fault).map((call) => call.operation));
      assert.deepEqual([...faulted].sort(), [...OPERATIONS].sort(), 'every operation met the fault once');
      assert.deepEqual(await writableState(moto.endpoint), intended, 'exactly as intended');
    });
  }

  it('survives random faults on a third of all calls', async () => {
    proxy.setRules([{ operation: '*', fault: 'http-503', probability: 0.33 }]);
    const reconciled = await run({ 'registry-id': '' }, { AWS_MAX_ATTEMPTS: '10', AWS_RETRY_MODE: 'standard' });
    assert.equal(reconciled.exitCode, 0, reconciled.log);
    assert.deepEqual(await writableState(moto.endpoint), intended);
  });

  const persistent: [string, Fault, RegExp, 'before' | 'intended'][] = [
    ['GetRolePolicy', 'throttle', /^iam:GetRolePolicy failed after 4 attempts \(Throttling: Rate exceeded\)/, 'before'],
    ['GetRepositoryPolicy', 'http-503', /^ecr:GetRepositoryPolicy failed after 4 attempts \(ServiceUnavailable/, 'before'],
    ['AssumeRole', 'http-500', /^sts:AssumeRole failed after 4 attempts \(InternalFailure/, 'before'],
    ['SetRepositoryPolicy', 'http-503', /^ecr:SetRepositoryPolicy failed after 4 attempts .* Nothing was changed\.$/, 'before'],
    [
      'PutRolePolicy',
      'http-500',
      /^iam:PutRolePolicy failed after 4 attempts .* The 1 grant\(s\) already written were rolled back; nothing changed\.$/,
      'before',
    ],
    ['PutRolePolicy', 'drop', /^iam:PutRolePolicy failed after 4 attempts .*rolled back/, 'before'],
  ];
  for (const [operation, fault, message, expected] of persistent) {
    it(`ends with one error naming ${operation} when it keeps failing (${fault}), nothing half-applied`, async () => {
      const before = await writableState(moto.endpoint);
      proxy.setRules([{ operation, fault }]);
      const failed = await run();
      assert.equal(failed.exitCode, 1, failed.log);
      const errors = errorLines(failed.log);
      assert.equal(errors.length, 1, failed.log);
      assert.match(errors[0], message);
      assert.deepEqual(await writableState(moto.endpoint), expected === 'before' ? before : intended);
    });
  }

  it('a persistent fault in the re-verification after writing leaves the change exactly as intended', async () => {
    // ListRolePolicies is called once before the writes and once after: fail only the second time on.
    proxy.setRules([{ operation: 'ListRolePolicies', fault: 'throttle', count: 0 }]);
    const { calls } = proxy;
    const watcher = setInterval(() => {
      if (calls.some((call) => call.operation === 'PutRolePolicy')) {
        proxy.setRules([{ operation: 'ListRolePolicies', fault: 'throttle' }]);
        clearInterval(watcher);
      }
    }, 5);
    const failed = await run();
    clearInterval(watcher);
    assert.equal(failed.exitCode, 1, failed.log);
    assert.match(errorLines(failed.log)[0], /^iam:ListRolePolicies failed after 4 attempts/);
    assert.deepEqual(await writableState(moto.endpoint), intended);
  });

  it('names the permission when AWS denies a call, and writes nothing', async () => {
    const before = await writableState(moto.endpoint);
    proxy.setRules([{ operation: 'PutRolePolicy', fault: 'access-denied' }]);
    const denied = await run();
    assert.equal(denied.exitCode, 1);
    assert.match(
      errorLines(denied.log)[0],
      /^iam:PutRolePolicy was denied for assumed role arn:aws:iam::004947743811:role\/PublishImageStagingReader \(AccessDenied: .*\)\. Allow iam:PutRolePolicy on that identity/,
    );
    assert.deepEqual(await writableState(moto.endpoint), before);
  });

  it('never prints a secret: AWS keys, session tokens, the registry password', async () => {
    const reconciled = await run({ 'registry-id': '' });
    assert.equal(reconciled.exitCode, 0, reconciled.log);
    const secrets = [...proxy.secrets, env.AWS_SECRET_ACCESS_KEY as string];
    assert.ok(secrets.length >= 4, `captured ${secrets.length} secrets`);
    const shown = [reconciled.log, reconciled.post.log, reconciled.summary, JSON.stringify(reconciled.outputs)]
      .join('\n')
      .split('\n')
      .filter((line) => !line.startsWith('::add-mask::'))
      .join('\n');
    for (const secret of secrets) assert.ok(!shown.includes(secret), 'a secret was printed');
    const { readFileSync } = await import('node:fs');
    const report = readFileSync(reconciled.outputs.report, 'utf8');
    for (const secret of secrets) assert.ok(!report.includes(secret), 'a secret is in the report');
    assert.ok(proxy.calls.some(isWrite));
  });
});
