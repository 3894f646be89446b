// Hostile stored policies: what ECR or IAM hands back is outside text too. A malformed shape must
// give one error naming where the policy is stored (never "unexpected error", never "AWS or the
// network"), before anything is written, even in reconcile; a valid policy whose Sid or Resource
// carries a workflow command must be judged correctly without that command reaching the log.
import assert from 'node:assert/strict';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { decodeIamDocument, parsePolicy } from '../../src/domain/policy/document.js';
import { UserError } from '../../src/errors.js';
import {
  ALLOWLIST_POLICY,
  INCIDENT_ALLOWLIST,
  MANIFEST_NAMES,
  PLATFORM_AGENT,
  PROD_ACCOUNT,
  PULL_ACTIONS,
  STAGING_ACCOUNT,
  TEMPLATE,
  allowlistPolicy,
  crossAccountGrant,
  manifestWorkspace,
  presets,
  repoArn,
  runAction,
  template,
} from '../../stack/fixture.js';
import { FORGED, assertNoForgedCommands, assertNoWrite, assertOneError, useStoredMoto } from './stack.js';

const ws = manifestWorkspace();
const ROOT_PRINCIPAL = `arn:aws:iam::${STAGING_ACCOUNT}:root`;
const verify = { ...presets.verifyRepository, 'registry-id': PROD_ACCOUNT };
// The allowlist lacks the repository: reconcile would write, and must not.
const reconcile = { ...verify, mode: 'reconcile', 'pull-principals': STAGING_ACCOUNT };

const policy = (...statements: unknown[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const grant = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  Sid: 'Grant',
  Effect: 'Allow',
  Principal: { AWS: ROOT_PRINCIPAL },
  Action: PULL_ACTIONS,
  ...extra,
});
const identity = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  Sid: 'Pull',
  Effect: 'Allow',
  Action: PULL_ACTIONS,
  Resource: repoArn(PLATFORM_AGENT),
  ...extra,
});
const deep = (depth: number): string =>
  `{"Version":"2012-10-17","Statement":[{"Sid":"Deep","Effect":"Allow","Principal":"*","Action":"ecr:BatchGetImage","Condition":${'['.repeat(depth)}${']'.repeat(depth)}}]}`;

const REPOSITORY = 'the repository policy stored on molecule-ai/molecule-platform-agent';
const INLINE = `inline policy ${ALLOWLIST_POLICY} of role MoleculeTenantEICRole-staging`;
const malformed = (where: string, problem: string): RegExp =>
  new RegExp(`^${where.replace(/[/.]/g, '\\$&')} is malformed: ${problem}\\. Fix or replace it by hand; nothing was written\\.$`);
const notJson = (where: string, problem: string): RegExp =>
  new RegExp(`^${where.replace(/[/.]/g, '\\$&')} is not valid JSON \\(${problem}\\)\\. Fix or replace it by hand; nothing was written\\.$`);

type Case = [string, 'repository' | 'inline', string, RegExp, Record<string, string>];
const cases: Case[] = [
  [
    'Principal null',
    'repository',
    policy(grant({ Principal: null })),
    malformed(REPOSITORY, 'statement Grant has a Principal that is null, not "\\*" or an object such as \\{"AWS": \\[ARN, \\.\\.\\.\\]\\}'),
    verify,
  ],
  [
    'Principal null (reconcile)',
    'repository',
    policy(grant({ Principal: null })),
    malformed(REPOSITORY, 'statement Grant has a Principal that is null.*'),
    reconcile,
  ],
  ['Principal a number', 'repository', policy(grant({ Principal: 5 })), malformed(REPOSITORY, 'statement Grant has a Principal that is 5, not .*'), reconcile],
  [
    'Principal a list',
    'repository',
    policy(grant({ Principal: [ROOT_PRINCIPAL] })),
    malformed(REPOSITORY, 'statement Grant has a Principal that is \\["arn:aws:iam::004947743811:root"\\], not .*'),
    verify,
  ],
  [
    'Principal AWS a number',
    'repository',
    policy(grant({ Principal: { AWS: 4947743811 } })),
    malformed(REPOSITORY, 'statement Grant has a Principal whose AWS is 4947743811, not a string or a list of strings'),
    reconcile,
  ],
  [
    'Principal of an unknown type',
    'repository',
    policy(grant({ Principal: { Evil: 'x' } })),
    malformed(REPOSITORY, 'statement Grant has a Principal of unknown type "Evil" .*'),
    verify,
  ],
  ['Principal an empty object', 'repository', policy(grant({ Principal: {} })), malformed(REPOSITORY, 'statement Grant has an empty Principal'), reconcile],
  [
    'NotPrincipal null',
    'repository',
    policy(grant({ Principal: undefined, NotPrincipal: null })),
    malformed(REPOSITORY, 'statement Grant has a NotPrincipal that is null.*'),
    verify,
  ],
  [
    'Principal and NotPrincipal',
    'repository',
    policy(grant({ NotPrincipal: { AWS: ROOT_PRINCIPAL } })),
    malformed(REPOSITORY, 'statement Grant has both Principal and NotPrincipal'),
    reconcile,
  ],
  [
    'Condition a string',
    'repository',
    policy(grant({ Condition: 'x' })),
    malformed(REPOSITORY, 'statement Grant has a Condition that is "x", not an object of operators'),
    verify,
  ],
  [
    'Condition operator a string',
    'repository',
    policy(grant({ Condition: { StringEquals: 'x' } })),
    malformed(REPOSITORY, 'statement Grant has a Condition whose operator "StringEquals" holds "x", not an object of condition keys'),
    reconcile,
  ],
  [
    'Condition value an object',
    'repository',
    policy(grant({ Condition: { StringEquals: { 'aws:PrincipalOrgID': { nested: 1 } } } })),
    malformed(
      REPOSITORY,
      'statement Grant has a Condition whose "StringEquals" key "aws:PrincipalOrgID" holds \\{"nested":1\\}, not strings, numbers or booleans',
    ),
    verify,
  ],
  [
    'Condition value a list with null',
    'repository',
    policy(grant({ Condition: { StringEquals: { 'aws:PrincipalOrgID': [null] } } })),
    malformed(REPOSITORY, 'statement Grant has a Condition whose .* holds \\[null\\], not strings, numbers or booleans'),
    reconcile,
  ],
  ['an empty Statement list', 'repository', policy(), malformed(REPOSITORY, 'its Statement list is empty'), verify],
  [
    'Statement a string',
    'repository',
    JSON.stringify({ Version: '2012-10-17', Statement: 'x' }),
    malformed(REPOSITORY, 'statement 1 is "x", not an object'),
    reconcile,
  ],
  ['Statement [null]', 'repository', policy(null), malformed(REPOSITORY, 'statement 1 is null, not an object'), verify],
  ['20,000 levels of nesting', 'repository', deep(20_000), notJson(REPOSITORY, 'nesting deeper than 32 levels at line 1, column \\d+'), reconcile],
  ['no Effect', 'repository', policy(grant({ Effect: undefined })), malformed(REPOSITORY, 'statement Grant has Effect missing, not Allow or Deny'), verify],
  [
    'Action a number',
    'repository',
    policy(grant({ Action: 5 })),
    malformed(REPOSITORY, 'statement Grant has an Action that is 5, not a string or a list of strings'),
    reconcile,
  ],
  ['Sid a number', 'repository', policy(grant({ Sid: 5 })), malformed(REPOSITORY, 'statement 1 has a Sid that is 5, not a string'), verify],
  [
    'an element IAM does not have',
    'repository',
    policy(grant({ Evil: 1 })),
    malformed(REPOSITORY, 'statement Grant has an element "Evil" that IAM\'s policy grammar does not have'),
    reconcile,
  ],
  ['a top-level list', 'repository', '[]', malformed(REPOSITORY, 'it is \\[\\], not a policy object'), verify],
  ['the text null', 'repository', 'null', malformed(REPOSITORY, 'it is null, not a policy object'), reconcile],
  ['YAML', 'repository', 'Version: 2012-10-17\nStatement: []\n', notJson(REPOSITORY, 'expected a value at line 1, column 1'), verify],
  ['a secret instead of a policy', 'repository', 'hunter2-do-not-print', notJson(REPOSITORY, 'expected a value at line 1, column 1'), reconcile],
  [
    '200 KB of text',
    'repository',
    policy(grant({ Sid: 'x'.repeat(200 * 1024) })),
    malformed(REPOSITORY, 'it is \\d+ characters long, more than any AWS policy can hold'),
    verify,
  ],
  [
    'a forged error in a Sid with a bad Effect',
    'repository',
    policy(grant({ Sid: `Broken${FORGED.error}`, Effect: 'Maybe' })),
    malformed(REPOSITORY, 'statement Broken\\\\u000a::error::forged has Effect "Maybe", not Allow or Deny'),
    reconcile,
  ],
  [
    'a legacy command in a Sid with a bad Resource',
    'repository',
    policy(grant({ Sid: FORGED.legacy, Resource: 7 })),
    malformed(REPOSITORY, 'statement ## \\[error\\]forged has a Resource that is 7, not a string or a list of strings'),
    verify,
  ],
  [
    'badly URL-encoded text',
    'inline',
    '%E0%A4%A',
    malformed(INLINE, 'it is not valid URL-encoded text \\(IAM returns policy documents URL-encoded\\)'),
    verify,
  ],
  [
    'badly URL-encoded text (reconcile)',
    'inline',
    `${encodeURIComponent(policy(identity())).slice(0, 40)}%E0%A4%A`,
    malformed(INLINE, 'it is not valid URL-encoded text.*'),
    reconcile,
  ],
  [
    'a Condition that is a list',
    'inline',
    encodeURIComponent(policy(identity({ Condition: ['x'] }))),
    malformed(INLINE, 'statement Pull has a Condition that is \\["x"\\], not an object of operators'),
    verify,
  ],
  ['an empty Statement list', 'inline', encodeURIComponent(policy()), malformed(INLINE, 'its Statement list is empty'), reconcile],
  [
    'a Resource that is a number',
    'inline',
    encodeURIComponent(policy(identity({ Resource: 5 }))),
    malformed(INLINE, 'statement Pull has a Resource that is 5, not a string or a list of strings'),
    verify,
  ],
  ['20,000 levels of nesting', 'inline', encodeURIComponent(deep(20_000)), notJson(INLINE, 'nesting deeper than 32 levels at line 1, column \\d+'), reconcile],
  [
    'a masking Sid with NotAction a number',
    'inline',
    encodeURIComponent(policy(identity({ Sid: `Pull${FORGED.mask}`, Action: undefined, NotAction: 5 }))),
    malformed(INLINE, 'statement Pull\\\\u000a::add-mask::x has a NotAction that is 5, not a string or a list of strings'),
    verify,
  ],
  [
    'Resource and NotResource',
    'inline',
    encodeURIComponent(policy(identity({ NotResource: '*' }))),
    malformed(INLINE, 'statement Pull has both Resource and NotResource'),
    reconcile,
  ],
];

describe(`hostile stored policies: ${cases.length} malformed shapes through dist/index.js, each one error naming where it is stored, no write`, () => {
  const stack = useStoredMoto({ allowlist: INCIDENT_ALLOWLIST });

  for (const [what, where, text, message, inputs] of cases) {
    it(`${inputs.mode}: refuses ${what} in the ${where === 'repository' ? 'repository policy' : 'inline identity policy'}`, async () => {
      stack.proxy.clear();
      if (where === 'repository') stack.proxy.repositoryPolicies.set(PLATFORM_AGENT, text);
      else stack.proxy.rolePolicies.set(ALLOWLIST_POLICY, text);
      const run = await runAction(
        inputs,
        { ...stack.env, AWS_ENDPOINT_URL: stack.proxy.endpoint, GITHUB_WORKSPACE: ws, AWS_MAX_ATTEMPTS: '2' },
        { timeoutMs: 60_000 },
      );
      const error = assertOneError(run, message);
      assert.ok(!/AWS or the network|hunter2/.test(error), error);
      await assertNoWrite(run, stack.endpoint, stack.state, stack.proxy);
    });
  }
});

describe('hostile but valid stored policies: the correct verdict, and no workflow command from their text', () => {
  const stack = useStoredMoto({ allowlist: [...MANIFEST_NAMES.map(template), PLATFORM_AGENT] });
  const run = (inputs: Record<string, string>) =>
    runAction(inputs, { ...stack.env, AWS_ENDPOINT_URL: stack.proxy.endpoint, GITHUB_WORKSPACE: ws }, { timeoutMs: 60_000 });

  it('a public foreign statement whose Sid forges commands and HTML: a warning, quoted inert; the summary escaped; the grant judged ok', async () => {
    stack.proxy.clear();
    const sid = `Public${FORGED.error}${FORGED.mask}${FORGED.state}${FORGED.legacy}<img src=x onerror=alert(1)>`;
    stack.proxy.repositoryPolicies.set(PLATFORM_AGENT, policy(crossAccountGrant(), { Sid: sid, Effect: 'Allow', Principal: '*', Action: 'ecr:BatchGetImage' }));
    const result = await run(verify);
    assert.equal(result.exitCode, 0, result.log);
    assert.match(result.log, /::warning::.*lets anyone pull/);
    assert.match(result.log, /molecule-ai\/molecule-platform-agent\s+ok\s+allowed/);
    assert.ok(!result.summary.includes('<img'), result.summary);
    await assertNoWrite(result, stack.endpoint, stack.state, stack.proxy);
  });

  it("a grant whose Sid and principal list carry commands: still our grant's meaning, judged ok", async () => {
    stack.proxy.clear();
    stack.proxy.repositoryPolicies.set(PLATFORM_AGENT, policy({ ...crossAccountGrant(), Sid: `Grant${FORGED.error}` }));
    const result = await run(verify);
    assert.equal(result.exitCode, 0, result.log);
    assert.match(result.log, /molecule-ai\/molecule-platform-agent\s+ok\s+allowed/);
    await assertNoWrite(result, stack.endpoint, stack.state, stack.proxy);
  });

  it('an allowlist Resource that forges commands and HTML: reported as an extra, quoted inert, escaped in the summary', async () => {
    stack.proxy.clear();
    const hostile = `molecule-ai/x${FORGED.error}${FORGED.legacy}<script>alert(1)</script>`;
    const allowlist = allowlistPolicy([...MANIFEST_NAMES.map(template), PLATFORM_AGENT]) as { Statement: { Resource?: string[] }[] };
    allowlist.Statement[1].Resource!.push(repoArn(hostile));
    stack.proxy.rolePolicies.set(ALLOWLIST_POLICY, encodeURIComponent(JSON.stringify(allowlist)));
    const result = await run({ ...verify, repository: '', manifest: 'manifest.json', 'repository-template': TEMPLATE, 'extra-repositories': PLATFORM_AGENT });
    assert.equal(result.exitCode, 0, result.log);
    assert.deepEqual(JSON.parse(result.outputs.missing), []);
    assert.deepEqual(JSON.parse(result.outputs.extra), [hostile], 'the extra named exactly, in the JSON output');
    assert.ok(!result.summary.includes('<script>'), result.summary);
    await assertNoWrite(result, stack.endpoint, stack.state, stack.proxy);
  });

  it('a Sid that saves state: nothing is saved for post, and post deletes nothing', async () => {
    stack.proxy.clear();
    stack.proxy.repositoryPolicies.set(
      PLATFORM_AGENT,
      policy({ ...crossAccountGrant(), Sid: FORGED.state }, { Sid: `${FORGED.state}x`, Effect: 'Allow', Principal: '*', Action: 'ecr:ListImages' }),
    );
    const result = await run(verify);
    assert.equal(result.exitCode, 0, result.log);
    assert.equal(readFileSync(join(result.runnerTemp, 'state'), 'utf8'), '', 'no state saved');
    await assertNoWrite(result, stack.endpoint, stack.state, stack.proxy);
  });

  it('the JSON report, which holds every policy read, is 0600 in RUNNER_TEMP; off a runner, in a fresh 0700 folder, never in /tmp itself', async () => {
    stack.proxy.clear();
    const onRunner = await run(verify);
    assert.equal(onRunner.exitCode, 0, onRunner.log);
    assert.equal(dirname(onRunner.outputs.report), onRunner.runnerTemp);
    assert.equal(statSync(onRunner.outputs.report).mode & 0o777, 0o600);

    const offRunner = await runAction(
      verify,
      { ...stack.env, AWS_ENDPOINT_URL: stack.proxy.endpoint, GITHUB_WORKSPACE: ws, RUNNER_TEMP: '' },
      { timeoutMs: 60_000 },
    );
    assert.equal(offRunner.exitCode, 0, offRunner.log);
    const folder = dirname(offRunner.outputs.report);
    try {
      assert.notEqual(folder, tmpdir());
      assert.match(basename(folder), /^publish-image-/);
      assert.equal(statSync(folder).mode & 0o777, 0o700);
      assert.equal(statSync(offRunner.outputs.report).mode & 0o777, 0o600);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('condition values that are numbers and booleans are read as IAM reads them (strings), without a crash', async () => {
    stack.proxy.clear();
    stack.proxy.repositoryPolicies.set(
      PLATFORM_AGENT,
      policy({ ...crossAccountGrant(), Condition: { NumericLessThanEquals: { 'aws:MultiFactorAuthAge': 3600 }, Bool: { 'aws:SecureTransport': true } } }),
    );
    const result = await run(verify);
    assert.ok(!/unexpected error/.test(result.log), result.log);
    assert.ok(result.exitCode === 0 || result.exitCode === 1, result.log);
    assertNoForgedCommands(result.log);
    await assertNoWrite(result, stack.endpoint, stack.state, stack.proxy);
  });
});

describe('the policy parser, table-driven', () => {
  const problem = (call: () => unknown): string => {
    try {
      call();
    } catch (error) {
      assert.ok(error instanceof UserError, String(error));
      return error.message;
    }
    return 'no error';
  };
  const shapes: [string, unknown, RegExp][] = [
    ['a Service principal list', { Statement: [{ Effect: 'Allow', Principal: { Service: ['ecs.amazonaws.com'] }, Action: 'ecr:*' }] }, /^no error$/],
    ['a single statement object', { Statement: { Effect: 'Deny', NotAction: 'ecr:*', NotResource: '*' } }, /^no error$/],
    ['empty Action and Resource lists (they match nothing)', { Statement: [{ Effect: 'Allow', Action: [], Resource: [] }] }, /^no error$/],
    ['a Version that is a number', { Version: 2012, Statement: [{ Effect: 'Allow', Action: 'x' }] }, /its Version is 2012, not a string/],
    ['an Id that is an object', { Id: {}, Statement: [{ Effect: 'Allow', Action: 'x' }] }, /its Id is \{\}, not a string/],
    ['a top-level element IAM does not have', { Statement: [{ Effect: 'Allow', Action: 'x' }], Extra: 1 }, /a top-level element "Extra"/],
    ['both Action and NotAction', { Statement: [{ Effect: 'Allow', Action: 'x', NotAction: 'y' }] }, /needs exactly one of Action and NotAction/],
    ['neither Action nor NotAction', { Statement: [{ Effect: 'Allow' }] }, /needs exactly one of Action and NotAction/],
    ['Effect in lower case', { Statement: [{ Effect: 'allow', Action: 'x' }] }, /has Effect "allow", not Allow or Deny/],
    ['a Resource list holding a number', { Statement: [{ Effect: 'Allow', Action: 'x', Resource: ['a', 1] }] }, /has a Resource that is \["a",1\]/],
  ];
  for (const [what, document, message] of shapes) {
    it(`shape: ${what}`, () =>
      assert.match(
        problem(() => parsePolicy(JSON.stringify(document), 'P')),
        message,
      ));
  }

  it('condition values become strings, as IAM reads them', () => {
    const parsed = parsePolicy(
      policy({ Effect: 'Allow', Action: 'x', Condition: { Bool: { 'aws:SecureTransport': true }, NumericLessThan: { n: [1, 2] } } }),
      'P',
    );
    assert.deepEqual(parsed.Statement[0].Condition, { Bool: { 'aws:SecureTransport': 'true' }, NumericLessThan: { n: ['1', '2'] } });
  });

  it('a quoted Sid is cut short, on one line', () => {
    const message = problem(() => parsePolicy(policy({ Sid: `${'S'.repeat(5000)}\n::error::x`, Effect: 'No', Action: 'x' }), 'P'));
    assert.ok(message.length < 400, `${message.length}`);
    assert.ok(!message.includes('\n'));
  });

  it('decode: a literal + survives, already-decoded text passes, bad escapes name the source', () => {
    assert.equal(decodeIamDocument(encodeURIComponent('{"Sid":"a+b"}'), 'P'), '{"Sid":"a+b"}');
    assert.equal(decodeIamDocument('{"Sid":"100%"}', 'P'), '{"Sid":"100%"}');
    assert.match(
      problem(() => decodeIamDocument('%7B%ZZ', 'managed policy arn:aws:iam::1:policy/X attached to role R')),
      /^managed policy arn:aws:iam::1:policy\/X attached to role R is malformed: it is not valid URL-encoded text/,
    );
  });
});
