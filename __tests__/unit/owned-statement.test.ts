// The action's own statement (docs/security.md): exactly what it writes, or drift naming what was widened.
// ECR User Guide, "Private repository policies" (https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policies.html):
// a repository policy statement's Principal says who may act; "*" is anyone. IAM User Guide, "IAM JSON policy
// elements: Principal": an account ID stands for arn:aws:iam::ID:root.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PolicyDocument, Statement } from '../../src/domain/policy/document.js';
import { grantStatement, ownedStatementDrift, planGrant, type OwnedForm } from '../../src/domain/policy/repository-grant.js';
import { undoText } from '../../src/report/plan-text.js';
import { ownStatementText } from '../../src/report/findings.js';
import { PULL_ACTIONS as PULL, STAGING_ROLE_ARN as ROLE } from '../../stack/fixture.js';

const SID = 'PublishImageCrossAccountPull';
const FORM: OwnedForm = { sid: SID, principals: [ROLE], actions: PULL };
const OWNED = grantStatement(SID, [ROLE], PULL);
const FOREIGN: Statement = { Sid: 'TeamPull', Effect: 'Allow', Principal: { AWS: '111122223333' }, Action: 'ecr:BatchGetImage' };
const doc = (...Statement: Statement[]): PolicyDocument => ({ Version: '2012-10-17', Statement });

describe('the owned statement', () => {
  const cases: [string, PolicyDocument, OwnedForm, Partial<ReturnType<typeof ownedStatementDrift>> | undefined][] = [
    ['exact: no drift', doc(FOREIGN, OWNED), FORM, undefined],
    [
      'single values, other order, lower-case actions: no drift',
      doc({ ...OWNED, Principal: { AWS: ROLE }, Action: PULL.map((a) => a.toLowerCase()).reverse() }),
      FORM,
      undefined,
    ],
    [
      'narrower (a principal or action short) is not widened',
      doc({ ...OWNED, Action: PULL.slice(0, 2) }),
      { ...FORM, principals: [ROLE, '004947743811'] },
      undefined,
    ],
    [
      'an account ID given as pull-principal matches its root ARN',
      doc({ ...OWNED, Principal: { AWS: 'arn:aws:iam::004947743811:root' } }),
      { ...FORM, principals: ['004947743811'] },
      undefined,
    ],
    [
      '"*" and ecr:PutImage',
      doc({ ...OWNED, Principal: { AWS: ['*', ROLE] }, Action: [...PULL, 'ecr:PutImage'] }),
      FORM,
      { principals: ['*'], actions: ['ecr:PutImage'], copies: 1 },
    ],
    ['Principal "*"', doc({ ...OWNED, Principal: '*' }), FORM, { principals: ['*'] }],
    [
      'another role',
      doc({ ...OWNED, Principal: { AWS: [ROLE, 'arn:aws:iam::999999999999:role/x'] } }),
      FORM,
      { principals: ['arn:aws:iam::999999999999:role/x'] },
    ],
    [
      'a service principal',
      doc({ ...OWNED, Principal: { AWS: ROLE, Service: 'lambda.amazonaws.com' } }),
      FORM,
      { principals: ['Service:lambda.amazonaws.com'] },
    ],
    ['a Condition', doc({ ...OWNED, Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }), FORM, { elements: ['Condition'] }],
    [
      'NotAction',
      doc({ Sid: SID, Effect: 'Allow', Principal: { AWS: ROLE }, NotAction: 'ecr:DeleteRepository' }),
      FORM,
      { actions: ['NotAction:ecr:DeleteRepository'] },
    ],
    ['a second copy, public', doc(OWNED, FOREIGN, { ...OWNED, Principal: '*' }), FORM, { copies: 2, principals: ['*'] }],
    ['a second exact copy', doc(OWNED, OWNED), FORM, { copies: 2, principals: [] }],
    [
      'principals unknown (pull-principals empty): only "*" and non-AWS types count',
      doc({ ...OWNED, Principal: { AWS: ['*', ROLE] } }),
      { ...FORM, principals: [] },
      { principals: ['*'] },
    ],
    ['a unique ID is a stale principal, not a widening', doc({ ...OWNED, Principal: { AWS: ['AROAEXAMPLE'] } }), FORM, undefined],
    ['no own statement', doc(FOREIGN), FORM, undefined],
  ];
  for (const [name, document, form, expected] of cases) {
    it(name, () => {
      const drift = ownedStatementDrift(document, form);
      if (expected === undefined) return assert.equal(drift, undefined);
      assert.ok(drift);
      for (const [key, value] of Object.entries(expected)) assert.deepEqual(drift[key as keyof typeof drift], value, key);
    });
  }

  it('planGrant rewrites every copy into exactly one owned statement, in place, and keeps every other statement', () => {
    const plan = planGrant(doc({ ...OWNED, Principal: '*' }, FOREIGN, OWNED), OWNED, 'r');
    assert.deepEqual(plan.after.Statement, [OWNED, FOREIGN]);
    assert.equal(plan.changes, true);
  });

  it('the finding says what was widened, each value inert and bounded', () => {
    const drift = ownedStatementDrift(doc({ ...OWNED, Principal: { AWS: ['*', `arn:aws:iam::1:role/${'\u202e'.repeat(3)}x`] } }), FORM)!;
    const text = ownStatementText('team/app', drift);
    assert.match(
      text,
      /^your statement "PublishImageCrossAccountPull" on the repository policy of team\/app \(this action's own\) was widened: it names "\*" \(anyone\), /,
    );
    assert.doesNotMatch(text, /\u202e/);
    const many = ownedStatementDrift(doc({ ...OWNED, Principal: { AWS: Array.from({ length: 9 }, (_, i) => `arn:aws:iam::99999999999${i}:root`) } }), FORM)!;
    assert.match(ownStatementText('r', many), /and 4 more/);
  });
});

describe('what a failed reconcile says of its writes', () => {
  const grant = (repository: string, outcome: 'not-landed' | 'rolled-back' | 'not-rolled-back') =>
    ({ target: { kind: 'grant', repository, registryId: '153263036946', region: 'us-east-2', replica: false }, outcome }) as const;
  it('names each write and what became of it', () => {
    assert.equal(
      undoText([grant('a', 'rolled-back'), grant('b', 'rolled-back'), grant('c', 'not-landed')]),
      'Written, then rolled back: the grant on a (registry 153263036946, us-east-2), the grant on b (registry 153263036946, us-east-2). Not applied by AWS: the grant on c (registry 153263036946, us-east-2). The 2 grant(s) already written were rolled back; nothing changed.',
    );
    assert.equal(undoText([grant('a', 'not-landed')]), 'Not applied by AWS: the grant on a (registry 153263036946, us-east-2). Nothing was changed.');
    assert.match(
      undoText([grant('a', 'rolled-back'), { target: { kind: 'allowlist', roleName: 'R', policyName: 'P' }, outcome: 'not-rolled-back' }]),
      /^Written, then rolled back: the grant on a .*\. Could not roll back inline policy P of role R: restore them by hand/,
    );
  });
});

describe('the owned statement when the run knows no puller needs it (pullers, all in the registry account)', () => {
  // Review finding: with `pullers` given and every puller in the registry's own account, the owned form
  // names nobody; a foreign account added to our statement can pull, so it is a widening (docs/security.md).
  const known: OwnedForm = { sid: SID, principals: [], actions: PULL, known: true };
  it('a foreign account in our statement is drift, named', () => {
    const drift = ownedStatementDrift(doc({ ...OWNED, Principal: { AWS: ['arn:aws:iam::999999999999:root'] } }), known);
    assert.deepEqual(drift?.principals, ['arn:aws:iam::999999999999:root']);
  });
  it('when the run does not know whom it names (no pull-principals, no pullers), only * is', () => {
    const unknown: OwnedForm = { sid: SID, principals: [], actions: PULL };
    assert.equal(ownedStatementDrift(doc({ ...OWNED, Principal: { AWS: ['arn:aws:iam::999999999999:root'] } }), unknown), undefined);
  });
});
