// The statement with the action's own Sid is exactly what the action writes (docs/security.md). Tampered —
// another principal, `*`, another action, a Condition — or copied, it is drift, named with what was
// widened; publish and reconcile rewrite it to exactly the owned form in one SetRepositoryPolicy,
// and every other statement stays. ECR User Guide, "Private repository policies": a statement with
// Principal "*" lets anyone pull, so a public copy is never kept.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startFaultProxy } from '../../stack/fault-proxy.js';
import {
  PLATFORM_AGENT as AGENT,
  PULL_ACTIONS,
  STAGING_ACCOUNT,
  STAGING_ROLE_ARN,
  crossAccountGrant,
  presets,
  reportOf,
  runAction,
  useMoto,
  type ActionRun,
} from '../../stack/fixture.js';

const SID = 'PublishImageCrossAccountPull';
/** Exactly what the action writes with pull-principals = the staging role. */
const OWNED = { Sid: SID, Effect: 'Allow', Principal: { AWS: [STAGING_ROLE_ARN] }, Action: [...PULL_ACTIONS].sort() };
/** A statement that is not the action's: kept byte-for-byte in meaning. */
const FOREIGN = crossAccountGrant(['arn:aws:iam::111122223333:root'], 'TeamPull');

const stack = useMoto({ proxy: startFaultProxy, repositories: [AGENT], allowlist: [AGENT] });

function run(mode: 'verify' | 'reconcile'): Promise<ActionRun> {
  return runAction(
    { ...presets.verifyRepository, mode, 'pull-principals': STAGING_ROLE_ARN },
    { ...stack.env, AWS_ENDPOINT_URL: stack.proxy.endpoint },
    {
      timeoutMs: 90_000,
    },
  );
}

/** A statement in a comparable form: single values as sorted lists (ECR re-formats what it stores). */
function normal(statement: Record<string, unknown>): unknown {
  const list = (value: unknown): unknown => (typeof value === 'string' ? [value] : Array.isArray(value) ? [...value].sort() : value);
  const principal = statement.Principal as Record<string, unknown> | string | undefined;
  return {
    ...statement,
    Action: list(statement.Action),
    ...(typeof principal === 'object' ? { Principal: Object.fromEntries(Object.entries(principal).map(([key, value]) => [key, list(value)])) } : {}),
  };
}
const statementsOf = (policy: unknown): unknown[] =>
  ((policy as { Statement: Record<string, unknown>[] }).Statement ?? []).map(normal).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

type Report = { findings: { subject: string; severity: string; message: string }[]; policyChanges: { target: string; written: boolean }[] };

const TAMPERED: [string, object[], RegExp][] = [
  [
    'Principal ["*", role] and ecr:PutImage',
    [FOREIGN, { ...OWNED, Principal: { AWS: ['*', STAGING_ROLE_ARN] }, Action: [...PULL_ACTIONS, 'ecr:PutImage'] }],
    /was widened: it names "\*" \(anyone\); it allows ecr:PutImage\./,
  ],
  [
    'two statements with the own Sid, one public',
    [FOREIGN, OWNED, { ...OWNED, Principal: '*' }],
    /was widened: it names "\*" \(anyone\); 2 statements carry this Sid\./,
  ],
  [
    'another principal and a Condition',
    [
      { ...OWNED, Principal: { AWS: [STAGING_ROLE_ARN, `arn:aws:iam::${STAGING_ACCOUNT}:root`] }, Condition: { Bool: { 'aws:SecureTransport': 'true' } } },
      FOREIGN,
    ],
    new RegExp(`was widened: it names arn:aws:iam::${STAGING_ACCOUNT}:root; it has Condition\\.`),
  ],
];

describe('the owned statement is owned (moto, through dist/index.js)', () => {
  for (const [name, statements, widened] of TAMPERED) {
    it(`${name}: verify is drift naming what was widened; reconcile rewrites exactly the owned form in one write`, async () => {
      await stack.setRepositoryPolicy(AGENT, { Version: '2012-10-17', Statement: statements });
      const verified = await run('verify');
      assert.equal(verified.exitCode, 1, verified.log);
      assert.equal(verified.outputs.drift, 'true');
      assert.deepEqual(JSON.parse(verified.outputs.missing), [AGENT]);
      const finding = reportOf<Report>(verified).findings.find((item) => item.message.includes('was widened'));
      assert.ok(finding, verified.log);
      assert.equal(finding.severity, 'error');
      assert.match(finding.message, new RegExp(`^your statement "${SID}" on the repository policy of ${AGENT} \\(this action's own\\) was widened: `));
      assert.match(finding.message, widened);
      assert.match(finding.message, /It must be exactly \{"Sid":"PublishImageCrossAccountPull"/);
      // The pull itself is allowed: the cell is drift for the widened statement, and the log's table says so.
      assert.deepEqual(
        (JSON.parse(verified.outputs.matrix) as { grant: string; verdict: string }[]).map((cell) => [cell.grant, cell.verdict]),
        [['allowed', 'drift']],
      );
      assert.match(verified.log, new RegExp(`${AGENT}\\s+widened\\s+allowed`));

      stack.proxy.clear();
      const reconciled = await run('reconcile');
      assert.equal(reconciled.exitCode, 0, reconciled.log);
      assert.equal(reconciled.outputs.drift, 'false');
      const writes = stack.proxy.calls.filter((call) => call.operation === 'SetRepositoryPolicy');
      assert.equal(writes.length, 1, 'one write');
      const stored = await stack.storedRepositoryPolicy(AGENT);
      const others = statements.filter((statement) => (statement as { Sid?: string }).Sid !== SID);
      assert.deepEqual(statementsOf(stored), statementsOf({ Statement: [...others, OWNED] }), JSON.stringify(stored));
      assert.ok(reportOf<Report>(reconciled).policyChanges.some((change) => change.target === `repository:${AGENT}` && change.written));

      const again = await run('verify');
      assert.equal(again.exitCode, 0, again.log);
      assert.equal(again.outputs.drift, 'false');
    });
  }

  it('the exact owned statement (any order, single values) is no drift and no write', async () => {
    await stack.setRepositoryPolicy(AGENT, {
      Version: '2012-10-17',
      Statement: [FOREIGN, { Sid: SID, Effect: 'Allow', Principal: { AWS: STAGING_ROLE_ARN }, Action: [...PULL_ACTIONS].reverse() }],
    });
    const reconciled = await run('reconcile');
    assert.equal(reconciled.exitCode, 0, reconciled.log);
    assert.equal(reconciled.outputs.drift, 'false');
    assert.equal(stack.proxy.calls.filter((call) => call.operation === 'SetRepositoryPolicy').length, 0);
    assert.doesNotMatch(reconciled.log, /widened/);
  });
});
