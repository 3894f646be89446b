// A failed reconcile is undone exactly, and a failed run never says "in sync". The fault proxy's
// `drop-after` lets a SetRepositoryPolicy reach moto (which applies it) and then closes the
// connection before the answer: the write landed though the caller saw it fail. Every write joins
// the undo list before it is sent, so that one is found (re-read) and put back too.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { iamIn } from '../../stack/aws.js';
import { startFaultProxy } from '../../stack/fault-proxy.js';
import {
  ALLOWLIST_POLICY,
  PLATFORM_AGENT as AGENT,
  PROD_ACCOUNT,
  READER_ROLE_ARN,
  REGION,
  STAGING_ACCOUNT,
  STAGING_ROLE_ARN,
  allowlistPolicy,
  crossAccountGrant,
  errorLines,
  presets,
  reportOf,
  runAction,
  template,
  useMoto,
  writeManifest,
  type ActionRun,
} from '../../stack/fixture.js';

const REPOSITORIES = [AGENT, template('codex'), template('hermes'), template('openclaw')];
const QA_ROLE_ARN = `arn:aws:iam::${STAGING_ACCOUNT}:role/qa-puller`;
const trustAnyone = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }] });
/** What each repository holds before: a statement that is not the action's (so an undo is a write, not a delete). */
const ORIGINAL = { Version: '2012-10-17', Statement: [crossAccountGrant(['arn:aws:iam::111122223333:root'], 'TeamPull')] };

const stack = useMoto({
  proxy: startFaultProxy,
  repositories: REPOSITORIES,
  allowlist: REPOSITORIES,
  seed: async (seeded) => {
    for (const repository of REPOSITORIES) await seeded.setRepositoryPolicy(repository, ORIGINAL);
    const iam = iamIn(seeded.endpoint, STAGING_ACCOUNT);
    await iam.send(new CreateRoleCommand({ RoleName: 'qa-puller', AssumeRolePolicyDocument: trustAnyone }));
    await iam.send(
      new PutRolePolicyCommand({ RoleName: 'qa-puller', PolicyName: ALLOWLIST_POLICY, PolicyDocument: JSON.stringify(allowlistPolicy(REPOSITORIES)) }),
    );
  },
});

/** Two pullers (both in the staging account, read by its reader role), each with a complete allowlist: only the grants are missing. */
const PULLERS = [STAGING_ROLE_ARN, QA_ROLE_ARN]
  .flatMap((roleArn) => [`- role-arn: ${roleArn}`, `  policy-name: ${ALLOWLIST_POLICY}`, `  assume-role-arn: ${READER_ROLE_ARN}`])
  .join('\n');

function run(mode: 'verify' | 'reconcile', extra: Record<string, string> = {}): Promise<ActionRun> {
  const manifest = writeManifest([]);
  return runAction(
    { mode, 'registry-id': PROD_ACCOUNT, manifest, 'extra-repositories': REPOSITORIES.join(','), pullers: PULLERS, 'propagation-timeout': '5', ...extra },
    { ...stack.env, AWS_ENDPOINT_URL: stack.proxy.endpoint, AWS_MAX_ATTEMPTS: '4', AWS_RETRY_MODE: 'standard' },
    { timeoutMs: 120_000 },
  );
}

const stored = (): Promise<unknown[]> => Promise.all(REPOSITORIES.map((repository) => stack.storedRepositoryPolicy(repository)));
const named = (repository: string): string => `the grant on ${repository} (registry ${PROD_ACCOUNT}, ${REGION})`;

describe('a failed run is undone exactly and says drift (fault proxy + moto, through dist/index.js)', () => {
  it('2 pullers × 4 repositories: the third SetRepositoryPolicy lands, then the connection drops: all three are rolled back, each named', async (t) => {
    const before = await stored();
    // The third write and the SDK's 3 retries of it land, each unanswered; the undo writes after them go through.
    stack.proxy.setRules([{ operation: 'SetRepositoryPolicy', fault: 'drop-after', after: 2, count: 4 }]);
    const failed = await run('reconcile');
    assert.equal(failed.exitCode, 1, failed.log);
    const errors = errorLines(failed.log);
    assert.equal(errors.length, 1, failed.log);
    const [message] = errors;
    t.diagnostic(message);
    assert.match(message, /^ecr:SetRepositoryPolicy failed after 4 attempts/);
    const [first, second, third, fourth] = REPOSITORIES;
    assert.ok(message.includes(`Written, then rolled back: ${[first, second, third].map(named).join(', ')}.`), message);
    assert.ok(!message.includes(fourth), 'the fourth was never sent');
    assert.match(message, /The 3 grant\(s\) already written were rolled back; nothing changed\.$/);
    const dropped = stack.proxy.calls.filter((call) => call.fault === 'drop-after');
    assert.equal(dropped.length, 4, 'the third write reached moto and was dropped on every attempt');
    assert.deepEqual(await stored(), before, 'every repository policy is back to what it was');
    // A failed run proved nothing: drift, and every expected repository is missing.
    assert.equal(failed.outputs.drift, 'true');
    assert.deepEqual(JSON.parse(failed.outputs.missing), [...REPOSITORIES].sort());
  });

  it('an undo that cannot be written is named, with the repository and registry, and left in the report', async (t) => {
    // The third write lands unanswered, and so does every write after it: the undo of the third cannot be confirmed.
    stack.proxy.setRules([{ operation: 'SetRepositoryPolicy', fault: 'drop-after', after: 2 }]);
    const failed = await run('reconcile');
    assert.equal(failed.exitCode, 1, failed.log);
    const [message] = errorLines(failed.log);
    t.diagnostic(message);
    assert.match(message, /Could not roll back the grant on .*\(registry \d{12}, [a-z0-9-]+\).*: restore them by hand from the report's policyChanges/);
    assert.doesNotMatch(message, /nothing changed/i);
    // The write whose answer was lost is in the report too, with the policy as it was, to restore by hand.
    const changes = reportOf<{ policyChanges: { target: string; before: unknown; rolledBack?: boolean }[] }>(failed).policyChanges;
    const third = changes.find((change) => change.target === `repository:${REPOSITORIES[2]}`);
    assert.ok(third, JSON.stringify(changes));
    assert.equal(third.rolledBack, false);
    assert.deepEqual(third.before, ORIGINAL);
    assert.equal(failed.outputs.drift, 'true');
  });

  it('a write failure after grants were written (PutRolePolicy denied): drift is true, missing names every expected repository', async () => {
    await stack.putAllowlist(allowlistPolicy(REPOSITORIES.slice(1)));
    stack.proxy.setRules([{ operation: 'PutRolePolicy', fault: 'access-denied' }]);
    const failed = await run('reconcile');
    assert.equal(failed.exitCode, 1, failed.log);
    assert.match(errorLines(failed.log)[0], /^iam:PutRolePolicy was denied/);
    assert.equal(failed.outputs.drift, 'true');
    assert.deepEqual(JSON.parse(failed.outputs.missing), [...REPOSITORIES].sort());
  });

  it('a read failure (GetRepositoryPolicy keeps failing): drift is true, missing names every expected repository', async () => {
    stack.proxy.setRules([{ operation: 'GetRepositoryPolicy', fault: 'http-503' }]);
    const failed = await run('verify');
    assert.equal(failed.exitCode, 1, failed.log);
    assert.match(errorLines(failed.log)[0], /^ecr:GetRepositoryPolicy failed after 4 attempts/);
    assert.equal(failed.outputs.drift, 'true');
    assert.deepEqual(JSON.parse(failed.outputs.missing), [...REPOSITORIES].sort());
  });

  it('a read failure of one repository (verify of one repository): drift true, missing names it', async () => {
    stack.proxy.setRules([{ operation: 'GetRepositoryPolicy', fault: 'http-500' }]);
    const failed = await runAction(
      { ...presets.verifyRepository, 'registry-id': PROD_ACCOUNT },
      { ...stack.env, AWS_ENDPOINT_URL: stack.proxy.endpoint, AWS_MAX_ATTEMPTS: '2', AWS_RETRY_MODE: 'standard' },
      { timeoutMs: 90_000 },
    );
    assert.equal(failed.exitCode, 1, failed.log);
    assert.equal(failed.outputs.drift, 'true');
    assert.deepEqual(JSON.parse(failed.outputs.missing), [AGENT]);
  });

  it('a run stopped by a bad input (a pullers entry without role-arn) never says in sync: drift true, missing empty', async () => {
    const failed = await run('verify', { pullers: `- policy-name: ${ALLOWLIST_POLICY}` });
    assert.equal(failed.exitCode, 1, failed.log);
    assert.match(errorLines(failed.log)[0], /pullers\[0\]/);
    assert.equal(failed.outputs.drift, 'true');
    assert.deepEqual(JSON.parse(failed.outputs.missing), []);
  });
});
