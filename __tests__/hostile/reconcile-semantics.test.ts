// What reconcile may touch in the staging role's identity policies (issue 10, parts 1 and 5),
// through dist/index.js against moto. (1) It extends only a statement that allows nothing but the
// pull actions on nothing but ECR repository ARNs; next to a statement that also allows pushes,
// ecr:* or other resources, it writes its own statement (Sid PublishImagePullAllowlist) and the
// plan says so. (5) prune removes an extra wherever our statement holds it, reports extras held by
// other statements or policies as not removable by reconcile (with the fix), and the report holds
// exactly what was written.
//
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GetRolePolicyCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { iamIn } from '../../stack/aws.js';
import {
  ALLOWLIST_POLICY,
  MANIFEST_NAMES,
  PLATFORM_AGENT,
  PULL_ACTIONS,
  STAGING_ACCOUNT,
  STAGING_ROLE,
  errorLines,
  manifestWorkspace,
  presets,
  reportOf,
  repoArn,
  runAction,
  template,
  useMoto,
} from '../../stack/fixture.js';
import { assertNoForgedCommands } from './stack.js';

const OUR_SID = 'PublishImagePullAllowlist';
const EXPECTED = [...MANIFEST_NAMES.map(template), PLATFORM_AGENT];
const AUTOGEN = template('autogen');
const LANGGRAPH = template('langgraph');
const STRAY = 'molecule-ai/stray';
const LOGIN = { Sid: 'EcrLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' };

const ws = manifestWorkspace();
const stack = useMoto({ repositories: [...EXPECTED, AUTOGEN, LANGGRAPH, STRAY], granted: [...EXPECTED, AUTOGEN, LANGGRAPH, STRAY] });

interface Statement {
  Sid?: string;
  Effect: string;
  Action?: string | string[];
  Resource?: string | string[];
}
interface Document {
  Statement: Statement[];
}
const list = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
const bySid = (document: Document, sid: string): Statement | undefined => document.Statement.find((statement) => statement.Sid === sid);

async function reconcile(extra: Record<string, string> = {}) {
  return runAction({ ...presets.reconcileManifest, manifest: 'manifest.json', ...extra }, { ...stack.env, GITHUB_WORKSPACE: ws }, { timeoutMs: 180_000 });
}

async function otherInline(name: string): Promise<Document> {
  const { PolicyDocument } = await iamIn(stack.endpoint, STAGING_ACCOUNT).send(new GetRolePolicyCommand({ RoleName: STAGING_ROLE, PolicyName: name }));
  const text = PolicyDocument ?? '';
  return JSON.parse(text.startsWith('{') ? text : decodeURIComponent(text)) as Document;
}

/** Our own statement: only the pull actions, only ECR repository ARNs, and every expected repository. */
function assertOurStatement(document: Document, mustHold: string[]): Statement {
  const ours = bySid(document, OUR_SID);
  assert.ok(ours, `reconcile wrote its own statement ${OUR_SID}: ${JSON.stringify(document)}`);
  assert.equal(ours.Effect, 'Allow');
  assert.deepEqual(
    list(ours.Action)
      .map((action) => action.toLowerCase())
      .sort(),
    PULL_ACTIONS.map((action) => action.toLowerCase()).sort(),
  );
  for (const resource of list(ours.Resource)) assert.match(resource, /^arn:aws:ecr:us-east-2:153263036946:repository\/[a-z0-9._/-]+$/);
  for (const repository of mustHold) assert.ok(list(ours.Resource).includes(repoArn(repository)), `${OUR_SID} holds ${repository}`);
  return ours;
}

describe('reconcile semantics (lead: issue 10 parts 1 and 5), through dist/index.js against moto', () => {
  const notExtendable: [string, Statement][] = [
    [
      'also allows pushes',
      {
        Sid: 'PullAndPush',
        Effect: 'Allow',
        Action: [...PULL_ACTIONS, 'ecr:PutImage', 'ecr:InitiateLayerUpload'],
        Resource: MANIFEST_NAMES.slice(0, 2).map((name) => repoArn(template(name))),
      },
    ],
    ['allows ecr:*', { Sid: 'AllOfEcr', Effect: 'Allow', Action: 'ecr:*', Resource: MANIFEST_NAMES.slice(0, 2).map((name) => repoArn(template(name))) }],
    [
      'allows the pull actions on a non-ECR resource too',
      {
        Sid: 'PullAndBucket',
        Effect: 'Allow',
        Action: PULL_ACTIONS,
        Resource: [...MANIFEST_NAMES.slice(0, 2).map((name) => repoArn(template(name))), 'arn:aws:s3:::molecule-artifacts/*'],
      },
    ],
    ['allows the pull actions on every resource', { Sid: 'PullEverything', Effect: 'Allow', Action: PULL_ACTIONS, Resource: '*' }],
  ];
  for (const [what, statement] of notExtendable) {
    it(`does not extend a statement that ${what}: writes ${OUR_SID} instead, and the plan says so`, async () => {
      const seeded = { Version: '2012-10-17', Statement: [LOGIN, statement] };
      await stack.seedStaging(seeded);
      const run = await reconcile();
      assert.equal(run.exitCode, 0, run.log);
      const stored = (await stack.storedAllowlist()) as Document;
      if (statement.Resource === '*') {
        // Pull on every repository already allows everything expected: nothing to add, nothing written.
        assert.deepEqual(stored, seeded, 'nothing written');
        assert.match(run.log, /Plan: no changes\. Both sides already allow every expected repository/);
        return;
      }
      assert.deepEqual(bySid(stored, statement.Sid!), statement, `${statement.Sid} is kept exactly as it was`);
      const missing = EXPECTED.filter((repository) => !list(statement.Resource).includes(repoArn(repository)));
      assertOurStatement(stored, missing);
      assert.match(run.log, new RegExp(`${OUR_SID}`), 'the plan names the statement it writes');
      assert.match(run.log, new RegExp(`${statement.Sid}`), 'the plan says which statement it does not extend');
      assertNoForgedCommands(run.log);
    });
  }

  it('extends a statement that allows only the pull actions on only ECR repository ARNs, in place', async () => {
    const pullOnly = {
      Sid: 'PullWorkspaceTemplates',
      Effect: 'Allow',
      Action: PULL_ACTIONS,
      Resource: MANIFEST_NAMES.slice(0, 2).map((name) => repoArn(template(name))),
    };
    await stack.seedStaging({ Version: '2012-10-17', Statement: [LOGIN, pullOnly] });
    const run = await reconcile();
    assert.equal(run.exitCode, 0, run.log);
    const stored = (await stack.storedAllowlist()) as Document;
    assert.equal(bySid(stored, OUR_SID), undefined, 'no statement of its own is needed');
    const extended = bySid(stored, 'PullWorkspaceTemplates')!;
    for (const repository of EXPECTED) assert.ok(list(extended.Resource).includes(repoArn(repository)), repository);
  });

  it('prune removes the extras our statement holds, reports the ones other statements and policies hold as not removable (with the fix), and reports exactly what it wrote', async () => {
    const ours = { Sid: OUR_SID, Effect: 'Allow', Action: PULL_ACTIONS, Resource: [...EXPECTED, AUTOGEN].map(repoArn) };
    const pushing = { Sid: 'PullAndPush', Effect: 'Allow', Action: [...PULL_ACTIONS, 'ecr:PutImage'], Resource: [repoArn(LANGGRAPH)] };
    const seeded = { Version: '2012-10-17', Statement: [LOGIN, ours, pushing] };
    await stack.seedStaging(seeded);
    const other = { Version: '2012-10-17', Statement: [{ Sid: 'OtherPull', Effect: 'Allow', Action: PULL_ACTIONS, Resource: [repoArn(STRAY)] }] };
    await iamIn(stack.endpoint, STAGING_ACCOUNT).send(
      new PutRolePolicyCommand({ RoleName: STAGING_ROLE, PolicyName: 'OtherPullPolicy', PolicyDocument: JSON.stringify(other) }),
    );

    const run = await reconcile({ prune: 'true' });
    const stored = (await stack.storedAllowlist()) as Document;
    const kept = assertOurStatement(stored, EXPECTED);
    assert.ok(!list(kept.Resource).includes(repoArn(AUTOGEN)), 'the extra in our statement is removed');
    assert.deepEqual(bySid(stored, 'PullAndPush'), pushing, 'another statement is never edited');
    assert.deepEqual(await otherInline('OtherPullPolicy'), other, 'another policy is never edited');

    const findings = [...errorLines(run.log), ...run.log.split('\n').filter((line) => line.startsWith('::warning'))].join('\n');
    for (const [repository, holder] of [
      [LANGGRAPH, 'PullAndPush'],
      [STRAY, 'OtherPullPolicy'],
    ]) {
      assert.match(
        findings,
        new RegExp(`${repository.replace(/[/.]/g, '\\$&')}.*${holder}|${holder}.*${repository.replace(/[/.]/g, '\\$&')}`),
        `${repository}: reported with where it is held:\n${findings}\n${run.log.slice(-4000)}`,
      );
    }
    assert.match(findings, /not (be )?remov|cannot remove|by hand/i, 'says reconcile cannot remove them, and the fix');

    const report = reportOf<{
      policyChanges: { target: string; before: unknown; after: unknown; written: boolean }[];
    }>(run);
    const writes = report.policyChanges.filter((change) => change.written);
    assert.deepEqual(
      writes.map((change) => change.target),
      [`role:${STAGING_ROLE}/${ALLOWLIST_POLICY}`],
      'one write, to the allowlist policy',
    );
    assert.deepEqual(writes[0].before, seeded, 'before: what was stored');
    assert.deepEqual(writes[0].after, stored, 'after: exactly what is stored now');
    assertNoForgedCommands(run.log);
  });

  it('prune with extras only in other statements writes nothing at all, and says why', async () => {
    const ours = { Sid: OUR_SID, Effect: 'Allow', Action: PULL_ACTIONS, Resource: EXPECTED.map(repoArn) };
    const pushing = { Sid: 'PullAndPush', Effect: 'Allow', Action: 'ecr:*', Resource: [repoArn(LANGGRAPH)] };
    const seeded = { Version: '2012-10-17', Statement: [LOGIN, ours, pushing] };
    await stack.seedStaging(seeded);
    const run = await reconcile({ prune: 'true' });
    assert.deepEqual(await stack.storedAllowlist(), seeded, 'nothing written');
    const report = reportOf<{ policyChanges: { written: boolean }[] }>(run);
    assert.deepEqual(
      report.policyChanges.filter((change) => change.written),
      [],
    );
    assert.match(run.log, /molecule-ai\/workspace-template-langgraph/);
    assert.match(run.log, /PullAndPush/, run.log.slice(-4000));
  });
});
