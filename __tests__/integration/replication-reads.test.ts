// The replication facts as the adapters read them from moto (stack/moto-server.py serves creation
// templates and replication configurations of several rules): rules per account and region, who
// reads them (assumed-role credentials read the role's account), denials, templates with and without
// policies, stored text that is not a policy, and every page of a long template list.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { CreateRepositoryCommand, DescribeRepositoriesCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { readCreationTemplates, readReplication } from '../../src/adapters/aws/replication.js';
import { replicaDestinations, templateFor, type ReplicationRule } from '../../src/domain/replication.js';
import { createKeys, ecrIn, iamIn, type Keys } from '../../stack/aws.js';
import { PROD_ACCOUNT, REGION, STAGING_ACCOUNT, useMoto } from '../../stack/fixture.js';
import { enforceIam, keysAllowedOnly } from '../../stack/organizations.js';
import { createCreationTemplates, deleteCreationTemplate, putReplication } from '../../stack/replication.js';

const PROD = { account: PROD_ACCOUNT, region: REGION };
const PROD_WEST = { account: PROD_ACCOUNT, region: 'us-west-2' };
const STAGING = { account: STAGING_ACCOUNT, region: REGION };
const WHO = 'the test credentials';
const PULL_POLICY = {
  Version: '2012-10-17',
  Statement: [{ Sid: 'StagingPull', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${STAGING_ACCOUNT}:root` }, Action: ['ecr:BatchGetImage'] }],
};

const RULES: ReplicationRule[] = [
  { destinations: [{ region: 'us-west-2', registryId: PROD_ACCOUNT }], filters: [{ filter: 'prod', filterType: 'PREFIX_MATCH' }] },
  {
    destinations: [
      { region: REGION, registryId: STAGING_ACCOUNT },
      { region: 'eu-west-1', registryId: STAGING_ACCOUNT },
    ],
    filters: [],
  },
];

/** An ECR client signed with `keys`, its account chosen by moto from them (no account header). */
function ecrWithKeys(endpoint: string, keys: Keys | { accessKeyId: string; secretAccessKey: string; sessionToken?: string }, region = REGION): ECRClient {
  const credentials = 'AWS_ACCESS_KEY_ID' in keys ? { accessKeyId: keys.AWS_ACCESS_KEY_ID, secretAccessKey: keys.AWS_SECRET_ACCESS_KEY } : keys;
  return new ECRClient({ region, endpoint, credentials });
}

/** Counts the calls of `command` the client makes and asks for pages of `size`, so that moto really paginates. */
function pagesOf(client: ECRClient, command: string, size: number): { client: ECRClient; calls: () => number } {
  let calls = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === command) {
        calls += 1;
        (args.input as Record<string, unknown>).maxResults = size;
      }
      return next(args);
    },
    { step: 'initialize', name: `pages${command}` },
  );
  return { client, calls: () => calls };
}

const stack = useMoto({ bare: true });

describe('readReplication (ecr:DescribeRegistry against moto)', () => {
  afterEach(() => enforceIam(stack.endpoint, false));

  it('a registry with no replication configuration: read, no rules', async () => {
    assert.deepEqual(await readReplication(ecrIn(stack.endpoint, PROD_ACCOUNT), WHO), { status: 'read', registryId: PROD_ACCOUNT, rules: [] });
  });

  it('several rules, filtered and not, across regions and accounts: read as stored, in order', async () => {
    await putReplication(stack.endpoint, PROD, RULES);
    const read = await readReplication(ecrIn(stack.endpoint, PROD_ACCOUNT), WHO);
    assert.deepEqual(read, { status: 'read', registryId: PROD_ACCOUNT, rules: RULES });
    assert.deepEqual(replicaDestinations(RULES, { region: REGION, registryId: PROD_ACCOUNT }, 'prod/app'), [
      { region: 'us-west-2', registryId: PROD_ACCOUNT },
      { region: REGION, registryId: STAGING_ACCOUNT },
      { region: 'eu-west-1', registryId: STAGING_ACCOUNT },
    ]);
  });

  it('a configuration is per region: another region of the account has its own (none)', async () => {
    await putReplication(stack.endpoint, PROD, RULES);
    assert.deepEqual(await readReplication(ecrIn(stack.endpoint, PROD_ACCOUNT, 'us-west-2'), WHO), { status: 'read', registryId: PROD_ACCOUNT, rules: [] });
  });

  it('a configuration is per account: staging in the same region has its own (none)', async () => {
    await putReplication(stack.endpoint, PROD, RULES);
    assert.deepEqual(await readReplication(ecrIn(stack.endpoint, STAGING_ACCOUNT), WHO), { status: 'read', registryId: STAGING_ACCOUNT, rules: [] });
  });

  it("keys read their own account's registry, and assumed-role credentials the role's account", async () => {
    await putReplication(stack.endpoint, PROD, RULES.slice(0, 1));
    const stagingRules: ReplicationRule[] = [{ destinations: [{ region: 'eu-west-1', registryId: STAGING_ACCOUNT }], filters: [] }];
    await putReplication(stack.endpoint, STAGING, stagingRules);
    const prodKeys = await createKeys(stack.endpoint, PROD_ACCOUNT, 'publisher');
    assert.deepEqual(await readReplication(ecrWithKeys(stack.endpoint, prodKeys), WHO), { status: 'read', registryId: PROD_ACCOUNT, rules: RULES.slice(0, 1) });

    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }] };
    const { Role } = await iamIn(stack.endpoint, STAGING_ACCOUNT).send(
      new CreateRoleCommand({ RoleName: 'reader', AssumeRolePolicyDocument: JSON.stringify(trust) }),
    );
    const sts = new STSClient({
      region: REGION,
      endpoint: stack.endpoint,
      credentials: { accessKeyId: prodKeys.AWS_ACCESS_KEY_ID, secretAccessKey: prodKeys.AWS_SECRET_ACCESS_KEY },
    });
    const { Credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: Role!.Arn!, RoleSessionName: 'replication' }));
    const session = { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! };
    assert.deepEqual(await readReplication(ecrWithKeys(stack.endpoint, session), WHO), { status: 'read', registryId: STAGING_ACCOUNT, rules: stagingRules });
  });

  it("credentials of another account read that account's registry: unread for the registry meant", async () => {
    await putReplication(stack.endpoint, STAGING, [{ destinations: [{ region: 'eu-west-1', registryId: STAGING_ACCOUNT }], filters: [] }]);
    const read = await readReplication(ecrIn(stack.endpoint, STAGING_ACCOUNT), 'the staging keys', PROD_ACCOUNT);
    assert.equal(read.status, 'unread');
    assert.match(
      read.status === 'unread' ? read.reason : '',
      new RegExp(`^the staging keys read the replication configuration of registry ${STAGING_ACCOUNT}, not of ${PROD_ACCOUNT}`),
    );
    const templates = await readCreationTemplates(ecrIn(stack.endpoint, STAGING_ACCOUNT), 'the staging keys', PROD_ACCOUNT);
    assert.equal(templates.status, 'unread');
  });

  it('denied: unread, naming ecr:DescribeRegistry and who, never "no rules"', async () => {
    await putReplication(stack.endpoint, PROD, RULES);
    const nobody = await keysAllowedOnly(stack.endpoint, PROD_ACCOUNT, 'nobody', []);
    await enforceIam(stack.endpoint, true);
    const read = await readReplication(ecrWithKeys(stack.endpoint, nobody), 'role/reader in 153263036946');
    assert.equal(read.status, 'unread');
    assert.match(read.status === 'unread' ? read.reason : '', /^ecr:DescribeRegistry was denied for role\/reader in 153263036946 \((AccessDenied|HTTP 403)/);
  });

  it('allowed only ecr:DescribeRegistry: read', async () => {
    await putReplication(stack.endpoint, PROD, RULES);
    const reader = await keysAllowedOnly(stack.endpoint, PROD_ACCOUNT, 'reader', ['ecr:DescribeRegistry']);
    await enforceIam(stack.endpoint, true);
    assert.deepEqual(await readReplication(ecrWithKeys(stack.endpoint, reader), WHO), { status: 'read', registryId: PROD_ACCOUNT, rules: RULES });
  });

  it('the source registry as a destination is refused when written (so never read back)', async () => {
    await assert.rejects(
      putReplication(stack.endpoint, PROD, [{ destinations: [{ region: REGION, registryId: PROD_ACCOUNT }], filters: [] }]),
      /cannot be the same as the source registry/,
    );
  });

  it('moto copies no image on push: a replica repository is never created by the stand-in', async () => {
    await putReplication(stack.endpoint, PROD, RULES.slice(0, 1));
    const ecr = ecrIn(stack.endpoint, PROD_ACCOUNT);
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'prod/app' }));
    const manifest = { schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json', config: {}, layers: [] };
    await ecr.send(new PutImageCommand({ repositoryName: 'prod/app', imageManifest: JSON.stringify(manifest), imageTag: 'v1' }));
    await assert.rejects(ecrIn(stack.endpoint, PROD_ACCOUNT, 'us-west-2').send(new DescribeRepositoriesCommand({ repositoryNames: ['prod/app'] })), {
      name: 'RepositoryNotFoundException',
    });
  });
});

describe('readCreationTemplates (ecr:DescribeRepositoryCreationTemplates against moto)', () => {
  afterEach(() => enforceIam(stack.endpoint, false));

  it('no templates: read, none', async () => {
    assert.deepEqual(await readCreationTemplates(ecrIn(stack.endpoint, PROD_ACCOUNT), WHO), { status: 'read', registryId: PROD_ACCOUNT, templates: [] });
  });

  it('templates with a policy, without one, and for other uses: read as stored, the policy parsed', async () => {
    await createCreationTemplates(stack.endpoint, PROD_WEST, [
      { prefix: 'ROOT' },
      { prefix: 'prod', repositoryPolicy: PULL_POLICY },
      { prefix: 'prod/team', appliedFor: ['PULL_THROUGH_CACHE', 'REPLICATION'], repositoryPolicy: PULL_POLICY },
      { prefix: 'cache', appliedFor: ['PULL_THROUGH_CACHE'] },
    ]);
    const read = await readCreationTemplates(ecrIn(stack.endpoint, PROD_ACCOUNT, 'us-west-2'), WHO);
    assert.equal(read.status, 'read');
    const templates = read.status === 'read' ? read.templates : [];
    assert.deepEqual(
      templates.map((t) => [t.prefix, t.appliedFor, t.repositoryPolicy.status]),
      [
        ['ROOT', ['REPLICATION'], 'none'],
        ['prod', ['REPLICATION'], 'read'],
        ['prod/team', ['PULL_THROUGH_CACHE', 'REPLICATION'], 'read'],
        ['cache', ['PULL_THROUGH_CACHE'], 'none'],
      ],
    );
    assert.deepEqual(templates[1].repositoryPolicy, { status: 'read', value: PULL_POLICY });
    assert.equal(templateFor(templates, 'prod/team/app', 'REPLICATION')?.prefix, 'prod/team');
    assert.equal(templateFor(templates, 'dev/app', 'REPLICATION')?.prefix, 'ROOT');
  });

  it('templates are per account and region', async () => {
    await createCreationTemplates(stack.endpoint, PROD_WEST, [{ prefix: 'prod' }]);
    assert.deepEqual(await readCreationTemplates(ecrIn(stack.endpoint, PROD_ACCOUNT), WHO), { status: 'read', registryId: PROD_ACCOUNT, templates: [] });
    assert.deepEqual(await readCreationTemplates(ecrIn(stack.endpoint, STAGING_ACCOUNT, 'us-west-2'), WHO), {
      status: 'read',
      registryId: STAGING_ACCOUNT,
      templates: [],
    });
  });

  it('a deleted template is gone', async () => {
    await createCreationTemplates(stack.endpoint, PROD, [{ prefix: 'prod' }, { prefix: 'dev' }]);
    await deleteCreationTemplate(stack.endpoint, PROD, 'prod');
    const read = await readCreationTemplates(ecrIn(stack.endpoint, PROD_ACCOUNT), WHO);
    assert.deepEqual(read.status === 'read' ? read.templates.map((t) => t.prefix) : read, ['dev']);
  });

  it("stored text that is not a policy: that template's policy is unread, saying which template, the rest read", async () => {
    await createCreationTemplates(stack.endpoint, PROD, [
      { prefix: 'prod', repositoryPolicy: '{"Statement": [{"Effect": "Maybe"}]}\n::error::injected' },
      { prefix: 'dev', repositoryPolicy: 'not json' },
      { prefix: 'ok', repositoryPolicy: PULL_POLICY },
    ]);
    const read = await readCreationTemplates(ecrIn(stack.endpoint, PROD_ACCOUNT), WHO);
    assert.equal(read.status, 'read');
    const [prod, dev, ok] = read.status === 'read' ? read.templates : [];
    assert.equal(prod.repositoryPolicy.status, 'unread');
    assert.match(prod.repositoryPolicy.status === 'unread' ? prod.repositoryPolicy.reason : '', /creation template "prod" in registry \d{12}/);
    assert.equal(dev.repositoryPolicy.status, 'unread');
    assert.match(dev.repositoryPolicy.status === 'unread' ? dev.repositoryPolicy.reason : '', /creation template "dev".* is not valid JSON/);
    for (const template of [prod, dev]) assert.doesNotMatch(JSON.stringify(template), /\\n::error::/);
    assert.equal(ok.repositoryPolicy.status, 'read');
  });

  it('every page: 23 templates in pages of 5 take 5 calls, all read in order', async () => {
    const prefixes = Array.from({ length: 23 }, (_, index) => `team${String(index).padStart(2, '0')}`);
    await createCreationTemplates(
      stack.endpoint,
      PROD,
      prefixes.map((prefix) => ({ prefix })),
    );
    const { client, calls } = pagesOf(ecrIn(stack.endpoint, PROD_ACCOUNT), 'DescribeRepositoryCreationTemplatesCommand', 5);
    const read = await readCreationTemplates(client, WHO);
    assert.deepEqual(read.status === 'read' ? read.templates.map((t) => t.prefix) : read, prefixes);
    assert.equal(calls(), 5);
  });

  it('denied: unread, naming ecr:DescribeRepositoryCreationTemplates and who', async () => {
    await createCreationTemplates(stack.endpoint, PROD, [{ prefix: 'prod', repositoryPolicy: PULL_POLICY }]);
    const nobody = await keysAllowedOnly(stack.endpoint, PROD_ACCOUNT, 'nobody', ['ecr:DescribeRegistry']);
    await enforceIam(stack.endpoint, true);
    const read = await readCreationTemplates(ecrWithKeys(stack.endpoint, nobody), WHO);
    assert.equal(read.status, 'unread');
    assert.match(
      read.status === 'unread' ? read.reason : '',
      /^ecr:DescribeRepositoryCreationTemplates was denied for the test credentials \((AccessDenied|HTTP 403)/,
    );
  });
});
