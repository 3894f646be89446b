// Eventual consistency as IAM does it: after a policy write, reads of that policy keep returning the
// document as it was before the write for a while (the fault proxy's setStaleReads: a lagging
// replica, by time or by number of reads). Reconcile must wait for its write to show, never take a
// stale read for done (its outputs and report match what AWS holds), and two reconciles racing
// must still lose nothing. The bench runs the long form (scripts/bench.ts --only consistency).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { GetRepositoryPolicyCommand, SetRepositoryPolicyCommand } from '@aws-sdk/client-ecr';
import { GetRolePolicyCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { ecrIn, iamIn } from '../../stack/aws.js';
import { startFaultProxy, type StaleReads } from '../../stack/fault-proxy.js';
import {
  ALLOWLIST_POLICY,
  EXAMPLE_MANIFEST,
  EXPECTED,
  GRANTED,
  INCIDENT_ALLOWLIST,
  PROD_ACCOUNT,
  STAGING_ACCOUNT,
  STAGING_ROLE,
  allowlistPolicy,
  presets,
  reportOf,
  repoArn,
  runAction,
  template,
  useMoto,
  workspace,
  writeManifest,
  type ActionRun,
} from '../../stack/fixture.js';

const RACE_A = ['molecule-ai/race-a1', 'molecule-ai/race-a2'];
const RACE_B = ['molecule-ai/race-b1', 'molecule-ai/race-b2'];

/** The checked-out workspace the action runs in: manifests must live inside it. */
const WORKSPACE = workspace({ 'manifest.json': readFileSync(EXAMPLE_MANIFEST, 'utf8') });

const inputs = (extra: Record<string, string> = {}): Record<string, string> => ({
  ...presets.reconcileManifest,
  manifest: join(WORKSPACE, 'manifest.json'),
  'propagation-timeout': '30',
  ...extra,
});

function manifest(repositories: string[]): Record<string, string> {
  return { manifest: writeManifest(repositories, WORKSPACE), 'repository-template': '{name}', 'extra-repositories': '' };
}

// Incident #3054: four repositories missing from the allowlist, one without the grant.
const stack = useMoto({
  proxy: startFaultProxy,
  env: { GITHUB_WORKSPACE: WORKSPACE },
  repositories: [...EXPECTED, ...RACE_A, ...RACE_B],
  granted: [...EXPECTED, ...RACE_A, ...RACE_B].filter((repository) => repository !== template('deep-research')),
  allowlist: INCIDENT_ALLOWLIST,
});

const throughProxy = (extra: Record<string, string> = {}): Promise<ActionRun> =>
  runAction(inputs(extra), { ...stack.env, AWS_ENDPOINT_URL: stack.proxy.endpoint }, { timeoutMs: 120_000 });
/** The truth: verify straight against moto, no proxy, no lag. */
const verifyDirect = (extra: Record<string, string> = {}): Promise<ActionRun> =>
  runAction(inputs({ mode: 'verify', ...extra }), stack.env, { timeoutMs: 60_000 });

interface Report {
  policyChanges: { target: string; before: unknown; after: unknown; written: boolean }[];
}

/** What reconcile said it left behind is what AWS holds: its outputs against a direct verify, its report against moto. */
async function assertMatchesStored(run: ActionRun, extra: Record<string, string> = {}): Promise<void> {
  const truth = await verifyDirect(extra);
  assert.equal(run.outputs.drift, truth.outputs.drift, `reported drift ${run.outputs.drift}, AWS holds drift ${truth.outputs.drift}`);
  assert.equal(run.outputs.missing, truth.outputs.missing, 'reported missing vs what AWS holds');
  assert.equal(run.outputs.extra, truth.outputs.extra, 'reported extra vs what AWS holds');
  for (const change of reportOf<Report>(run).policyChanges.filter((candidate) => candidate.written)) {
    if (change.target.startsWith('role:')) assert.deepEqual(change.after, await stack.storedAllowlist(), `report's allowlist after = stored`);
    if (change.target.startsWith('repository:'))
      assert.deepEqual(
        change.after,
        await stack.storedRepositoryPolicy(change.target.slice('repository:'.length)),
        `${change.target}: report's after = stored`,
      );
  }
}

describe('eventual consistency as IAM does it (stale reads in the fault proxy + moto)', () => {
  it('serves the document as it was before a write: for a time, or for a number of reads', async () => {
    const iam = iamIn(stack.proxy.endpoint, STAGING_ACCOUNT);
    const ecr = ecrIn(stack.proxy.endpoint, PROD_ACCOUNT);
    const allowlist = async (): Promise<number> =>
      JSON.parse(decodeURIComponent((await iam.send(new GetRolePolicyCommand({ RoleName: STAGING_ROLE, PolicyName: ALLOWLIST_POLICY }))).PolicyDocument!))
        .Statement[1].Resource.length;
    const repositoryPolicy = async (): Promise<string> =>
      ecr.send(new GetRepositoryPolicyCommand({ repositoryName: template('deep-research') })).then(
        (answer) => answer.policyText!,
        (error: Error) => error.name,
      );
    const putAllowlistOf = (count: number): Promise<unknown> =>
      iam.send(
        new PutRolePolicyCommand({
          RoleName: STAGING_ROLE,
          PolicyName: ALLOWLIST_POLICY,
          PolicyDocument: JSON.stringify(allowlistPolicy(EXPECTED.slice(0, count))),
        }),
      );

    const sleepUntil = (at: number): Promise<unknown> => new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));
    // Wide margins (≈ 800 ms each side of every checkpoint) so a loaded machine, where a call can take
    // hundreds of milliseconds, still reads each write inside or outside its window as meant.
    stack.proxy.setStaleReads({ lagMs: 2000 });
    const first = Date.now();
    await putAllowlistOf(3);
    await ecr.send(new SetRepositoryPolicyCommand({ repositoryName: template('deep-research'), policyText: JSON.stringify(GRANTED) }));
    assert.equal(await allowlist(), INCIDENT_ALLOWLIST.length, 'IAM: still the document before the write');
    assert.equal(await repositoryPolicy(), 'RepositoryPolicyNotFoundException', 'ECR: still no policy, as before the write');
    await sleepUntil(first + 1600);
    await putAllowlistOf(5);
    assert.equal(await allowlist(), INCIDENT_ALLOWLIST.length, 'two writes in the window: the oldest invisible one decides');
    await sleepUntil(first + 2800);
    assert.equal(await allowlist(), 3, 'the first write has landed, the second not yet');
    assert.deepEqual(JSON.parse(await repositoryPolicy()), GRANTED);
    await sleepUntil(first + 4400);
    assert.equal(await allowlist(), 5);
    assert.equal(((await stack.storedAllowlist()) as { Statement: { Resource: string[] }[] }).Statement[1].Resource.length, 5, 'moto itself was never stale');

    stack.proxy.setStaleReads({ reads: 2, services: ['iam'] });
    await putAllowlistOf(2);
    assert.deepEqual([await allowlist(), await allowlist(), await allowlist()], [5, 5, 2], 'two stale reads, then the write');
    assert.deepEqual(stack.proxy.stats().staleReadsBy, { 'iam:GetRolePolicy': 5, 'ecr:GetRepositoryPolicy': 1 });
  });

  // ECR lags too in the first case: the allowlist's wait outlasts the grant's lag. ECR alone: the case below.
  for (const stale of [{ lagMs: 2000 }, { reads: 3, services: ['iam'] }] satisfies StaleReads[]) {
    const label = stale.lagMs ? `${stale.lagMs / 1000} s` : `${stale.reads} reads`;
    it(`reconcile converges while ${stale.services ? 'IAM lags' : 'IAM and ECR lag'} ${label} after each write, and reports what AWS holds`, async (t) => {
      stack.proxy.setStaleReads(stale);
      const started = Date.now();
      const reconciled = await throughProxy();
      const stats = stack.proxy.stats();
      t.diagnostic(
        `reconcile with ${label} of lag: ${((Date.now() - started) / 1000).toFixed(1)} s, ${stats.staleReads} stale reads served (${Object.entries(
          stats.staleReadsBy,
        )
          .map(([op, n]) => `${op} ${n}`)
          .join(', ')})`,
      );
      assert.equal(reconciled.exitCode, 0, reconciled.log);
      assert.equal(reconciled.outputs.drift, 'false');
      assert.equal(reconciled.outputs.missing, '[]');
      assert.ok((stats.staleReadsBy['iam:GetRolePolicy'] ?? 0) > 0, 'the allowlist re-read met stale documents');
      assert.match(reconciled.log, /IAM does not show the change yet/, 'it waited for IAM');
      const allowlist = (await stack.storedAllowlist()) as { Statement: { Resource: string[] }[] };
      for (const repository of EXPECTED) assert.ok(allowlist.Statement[1].Resource.includes(repoArn(repository)), `${repository} allowed`);
      await assertMatchesStored(reconciled);
    });
  }

  it('a grant ECR does not show yet is waited for, not reported as drift (grant-only reconcile)', async (t) => {
    await stack.putAllowlist(allowlistPolicy(EXPECTED));
    stack.proxy.setStaleReads({ lagMs: 3000, services: ['ecr'] });
    const reconciled = await throughProxy();
    const truth = await verifyDirect();
    t.diagnostic(
      `reconcile: exit ${reconciled.exitCode}, drift ${reconciled.outputs.drift}, missing ${reconciled.outputs.missing}; AWS holds: drift ${truth.outputs.drift}, missing ${truth.outputs.missing}`,
    );
    assert.ok((stack.proxy.stats().staleReadsBy['ecr:GetRepositoryPolicy'] ?? 0) > 0, 'the re-read met a stale policy');
    assert.deepEqual(
      await stack.storedRepositoryPolicy(template('deep-research')),
      reportOf<Report>(reconciled).policyChanges.find((change) => change.target === `repository:${template('deep-research')}`)?.after,
      'the grant was written',
    );
    await assertMatchesStored(reconciled);
    assert.equal(reconciled.exitCode, 0, reconciled.log);
  });

  const rounds: { lagMs: number; offsetMs: number }[] = [
    { lagMs: 1000, offsetMs: 0 },
    { lagMs: 2000, offsetMs: 400 },
    { lagMs: 3000, offsetMs: 1200 },
  ];
  it(`two reconciles racing on the allowlist while IAM lags keep each other's entries (${rounds.length} rounds)`, async (t) => {
    const reconcile = (repositories: string[]): Promise<ActionRun> => throughProxy(manifest(repositories));
    for (const { lagMs, offsetMs } of rounds) {
      await stack.putAllowlist(allowlistPolicy(INCIDENT_ALLOWLIST));
      stack.proxy.clear();
      stack.proxy.setStaleReads({ lagMs });
      const [a, b] = await Promise.all([reconcile(RACE_A), new Promise((resolve) => setTimeout(resolve, offsetMs)).then(() => reconcile(RACE_B))]);
      const merges = [a, b].filter((run) => run.log.includes('merging again')).length;
      t.diagnostic(
        `lag ${lagMs} ms, B ${offsetMs} ms after A: ${stack.proxy.stats().staleReads} stale reads, ${merges} lost update(s) detected and merged again`,
      );
      assert.equal(a.exitCode, 0, `lag ${lagMs}: ${a.log}`);
      assert.equal(b.exitCode, 0, `lag ${lagMs}: ${b.log}`);
      const resources = ((await stack.storedAllowlist()) as { Statement: { Resource: string[] }[] }).Statement[1].Resource;
      for (const repository of [...INCIDENT_ALLOWLIST, ...RACE_A, ...RACE_B])
        assert.ok(resources.includes(repoArn(repository)), `lag ${lagMs}: ${repository} lost`);
      for (const [run, repositories] of [
        [a, RACE_A],
        [b, RACE_B],
      ] as const) {
        assert.equal(run.outputs.drift, 'false');
        const truth = await verifyDirect(manifest(repositories));
        assert.equal(run.outputs.missing, truth.outputs.missing, `lag ${lagMs}: reported missing = what AWS holds`);
      }
    }
  });
});
