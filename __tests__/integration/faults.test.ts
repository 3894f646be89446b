// Faults between the action and AWS: the fault proxy sits in front of moto and injects throttling,
// 5xx, latency and dropped connections by rule. Transient faults are survived by the SDK's retries;
// persistent ones end with one error naming the operation, and moto's state is checked after every
// case: exactly as before, or exactly as intended.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { startFaultProxy, isWrite, type Fault } from '../../stack/fault-proxy.js';
import { startMoto } from '../../stack/moto.js';
import {
  EXPECTED,
  INCIDENT_ALLOWLIST,
  errorLines,
  presets,
  runAction,
  seedMoto,
  template,
  useMoto,
  writableState,
  type ActionRun,
  type Seed,
} from '../../stack/fixture.js';

/** Incident #3054: four repositories missing from the allowlist, one without the grant. */
const SEED: Seed = {
  repositories: EXPECTED,
  granted: EXPECTED.filter((repository) => repository !== template('deep-research')),
  allowlist: INCIDENT_ALLOWLIST,
};

const inputs = (extra: Record<string, string> = {}): Record<string, string> => ({
  ...presets.reconcileManifest,
  'propagation-timeout': '5',
  ...extra,
});

const stack = useMoto({ proxy: startFaultProxy, ...SEED });

async function run(extra: Record<string, string> = {}, extraEnv: NodeJS.ProcessEnv = {}, on = { env: stack.env, proxy: stack.proxy }): Promise<ActionRun> {
  return runAction(inputs(extra), { ...on.env, AWS_ENDPOINT_URL: on.proxy.endpoint, AWS_MAX_ATTEMPTS: '4', ...extraEnv }, { timeoutMs: 120_000 });
}

async function intendedState(): Promise<unknown> {
  // The same seed reconciled without faults, in a scratch moto: what "exactly as intended" means.
  const scratch = await startMoto();
  try {
    const scratchProxy = await startFaultProxy(scratch.endpoint);
    const clean = await run({}, {}, { env: await seedMoto(scratch, SEED), proxy: scratchProxy });
    assert.equal(clean.exitCode, 0, clean.log);
    const state = await writableState(scratch.endpoint);
    await scratchProxy.stop();
    return state;
  } finally {
    await scratch.stop();
  }
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
    intended = await intendedState();
  });

  for (const fault of TRANSIENT) {
    it(`survives ${fault} on the first call of every operation reconcile makes`, async () => {
      stack.proxy.setRules(OPERATIONS.map((operation) => ({ operation, fault, count: 1, latencyMs: 300 })));
      // Adaptive retry (the default) slows down after throttling; one throttling case keeps it, the rest run faster in standard mode.
      const reconciled = await run({ 'registry-id': '' }, fault === 'throttle' ? {} : { AWS_RETRY_MODE: 'standard' });
      assert.equal(reconciled.exitCode, 0, reconciled.log);
      const faulted = new Set(stack.proxy.calls.filter((call) => call.fault).map((call) => call.operation));
      assert.deepEqual([...faulted].sort(), [...OPERATIONS].sort(), 'every operation met the fault once');
      assert.deepEqual(await stack.writableState(), intended, 'exactly as intended');
    });
  }

  it('survives random faults on a third of all calls', async () => {
    stack.proxy.setRules([{ operation: '*', fault: 'http-503', probability: 0.33 }]);
    const reconciled = await run({ 'registry-id': '' }, { AWS_MAX_ATTEMPTS: '10', AWS_RETRY_MODE: 'standard' });
    assert.equal(reconciled.exitCode, 0, reconciled.log);
    assert.deepEqual(await stack.writableState(), intended);
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
      const before = await stack.writableState();
      stack.proxy.setRules([{ operation, fault }]);
      const failed = await run();
      assert.equal(failed.exitCode, 1, failed.log);
      const errors = errorLines(failed.log);
      assert.equal(errors.length, 1, failed.log);
      assert.match(errors[0], message);
      assert.deepEqual(await stack.writableState(), expected === 'before' ? before : intended);
    });
  }

  it('a persistent fault in the re-verification after writing leaves the change exactly as intended', async () => {
    // ListRolePolicies is called once before the writes and once after: fail only the second time on.
    stack.proxy.setRules([{ operation: 'ListRolePolicies', fault: 'throttle', count: 0 }]);
    const { calls } = stack.proxy;
    const watcher = setInterval(() => {
      if (calls.some((call) => call.operation === 'PutRolePolicy')) {
        stack.proxy.setRules([{ operation: 'ListRolePolicies', fault: 'throttle' }]);
        clearInterval(watcher);
      }
    }, 5);
    const failed = await run();
    clearInterval(watcher);
    assert.equal(failed.exitCode, 1, failed.log);
    assert.match(errorLines(failed.log)[0], /^iam:ListRolePolicies failed after 4 attempts/);
    assert.deepEqual(await stack.writableState(), intended);
  });

  it('names the permission when AWS denies a call, and writes nothing', async () => {
    const before = await stack.writableState();
    stack.proxy.setRules([{ operation: 'PutRolePolicy', fault: 'access-denied' }]);
    const denied = await run();
    assert.equal(denied.exitCode, 1);
    assert.match(
      errorLines(denied.log)[0],
      /^iam:PutRolePolicy was denied for assumed role arn:aws:iam::004947743811:role\/PublishImageStagingReader \(AccessDenied: .*\)\. Allow iam:PutRolePolicy on that identity/,
    );
    assert.deepEqual(await stack.writableState(), before);
  });

  it('never prints a secret: AWS keys, session tokens, the registry password', async () => {
    const reconciled = await run({ 'registry-id': '' });
    assert.equal(reconciled.exitCode, 0, reconciled.log);
    const secrets = [...stack.proxy.secrets, stack.env.AWS_SECRET_ACCESS_KEY as string];
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
    assert.ok(stack.proxy.calls.some(isWrite));
  });
});
