// The pure core: normalising and comparing documents, the repository grant, the allowlist edit,
// drift planning and the manifest. Data in, data out; no AWS.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allowlistEntries, allowlistShows, coveredBy, editAllowlist, findAllowlistStatement } from '../../src/domain/policy/allowlist.js';
import { decodeIamDocument, iamPolicyLength, parsePolicy, samePolicyMeaning, type PolicyDocument, type Statement } from '../../src/domain/policy/document.js';
import { grantStatement, planGrant, publicGrants, stalePrincipals } from '../../src/domain/policy/repository-grant.js';
import { planReconcile, type PlanInput } from '../../src/domain/plan.js';
import { formatPlan } from '../../src/report/plan-text.js';
import type { Check, CheckStatus, RepositoryVerdict } from '../../src/domain/checks/model.js';
import type { Layer } from '../../src/domain/policy/evaluate.js';
import { expectedRepositories } from '../../src/domain/manifest.js';
import { UserError } from '../../src/errors.js';
import { PULL_ACTIONS as PULL, STAGING_ROLE_ARN as ROLE } from '../../stack/fixture.js';

const arn = (name: string): string => `arn:aws:ecr:us-east-2:153263036946:repository/${name}`;
const doc = (...Statement: Statement[]): PolicyDocument => ({ Version: '2012-10-17', Statement });

describe('policy documents', () => {
  const stored = doc({ Sid: 'A', Effect: 'Allow', Principal: { AWS: ['004947743811', ROLE] }, Action: ['ecr:BatchGetImage', 'ECR:GetDownloadUrlForLayer'] });
  const same: [string, PolicyDocument][] = [
    [
      'keys, arrays and action case reordered, account as root ARN, duplicates',
      doc({
        Action: ['ecr:getdownloadurlforlayer', 'ecr:BatchGetImage', 'ecr:BatchGetImage'],
        Principal: { AWS: [ROLE, 'arn:aws:iam::004947743811:root'] },
        Effect: 'Allow',
        Sid: 'A',
      }),
    ],
    ['statements reordered', doc(...stored.Statement)],
  ];
  for (const [what, other] of same) it(`means the same: ${what}`, () => assert.ok(samePolicyMeaning(stored, other)));

  const different: [string, PolicyDocument | undefined][] = [
    ['another principal', doc({ ...stored.Statement[0], Principal: { AWS: ROLE } })],
    ['an action fewer', doc({ ...stored.Statement[0], Action: 'ecr:BatchGetImage' })],
    ['Deny instead of Allow', doc({ ...stored.Statement[0], Effect: 'Deny' })],
    ['no policy at all', undefined],
    ['another Version', { ...stored, Version: '2008-10-17' }],
  ];
  for (const [what, other] of different) it(`differs: ${what}`, () => assert.ok(!samePolicyMeaning(stored, other)));

  it('decodes IAM URL-encoding, keeping a literal +', () => {
    assert.equal(decodeIamDocument(encodeURIComponent('{"Sid":"a+b c"}')), '{"Sid":"a+b c"}');
    assert.equal(decodeIamDocument('{"Sid":"100%"}'), '{"Sid":"100%"}', 'already decoded text passes through');
  });

  it('accepts a single statement object as IAM does', () => {
    assert.equal(parsePolicy('{"Statement":{"Effect":"Allow","Action":"ecr:*","Resource":"*"}}', 'x').Statement.length, 1);
  });

  it('counts IAM length without whitespace', () => {
    assert.equal(iamPolicyLength(doc()), '{"Version":"2012-10-17","Statement":[]}'.length);
  });
});

describe('the repository grant', () => {
  const grant = grantStatement('PublishImageCrossAccountPull', [ROLE, 'arn:aws:iam::004947743811:root'], PULL);
  const foreign: Statement = { Sid: 'Ci', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::153263036946:role/ci' }, Action: 'ecr:ListImages' };

  it('appends our statement and keeps every other one in place', () => {
    const plan = planGrant(doc(foreign), grant, 'r');
    assert.deepEqual(plan.after.Statement, [foreign, grant]);
    assert.ok(plan.changes);
  });

  it('replaces only the statement with our Sid', () => {
    const old = { ...grant, Principal: { AWS: 'arn:aws:iam::111111111111:root' } };
    assert.deepEqual(planGrant(doc(old, foreign), grant, 'r').after.Statement, [grant, foreign]);
  });

  it('makes no change when the stored grant means the same', () => {
    const reformatted = {
      Action: [...PULL].reverse().map((a) => a.toUpperCase()),
      Principal: { AWS: ['004947743811', ROLE] },
      Effect: 'Allow' as const,
      Sid: 'PublishImageCrossAccountPull',
    };
    assert.equal(planGrant(doc(foreign, reformatted), grant, 'r').changes, false);
  });

  it("refuses, before any write, a policy over ECR's 10,240 characters", () => {
    const big = Array.from({ length: 80 }, (_, i) => ({
      ...foreign,
      Sid: `S${i}`,
      Principal: { AWS: `arn:aws:iam::153263036946:role/ci-role-with-a-long-name-${i}` },
    }));
    assert.throws(
      () => planGrant(doc(...big), grant, 'team/app'),
      (error: unknown) =>
        error instanceof UserError && /repository policy of team\/app: with the grant it would be \d+ characters, over ECR's 10240/.test(error.message),
    );
  });

  it('reports public foreign grants and unique-ID principals', () => {
    const policy = doc(
      grant,
      { Sid: 'Open', Effect: 'Allow', Principal: '*', Action: 'ecr:BatchGetImage' },
      { Sid: 'Old', Effect: 'Allow', Principal: { AWS: ['AROAEXAMPLE123'] }, Action: 'ecr:BatchGetImage' },
    );
    assert.equal(publicGrants(policy, 'PublishImageCrossAccountPull', 'r').length, 1);
    assert.deepEqual(stalePrincipals(policy), [{ sid: 'Old', principal: 'AROAEXAMPLE123' }]);
    assert.deepEqual(publicGrants(doc({ ...grant, Principal: '*' }), 'PublishImageCrossAccountPull', 'r'), [], 'our own statement is never foreign');
  });
});

describe('the staging allowlist', () => {
  const login: Statement = { Sid: 'Login', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' };
  const pull: Statement = { Sid: 'Pull', Effect: 'Allow', Action: PULL, Resource: [arn('b'), arn('a')] };

  it('finds the statement that grants every pull action on explicit ARNs', () => {
    assert.equal(findAllowlistStatement(doc(login, pull), PULL), 1);
    assert.equal(findAllowlistStatement(doc(login, { ...pull, Action: 'ecr:BatchGetImage' }), PULL), -1);
  });

  it('adds (sorted, after the existing order) and removes ARNs, keeping other statements', () => {
    const after = editAllowlist(doc(login, pull), { add: [arn('d'), arn('c'), arn('a')], remove: [arn('b')], addLogin: false }, PULL);
    assert.deepEqual(after.Statement, [login, { ...pull, Resource: [arn('a'), arn('c'), arn('d')] }]);
    assert.ok(allowlistShows(after, { add: [arn('c')], remove: [arn('b')], addLogin: false }, PULL));
  });

  it('creates the allowlist statement, and the login statement, when missing', () => {
    const after = editAllowlist(undefined, { add: [arn('a')], remove: [], addLogin: true }, PULL);
    assert.deepEqual(
      after.Statement.map((s) => s.Sid),
      ['PublishImagePullAllowlist', 'PublishImageEcrLogin'],
    );
  });

  it('lists explicit repositories and wildcards of this registry only', () => {
    const entries = allowlistEntries(
      [
        doc(
          login,
          pull,
          { Effect: 'Allow', Action: 'ecr:*', Resource: [arn('team/*'), 'arn:aws:ecr:eu-west-1:153263036946:repository/x'] },
          { Effect: 'Allow', Action: 's3:*', Resource: arn('s3-only') },
        ),
      ],
      'us-east-2',
      '153263036946',
      PULL,
    );
    assert.deepEqual(entries, { explicit: ['a', 'b'], wildcards: [arn('team/*')] });
    assert.deepEqual(coveredBy(arn('team/*'), ['team/x', 'other/y'], 'us-east-2', '153263036946'), ['team/x']);
  });
});

describe('reconcile plan', () => {
  const base: PlanInput = {
    region: 'us-east-2',
    registryId: '153263036946',
    verdicts: [],
    role: { roleArn: 'arn:aws:iam::004947743811:role/Role' },
    grantPlans: new Map(),
    extra: [],
    prune: false,
    pullActions: PULL,
    allowlistDocument: doc({ Sid: 'Pull', Effect: 'Allow', Action: PULL, Resource: [arn('a')] }),
    policies: [],
    otherInlineLength: 0,
    policyName: 'Allowlist',
  };
  const check = (status: CheckStatus, layer: Layer): Check => ({ status, layer, deciding: [], unknownKeys: [] });
  const row = (repository: string, grant: CheckStatus, identity: CheckStatus): RepositoryVerdict => ({
    repository,
    arn: arn(repository),
    exists: true,
    grant: check(grant, 'resource'),
    identity: check(identity, 'identity'),
    stalePrincipals: [],
    grantWritten: false,
    allowlistAdded: false,
    drift: true,
  });

  it('adds missing ARNs, prunes extras only when asked, and leaves Deny/Condition to a person', () => {
    const plan = planReconcile({ ...base, verdicts: [row('b', 'allowed', 'missing'), row('c', 'allowed', 'denied')], extra: ['a'] });
    assert.deepEqual(plan.allowlist, { add: [arn('b')], remove: [], addLogin: false });
    assert.deepEqual(plan.unfixable, [{ kind: 'identity-side', repository: 'c', status: 'denied', layer: 'identity' }]);
    assert.match(formatPlan(plan, 'Allowlist', 'Role'), /! c: identity side is "denied"/);
    assert.deepEqual(planReconcile({ ...base, extra: ['a'], prune: true }).allowlist.remove, [arn('a')]);
  });

  it("refuses past IAM's inline limit, naming what to do", () => {
    assert.throws(
      () => planReconcile({ ...base, verdicts: [row('b', 'allowed', 'missing')], otherInlineLength: 10_200 }),
      /over IAM's 10240\. Replace explicit ARNs in Allowlist with a name-prefix wildcard/,
    );
  });

  it('prints like terraform plan, with the room left', () => {
    const text = formatPlan(planReconcile({ ...base, verdicts: [row('b', 'allowed', 'missing')] }), 'Allowlist', 'Role');
    assert.match(text, /^Plan: 0 grant\(s\) to add, 1 allowlist ARN\(s\) to add, 0 to remove/);
    assert.match(text, /\+ allowlist {2}arn:aws:ecr:us-east-2:153263036946:repository\/b/);
    assert.match(text, /room for about \d+ more repository ARNs/);
  });
});

describe('the manifest', () => {
  it('maps strings and objects, dedupes, adds extras, sorted', () => {
    const manifest = { spec: { templates: ['codex', { name: 'seo-agent', runtime: 'python' }, 'codex'] } };
    assert.deepEqual(
      expectedRepositories(manifest, 'm.json', 'spec.templates', 'molecule-ai/workspace-template-{name}', ['molecule-ai/molecule-platform-agent']),
      ['molecule-ai/molecule-platform-agent', 'molecule-ai/workspace-template-codex', 'molecule-ai/workspace-template-seo-agent'],
    );
  });
});
