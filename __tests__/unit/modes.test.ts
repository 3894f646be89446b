// A mode runs in-process with in-memory AWS clients (aws-sdk-client-mock answers every client
// class), no bundle and no moto: the verify script reads the registry and the puller, judges, and
// returns its typed report. The end-to-end tests through dist/index.js against moto stay as they are.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { ECRClient, GetRegistryPolicyCommand, GetRepositoryPolicyCommand } from '@aws-sdk/client-ecr';
import {
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  ListRoleTagsCommand,
} from '@aws-sdk/client-iam';
import { DescribeOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { verify } from '../../src/modes/verify.js';
import { setLogger, type Logger } from '../../src/log.js';
import type { VerifySettings } from '../../src/settings/settings.js';

const REGISTRY = '153263036946';
const STAGING = '004947743811';
const ROLE = `arn:aws:iam::${STAGING}:role/MoleculeTenantEICRole-staging`;
const REPOSITORY = 'molecule-ai/molecule-platform-agent';
const REPO_ARN = `arn:aws:ecr:us-east-2:${REGISTRY}:repository/${REPOSITORY}`;
const PULL = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'];

const settings: VerifySettings = {
  mode: 'verify',
  registry: { region: 'us-east-2', registryId: REGISTRY },
  grant: { sid: 'PublishImageCrossAccountPull', principals: [], actions: PULL },
  replicaAssumeRoleArns: [],
  organizationAssumeRoleArn: undefined,
  simulate: false,
  propagationTimeoutMs: 1000,
  runId: undefined,
  targets: { kind: 'repository', repository: REPOSITORY },
  pullers: [
    {
      name: 'staging',
      roleArn: ROLE,
      policyName: 'WorkspaceTemplatePrimaryECRPull',
      assumeRoleArn: undefined,
      externalId: undefined,
      regions: ['us-east-2'],
      repositories: undefined,
    },
  ],
  onExtra: 'warn',
  proposed: undefined,
};

const allowlist = (resources: string[]) =>
  encodeURIComponent(
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
        { Effect: 'Allow', Action: PULL, Resource: resources },
      ],
    }),
  );

// Made in the suite's before(), not at the file's top: unit files share a process (scripts/test.ts),
// and a client class stubbed at import would be stubbed for the other files' tests too.
let ecr: AwsClientStub<ECRClient>;
let iam: AwsClientStub<IAMClient>;
let sts: AwsClientStub<STSClient>;
let organizations: AwsClientStub<OrganizationsClient>;
let mocks: { reset(): void; restore(): void }[] = [];
const silent: Logger = { info: () => undefined, warning: () => undefined, error: () => undefined, group: (_name, body) => body(), mask: () => undefined };

function answer(allowlisted: string[]): void {
  for (const mock of mocks) mock.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Account: REGISTRY });
  organizations.on(DescribeOrganizationCommand).rejects(Object.assign(new Error('not in use'), { name: 'AWSOrganizationsNotInUseException' }));
  ecr.on(GetRegistryPolicyCommand).rejects(Object.assign(new Error('none'), { name: 'RegistryPolicyNotFoundException' }));
  ecr.on(GetRepositoryPolicyCommand).resolves({
    policyText: JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Pull', Effect: 'Allow', Principal: { AWS: ROLE }, Action: PULL }] }),
  });
  iam.on(GetRoleCommand).resolves({
    Role: {
      Arn: ROLE,
      RoleName: 'MoleculeTenantEICRole-staging',
      RoleId: 'AROAEXAMPLE',
      Path: '/',
      CreateDate: new Date(),
      AssumeRolePolicyDocument: encodeURIComponent(
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}',
      ),
    },
  });
  iam.on(ListRoleTagsCommand).resolves({ Tags: [] });
  iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: ['WorkspaceTemplatePrimaryECRPull'] });
  iam
    .on(GetRolePolicyCommand)
    .resolves({ PolicyName: 'WorkspaceTemplatePrimaryECRPull', RoleName: 'MoleculeTenantEICRole-staging', PolicyDocument: allowlist(allowlisted) });
  iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [] });
}

describe('verify, run in-process with in-memory AWS clients', () => {
  let saved: NodeJS.ProcessEnv = {};
  before(() => {
    saved = { ...process.env };
    [ecr, iam, sts, organizations] = [mockClient(ECRClient), mockClient(IAMClient), mockClient(STSClient), mockClient(OrganizationsClient)];
    mocks = [ecr, iam, sts, organizations];
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 's', AWS_REGION: 'us-east-2', AWS_MAX_ATTEMPTS: '1' });
    setLogger(silent);
  });
  after(() => {
    for (const mock of mocks) mock.restore();
    // The same object, put back as it was (another file's tests hold it too).
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  });

  it('both sides allow: in sync, no write', async () => {
    answer([REPO_ARN]);
    const report = await verify(settings);
    assert.deepEqual(
      report.repositories.map((verdict) => [verdict.repository, verdict.grant?.status, verdict.identity?.status, verdict.drift]),
      [[REPOSITORY, 'allowed', 'allowed', false]],
    );
    assert.deepEqual(report.missing, []);
    assert.equal(report.policyChanges.length, 0);
  });

  it('the allowlist does not name it: missing on the identity side, with the fix settings', async () => {
    answer([]);
    const report = await verify(settings);
    assert.deepEqual(report.missing, [REPOSITORY]);
    assert.deepEqual([report.repositories[0].identity?.status, report.repositories[0].identity?.layer], ['missing', 'identity']);
    assert.equal(report.pullers[0]?.settings.policyName, 'WorkspaceTemplatePrimaryECRPull');
  });
});
