// Concurrency: two reconciles on the same role at once, 20 times: no allowlist entry and no foreign
// repository statement may be lost (a lost update is detected and merged again). Needs moto only, so
// it runs beside the Docker engine's files (e2e/races.test.ts has the publishes that race).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  INCIDENT_ALLOWLIST,
  PLATFORM_AGENT,
  allowlistPolicy,
  crossAccountGrant,
  presets,
  repoArn,
  runAction,
  setRepositoryPolicy,
  template,
  useMoto,
  writeManifest,
} from '../../stack/fixture.js';

const ROUNDS = 20;
const RACE_A = [template('seo-agent'), template('deep-research')];
const RACE_B = [template('google-adk'), PLATFORM_AGENT];
const foreign = { Sid: 'CiReadOnly', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::153263036946:role/ci' }, Action: ['ecr:DescribeImages'] };

const stack = useMoto({
  once: true,
  repositories: [...INCIDENT_ALLOWLIST, ...RACE_A, ...RACE_B],
  allowlist: INCIDENT_ALLOWLIST,
  seed: async ({ endpoint }) => {
    for (const repository of [...RACE_A, ...RACE_B])
      await setRepositoryPolicy(endpoint, repository, { Version: '2012-10-17', Statement: [foreign, crossAccountGrant()] });
  },
});

describe(`reconcile race, ${ROUNDS} rounds (moto)`, () => {
  it("two reconciles on the same role keep each other's allowlist entries", async () => {
    const reconcile = (repositories: string[]) =>
      runAction({ ...presets.reconcileManifest, manifest: writeManifest(repositories), 'repository-template': '{name}', 'extra-repositories': '' }, stack.env, {
        timeoutMs: 120_000,
      });
    let merges = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      await stack.putAllowlist(allowlistPolicy(INCIDENT_ALLOWLIST));
      const [a, b] = await Promise.all([reconcile(RACE_A), reconcile(RACE_B)]);
      assert.equal(a.exitCode, 0, `round ${round}: ${a.log}`);
      assert.equal(b.exitCode, 0, `round ${round}: ${b.log}`);
      merges += [a, b].filter((run) => run.log.includes('merging again')).length;
      const resources = ((await stack.storedAllowlist()) as { Statement: { Resource: string[] }[] }).Statement[1].Resource;
      for (const repository of [...INCIDENT_ALLOWLIST, ...RACE_A, ...RACE_B])
        assert.ok(resources.includes(repoArn(repository)), `round ${round}: ${repository} lost`);
      for (const repository of [...RACE_A, ...RACE_B]) {
        const policy = (await stack.storedRepositoryPolicy(repository)) as { Statement: object[] };
        assert.deepEqual(policy.Statement[0], foreign, `round ${round}: foreign statement on ${repository} kept`);
      }
    }
    console.log(`reconcile race: ${ROUNDS} rounds, ${merges} lost update(s) detected and merged again`);
  });
});
