// The grant and allowlist writes, in process with small SDK-level fakes (aws-fakes.ts): what is
// written, and that nothing is written when the stored policy already means the same. The same
// writes against moto are in __tests__/integration (owned-statement, eventual-consistency, faults).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { writeAllowlist } from '../../src/services/allowlist.js';
import { applyGrant, undoGrant } from '../../src/services/grant.js';
import { repositoryStateFrom } from '../../src/services/repositories.js';
import { awsError, fakeEcr, fakeIam, REGISTRY_ID } from './aws-fakes.js';

const PULL = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'];
const SID = 'PublishImageCrossAccountPull';
const STAGING = 'arn:aws:iam::004947743811:root';
const REPOSITORY = 'team/app';
const GRANT = { sid: SID, principals: [STAGING], actions: PULL };
const quick = { timeoutMs: 1000, sleep: async () => undefined };
const FOREIGN = { Sid: 'TeamPull', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'ecr:BatchGetImage' };
const OWNED = { Sid: SID, Effect: 'Allow', Principal: { AWS: STAGING }, Action: PULL };

function stateOf(ecr: ReturnType<typeof fakeEcr>, policy: unknown) {
  return repositoryStateFrom(GRANT, ecr.arn(REPOSITORY), REPOSITORY, policy as never);
}

describe('applyGrant: the repository grant (services/grant.ts)', () => {
  it('writes the owned statement beside the other statements, and reports before and after', async () => {
    const before = { Version: '2012-10-17', Statement: [FOREIGN] };
    const ecr = fakeEcr({ [REPOSITORY]: { policy: before } });
    const granted = await applyGrant(ecr.client, GRANT, REGISTRY_ID, stateOf(ecr, before), quick);
    assert.deepEqual(
      ecr.writes().map(({ command }) => command),
      ['SetRepositoryPolicy'],
    );
    const stored = ecr.policy(REPOSITORY);
    assert.deepEqual(
      stored?.Statement.map((statement) => statement.Sid),
      ['TeamPull', SID],
    );
    assert.deepEqual(stored?.Statement[1].Principal, { AWS: [STAGING] });
    assert.equal(granted.change?.written, true);
    assert.deepEqual(granted.change?.before, before);
    assert.deepEqual(granted.change?.after, stored);
    assert.deepEqual(granted.policy, stored);
  });

  it('writes nothing when the stored policy already grants the pull (the change says written: false)', async () => {
    const stored = { Version: '2012-10-17', Statement: [FOREIGN, OWNED] };
    const ecr = fakeEcr({ [REPOSITORY]: { policy: stored } });
    const granted = await applyGrant(ecr.client, GRANT, REGISTRY_ID, stateOf(ecr, stored), quick);
    assert.deepEqual(ecr.writes(), []);
    assert.equal(granted.change?.written, false);
  });

  it('writes nothing and changes nothing without principals (no grant to write)', async () => {
    const ecr = fakeEcr({ [REPOSITORY]: {} });
    const state = repositoryStateFrom({ ...GRANT, principals: [] }, ecr.arn(REPOSITORY), REPOSITORY, undefined);
    const granted = await applyGrant(ecr.client, { ...GRANT, principals: [] }, REGISTRY_ID, state, quick);
    assert.deepEqual(ecr.calls, []);
    assert.equal(granted.change, undefined);
  });

  it('a refused write says which permission, and nothing is stored', async () => {
    const ecr = fakeEcr({ [REPOSITORY]: {} }, [{ command: 'SetRepositoryPolicy', error: awsError('AccessDeniedException', 'not authorized') }]);
    await assert.rejects(applyGrant(ecr.client, GRANT, REGISTRY_ID, stateOf(ecr, undefined), quick), /^UserError: ecr:SetRepositoryPolicy was denied/);
    assert.equal(ecr.policy(REPOSITORY), undefined);
  });

  it('undoGrant puts back what landed, says "not-landed" for a write that never did (proven by a restore unless AWS refused it), and "not-rolled-back" when the undo fails', async () => {
    const before = { Version: '2012-10-17', Statement: [FOREIGN] };
    const landed = fakeEcr({ [REPOSITORY]: { policy: { Version: '2012-10-17', Statement: [FOREIGN, OWNED] } } });
    assert.equal((await undoGrant(landed.client, REGISTRY_ID, REPOSITORY, before as never)).outcome, 'rolled-back');
    assert.deepEqual(landed.policy(REPOSITORY), before);

    // AWS refused the write: a read showing the policy as it was is believed, nothing is written.
    const refused = fakeEcr({ [REPOSITORY]: { policy: before } });
    assert.equal((await undoGrant(refused.client, REGISTRY_ID, REPOSITORY, before as never, 'refused')).outcome, 'not-landed');
    assert.deepEqual(refused.writes(), []);

    // The write's answer was lost: the read may be older than the write, so the policy is put back as it was.
    const lost = fakeEcr({ [REPOSITORY]: { policy: before } });
    assert.equal((await undoGrant(lost.client, REGISTRY_ID, REPOSITORY, before as never)).outcome, 'not-landed');
    assert.deepEqual(
      lost.writes().map(({ command }) => command),
      ['SetRepositoryPolicy'],
    );
    assert.deepEqual(lost.policy(REPOSITORY), before);

    // A write that returned landed, whatever a (stale) read shows: it is put back, and said so.
    const returned = fakeEcr({ [REPOSITORY]: { policy: before } });
    assert.equal((await undoGrant(returned.client, REGISTRY_ID, REPOSITORY, before as never, 'returned')).outcome, 'rolled-back');
    assert.deepEqual(
      returned.writes().map(({ command }) => command),
      ['SetRepositoryPolicy'],
    );

    // A refused write changed nothing, even when the undo cannot read the policy: nothing written.
    const refusedUnread = fakeEcr({ [REPOSITORY]: { policy: before } }, [{ command: 'GetRepositoryPolicy', error: awsError('ThrottlingException') }]);
    assert.equal((await undoGrant(refusedUnread.client, REGISTRY_ID, REPOSITORY, before as never, 'refused')).outcome, 'not-landed');
    assert.deepEqual(refusedUnread.writes(), []);

    // Restoring "no policy" where there is none: done, not a failure (ECR answers RepositoryPolicyNotFoundException).
    const none = fakeEcr({ [REPOSITORY]: {} }, [
      { command: 'GetRepositoryPolicy', error: awsError('ThrottlingException') },
      { command: 'DeleteRepositoryPolicy', error: awsError('RepositoryPolicyNotFoundException') },
    ]);
    assert.equal((await undoGrant(none.client, REGISTRY_ID, REPOSITORY, undefined)).outcome, 'rolled-back');

    // AWS keeps failing: the restore fails too, and the read (the policy as it was) is all there is to say.
    const failing = fakeEcr({ [REPOSITORY]: { policy: before } }, [{ command: 'SetRepositoryPolicy', error: awsError('ThrottlingException') }]);
    assert.equal((await undoGrant(failing.client, REGISTRY_ID, REPOSITORY, before as never)).outcome, 'not-landed');

    const stuck = fakeEcr({ [REPOSITORY]: { policy: { Version: '2012-10-17', Statement: [FOREIGN, OWNED] } } }, [
      { command: 'SetRepositoryPolicy', error: awsError('ThrottlingException') },
    ]);
    assert.equal((await undoGrant(stuck.client, REGISTRY_ID, REPOSITORY, before as never)).outcome, 'not-rolled-back');
  });
});

describe('writeAllowlist: the puller inline policy (services/allowlist.ts)', () => {
  const ROLE_ARN = 'arn:aws:iam::004947743811:role/staging-puller';
  const POLICY = 'WorkspaceTemplatePrimaryECRPull';
  const APP = `arn:aws:ecr:us-east-2:${REGISTRY_ID}:repository/team/app`;
  const API = `arn:aws:ecr:us-east-2:${REGISTRY_ID}:repository/team/api`;
  const allowlist = (resources: string[]) => ({
    Version: '2012-10-17',
    Statement: [{ Sid: 'PullWorkspaceTemplates', Effect: 'Allow', Action: PULL, Resource: resources }],
  });
  const propagation = { timeoutMs: 1000, settleMs: 0, sleep: async () => undefined };

  it('adds the missing repository ARN to the allowlist statement and returns before and after', async () => {
    const iam = fakeIam({ 'staging-puller': { [POLICY]: allowlist([APP]) } });
    const written = await writeAllowlist(iam.client, 'the reader', ROLE_ARN, POLICY, { add: [API], remove: [], addLogin: false }, PULL, propagation);
    assert.deepEqual(
      iam.writes().map(({ command }) => command),
      ['PutRolePolicy'],
    );
    const resources = iam.policy('staging-puller', POLICY)?.Statement[0].Resource;
    assert.deepEqual([resources].flat().sort(), [API, APP].sort());
    assert.deepEqual(written.before, allowlist([APP]));
    assert.deepEqual(written.after, iam.policy('staging-puller', POLICY));
  });

  it('writes nothing when the allowlist already holds every ARN', async () => {
    const iam = fakeIam({ 'staging-puller': { [POLICY]: allowlist([APP, API]) } });
    const written = await writeAllowlist(iam.client, 'the reader', ROLE_ARN, POLICY, { add: [API], remove: [], addLogin: false }, PULL, propagation);
    assert.deepEqual(iam.writes(), []);
    assert.deepEqual(written.before, written.after);
  });

  it('creates the policy when the role has none', async () => {
    const iam = fakeIam({});
    const written = await writeAllowlist(iam.client, 'the reader', ROLE_ARN, POLICY, { add: [APP], remove: [], addLogin: false }, PULL, propagation);
    assert.equal(written.before, undefined);
    assert.deepEqual([iam.policy('staging-puller', POLICY)?.Statement[0].Resource].flat(), [APP]);
  });

  it('deletes the policy when prune leaves nothing in it (IAM keeps no empty policy)', async () => {
    const iam = fakeIam({ 'staging-puller': { [POLICY]: allowlist([APP]) } });
    const written = await writeAllowlist(iam.client, 'the reader', ROLE_ARN, POLICY, { add: [], remove: [APP], addLogin: false }, PULL, propagation);
    assert.deepEqual(
      iam.writes().map(({ command }) => command),
      ['DeleteRolePolicy'],
    );
    assert.equal(written.after, undefined);
  });

  it('a refused write says which permission and by whom; the policy is as it was', async () => {
    const iam = fakeIam({ 'staging-puller': { [POLICY]: allowlist([APP]) } }, [{ command: 'PutRolePolicy', error: awsError('AccessDeniedException') }]);
    await assert.rejects(
      writeAllowlist(iam.client, 'the reader', ROLE_ARN, POLICY, { add: [API], remove: [], addLogin: false }, PULL, propagation),
      /iam:PutRolePolicy was denied for the reader/,
    );
    assert.deepEqual(iam.policy('staging-puller', POLICY), allowlist([APP]));
  });
});
