// reconcile's apply and undo (services/reconcile-apply.ts), in process with small SDK-level fakes
// (aws-fakes.ts): the grants, then each allowlist; a write that fails midway is undone, newest first;
// a write whose answer was lost is found and undone too; an undo that fails is reported, and the
// report keeps each write with what became of it. Through dist/index.js against moto (with a fault
// proxy that drops answers): __tests__/integration/rollback-and-outputs.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PolicyDocument } from '../../src/domain/policy/document.js';
import { grantStatement, planGrant } from '../../src/domain/policy/repository-grant.js';
import { undoText } from '../../src/report/plan-text.js';
import { applyPlans, restoreAllowlist, type PlannedPuller, type ReconcileOrder } from '../../src/services/reconcile-apply.js';
import { repositoryStateFrom } from '../../src/services/repositories.js';
import type { Survey } from '../../src/services/survey.js';
import { awsError, fakeEcr, fakeIam, REGION, REGISTRY_ID } from './aws-fakes.js';

const PULL = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'];
const SID = 'PublishImageCrossAccountPull';
const ROLE_ARN = 'arn:aws:iam::004947743811:role/staging-puller';
const POLICY = 'WorkspaceTemplatePrimaryECRPull';
const GRANT = { sid: SID, principals: ['arn:aws:iam::004947743811:root'], actions: PULL };
const FOREIGN = { Sid: 'TeamPull', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'ecr:BatchGetImage' };
const ORIGINAL: PolicyDocument = { Version: '2012-10-17', Statement: [FOREIGN] } as PolicyDocument;
const REPOSITORIES = ['team/app', 'team/api'];
const arnOf = (repository: string) => `arn:aws:ecr:${REGION}:${REGISTRY_ID}:repository/${repository}`;
const allowlist = (resources: string[]) =>
  ({ Version: '2012-10-17', Statement: [{ Sid: 'PullWorkspaceTemplates', Effect: 'Allow', Action: PULL, Resource: resources }] }) as PolicyDocument;

const order: ReconcileOrder = {
  registry: { region: REGION },
  grant: GRANT,
  pullers: [{ name: 'staging-puller', roleArn: ROLE_ARN, policyName: POLICY, regions: [REGION], repositories: undefined }] as ReconcileOrder['pullers'],
  prune: false,
  propagationTimeoutMs: 1,
};

/**
 * What the survey read (only what apply uses): the registry with its repositories, each holding
 * ORIGINAL, and one puller whose allowlist lacks team/api. The plan: both grants, then the allowlist.
 */
function setUp(ecr: ReturnType<typeof fakeEcr>, iam: ReturnType<typeof fakeIam>) {
  const states = new Map(REPOSITORIES.map((repository) => [repository, repositoryStateFrom(GRANT, arnOf(repository), repository, ORIGINAL)]));
  const surveyed = {
    registryId: REGISTRY_ID,
    places: [{ kind: 'home', region: REGION, registryId: REGISTRY_ID, ecr: ecr.client, states }],
  } as unknown as Survey;
  const grants = REPOSITORIES.map((repository) => ({
    repository,
    arn: arnOf(repository),
    plan: planGrant(ORIGINAL, grantStatement(SID, GRANT.principals, PULL), repository),
  }));
  const plan = {
    grants,
    allowlist: { add: [arnOf('team/api')], remove: [], addLogin: false },
    allowlistBefore: allowlist([arnOf('team/app')]),
    allowlistAfter: allowlist([arnOf('team/app'), arnOf('team/api')]),
  };
  const puller = { placed: { roleArn: ROLE_ARN, access: { iam: iam.client, who: 'the reader' } } };
  const plans = [
    { puller, policy: order.pullers[0], named: { plan, policyName: POLICY, roleName: 'staging-puller', puller: 'staging-puller' } },
  ] as unknown as PlannedPuller[];
  return { surveyed, plans };
}

const stagingIam = (failures: Parameters<typeof fakeIam>[1] = []) => fakeIam({ 'staging-puller': { [POLICY]: allowlist([arnOf('team/app')]) } }, failures);
const registryEcr = (failures: Parameters<typeof fakeEcr>[1] = []) =>
  fakeEcr(Object.fromEntries(REPOSITORIES.map((repository) => [repository, { policy: ORIGINAL }])), failures);

describe('reconcile apply (services/reconcile-apply.ts): writes, then undo on failure', () => {
  it('writes each grant once, then the allowlist, and reports each change as written', async () => {
    const ecr = registryEcr();
    const iam = stagingIam();
    const { surveyed, plans } = setUp(ecr, iam);
    const applied = await applyPlans(order, surveyed, plans);
    assert.equal(applied.failed, undefined);
    assert.deepEqual(
      ecr.writes().map(({ command, input }) => `${command} ${input.repositoryName}`),
      ['SetRepositoryPolicy team/app', 'SetRepositoryPolicy team/api'],
    );
    assert.deepEqual(
      iam.writes().map(({ command }) => command),
      ['PutRolePolicy'],
    );
    assert.deepEqual(
      applied.changes.map((change) => [change.target.kind, change.written]),
      [
        ['repository', true],
        ['repository', true],
        ['inline-policy', true],
      ],
    );
    for (const repository of REPOSITORIES)
      assert.deepEqual(
        ecr.policy(repository)?.Statement.map((statement) => statement.Sid),
        ['TeamPull', SID],
      );
  });

  it('a write that fails midway (the second grant) is undone: the first grant is put back, the failed one never landed', async () => {
    const ecr = registryEcr([{ command: 'SetRepositoryPolicy', about: 'team/api', error: awsError('AccessDeniedException', 'not authorized') }]);
    const iam = stagingIam();
    const { surveyed, plans } = setUp(ecr, iam);
    const applied = await applyPlans(order, surveyed, plans);
    assert.ok(applied.failed);
    assert.match(applied.failed.what, /^ecr:SetRepositoryPolicy was denied/);
    assert.deepEqual(applied.failed.undone, [
      { target: { kind: 'grant', repository: 'team/app', registryId: REGISTRY_ID, region: REGION, replica: false }, outcome: 'rolled-back' },
      { target: { kind: 'grant', repository: 'team/api', registryId: REGISTRY_ID, region: REGION, replica: false }, outcome: 'not-landed' },
    ]);
    // AWS holds what it held before; no allowlist write was sent.
    for (const repository of REPOSITORIES) assert.deepEqual(ecr.policy(repository), ORIGINAL);
    assert.deepEqual(iam.writes(), []);
    // The report keeps the write that landed, marked rolled back.
    assert.deepEqual(
      applied.changes.map((change) => [change.target.kind, change.rolledBack]),
      [['repository', true]],
    );
    assert.match(undoText(applied.failed.undone), /Written, then rolled back: the grant on team\/app .*Not applied by AWS: the grant on team\/api/);
  });

  it('an allowlist write whose answer was lost (it landed) is found and put back, and so are both grants', async () => {
    const ecr = registryEcr();
    const iam = stagingIam([{ command: 'PutRolePolicy', error: awsError('ServiceUnavailable', 'connection reset'), landed: true, times: 1 }]);
    const { surveyed, plans } = setUp(ecr, iam);
    const applied = await applyPlans(order, surveyed, plans);
    assert.ok(applied.failed);
    assert.deepEqual(
      applied.failed.undone.map(({ target, outcome }) => `${target.kind} ${outcome}`),
      ['grant rolled-back', 'grant rolled-back', 'allowlist rolled-back'],
    );
    assert.deepEqual(iam.policy('staging-puller', POLICY), allowlist([arnOf('team/app')]));
    for (const repository of REPOSITORIES) assert.deepEqual(ecr.policy(repository), ORIGINAL);
    // The allowlist write had not returned: it joins the report as written and rolled back.
    assert.deepEqual(
      applied.changes.map((change) => [change.target.kind, change.rolledBack]),
      [
        ['repository', true],
        ['repository', true],
        ['inline-policy', true],
      ],
    );
  });

  it('an undo that fails is reported as left for a person, and the report keeps that write as not rolled back', async () => {
    // team/app's grant lands; team/api's write fails; putting team/app back fails too.
    const ecr = registryEcr([
      { command: 'SetRepositoryPolicy', about: 'team/api', error: awsError('AccessDeniedException') },
      { command: 'SetRepositoryPolicy', about: 'team/app', from: 2, error: awsError('ThrottlingException') },
    ]);
    const iam = stagingIam();
    const { surveyed, plans } = setUp(ecr, iam);
    const applied = await applyPlans(order, surveyed, plans);
    assert.ok(applied.failed);
    assert.deepEqual(
      applied.failed.undone.map(({ target, outcome }) => `${target.kind === 'grant' ? target.repository : ''} ${outcome}`),
      ['team/app not-rolled-back', 'team/api not-landed'],
    );
    assert.deepEqual(
      applied.changes.map((change) => [change.target.kind, change.rolledBack]),
      [['repository', false]],
    );
    assert.equal(ecr.policy('team/app')?.Statement.length, 2, 'the grant is still there: the undo failed');
    const text = undoText(applied.failed.undone);
    assert.match(text, /team\/app/);
    assert.doesNotMatch(text, /Written, then rolled back/);
  });
});

describe('restoreAllowlist: one allowlist put back', () => {
  const access = (iam: ReturnType<typeof fakeIam>) => ({ iam: iam.client, who: 'the reader' });
  const before = allowlist([arnOf('team/app')]);

  it('puts back what landed; deletes a policy that was not there before', async () => {
    const landed = fakeIam({ 'staging-puller': { [POLICY]: allowlist([arnOf('team/app'), arnOf('team/api')]) } });
    assert.equal(await restoreAllowlist(access(landed), ROLE_ARN, POLICY, before), 'rolled-back');
    assert.deepEqual(landed.policy('staging-puller', POLICY), before);

    const created = fakeIam({ 'staging-puller': { [POLICY]: before } });
    assert.equal(await restoreAllowlist(access(created), ROLE_ARN, POLICY, undefined), 'rolled-back');
    assert.equal(created.policy('staging-puller', POLICY), undefined);
  });

  it('writes nothing when AWS refused the write and the policy reads as it was', async () => {
    const untouched = fakeIam({ 'staging-puller': { [POLICY]: before } });
    assert.equal(await restoreAllowlist(access(untouched), ROLE_ARN, POLICY, before, 'refused'), 'not-landed');
    assert.deepEqual(untouched.writes(), []);
  });

  it("a write whose answer was lost is put back even when the policy reads as it was (IAM's reads are eventually consistent)", async () => {
    const stale = fakeIam({ 'staging-puller': { [POLICY]: before } });
    assert.equal(await restoreAllowlist(access(stale), ROLE_ARN, POLICY, before), 'not-landed');
    assert.deepEqual(
      stale.writes().map(({ command }) => command),
      ['PutRolePolicy'],
    );
    assert.deepEqual(stale.policy('staging-puller', POLICY), before);
  });

  it('an unreadable policy is put back as it was; a restore that fails is "not-rolled-back"', async () => {
    const unreadable = fakeIam({ 'staging-puller': { [POLICY]: allowlist([]) } }, [{ command: 'GetRolePolicy', error: awsError('AccessDeniedException') }]);
    assert.equal(await restoreAllowlist(access(unreadable), ROLE_ARN, POLICY, before), 'rolled-back');
    assert.deepEqual(unreadable.policy('staging-puller', POLICY), before);
    const stuck = fakeIam({ 'staging-puller': { [POLICY]: allowlist([]) } }, [{ command: 'PutRolePolicy', error: awsError('ThrottlingException') }]);
    assert.equal(await restoreAllowlist(access(stuck), ROLE_ARN, POLICY, before), 'not-rolled-back');
  });
});
