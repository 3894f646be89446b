// `plan --format json|terraform` (docs/iac.md): the documents reconcile would write, as JSON and as
// HCL. The HCL is read back with HashiCorp's own parser (@cdktf/hcl2json, the HCL library compiled
// to WebAssembly): what it parses must be the very documents the JSON form gives, hostile names included.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from '@cdktf/hcl2json';
import { editAllowlist } from '../../src/domain/policy/allowlist.js';
import type { PolicyDocument, Statement } from '../../src/domain/policy/document.js';
import { grantStatement } from '../../src/domain/policy/repository-grant.js';
import { documentsJson, documentsTerraform, hclString, type DocumentsToWrite } from '../../src/report/terraform.js';

const PULL = ['ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage', 'ecr:BatchCheckLayerAvailability'];
const repo = (name: string): string => `arn:aws:ecr:us-east-2:153263036946:repository/${name}`;
const allowlist = (...names: string[]): PolicyDocument => editAllowlist(undefined, { add: names.map(repo), remove: [], addLogin: true }, PULL);

/** Every kind of text that could end a string, a comment or a block, or interpolate. */
const HOSTILE = 'a"b\\c ${var.x} %{if 1}x%{endif} $${y} $$${z} \n}\nresource "null_resource" "pwn" {\n# \r\t \u2028 */ é';

const input: DocumentsToWrite = {
  allowlists: [
    {
      roleArn: 'arn:aws:iam::004947743811:role/staging-puller',
      roleName: 'staging-puller',
      policyName: 'ecr-pull',
      document: allowlist('team/worker', 'team/app'),
    },
    {
      roleArn: `arn:aws:iam::004947743811:role/${HOSTILE}`,
      roleName: HOSTILE,
      policyName: `pull-${HOSTILE}`,
      document: { Version: '2012-10-17', Statement: [{ Sid: HOSTILE, Effect: 'Allow', Action: 'ecr:BatchGetImage', Resource: repo(HOSTILE) }] },
    },
    // Names that make the same label as the first: labels stay unique.
    { roleArn: 'arn:aws:iam::111111111111:role/Staging.Puller', roleName: 'Staging.Puller', policyName: 'ecr pull', document: allowlist('team/app') },
  ],
  grants: [
    {
      repository: 'team/worker',
      sid: 'PublishImageCrossAccountPull',
      statement: grantStatement('PublishImageCrossAccountPull', ['arn:aws:iam::004947743811:role/staging-puller'], PULL),
    },
    {
      repository: 'team/app',
      sid: HOSTILE,
      statement: {
        ...grantStatement(HOSTILE, ['arn:aws:iam::004947743811:root', `arn:aws:iam::004947743811:role/${HOSTILE}`], PULL),
        Condition: { StringEquals: { 'aws:PrincipalOrgID': ['o-b', 'o-a'], [HOSTILE]: HOSTILE }, Bool: { 'aws:SecureTransport': 'true' } },
      },
    },
    { repository: '9-public', sid: 'Anyone', statement: { Sid: 'Anyone', Effect: 'Allow', Principal: '*', NotAction: ['ecr:PutImage'], Resource: '*' } },
  ],
};

/**
 * hcl2json gives a string's template text as written (`$${` and `%%{` still escaped). Its value, as
 * HCL reads it (hclsyntax's string-literal scanner): left to right, `$${` is `${` and `%%{` is `%{`;
 * a `${` or `%{` left would be an interpolation or a directive, which no written name may become.
 */
function literal(template: string): string {
  let value = '';
  for (let index = 0; index < template.length;) {
    const rest = template.slice(index, index + 3);
    if (rest === '$${' || rest === '%%{') {
      value += rest.slice(1);
      index += 3;
    } else {
      assert.ok(!rest.startsWith('${') && !rest.startsWith('%{'), `an interpolation or directive in ${JSON.stringify(template)}`);
      value += template[index++];
    }
  }
  return value;
}
function literals(value: unknown): unknown {
  if (typeof value === 'string') return literal(value);
  if (Array.isArray(value)) return value.map(literals);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([key, item]) => [literal(key), literals(item)]));
  return value;
}

type Hcl = Record<string, Record<string, Record<string, Record<string, unknown>[]>>>;
const parsed = async (): Promise<Hcl> => (await parse('publish-image.tf', documentsTerraform(input))) as Hcl;

/** `policy = jsonencode({...})` comes back as the expression's text: its argument is an HCL object, parsed on its own. */
async function jsonencoded(expression: unknown): Promise<unknown> {
  const match = /^\$\{jsonencode\(([\s\S]*)\)\}$/.exec(String(expression));
  assert.ok(match, `jsonencode(...): ${String(expression).slice(0, 80)}`);
  return literals(((await parse('policy.tf', `policy = ${match[1]}\n`)) as { policy: unknown }).policy);
}

/** What the provider renders from an aws_iam_policy_document statement block (its documented mapping), as IAM JSON. */
function statementOf(block: Record<string, unknown>): Statement {
  const principals = (block.principals ?? []) as { type: string; identifiers: string[] }[];
  const conditions = (block.condition ?? []) as { test: string; variable: string; values: string[] }[];
  const statement: Record<string, unknown> = { Sid: block.sid, Effect: block.effect };
  if (principals.length) statement.Principal = principals[0].type === '*' ? '*' : Object.fromEntries(principals.map((p) => [p.type, p.identifiers]));
  for (const [argument, key] of [
    ['actions', 'Action'],
    ['not_actions', 'NotAction'],
    ['resources', 'Resource'],
    ['not_resources', 'NotResource'],
  ] as const)
    if (block[argument]) statement[key] = block[argument];
  if (conditions.length) {
    const condition: Record<string, Record<string, string[]>> = {};
    for (const { test, variable, values } of conditions) (condition[test] ??= {})[variable] = values;
    statement.Condition = condition;
  }
  return literals(statement) as Statement;
}

/** Single values as one-item lists (the provider writes lists; both mean the same to IAM). */
const lists = (record: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(record).map(([key, value]) => [key, [value].flat()]));
function listed(statement: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...statement };
  for (const key of ['Action', 'NotAction', 'Resource', 'NotResource']) if (out[key] !== undefined) out[key] = [out[key]].flat();
  if (out.Principal && out.Principal !== '*') out.Principal = lists(out.Principal as Record<string, unknown>);
  if (out.Condition)
    out.Condition = Object.fromEntries(
      Object.entries(out.Condition as Record<string, Record<string, unknown>>).map(([operator, keys]) => [operator, lists(keys)]),
    );
  return out;
}

describe('the JSON form', () => {
  const json = JSON.parse(documentsJson(input));

  it('is the same text for the input in any order', () => {
    const reversed = { allowlists: [...input.allowlists].reverse(), grants: [...input.grants].reverse() };
    assert.equal(documentsJson(reversed), documentsJson(input));
  });
  it('is 2-space JSON, sorted by role and repository, elements in IAM order, unordered lists sorted', () => {
    const text = documentsJson(input);
    assert.match(text, /^\{\n {2}"allowlists": \[\n {4}\{\n {6}"roleArn"/);
    assert.deepEqual(
      json.allowlists.map((a: { roleName: string }) => a.roleName),
      [HOSTILE, 'staging-puller', 'Staging.Puller'],
    );
    assert.deepEqual(
      json.grants.map((g: { repository: string }) => g.repository),
      ['9-public', 'team/app', 'team/worker'],
    );
    const own = json.allowlists[1].document;
    assert.deepEqual(Object.keys(own), ['Version', 'Statement']);
    assert.deepEqual(Object.keys(own.Statement[0]), ['Sid', 'Effect', 'Action', 'Resource']);
    assert.deepEqual(own.Statement[0].Resource, [repo('team/app'), repo('team/worker')]);
    assert.deepEqual(json.grants[1].statement.Condition.StringEquals['aws:PrincipalOrgID'], ['o-a', 'o-b']);
    assert.deepEqual(Object.keys(json.grants[1].statement.Condition), ['Bool', 'StringEquals']);
  });
  it('keeps hostile names exactly (JSON escapes them)', () => {
    assert.equal(json.allowlists[0].roleName, HOSTILE);
    assert.equal(json.grants[1].sid, HOSTILE);
  });
});

describe("the Terraform form, read back by HashiCorp's parser", () => {
  it('parses, and holds exactly the blocks written: nothing a name could inject', async () => {
    const hcl = await parsed();
    assert.deepEqual(Object.keys(hcl).sort(), ['data', 'resource']);
    assert.deepEqual(Object.keys(hcl.resource), ['aws_iam_role_policy']);
    assert.deepEqual(Object.keys(hcl.data), ['aws_iam_policy_document']);
    assert.equal(Object.keys(hcl.resource.aws_iam_role_policy).length, 3);
    assert.equal(Object.keys(hcl.data.aws_iam_policy_document).length, 3);
  });

  it('gives valid, unique, stable labels', async () => {
    const hcl = await parsed();
    const labels = [...Object.keys(hcl.resource.aws_iam_role_policy), ...Object.keys(hcl.data.aws_iam_policy_document)];
    for (const label of labels) assert.match(label, /^[a-z_][a-z0-9_]*$/);
    assert.equal(new Set(labels).size, labels.length);
    assert.deepEqual(
      Object.keys(hcl.resource.aws_iam_role_policy).sort(),
      ['a_b_c_var_x_if_1_x_endif_y_z_resource_null_resource_pwn_pull_a_b', 'staging_puller_ecr_pull', 'staging_puller_ecr_pull_2'].sort(),
    );
  });

  it('writes each allowlist as the JSON form gives it: role, name and policy', async () => {
    const hcl = await parsed();
    const json = JSON.parse(documentsJson(input)) as { allowlists: { roleName: string; policyName: string; document: unknown }[] };
    const written = Object.values(hcl.resource.aws_iam_role_policy).map((blocks) => blocks[0]);
    assert.equal(written.length, json.allowlists.length);
    for (const [index, expected] of json.allowlists.entries()) {
      const block = written[index];
      assert.equal(literal(block.role as string), expected.roleName);
      assert.equal(literal(block.name as string), expected.policyName);
      assert.deepEqual(await jsonencoded(block.policy), expected.document);
    }
  });

  it("writes each grant as a policy-document statement meaning the JSON form's statement", async () => {
    const hcl = await parsed();
    const json = JSON.parse(documentsJson(input)) as { grants: { statement: Record<string, unknown> }[] };
    const written = Object.values(hcl.data.aws_iam_policy_document).map((blocks) => (blocks[0].statement as Record<string, unknown>[])[0]);
    assert.deepEqual(
      written.map(statementOf).map((s) => listed(s as unknown as Record<string, unknown>)),
      json.grants.map((g) => listed(g.statement)),
    );
  });

  it('says the action owns a statement, not the repository policy', () => {
    const text = documentsTerraform(input);
    assert.match(text, /aws_ecr_repository_policy takes over the whole repository policy document/);
    assert.match(text, /source_policy_documents = \[data\.aws_iam_policy_document\.team_worker_publishimagecrossaccountpull\.json/);
  });

  it('is the same text for the input in any order', () => {
    const reversed = { allowlists: [...input.allowlists].reverse(), grants: [...input.grants].reverse() };
    assert.equal(documentsTerraform(reversed), documentsTerraform(input));
  });

  const strings: [string, string][] = [
    ['quotes and backslashes', 'a"b\\c\\"'],
    ['interpolation', '${aws_iam_role.x.arn}'],
    ['a directive', '%{ for x in y }${x}%{ endfor }'],
    ['escapes already', '$${a} %%{b} $$${c}'],
    ['line breaks', 'a\nb\r\nc\u2028d'],
    ['control characters', '\u0000\u001b[31m\u007f'],
    ['bidi controls', 'admin\u202e\u2066gnp.exe'],
  ];
  it('the string oracle itself sees an interpolation left unescaped', async () => {
    const back = (await parse('s.tf', 's = "a ${b} $${c}"\n')) as { s: string };
    assert.throws(() => literal(back.s), /an interpolation or directive/);
  });
  for (const [what, value] of strings) {
    it(`round-trips a string with ${what}`, async () => {
      const back = (await parse('s.tf', `s = ${hclString(value)}\n`)) as { s: string };
      assert.equal(literal(back.s), value);
      // eslint-disable-next-line no-control-regex
      assert.doesNotMatch(hclString(value), /[\u0000-\u001f\u202a-\u202e\u2066-\u2069]/, 'written as escapes');
    });
  }
});

// Issue #25: `plan --format` covers replicas' grants too (replication copies images, not repository policies).
describe('a replica’s grant', () => {
  const statement = grantStatement('PublishImageCrossAccountPull', ['arn:aws:iam::004947743811:root'], PULL);
  const withReplica: DocumentsToWrite = {
    allowlists: [],
    grants: [
      { repository: 'team/app', replica: { region: 'us-west-2', registryId: '153263036946' }, sid: 'PublishImageCrossAccountPull', statement },
      { repository: 'team/app', sid: 'PublishImageCrossAccountPull', statement },
    ],
  };

  it('the JSON form names the replica’s region and registry, after the registry’s own grant', () => {
    const grants = (JSON.parse(documentsJson(withReplica)) as { grants: { repository: string; replica?: object }[] }).grants;
    assert.deepEqual(
      grants.map((grant) => [grant.repository, grant.replica]),
      [
        ['team/app', undefined],
        ['team/app', { region: 'us-west-2', registryId: '153263036946' }],
      ],
    );
  });

  it('the Terraform form gives it a block of its own, saying which region and account to write it through', async () => {
    const text = documentsTerraform(withReplica);
    const parsed = (await parse('pull.tf', text)) as { data: { aws_iam_policy_document: Record<string, unknown> } };
    assert.deepEqual(Object.keys(parsed.data.aws_iam_policy_document).sort(), [
      'team_app_publishimagecrossaccountpull',
      'team_app_us_west_2_publishimagecrossaccountpull',
    ]);
    assert.match(
      text,
      /# The grant publish-image writes on the replica of repository team\/app in us-west-2 \(registry 153263036946; write it through a provider for that region and account\)/,
    );
  });
});
