// What moto cannot serve: malformed documents stored in AWS (moto validates on write), IAM's
// URL-encoding, a principal IAM does not know yet, and SimulatePrincipalPolicy (moto answers 500).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mockClient } from 'aws-sdk-client-mock';
import { ECRClient, GetRepositoryPolicyCommand, InvalidParameterException, SetRepositoryPolicyCommand } from '@aws-sdk/client-ecr';
import { GetRolePolicyCommand, IAMClient, ListAttachedRolePoliciesCommand, ListRolePoliciesCommand, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { readRepositoryPolicy, writeRepositoryPolicy } from '../../src/adapters/aws/repository-policy.js';
import { readPullerIdentity } from '../../src/adapters/aws/iam.js';
import { warningText } from '../../src/report/findings.js';
import type { Warning } from '../../src/report/model.js';
import { simulateIdentity } from '../../src/adapters/aws/simulate.js';
import { UserError } from '../../src/errors.js';
import { PULL_ACTIONS as PULL, STAGING_ROLE_ARN as ROLE } from '../../stack/fixture.js';

const REPO_ARN = 'arn:aws:ecr:us-east-2:153263036946:repository/molecule-ai/x';
const credentials = { accessKeyId: 'k', secretAccessKey: 's' };

function ecr() {
  const client = new ECRClient({ region: 'us-east-2', credentials });
  return { client, mock: mockClient(client) };
}
function iam() {
  const client = new IAMClient({ region: 'us-east-1', credentials });
  return { client, mock: mockClient(client) };
}

const userError = (pattern: RegExp) => (error: unknown) => {
  assert.ok(error instanceof UserError, String(error));
  assert.match(error.message, pattern);
  return true;
};

describe('repository policy I/O (SDK-level mocks)', () => {
  it('names a stored repository policy that is not JSON', async () => {
    const { client, mock } = ecr();
    mock.on(GetRepositoryPolicyCommand).resolves({ policyText: '{"Version": "2012-10-17", "Statement": [' });
    await assert.rejects(
      readRepositoryPolicy(client, '153263036946', 'molecule-ai/x'),
      userError(/^the repository policy stored on molecule-ai\/x is not valid JSON/),
    );
  });

  it('names a stored repository policy with a malformed statement', async () => {
    const { client, mock } = ecr();
    mock.on(GetRepositoryPolicyCommand).resolves({ policyText: '{"Statement":[{"Sid":"X","Effect":"Allow","Principal":"*"}]}' });
    await assert.rejects(readRepositoryPolicy(client, '153263036946', 'molecule-ai/x'), userError(/statement X needs exactly one of Action and NotAction/));
  });

  it('turns AccessDenied into the permission to add', async () => {
    const { client, mock } = ecr();
    mock.on(GetRepositoryPolicyCommand).rejects(Object.assign(new Error('User: arn:aws:iam::1:user/x is not authorized'), { name: 'AccessDeniedException' }));
    await assert.rejects(
      readRepositoryPolicy(client, '153263036946', 'molecule-ai/x'),
      userError(/^ecr:GetRepositoryPolicy was denied for the current credentials .*Allow ecr:GetRepositoryPolicy/),
    );
  });

  it('retries a principal IAM does not know yet, then writes', async () => {
    const { client, mock } = ecr();
    const notYet = new InvalidParameterException({
      message: "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'",
      $metadata: {},
    });
    mock.on(SetRepositoryPolicyCommand).rejectsOnce(notYet).rejectsOnce(notYet).resolves({});
    const sleeps: number[] = [];
    const log: string[] = [];
    await writeRepositoryPolicy(client, '153263036946', 'molecule-ai/x', { Version: '2012-10-17', Statement: [] }, [ROLE], {
      timeoutMs: 120_000,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      log: (line) => log.push(line),
      random: () => 1,
    });
    assert.equal(mock.commandCalls(SetRepositoryPolicyCommand).length, 3);
    assert.deepEqual(sleeps, [1000, 2000]);
    assert.match(log[0], /attempt 1 failed, retrying in 1.0s \(gives up after 120s\)/);
    assert.equal(
      mock.commandCalls(SetRepositoryPolicyCommand)[0].args[0].input.policyText,
      '{"Version":"2012-10-17","Statement":[]}',
      'sent minified, no force',
    );
    assert.equal(mock.commandCalls(SetRepositoryPolicyCommand)[0].args[0].input.force, undefined);
  });

  it('gives up after the propagation window, naming the principals', async () => {
    const { client, mock } = ecr();
    mock.on(SetRepositoryPolicyCommand).rejects(new InvalidParameterException({ message: 'Invalid repository policy provided', $metadata: {} }));
    let clock = 0;
    await assert.rejects(
      writeRepositoryPolicy(client, '153263036946', 'molecule-ai/x', { Statement: [] }, [ROLE], {
        timeoutMs: 120_000,
        now: () => clock,
        sleep: async (ms) => {
          clock += ms;
        },
        random: () => 1,
      }),
      userError(
        /kept refusing the grant after \d+ attempts .* One of these principals does not exist: arn:aws:iam::004947743811:role\/MoleculeTenantEICRole-staging/,
      ),
    );
    assert.ok(clock >= 120_000 && clock < 140_000, `waited ${clock} ms`);
  });
});

describe('identity policy I/O (SDK-level mocks)', () => {
  function stagingWith(document: string) {
    const { client, mock } = iam();
    mock.on(ListRolePoliciesCommand).resolves({ PolicyNames: ['WorkspaceTemplatePrimaryECRPull'] });
    mock.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [] });
    mock.on(GetRolePolicyCommand).resolves({ RoleName: 'r', PolicyName: 'WorkspaceTemplatePrimaryECRPull', PolicyDocument: document });
    return client;
  }

  it('decodes IAM URL-encoding with decodeURIComponent (a + stays a +)', async () => {
    const policy = {
      Version: '2012-10-17',
      Statement: [{ Sid: 'Pull', Effect: 'Allow', Action: PULL, Resource: 'arn:aws:ecr:us-east-2:153263036946:repository/team/a+b' }],
    };
    const read = await readPullerIdentity(stagingWith(encodeURIComponent(JSON.stringify(policy))), ROLE, 'the current credentials');
    assert.deepEqual(read.documents[0].document, policy);
  });

  it('names an identity policy that is not JSON', async () => {
    await assert.rejects(
      readPullerIdentity(stagingWith(encodeURIComponent('Version: 2012-10-17')), ROLE, 'the current credentials'),
      userError(/^inline policy WorkspaceTemplatePrimaryECRPull of role MoleculeTenantEICRole-staging is not valid JSON/),
    );
  });

  it('says which credentials were denied reading staging IAM', async () => {
    const { client, mock } = iam();
    mock.on(ListRolePoliciesCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDenied' }));
    await assert.rejects(
      readPullerIdentity(client, ROLE, 'assumed role arn:aws:iam::004947743811:role/Reader'),
      userError(/^iam:ListRolePolicies was denied for assumed role arn:aws:iam::004947743811:role\/Reader/),
    );
  });
});

describe('simulate: IAM SimulatePrincipalPolicy as a second opinion', () => {
  const results = (decision: string) => ({ EvaluationResults: PULL.map((EvalActionName) => ({ EvalActionName, EvalDecision: decision as 'allowed' })) });

  it('is silent when the simulator agrees', async () => {
    const { client, mock } = iam();
    mock.on(SimulatePrincipalPolicyCommand).resolves(results('allowed'));
    assert.equal(await simulateIdentity(client, ROLE, REPO_ARN, PULL, 'allowed'), undefined);
    assert.deepEqual(mock.commandCalls(SimulatePrincipalPolicyCommand)[0].args[0].input, {
      PolicySourceArn: ROLE,
      ActionNames: PULL,
      ResourceArns: [REPO_ARN],
    });
  });

  it('warns when the simulator disagrees (e.g. a permission boundary)', async () => {
    const { client, mock } = iam();
    mock.on(SimulatePrincipalPolicyCommand).resolves(results('implicitDeny'));
    assert.match(
      warningOf(await simulateIdentity(client, ROLE, REPO_ARN, PULL, 'allowed')),
      /disagree .*\(simulator: ecr:BatchGetImage=implicitDeny.*local: allowed\)/,
    );
  });

  it('warns, and keeps the local verdict, when the simulator cannot be asked', async () => {
    const { client, mock } = iam();
    mock.on(SimulatePrincipalPolicyCommand).rejects(Object.assign(new Error('internal error'), { name: 'InternalFailure' }));
    assert.match(warningOf(await simulateIdentity(client, ROLE, REPO_ARN, PULL, 'missing')), /could not cross-check .* \(InternalFailure: internal error\)/);
  });
});

/** The warning as the report words it ('' for none). */
function warningOf(warning: Warning | undefined): string {
  return warning ? warningText(warning) : '';
}
