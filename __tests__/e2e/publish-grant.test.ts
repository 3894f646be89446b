import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { helloContext } from '../../stack/fixtures.js';
import {
  ALLOWLIST_POLICY,
  INCIDENT_ALLOWLIST,
  PLATFORM_AGENT,
  PULL_ACTIONS,
  REGISTRY_HOST,
  STAGING_ACCOUNT,
  STAGING_ROLE_ARN,
  allowlistPolicy,
  dockerEnv,
  errorLines,
  presets,
  reportOf,
  runAction,
  setRepositoryPolicy,
  useMoto,
} from '../../stack/fixture.js';
import { registryTags, servedDigest } from '../../stack/registry-client.js';

const foreignStatements = [
  { Sid: 'CiReadOnly', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::153263036946:role/ci' }, Action: ['ecr:DescribeImages', 'ecr:ListImages'] },
  {
    Sid: 'DenyDelete',
    Effect: 'Deny',
    Principal: '*',
    Action: 'ecr:BatchDeleteImage',
    Condition: { StringNotEquals: { 'aws:PrincipalAccount': '153263036946' } },
  },
];

function publish(tag: string, extra: Record<string, string> = {}) {
  return runAction(
    {
      repository: PLATFORM_AGENT,
      context: helloContext(),
      tags: tag,
      'pull-principals': `${STAGING_ACCOUNT}\n${STAGING_ROLE_ARN}`,
      ...presets.staging,
      ...extra,
    },
    dockerEnv(stack.env),
  );
}

const stack = useMoto({
  repositories: [PLATFORM_AGENT],
  seed: ({ endpoint }) => setRepositoryPolicy(endpoint, PLATFORM_AGENT, { Version: '2012-10-17', Statement: foreignStatements }),
});

describe('publish: build, push, grant, verify (dockerd + registry + moto)', () => {
  it('grants pull, keeps foreign statements, verifies both sides; a second run writes nothing', async () => {
    await stack.seedStaging(allowlistPolicy([...INCIDENT_ALLOWLIST, PLATFORM_AGENT]));
    const first = await publish('v1');
    assert.equal(first.exitCode, 0, first.log);
    assert.equal(first.outputs['repository-policy-changed'], 'true');
    assert.equal(first.outputs.drift, 'false');
    assert.match(first.log, /molecule-ai\/molecule-platform-agent\s+granted\s+allowed\s+sha256:[0-9a-f]{12}\s+ok/);

    const stored = (await stack.storedRepositoryPolicy(PLATFORM_AGENT)) as { Statement: object[] };
    assert.deepEqual(stored.Statement.slice(0, 2), foreignStatements, 'foreign statements kept as they were, in place');
    assert.deepEqual(stored.Statement[2], {
      Sid: 'PublishImageCrossAccountPull',
      Effect: 'Allow',
      Principal: { AWS: [`arn:aws:iam::${STAGING_ACCOUNT}:role/MoleculeTenantEICRole-staging`, `arn:aws:iam::${STAGING_ACCOUNT}:root`] },
      Action: [...PULL_ACTIONS].sort(),
    });
    const report = reportOf(first);
    assert.deepEqual(report.policyChanges[0].before.Statement, foreignStatements, 'the report keeps the policy as it was, to undo by hand');
    assert.deepEqual(report.policyChanges[0].after, stored);
    assert.equal(await servedDigest(PLATFORM_AGENT, 'v1'), first.outputs.digest);

    const second = await publish('v2');
    assert.equal(second.exitCode, 0, second.log);
    assert.equal(second.outputs['repository-policy-changed'], 'false');
    assert.match(second.log, /already grants pull .*: no write/);
    assert.deepEqual(await stack.storedRepositoryPolicy(PLATFORM_AGENT), stored);
  });

  it('replays incident #3054 in publish: pushes and grants, then fails naming the missing allowlist entry', async () => {
    await stack.seedStaging(allowlistPolicy(INCIDENT_ALLOWLIST));
    const run = await publish('incident');
    assert.equal(run.exitCode, 1, run.log);
    assert.ok((await registryTags(PLATFORM_AGENT)).includes('incident'), 'the push happened');
    assert.equal(run.outputs.drift, 'true');
    assert.deepEqual(JSON.parse(run.outputs.missing), [PLATFORM_AGENT]);
    const errors = errorLines(run.log);
    assert.ok(
      errors.some((line) =>
        line.includes(`Add "arn:aws:ecr:us-east-2:153263036946:repository/${PLATFORM_AGENT}" to the Resource list of inline policy ${ALLOWLIST_POLICY}`),
      ),
      run.log,
    );
    assert.match(
      errors.at(-1)!,
      new RegExp(
        `^The image is pushed \\(${REGISTRY_HOST.replace(/\./g, '\\.')}/molecule-ai/molecule-platform-agent@sha256:[0-9a-f]{64}\\), but staging cannot pull molecule-ai/molecule-platform-agent`,
      ),
    );
  });

  it('refuses a grant to * before anything is written', async () => {
    await stack.seedStaging(allowlistPolicy([PLATFORM_AGENT]));
    const run = await publish('refused', { 'pull-principals': '*' });
    assert.equal(run.exitCode, 1);
    assert.deepEqual(errorLines(run.log), ['pull-principals: "*" would let anyone pull. Name the staging account ID or the pulling role\'s ARN instead.']);
    assert.ok(!(await registryTags(PLATFORM_AGENT)).includes('refused'), 'nothing pushed');
    assert.deepEqual(((await stack.storedRepositoryPolicy(PLATFORM_AGENT)) as { Statement: object[] }).Statement, foreignStatements);
  });

  it('leaves an existing equivalent grant alone even when written differently', async () => {
    await stack.seedStaging(allowlistPolicy([PLATFORM_AGENT]));
    const equivalent = {
      Sid: 'PublishImageCrossAccountPull',
      Effect: 'Allow',
      Principal: { AWS: [STAGING_ROLE_ARN, STAGING_ACCOUNT] },
      Action: ['ECR:BatchCheckLayerAvailability', 'ecr:batchgetimage', 'ecr:GetDownloadUrlForLayer'],
    };
    await stack.setRepositoryPolicy(PLATFORM_AGENT, { Version: '2012-10-17', Statement: [...foreignStatements, equivalent] });
    const run = await publish('v1');
    assert.equal(run.exitCode, 0, run.log);
    assert.equal(run.outputs['repository-policy-changed'], 'false');
  });

  it('grants on a repository with no policy yet', async () => {
    await stack.reseed({ repositories: [PLATFORM_AGENT] });
    await stack.seedStaging(allowlistPolicy([PLATFORM_AGENT]));
    const run = await publish('v1', { 'pull-principals': STAGING_ACCOUNT });
    assert.equal(run.exitCode, 0, run.log);
    assert.deepEqual(await stack.storedRepositoryPolicy(PLATFORM_AGENT), {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'PublishImageCrossAccountPull',
          Effect: 'Allow',
          Principal: { AWS: [`arn:aws:iam::${STAGING_ACCOUNT}:root`] },
          Action: [...PULL_ACTIONS].sort(),
        },
      ],
    });
  });
});
