// Issue 24, items 2 and 3, through the real dist/index.js against moto.
//
// Item 3: within one account, an Allow in the identity policies *or* in the repository policy is
// enough (IAM User Guide, "Policy evaluation for requests within a single account"; ECR User Guide,
// "Private repository policies"); an explicit Deny anywhere still denies, and publish/reconcile
// write no grant for a puller in the registry's own account.
//
// Item 2: a replica in another account exists only if that account's registry policy lets the
// source registry ecr:ReplicateImage, and ecr:CreateRepository while the replica does not exist yet
// (ECR User Guide, "Granting registry permissions for cross account replication": "If neither is
// done, replication fails").
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CreateRepositoryCommand, DeleteRepositoryPolicyCommand, PutRegistryPolicyCommand, SetRepositoryPolicyCommand } from '@aws-sdk/client-ecr';
import { CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { ecrIn, iamIn } from '../../stack/aws.js';
import {
  ALLOWLIST_POLICY,
  PLATFORM_AGENT as AGENT,
  PROD_ACCOUNT,
  PULL_ACTIONS,
  READER_ROLE_ARN,
  STAGING_ACCOUNT,
  STAGING_ROLE_ARN,
  reportOf,
  runAction,
  useMoto,
  writeManifest,
} from '../../stack/fixture.js';
import { createCreationTemplates, putReplication } from '../../stack/replication.js';
import { enforceIam, keysAllowedOnly } from '../../stack/organizations.js';
import { readRegistryPolicy } from '../../src/adapters/aws/registry-policy.js';
import { ECRClient } from '@aws-sdk/client-ecr';

const EAST = 'us-east-2';
const WEST = 'us-west-2';
const DR_ACCOUNT = '222233334444';
const OTHER_SOURCE = '111122223333';
const PROD_ROLE_ARN = `arn:aws:iam::${PROD_ACCOUNT}:role/prod-puller`;
const DR_ROLE_ARN = `arn:aws:iam::${DR_ACCOUNT}:role/dr-puller`;
const DR_READER_ARN = `arn:aws:iam::${DR_ACCOUNT}:role/PublishImageReplicaReader`;
const OWN_SID = 'PublishImageCrossAccountPull';

const arnIn = (region: string, account: string, repository: string): string => `arn:aws:ecr:${region}:${account}:repository/${repository}`;
const trustAnyone = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }] });
const LOGIN = { Sid: 'EcrLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' };

/** An allowlist naming these repository ARNs (none: the login only). */
function allowlist(arns: string[]): object {
  return {
    Version: '2012-10-17',
    Statement: [LOGIN, ...(arns.length > 0 ? [{ Sid: 'PullWorkspaceTemplates', Effect: 'Allow', Action: PULL_ACTIONS, Resource: arns }] : [])],
  };
}

async function createRole(account: string, roleArn: string, policy?: object): Promise<void> {
  const iam = iamIn(stack.endpoint, account);
  const roleName = roleArn.slice(roleArn.lastIndexOf('/') + 1);
  await iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: trustAnyone }));
  if (policy) await iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: ALLOWLIST_POLICY, PolicyDocument: JSON.stringify(policy) }));
}

const pullGrant = (principal: string, effect: 'Allow' | 'Deny' = 'Allow', sid = 'Pull') => ({
  Version: '2012-10-17',
  Statement: [{ Sid: sid, Effect: effect, Principal: { AWS: principal }, Action: PULL_ACTIONS }],
});

type Cell = {
  puller: string;
  region: string;
  registryId: string;
  repository: string;
  grant: string;
  identity: string;
  verdict: string;
  replica?: { created: boolean; template?: string; replication?: string };
};
type Report = { findings: { subject: string; message: string }[]; policyChanges: { target: string; written: boolean; after: unknown }[] };

const stack = useMoto({ repositories: [AGENT] });

function run(inputs: Record<string, string>) {
  return runAction({ mode: 'verify', 'registry-id': PROD_ACCOUNT, manifest: writeManifest([]), 'extra-repositories': AGENT, ...inputs }, stack.env, {
    timeoutMs: 90_000,
  });
}

/** The prod puller: a role in the registry's own account, read with the run's own (prod) credentials. */
const prodPuller = [`- name: prod`, `  role-arn: ${PROD_ROLE_ARN}`, `  policy-name: ${ALLOWLIST_POLICY}`].join('\n');
const stagingPuller = [
  `- name: staging`,
  `  role-arn: ${STAGING_ROLE_ARN}`,
  `  policy-name: ${ALLOWLIST_POLICY}`,
  `  assume-role-arn: ${READER_ROLE_ARN}`,
].join('\n');
const matrixOf = (result: { outputs: Record<string, string> }): Cell[] => JSON.parse(result.outputs.matrix) as Cell[];
const side = (cell: Cell): string[] => [cell.puller, cell.grant, cell.identity, cell.verdict];

describe('same-account pulls need no repository grant (moto, through dist/index.js)', () => {
  const HOME = arnIn(EAST, PROD_ACCOUNT, AGENT);

  it('identity policy allows, no repository policy: ok, the grant "not needed" (before: drift, grant missing)', async () => {
    await createRole(PROD_ACCOUNT, PROD_ROLE_ARN, allowlist([HOME]));
    const result = await run({ pullers: prodPuller });
    assert.equal(result.exitCode, 0, result.log);
    assert.equal(result.outputs.drift, 'false');
    assert.deepEqual(matrixOf(result).map(side), [['prod', 'not-needed', 'allowed', 'ok']]);
    assert.match(result.log, /not needed/);
  });

  it('no identity allow, a repository grant naming the role: ok, the identity side "via grant"', async () => {
    await createRole(PROD_ACCOUNT, PROD_ROLE_ARN, allowlist([]));
    await stack.setRepositoryPolicy(AGENT, pullGrant(PROD_ROLE_ARN));
    const result = await run({ pullers: prodPuller });
    assert.equal(result.exitCode, 0, result.log);
    assert.deepEqual(matrixOf(result).map(side), [['prod', 'allowed', 'via-grant', 'ok']]);
  });

  it('no identity allow and a grant naming only the account root: drift (an account principal delegates to the identity policies)', async () => {
    await createRole(PROD_ACCOUNT, PROD_ROLE_ARN, allowlist([]));
    await stack.setRepositoryPolicy(AGENT, pullGrant(`arn:aws:iam::${PROD_ACCOUNT}:root`));
    const result = await run({ pullers: prodPuller });
    assert.equal(result.exitCode, 1, result.log);
    assert.deepEqual(matrixOf(result).map(side), [['prod', 'allowed', 'missing', 'drift']]);
  });

  it('neither side allows: drift, the fix names the allowlist entry and, as the alternative, the repository statement', async () => {
    await createRole(PROD_ACCOUNT, PROD_ROLE_ARN, allowlist([]));
    const result = await run({ pullers: prodPuller });
    assert.equal(result.exitCode, 1, result.log);
    assert.deepEqual(matrixOf(result).map(side), [['prod', 'not-needed', 'missing', 'drift']]);
    const messages = reportOf<Report>(result).findings.map((finding) => finding.message);
    const finding = messages.find((message) => message.includes('may not ecr:BatchGetImage'));
    assert.ok(finding, messages.join('\n'));
    assert.ok(finding.includes(`Add "${HOME}" to the Resource list of inline policy ${ALLOWLIST_POLICY}`), finding);
    assert.ok(finding.includes(`in the repository's own account ${PROD_ACCOUNT}`), finding);
    assert.ok(finding.includes(JSON.stringify({ Sid: OWN_SID, Effect: 'Allow', Principal: { AWS: PROD_ROLE_ARN }, Action: PULL_ACTIONS })), finding);
  });

  it('a Deny in the repository policy still denies, whatever the identity policy allows', async () => {
    await createRole(PROD_ACCOUNT, PROD_ROLE_ARN, allowlist([HOME]));
    await stack.setRepositoryPolicy(AGENT, pullGrant(PROD_ROLE_ARN, 'Deny', 'NoProdPull'));
    const result = await run({ pullers: prodPuller });
    assert.equal(result.exitCode, 1, result.log);
    assert.deepEqual(matrixOf(result).map(side), [['prod', 'denied', 'allowed', 'drift']]);
    assert.ok(
      reportOf<Report>(result).findings.some((finding) => /statement "NoProdPull" of the repository policy .* denies ecr:BatchGetImage/.test(finding.message)),
    );
  });

  it('cross-account is unchanged: the staging role with an allowlist and no grant is drift (grant missing)', async () => {
    await stack.seedStaging(allowlist([HOME]));
    const result = await run({ pullers: stagingPuller });
    assert.equal(result.exitCode, 1, result.log);
    assert.deepEqual(matrixOf(result).map(side), [['staging', 'missing', 'allowed', 'drift']]);
  });

  it('reconcile grants only the cross-account puller; the same-account one needs none (and passes)', async () => {
    await createRole(PROD_ACCOUNT, PROD_ROLE_ARN, allowlist([HOME]));
    await stack.seedStaging(allowlist([HOME]));
    await ecrIn(stack.endpoint, PROD_ACCOUNT)
      .send(new DeleteRepositoryPolicyCommand({ repositoryName: AGENT }))
      .catch(() => undefined);
    const result = await run({ mode: 'reconcile', pullers: `${prodPuller}\n${stagingPuller}` });
    assert.equal(result.exitCode, 0, result.log);
    assert.equal(result.outputs.drift, 'false');
    const stored = (await stack.storedRepositoryPolicy(AGENT)) as { Statement: { Sid: string; Principal: { AWS: string[] } }[] };
    assert.deepEqual(stored.Statement.find((statement) => statement.Sid === OWN_SID)?.Principal.AWS, [STAGING_ROLE_ARN]);
    assert.deepEqual(matrixOf(result).map(side), [
      ['prod', 'not-needed', 'allowed', 'ok'],
      ['staging', 'allowed', 'allowed', 'ok'],
    ]);
  });

  it('with only a same-account puller, reconcile writes no grant at all', async () => {
    await createRole(PROD_ACCOUNT, PROD_ROLE_ARN, allowlist([HOME]));
    const result = await run({ mode: 'reconcile', pullers: prodPuller });
    assert.equal(result.exitCode, 0, result.log);
    assert.deepEqual(
      reportOf<Report>(result).policyChanges.filter((change) => change.written),
      [],
    );
  });
});

describe('a cross-account replica ECR cannot make (moto, through dist/index.js)', () => {
  const REPLICA = arnIn(WEST, DR_ACCOUNT, AGENT);
  const drPuller = [
    `- name: dr`,
    `  role-arn: ${DR_ROLE_ARN}`,
    `  policy-name: ${ALLOWLIST_POLICY}`,
    `  assume-role-arn: ${DR_READER_ARN}`,
    `  regions: [${WEST}]`,
  ].join('\n');
  const stagingWest = [`- name: staging`, `  role-arn: ${STAGING_ROLE_ARN}`, `  assume-role-arn: ${READER_ROLE_ARN}`, `  regions: [${WEST}]`].join('\n');
  const registryPolicy = (actions: string[], source = PROD_ACCOUNT) => ({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ReplicationAccessCrossAccount',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${source}:root` },
        Action: actions,
        Resource: `arn:aws:ecr:${WEST}:${DR_ACCOUNT}:repository/*`,
      },
    ],
  });

  /** Prod replicates everything to DR in us-west-2; DR's template grants staging; staging's allowlist names the replica. */
  async function seedReplication(): Promise<void> {
    await putReplication(stack.endpoint, { account: PROD_ACCOUNT, region: EAST }, [{ destinations: [{ region: WEST, registryId: DR_ACCOUNT }], filters: [] }]);
    await createCreationTemplates(stack.endpoint, { account: DR_ACCOUNT, region: WEST }, [
      { prefix: 'ROOT', repositoryPolicy: pullGrant(`arn:aws:iam::${STAGING_ACCOUNT}:root`) },
    ]);
    await createRole(DR_ACCOUNT, DR_READER_ARN);
    await stack.seedStaging(allowlist([REPLICA]));
  }
  const putRegistryPolicy = (policy: object) =>
    ecrIn(stack.endpoint, DR_ACCOUNT, WEST).send(new PutRegistryPolicyCommand({ policyText: JSON.stringify(policy) }));
  const replicaCell = (result: { outputs: Record<string, string> }) => {
    const [cell] = matrixOf(result);
    return [cell.registryId, cell.grant, cell.verdict, cell.replica?.created, cell.replica?.replication];
  };
  const findingOf = (result: { outputs: Record<string, string> }): string =>
    reportOf<Report>(result)
      .findings.map((finding) => finding.message)
      .find((message) => message.startsWith(`the registry policy of ${DR_ACCOUNT}`)) ?? '';

  it('no registry policy in the destination: drift naming the destination, ecr:ReplicateImage and the statement to add (before: ok)', async () => {
    await seedReplication();
    const result = await run({ pullers: stagingWest, 'replica-assume-role-arns': DR_READER_ARN });
    assert.equal(result.exitCode, 1, result.log);
    assert.deepEqual(replicaCell(result), [DR_ACCOUNT, 'allowed', 'drift', false, 'missing']);
    const finding = findingOf(result);
    assert.match(finding, new RegExp(`registry policy of ${DR_ACCOUNT} \\(${WEST}\\) does not let registry ${PROD_ACCOUNT} \\(${EAST}\\) ecr:ReplicateImage`));
    assert.ok(finding.includes(JSON.stringify(registryPolicy(['ecr:ReplicateImage', 'ecr:CreateRepository']).Statement[0])), finding);
    assert.match(result.log, /replication missing/);
  });

  it('ReplicateImage only, the replica not created yet: drift naming ecr:CreateRepository', async () => {
    await seedReplication();
    await putRegistryPolicy(registryPolicy(['ecr:ReplicateImage']));
    const result = await run({ pullers: stagingWest, 'replica-assume-role-arns': DR_READER_ARN });
    assert.equal(result.exitCode, 1, result.log);
    assert.deepEqual(replicaCell(result), [DR_ACCOUNT, 'allowed', 'drift', false, 'missing']);
    assert.match(findingOf(result), /does not let registry 153263036946 \(us-east-2\) ecr:CreateRepository/);
  });

  it('a policy that lets another source account replicate: drift', async () => {
    await seedReplication();
    await putRegistryPolicy(registryPolicy(['ecr:ReplicateImage', 'ecr:CreateRepository'], OTHER_SOURCE));
    const result = await run({ pullers: stagingWest, 'replica-assume-role-arns': DR_READER_ARN });
    assert.equal(result.exitCode, 1, result.log);
    assert.deepEqual(replicaCell(result), [DR_ACCOUNT, 'allowed', 'drift', false, 'missing']);
    assert.match(findingOf(result), /ecr:ReplicateImage/);
  });

  it('both permissions for the source account: ok', async () => {
    await seedReplication();
    await putRegistryPolicy(registryPolicy(['ecr:ReplicateImage', 'ecr:CreateRepository']));
    const result = await run({ pullers: stagingWest, 'replica-assume-role-arns': DR_READER_ARN });
    assert.equal(result.exitCode, 0, result.log);
    assert.deepEqual(replicaCell(result), [DR_ACCOUNT, 'allowed', 'ok', false, 'allowed']);
  });

  it('a replica that exists needs only ecr:ReplicateImage: ok', async () => {
    await seedReplication();
    await putRegistryPolicy(registryPolicy(['ecr:ReplicateImage']));
    const ecr = ecrIn(stack.endpoint, DR_ACCOUNT, WEST);
    await ecr.send(new CreateRepositoryCommand({ repositoryName: AGENT }));
    await ecr.send(new SetRepositoryPolicyCommand({ repositoryName: AGENT, policyText: JSON.stringify(pullGrant(`arn:aws:iam::${STAGING_ACCOUNT}:root`)) }));
    const result = await run({ pullers: stagingWest, 'replica-assume-role-arns': DR_READER_ARN });
    assert.equal(result.exitCode, 0, result.log);
    assert.deepEqual(replicaCell(result), [DR_ACCOUNT, 'allowed', 'ok', true, 'allowed']);
  });

  it('a puller in the destination account pulling its own replica: the registry policy still decides the replica; the pull needs no grant', async () => {
    await seedReplication();
    await putRegistryPolicy(registryPolicy(['ecr:ReplicateImage', 'ecr:CreateRepository']));
    await createRole(DR_ACCOUNT, DR_ROLE_ARN, allowlist([REPLICA]));
    const result = await run({ pullers: drPuller, 'replica-assume-role-arns': DR_READER_ARN });
    assert.equal(result.exitCode, 0, result.log);
    const [cell] = matrixOf(result);
    assert.deepEqual([cell.puller, cell.grant, cell.identity, cell.verdict, cell.replica?.replication], ['dr', 'not-needed', 'allowed', 'ok', 'allowed']);
  });
});

describe('an unreadable destination registry policy (readRegistryPolicy against moto with IAM enforced)', () => {
  it("a replica reader denied ecr:GetRegistryPolicy: unread, naming the permission and who (the cell is then conditional); the registry's own read still fails the run", async () => {
    await ecrIn(stack.endpoint, DR_ACCOUNT, WEST).send(
      new PutRegistryPolicyCommand({
        policyText: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${PROD_ACCOUNT}:root` }, Action: 'ecr:ReplicateImage', Resource: '*' }],
        }),
      }),
    );
    const keys = await keysAllowedOnly(stack.endpoint, DR_ACCOUNT, 'replica-reader', ['ecr:DescribeRegistry', 'ecr:GetRepositoryPolicy']);
    const ecr = new ECRClient({
      region: WEST,
      endpoint: stack.endpoint,
      credentials: { accessKeyId: keys.AWS_ACCESS_KEY_ID, secretAccessKey: keys.AWS_SECRET_ACCESS_KEY },
      maxAttempts: 1,
    });
    await enforceIam(stack.endpoint, true);
    try {
      const read = await readRegistryPolicy(ecr, DR_ACCOUNT, 'role/PublishImageReplicaReader');
      assert.deepEqual(read, { status: 'unread', reason: 'ecr:GetRegistryPolicy was denied for role/PublishImageReplicaReader' });
      await assert.rejects(readRegistryPolicy(ecr, DR_ACCOUNT), /ecr:GetRegistryPolicy/);
    } finally {
      await enforceIam(stack.endpoint, false);
    }
  });
});
