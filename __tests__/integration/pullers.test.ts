// Several pullers, regions and replicas in one run, through the real dist/index.js against moto: one
// verdict per (puller, region, repository), each read shared. Replication copies images, not
// repository policies ("Private image replication in Amazon ECR": a replica gets its destination's
// repository creation template, or no policy), so every replica is judged as a repository of its own.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CreateRepositoryCommand, DeleteRepositoryPolicyCommand, PutRegistryPolicyCommand } from '@aws-sdk/client-ecr';
import { CreateRoleCommand, PutRolePolicyCommand, GetRolePolicyCommand } from '@aws-sdk/client-iam';
import { ecrIn, iamIn } from '../../stack/aws.js';
import {
  ALLOWLIST_POLICY,
  GRANTED,
  PLATFORM_AGENT as AGENT,
  PROD_ACCOUNT,
  PULL_ACTIONS,
  READER_ROLE_ARN,
  STAGING_ACCOUNT,
  STAGING_ROLE_ARN,
  errorLines,
  reportOf,
  runAction,
  template,
  useMoto,
  writeManifest,
} from '../../stack/fixture.js';
import { createCreationTemplates, putReplication } from '../../stack/replication.js';

const CODEX = template('codex');
const HERMES = template('hermes');
const REPOSITORIES = [AGENT, CODEX, HERMES];
const WEST = 'us-west-2';
const DEV_ACCOUNT = '111122223333';
const DR_ACCOUNT = '222233334444';
const QA_ROLE_ARN = `arn:aws:iam::${STAGING_ACCOUNT}:role/qa-puller`;
const DEV_ROLE_ARN = `arn:aws:iam::${DEV_ACCOUNT}:role/dev-puller`;
const DEV_READER_ARN = `arn:aws:iam::${DEV_ACCOUNT}:role/PublishImageReader`;
const DR_READER_ARN = `arn:aws:iam::${DR_ACCOUNT}:role/PublishImageReplicaReader`;

const arnIn = (region: string, account: string, repository: string): string => `arn:aws:ecr:${region}:${account}:repository/${repository}`;
const trustAnyone = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }] });

/** An allowlist naming these repository ARNs (and the login). */
function allowlist(arns: string[]): object {
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'EcrLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
      { Sid: 'PullWorkspaceTemplates', Effect: 'Allow', Action: PULL_ACTIONS, Resource: arns },
    ],
  };
}

async function createRole(account: string, roleArn: string, policy?: object): Promise<void> {
  const iam = iamIn(stack.endpoint, account);
  const roleName = roleArn.slice(roleArn.lastIndexOf('/') + 1);
  await iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: trustAnyone }));
  if (policy) await iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: ALLOWLIST_POLICY, PolicyDocument: JSON.stringify(policy) }));
}

async function storedPolicy(account: string, roleArn: string): Promise<{ Statement: { Resource: string | string[] }[] }> {
  const { PolicyDocument } = await iamIn(stack.endpoint, account).send(
    new GetRolePolicyCommand({ RoleName: roleArn.slice(roleArn.lastIndexOf('/') + 1), PolicyName: ALLOWLIST_POLICY }),
  );
  const text = PolicyDocument ?? '';
  return JSON.parse(text.startsWith('{') ? text : decodeURIComponent(text));
}

async function createReplica(region: string, account: string, repository: string, policy?: object): Promise<void> {
  const ecr = ecrIn(stack.endpoint, account, region);
  await ecr.send(new CreateRepositoryCommand({ repositoryName: repository }));
  if (policy) {
    const { SetRepositoryPolicyCommand } = await import('@aws-sdk/client-ecr');
    await ecr.send(new SetRepositoryPolicyCommand({ repositoryName: repository, policyText: JSON.stringify(policy) }));
  }
}

/** The staging, QA (same account) and dev (another account) pullers, as a YAML `pullers` input. */
function pullersYaml(extra: { staging?: string; qa?: string; dev?: string } = {}): string {
  return [
    `- name: staging`,
    `  role-arn: ${STAGING_ROLE_ARN}`,
    `  policy-name: ${ALLOWLIST_POLICY}`,
    `  assume-role-arn: ${READER_ROLE_ARN}`,
    ...(extra.staging ? [extra.staging] : []),
    `- name: qa`,
    `  role-arn: ${QA_ROLE_ARN}`,
    `  policy-name: ${ALLOWLIST_POLICY}`,
    `  assume-role-arn: ${READER_ROLE_ARN}`,
    ...(extra.qa ? [extra.qa] : []),
    `- name: dev`,
    `  role-arn: ${DEV_ROLE_ARN}`,
    `  policy-name: ${ALLOWLIST_POLICY}`,
    `  assume-role-arn: ${DEV_READER_ARN}`,
    ...(extra.dev ? [extra.dev] : []),
  ].join('\n');
}

/** Grants every puller's account on every repository, and gives each puller an allowlist (QA's lacks HERMES unless told). */
async function seedThreePullers(options: { qaComplete?: boolean } = {}): Promise<void> {
  const grant = {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'CrossAccountPull',
        Effect: 'Allow',
        Principal: { AWS: [`arn:aws:iam::${STAGING_ACCOUNT}:root`, `arn:aws:iam::${DEV_ACCOUNT}:root`] },
        Action: PULL_ACTIONS,
      },
    ],
  };
  for (const repository of REPOSITORIES) await stack.setRepositoryPolicy(repository, grant);
  const home = REPOSITORIES.map((repository) => arnIn('us-east-2', PROD_ACCOUNT, repository));
  await stack.seedStaging(allowlist(home));
  await createRole(STAGING_ACCOUNT, QA_ROLE_ARN, allowlist(options.qaComplete ? home : home.filter((arn) => !arn.endsWith(HERMES))));
  await createRole(DEV_ACCOUNT, DEV_ROLE_ARN, allowlist(home));
  await createRole(DEV_ACCOUNT, DEV_READER_ARN);
}

/** Staging, pulling the platform agent in us-west-2 only (its replica there). */
const westAgentPuller = [
  `- role-arn: ${STAGING_ROLE_ARN}`,
  `  assume-role-arn: ${READER_ROLE_ARN}`,
  `  regions: [${WEST}]`,
  `  repositories: [molecule-ai/molecule-platform-agent]`,
].join('\n');

type Cell = {
  puller: string;
  region: string;
  registryId: string;
  repository: string;
  grant: string;
  identity: string;
  verdict: string;
  replica?: { created: boolean; template?: string };
};
type Report = {
  matrix: Cell[];
  missing: string[];
  findings: { subject: string; message: string }[];
  policyChanges: { target: string; written: boolean }[];
  plan?: { text: string[] };
};

const stack = useMoto({ repositories: REPOSITORIES });

function run(inputs: Record<string, string>) {
  const manifest = writeManifest([]);
  return runAction({ mode: 'verify', 'registry-id': PROD_ACCOUNT, manifest, 'extra-repositories': REPOSITORIES.join(','), ...inputs }, stack.env, {
    timeoutMs: 90_000,
  });
}

describe('several pullers, regions and replicas (moto, through dist/index.js)', () => {
  it('three pullers in two accounts, one drifted allowlist: one row per (puller, repository), the drift named with its puller', async () => {
    await seedThreePullers();
    const result = await run({ pullers: pullersYaml() });
    assert.equal(result.exitCode, 1, result.log);
    assert.equal(result.outputs.drift, 'true');
    assert.deepEqual(JSON.parse(result.outputs.missing), [HERMES]);
    const matrix = JSON.parse(result.outputs.matrix) as Cell[];
    assert.equal(matrix.length, 9);
    assert.deepEqual(
      matrix.filter((cell) => cell.verdict === 'drift').map((cell) => [cell.puller, cell.repository, cell.identity]),
      [['qa', HERMES, 'missing']],
    );
    const report = reportOf<Report>(result);
    const finding = report.findings.find((item) => item.subject.startsWith(HERMES));
    assert.ok(finding, result.log);
    assert.match(finding.subject, /\(qa\)/);
    assert.match(finding.message, /role qa-puller \(account 004947743811\) may not ecr:BatchGetImage/);
    // The log's table names each puller once, on the first row of its group.
    assert.match(result.log, /puller\s+region\s+repository\s+grant\s+identity/);
  });

  it('reconcile repairs two pullers’ allowlists at once, each in its own account', async () => {
    await seedThreePullers();
    await stack.putAllowlist(allowlist([arnIn('us-east-2', PROD_ACCOUNT, AGENT)]));
    const result = await run({ mode: 'reconcile', pullers: pullersYaml() });
    assert.equal(result.exitCode, 0, result.log);
    assert.equal(result.outputs.drift, 'false');
    const written = reportOf<Report>(result)
      .policyChanges.filter((change) => change.written)
      .map((change) => change.target);
    assert.deepEqual(written.sort(), [`role:MoleculeTenantEICRole-staging/${ALLOWLIST_POLICY}`, `role:qa-puller/${ALLOWLIST_POLICY}`]);
    const qa = (await storedPolicy(STAGING_ACCOUNT, QA_ROLE_ARN)).Statement.flatMap((statement) => [statement.Resource].flat());
    assert.ok(qa.includes(arnIn('us-east-2', PROD_ACCOUNT, HERMES)), JSON.stringify(qa));
    const staging = (await stack.storedAllowlist()) as { Statement: { Resource: string | string[] }[] };
    for (const repository of REPOSITORIES)
      assert.ok(staging.Statement.flatMap((statement) => [statement.Resource].flat()).includes(arnIn('us-east-2', PROD_ACCOUNT, repository)));
  });

  it('a puller limited to some repositories is judged only on those; its other allowlist entries are its extras', async () => {
    await seedThreePullers({ qaComplete: true });
    const result = await run({ pullers: pullersYaml({ qa: '  repositories: [molecule-ai/molecule-platform-agent, "*-codex"]' }), 'on-extra': 'fail' });
    const matrix = JSON.parse(result.outputs.matrix) as Cell[];
    assert.deepEqual(
      matrix.filter((cell) => cell.puller === 'qa').map((cell) => cell.repository),
      [AGENT, CODEX],
    );
    assert.equal(matrix.length, 8);
    assert.deepEqual(JSON.parse(result.outputs.extra), [HERMES]);
    assert.equal(result.exitCode, 1, result.log);
    assert.ok(reportOf<Report>(result).findings.some((finding) => finding.message.startsWith('the allowlist of qa names 1 repository')));
  });

  it('a replica region whose replica lacks the grant: drift on that cell only, with the fix for the replica', async () => {
    await seedThreePullers({ qaComplete: true });
    await putReplication(stack.endpoint, { account: PROD_ACCOUNT, region: 'us-east-2' }, [
      { destinations: [{ region: WEST, registryId: PROD_ACCOUNT }], filters: [] },
    ]);
    await createReplica(WEST, PROD_ACCOUNT, AGENT);
    const staging = [...REPOSITORIES.map((repository) => arnIn('us-east-2', PROD_ACCOUNT, repository)), arnIn(WEST, PROD_ACCOUNT, AGENT)];
    await stack.putAllowlist(allowlist(staging));
    const result = await run({
      pullers: [
        `- name: staging`,
        `  role-arn: ${STAGING_ROLE_ARN}`,
        `  assume-role-arn: ${READER_ROLE_ARN}`,
        `  regions: us-east-2, ${WEST}`,
        `  repositories: [molecule-ai/molecule-platform-agent]`,
      ].join('\n'),
    });
    assert.equal(result.exitCode, 1, result.log);
    const matrix = JSON.parse(result.outputs.matrix) as Cell[];
    assert.deepEqual(
      matrix.map((cell) => [cell.region, cell.grant, cell.identity, cell.verdict]),
      [
        ['us-east-2', 'allowed', 'allowed', 'ok'],
        [WEST, 'missing', 'allowed', 'drift'],
      ],
    );
    const finding = reportOf<Report>(result).findings.find((item) => item.subject.includes(WEST));
    assert.match(finding?.message ?? '', new RegExp(`the repository policy does not let ${STAGING_ROLE_ARN} ecr:BatchGetImage`));
  });

  it('a replica not yet created: judged by the creation template it will get (granting: ok; none: drift naming the template to add)', async () => {
    await seedThreePullers({ qaComplete: true });
    await putReplication(stack.endpoint, { account: PROD_ACCOUNT, region: 'us-east-2' }, [
      { destinations: [{ region: WEST, registryId: PROD_ACCOUNT }], filters: [{ filter: 'molecule-ai/', filterType: 'PREFIX_MATCH' }] },
    ]);
    await stack.putAllowlist(allowlist([arnIn('us-east-2', PROD_ACCOUNT, AGENT), arnIn(WEST, PROD_ACCOUNT, AGENT)]));
    const pullers = westAgentPuller;

    const none = await run({ pullers });
    assert.equal(none.exitCode, 1, none.log);
    const [cell] = JSON.parse(none.outputs.matrix) as Cell[];
    assert.deepEqual([cell.region, cell.grant, cell.verdict, cell.replica], [WEST, 'missing', 'drift', { created: false }]);
    assert.match(
      reportOf<Report>(none).findings[0].message,
      /does not exist yet; ECR will create it with no repository policy \(no creation template for REPLICATION matches it\)/,
    );

    await createCreationTemplates(stack.endpoint, { account: PROD_ACCOUNT, region: WEST }, [{ prefix: 'molecule-ai', repositoryPolicy: GRANTED }]);
    const granting = await run({ pullers });
    assert.equal(granting.exitCode, 0, granting.log);
    const [judged] = JSON.parse(granting.outputs.matrix) as Cell[];
    assert.deepEqual([judged.grant, judged.verdict, judged.replica], ['allowed', 'ok', { created: false, template: 'molecule-ai' }]);
  });

  it('a region with no replication rule: "not replicated", and the gate fails saying which rule to add', async () => {
    await seedThreePullers({ qaComplete: true });
    const result = await run({
      pullers: westAgentPuller,
    });
    assert.equal(result.exitCode, 1, result.log);
    const [cell] = JSON.parse(result.outputs.matrix) as Cell[];
    assert.deepEqual([cell.region, cell.grant, cell.verdict], [WEST, 'not-replicated', 'drift']);
    assert.match(reportOf<Report>(result).findings[0].message, /no replication rule of registry 153263036946 \(us-east-2\) copies .* to us-west-2/);
  });

  it('a destination in another account: "not checked" without its reader role (the gate fails), judged with it', async () => {
    await seedThreePullers({ qaComplete: true });
    await putReplication(stack.endpoint, { account: PROD_ACCOUNT, region: 'us-east-2' }, [
      { destinations: [{ region: WEST, registryId: DR_ACCOUNT }], filters: [] },
    ]);
    await createReplica(WEST, DR_ACCOUNT, AGENT, {
      Version: '2012-10-17',
      Statement: [{ Sid: 'StagingPull', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${STAGING_ACCOUNT}:root` }, Action: PULL_ACTIONS }],
    });
    // ECR replicates into another account only with its registry policy's leave (issue 24, item 2).
    await ecrIn(stack.endpoint, DR_ACCOUNT, WEST).send(
      new PutRegistryPolicyCommand({
        policyText: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${PROD_ACCOUNT}:root` }, Action: 'ecr:ReplicateImage', Resource: '*' }],
        }),
      }),
    );
    await createRole(DR_ACCOUNT, DR_READER_ARN);
    await stack.putAllowlist(allowlist([arnIn(WEST, DR_ACCOUNT, AGENT)]));
    const pullers = westAgentPuller;

    const unread = await run({ pullers });
    assert.equal(unread.exitCode, 1, unread.log);
    const [cell] = JSON.parse(unread.outputs.matrix) as Cell[];
    assert.deepEqual([cell.registryId, cell.grant, cell.verdict], [DR_ACCOUNT, 'not-checked', 'drift']);
    assert.match(reportOf<Report>(unread).findings[0].message, /give a role in account 222233334444 in replica-assume-role-arns/);

    const read = await run({ pullers, 'replica-assume-role-arns': DR_READER_ARN });
    assert.equal(read.exitCode, 0, read.log);
    const [judged] = JSON.parse(read.outputs.matrix) as Cell[];
    assert.deepEqual([judged.registryId, judged.grant, judged.identity, judged.verdict], [DR_ACCOUNT, 'allowed', 'allowed', 'ok']);
  });

  it('with pullers and no pull-principals, reconcile grants each repository to the pullers that must pull it, and no other role', async () => {
    await seedThreePullers({ qaComplete: true });
    for (const repository of REPOSITORIES) await ecrIn(stack.endpoint, PROD_ACCOUNT).send(new DeleteRepositoryPolicyCommand({ repositoryName: repository }));
    const result = await run({ mode: 'reconcile', pullers: pullersYaml({ dev: '  repositories: [molecule-ai/molecule-platform-agent]' }) });
    assert.equal(result.exitCode, 0, result.log);
    const principals = async (repository: string) =>
      ((await stack.storedRepositoryPolicy(repository)) as { Statement: { Sid: string; Principal: { AWS: string[] } }[] }).Statement.find(
        (statement) => statement.Sid === 'PublishImageCrossAccountPull',
      )?.Principal.AWS;
    assert.deepEqual(await principals(AGENT), [DEV_ROLE_ARN, STAGING_ROLE_ARN, QA_ROLE_ARN].sort());
    assert.deepEqual(await principals(CODEX), [STAGING_ROLE_ARN, QA_ROLE_ARN].sort());
  });

  it('a replica of a repository the registry does not hold: "no repository" in that region too, never a pass on a template', async () => {
    await seedThreePullers({ qaComplete: true });
    await putReplication(stack.endpoint, { account: PROD_ACCOUNT, region: 'us-east-2' }, [
      { destinations: [{ region: WEST, registryId: PROD_ACCOUNT }], filters: [] },
    ]);
    await createCreationTemplates(stack.endpoint, { account: PROD_ACCOUNT, region: WEST }, [{ prefix: 'ROOT', repositoryPolicy: GRANTED }]);
    const result = await run({
      'extra-repositories': 'molecule-ai/not-published',
      pullers: [`- role-arn: ${STAGING_ROLE_ARN}`, `  assume-role-arn: ${READER_ROLE_ARN}`, `  regions: [${WEST}]`].join('\n'),
    });
    assert.equal(result.exitCode, 1, result.log);
    const [cell] = JSON.parse(result.outputs.matrix) as Cell[];
    assert.deepEqual([cell.repository, cell.region, cell.grant, cell.verdict], ['molecule-ai/not-published', WEST, 'no repository', 'drift']);
  });

  it('the login is judged in each region a puller pulls in (a policy may allow it in one region only)', async () => {
    await seedThreePullers({ qaComplete: true });
    await putReplication(stack.endpoint, { account: PROD_ACCOUNT, region: 'us-east-2' }, [
      { destinations: [{ region: WEST, registryId: PROD_ACCOUNT }], filters: [] },
    ]);
    await createReplica(WEST, PROD_ACCOUNT, AGENT, GRANTED);
    const arns = [arnIn('us-east-2', PROD_ACCOUNT, AGENT), arnIn(WEST, PROD_ACCOUNT, AGENT)];
    await stack.putAllowlist({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'LoginEastOnly',
          Effect: 'Allow',
          Action: 'ecr:GetAuthorizationToken',
          Resource: '*',
          Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-2' } },
        },
        { Sid: 'Pull', Effect: 'Allow', Action: PULL_ACTIONS, Resource: arns },
      ],
    });
    const result = await run({
      pullers: [
        `- role-arn: ${STAGING_ROLE_ARN}`,
        `  assume-role-arn: ${READER_ROLE_ARN}`,
        `  regions: [us-east-2, ${WEST}]`,
        `  repositories: [molecule-ai/molecule-platform-agent]`,
      ].join('\n'),
    });
    assert.equal(result.exitCode, 1, result.log);
    assert.deepEqual(
      (JSON.parse(result.outputs.matrix) as Cell[]).map((cell) => [cell.region, cell.verdict]),
      [
        ['us-east-2', 'ok'],
        [WEST, 'drift'],
      ],
    );
    const login = reportOf<Report>(result).findings.find((finding) => finding.subject === `role MoleculeTenantEICRole-staging in ${WEST}`);
    assert.match(login?.message ?? '', /may not call ecr:GetAuthorizationToken/);
  });

  it('refuses a repositories pattern that matches no expected repository (a typo would take the puller out of the gate)', async () => {
    const result = await run({ pullers: pullersYaml({ qa: '  repositories: [molecule-ai/workspace-tempalte-*]' }) });
    assert.equal(result.exitCode, 1);
    assert.match(
      errorLines(result.log).join('\n'),
      /pullers \(qa\)\.repositories: "molecule-ai\/workspace-tempalte-\*" matches none of the 3 expected repositories/,
    );
  });

  it('refuses pullers given with the staging-* inputs, and a bad field, naming the puller and the field, before any read', async () => {
    const both = await run({ pullers: pullersYaml(), 'staging-role-arn': STAGING_ROLE_ARN });
    assert.equal(both.exitCode, 1);
    assert.match(errorLines(both.log).join('\n'), /pullers \/ staging-role-arn: both given/);
    const bad = await run({ pullers: `- name: dev\n  role-arn: ${DEV_ROLE_ARN}\n  regions: [us-west-2, mars-1]` });
    assert.equal(bad.exitCode, 1);
    assert.match(errorLines(bad.log).join('\n'), /pullers\[0\] \("dev"\)\.regions: "mars-1" is not an AWS region name/);
    const twice = await run({ pullers: `- role-arn: ${DEV_ROLE_ARN}\n- role-arn: ${DEV_ROLE_ARN}\n  name: other` });
    assert.match(errorLines(twice.log).join('\n'), /pullers\[1\]: the role arn:aws:iam::111122223333:role\/dev-puller is also pullers\[0\]/);
  });
});
