// Which registries a repository is replicated to, and which creation template gives a replica its
// policy: pure tables, each row citing the AWS page that says so.
//   [replication]  ECR User Guide, "Private image replication in Amazon ECR"
//   [examples]     ECR User Guide, "Private image replication examples for Amazon ECR"
//   [filter]       ECR API Reference, "RepositoryFilter" ("If no filters are added, the contents of all repositories are replicated")
//   [put]          ECR API Reference, "PutReplicationConfiguration" (the source registry is refused as a destination)
//   [templates]    ECR User Guide, "Templates to control repositories created during a pull through cache or replication action"
//   [prefix]       ECR API Reference, "CreateRepositoryCreationTemplate", prefix ("There is always an assumed / applied to the end of the prefix"; ROOT)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mockClient } from 'aws-sdk-client-mock';
import { DescribeRegistryCommand, DescribeRepositoryCreationTemplatesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { readCreationTemplates, readReplication } from '../../src/adapters/aws/replication.js';
import { UserError } from '../../src/errors.js';
import type { PolicyDocument } from '../../src/domain/policy/document.js';
import { replicaDestinations, templateFor, type CreationTemplate, type Registry, type ReplicationRule } from '../../src/domain/replication.js';

const SOURCE: Registry = { region: 'us-east-2', registryId: '111111111111' };
const WEST = { region: 'us-west-2', registryId: '111111111111' };
const WEST1 = { region: 'us-west-1', registryId: '111111111111' };
const OTHER_ACCOUNT = { region: 'us-east-2', registryId: '222222222222' };
const OTHER_ACCOUNT_WEST = { region: 'us-west-2', registryId: '222222222222' };
const prefix = (filter: string) => ({ filter, filterType: 'PREFIX_MATCH' as const });
const rule = (destinations: Registry[], filters: string[] = []): ReplicationRule => ({ destinations, filters: filters.map(prefix) });

describe('replicaDestinations', () => {
  const cases: [string, ReplicationRule[], string, Registry[]][] = [
    ['[replication] no rules: no replicas', [], 'prod/app', []],
    ['[examples] "cross-Region replication to a single destination Region": no filter replicates every repository', [rule([WEST])], 'anything', [WEST]],
    ['[examples] "using a repository filter": filter prod replicates prod/app', [rule([WEST1], ['prod'])], 'prod/app', [WEST1]],
    ['[filter] PREFIX_MATCH is a prefix of the name, not a namespace: prod covers production', [rule([WEST1], ['prod'])], 'production', [WEST1]],
    ['[examples] a repository the filter does not match is not replicated', [rule([WEST1], ['prod'])], 'dev/app', []],
    ['[filter] the prefix is case-sensitive, as repository names are lower case', [rule([WEST1], ['Prod'])], 'prod/app', []],
    ['[filter] any filter of a rule matching is enough', [rule([WEST1], ['dev', 'prod'])], 'prod/app', [WEST1]],
    ['[examples] "multiple destination Regions": every destination of the rule, in order', [rule([WEST1, WEST])], 'prod/app', [WEST1, WEST]],
    ['[examples] "cross-account replication": another account\'s registry, same region', [rule([OTHER_ACCOUNT])], 'prod/app', [OTHER_ACCOUNT]],
    [
      '[examples] "multiple rules": each rule adds the destinations whose filters match',
      [rule([WEST1], ['prod']), rule([OTHER_ACCOUNT_WEST], ['dev']), rule([WEST])],
      'prod/app',
      [WEST1, WEST],
    ],
    [
      '[replication] the replica keeps the name: a destination two rules name holds one replica',
      [rule([WEST], ['prod']), rule([WEST, OTHER_ACCOUNT])],
      'prod/app',
      [WEST, OTHER_ACCOUNT],
    ],
    ['[put] the source registry is never its own replica (a stored one is skipped)', [rule([SOURCE, WEST])], 'prod/app', [WEST]],
    [
      '[replication] the same account in another region is a replica',
      [rule([{ region: 'eu-west-1', registryId: SOURCE.registryId }])],
      'a',
      [{ region: 'eu-west-1', registryId: SOURCE.registryId }],
    ],
    ['[replication] another account in the source region is a replica', [rule([OTHER_ACCOUNT])], 'a', [OTHER_ACCOUNT]],
  ];
  for (const [name, rules, repository, expected] of cases) it(name, () => assert.deepEqual(replicaDestinations(rules, SOURCE, repository), expected));
});

const POLICY: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'ecr:BatchGetImage' }] };
const template = (templatePrefix: string, appliedFor: string[] = ['REPLICATION']): CreationTemplate => ({
  prefix: templatePrefix,
  appliedFor,
  repositoryPolicy: { status: 'read', value: POLICY },
});

describe('templateFor (REPLICATION)', () => {
  const ROOT = template('ROOT');
  const PROD = template('prod');
  const PROD_TEAM = template('prod/team');
  const CACHE_ONLY = template('prod/team', ['PULL_THROUGH_CACHE']);
  const cases: [string, CreationTemplate[], string, CreationTemplate | undefined][] = [
    ["[templates] no template: none (ECR's defaults: no repository policy)", [], 'prod/app', undefined],
    ['[prefix] prod applies to repositories beginning with prod/', [PROD], 'prod/app', PROD],
    ['[prefix] the assumed / : prod does not apply to production', [PROD], 'production/app', undefined],
    ['[prefix] the assumed / : prod does not apply to a repository named prod', [PROD], 'prod', undefined],
    ['[prefix] prod applies to prod/team/app as well (every repository beginning with prod/)', [PROD], 'prod/team/app', PROD],
    ['[prefix] prod/team applies to prod/team/…', [PROD_TEAM], 'prod/team/app', PROD_TEAM],
    ['[prefix] prod/team does not apply to prod/app', [PROD_TEAM], 'prod/app', undefined],
    ['[templates] both prod and prod/team match: the longer, more specific one (inferred; see templateFor)', [PROD, PROD_TEAM], 'prod/team/app', PROD_TEAM],
    ['[templates] … whatever order ECR lists them in', [PROD_TEAM, PROD], 'prod/team/app', PROD_TEAM],
    ['[prefix] ROOT applies to a repository no other template matches', [ROOT, PROD], 'dev/app', ROOT],
    ['[prefix] ROOT applies to a name without a namespace', [ROOT], 'app', ROOT],
    ['[prefix] ROOT does not apply where another template matches', [ROOT, PROD], 'prod/app', PROD],
    ['[templates] a template applied for pull through cache only does not apply to a replica', [CACHE_ONLY], 'prod/team/app', undefined],
    ['[templates] … and does not hide a less specific replication template', [CACHE_ONLY, PROD], 'prod/team/app', PROD],
    ['[templates] a ROOT not applied for replication does not apply', [template('ROOT', ['PULL_THROUGH_CACHE'])], 'app', undefined],
    [
      '[templates] a template applied for several uses applies to a replica',
      [template('prod', ['PULL_THROUGH_CACHE', 'REPLICATION'])],
      'prod/app',
      template('prod', ['PULL_THROUGH_CACHE', 'REPLICATION']),
    ],
  ];
  for (const [name, templates, repository, expected] of cases) it(name, () => assert.deepEqual(templateFor(templates, repository, 'REPLICATION'), expected));
});

/** An ECR client whose every answer the test gives (what moto cannot answer). */
function mockedEcr() {
  const client = new ECRClient({ region: 'us-east-2', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 });
  return { client, mock: mockClient(client) };
}
const awsError = (name: string, status: number) => Object.assign(new Error(`${name} said\n::error::no`), { name, $metadata: { httpStatusCode: status } });

describe('readReplication and readCreationTemplates on answers moto does not give (SDK mock)', () => {
  it('a filter type other than PREFIX_MATCH: the rules are unread (which repositories it covers is unknown)', async () => {
    const { client, mock } = mockedEcr();
    mock.on(DescribeRegistryCommand).resolves({
      registryId: SOURCE.registryId,
      replicationConfiguration: {
        rules: [{ destinations: [WEST], repositoryFilters: [{ filter: 'prod', filterType: 'REGEX\n::error::' as 'PREFIX_MATCH' }] }],
      },
    });
    const read = await readReplication(client, 'who');
    assert.equal(read.status, 'unread');
    assert.match(
      read.status === 'unread' ? read.reason : '',
      /rule 1 has a repository filter of type "REGEX\\u000a::error::", which this action does not know/,
    );
  });

  it('a destination without a region: the rules are unread', async () => {
    const { client, mock } = mockedEcr();
    mock.on(DescribeRegistryCommand).resolves({ replicationConfiguration: { rules: [{ destinations: [{ registryId: '222222222222' } as Registry] }] } });
    assert.equal((await readReplication(client, 'who')).status, 'unread');
  });

  it('no replicationConfiguration in the answer: read, no rules', async () => {
    const { client, mock } = mockedEcr();
    mock.on(DescribeRegistryCommand).resolves({ registryId: SOURCE.registryId });
    assert.deepEqual(await readReplication(client, 'who', SOURCE.registryId), { status: 'read', registryId: SOURCE.registryId, rules: [] });
  });

  it('AccessDeniedException: unread, naming the permission and who', async () => {
    const { client, mock } = mockedEcr();
    mock.on(DescribeRegistryCommand).rejects(awsError('AccessDeniedException', 400));
    mock.on(DescribeRepositoryCreationTemplatesCommand).rejects(awsError('AccessDeniedException', 400));
    const rules = await readReplication(client, 'role/reader');
    const templates = await readCreationTemplates(client, 'role/reader');
    assert.match(rules.status === 'unread' ? rules.reason : '', /^ecr:DescribeRegistry was denied for role\/reader \(AccessDeniedException\)/);
    assert.match(
      templates.status === 'unread' ? templates.reason : '',
      /^ecr:DescribeRepositoryCreationTemplates was denied for role\/reader \(AccessDeniedException\)/,
    );
  });

  it('AWS failing (a 500): an error naming the permission, not a silent "no replication"', async () => {
    const { client, mock } = mockedEcr();
    mock.on(DescribeRegistryCommand).rejects(awsError('ServerException', 500));
    mock.on(DescribeRepositoryCreationTemplatesCommand).rejects(awsError('ServerException', 500));
    await assert.rejects(readReplication(client, 'who'), (error: unknown) => error instanceof UserError && /^ecr:DescribeRegistry failed/.test(error.message));
    await assert.rejects(
      readCreationTemplates(client, 'who'),
      (error: unknown) => error instanceof UserError && /^ecr:DescribeRepositoryCreationTemplates failed/.test(error.message) && !error.message.includes('\n'),
    );
  });

  it('a template policy that is no policy: that template unread, quoting its prefix inert', async () => {
    const { client, mock } = mockedEcr();
    mock.on(DescribeRepositoryCreationTemplatesCommand).resolves({
      registryId: SOURCE.registryId,
      repositoryCreationTemplates: [{ prefix: 'prod\n::error::x', appliedFor: ['REPLICATION'], repositoryPolicy: '{"Statement": []}' }],
    });
    const read = await readCreationTemplates(client, 'who');
    const policy = read.status === 'read' ? read.templates[0].repositoryPolicy : undefined;
    assert.equal(policy?.status, 'unread');
    assert.match(
      policy?.status === 'unread' ? policy.reason : '',
      /creation template "prod\\u000a::error::x" in registry 111111111111 is malformed: its Statement list is empty/,
    );
  });
});
