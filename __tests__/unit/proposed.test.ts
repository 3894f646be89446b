// The proposed state (docs/iac.md): a policy document for a named layer, or a Terraform/OpenTofu plan
// in JSON, read as the replacements it makes. The plan fixtures in __tests__/fixtures/terraform/
// follow HashiCorp's "JSON Output Format" (https://developer.hashicorp.com/terraform/internals/json-format:
// resource_changes[].change.{actions, before, after, after_unknown}) and the AWS provider's
// attributes per resource type (https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/
// iam_role_policy, iam_role_policy_attachment, iam_policy, iam_role, ecr_repository_policy, ecr_registry_policy).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readProposedFile } from '../../src/adapters/proposed-file.js';
import { isUnknown, parseProposed, unknownsOf, type ProposedDocument, type Replacement } from '../../src/domain/proposed.js';
import { UserError } from '../../src/errors.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'terraform');
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');
const plan = (name: string): Replacement[] => parseProposed(fixture(name), { file: name }).replacements;

/** A document as its Sids and resources, so a table row stays one line. */
function shape(document: ProposedDocument): unknown {
  if (document === 'deleted' || isUnknown(document)) return document;
  return document.Statement.map((statement) => `${statement.Sid ?? '-'}:${[statement.Resource ?? []].flat().length}`).join(',');
}
/** Which registry an ECR change writes to (`where`) is judged in proposed-overlay.test.ts: left out of these rows. */
const shapes = (replacements: Replacement[]): unknown[] =>
  replacements.map((replacement) => {
    const row = 'where' in replacement ? (({ where: _where, ...rest }) => rest)(replacement) : replacement;
    return 'document' in row ? { ...row, document: shape(row.document) } : row;
  });

const unknown = (at: string) => ({ unknown: at });
const RO = 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly';
const PULL_ONLY = 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly';
const OWN = 'PublishImagePullAllowlist:1';
const OWN2 = 'PublishImagePullAllowlist:2';

describe('proposed state from a plan', () => {
  const table: [string, unknown[]][] = [
    [
      'iam-role-policy.json',
      [
        { kind: 'inline-policy', from: 'aws_iam_role_policy.created', roleName: 'staging-puller', policyName: 'ecr-pull', document: OWN2 },
        { kind: 'inline-policy', from: 'aws_iam_role_policy.updated', roleName: 'staging-puller', policyName: 'ecr-pull-2', document: OWN2 },
        { kind: 'inline-policy', from: 'aws_iam_role_policy.deleted', roleName: 'staging-puller', policyName: 'old-pull', document: 'deleted' },
        {
          kind: 'inline-policy',
          from: 'module.pullers.aws_iam_role_policy.pull["new-role"]',
          roleName: unknown('module.pullers.aws_iam_role_policy.pull["new-role"].role'),
          policyName: 'ecr-pull',
          document: unknown('module.pullers.aws_iam_role_policy.pull["new-role"].policy'),
        },
        // Replaced onto another role: deleted from the old one, written on the new one.
        { kind: 'inline-policy', from: 'aws_iam_role_policy.moved', roleName: 'old-role', policyName: 'ecr-pull', document: 'deleted' },
        { kind: 'inline-policy', from: 'aws_iam_role_policy.moved', roleName: 'staging-puller', policyName: 'ecr-pull', document: OWN },
      ],
    ],
    [
      'iam-role-policy-attachment.json',
      [
        {
          kind: 'managed-policy-attachment',
          from: 'aws_iam_role_policy_attachment.attached',
          roleName: 'staging-puller',
          policyArn: PULL_ONLY,
          action: 'attach',
        },
        { kind: 'managed-policy-attachment', from: 'aws_iam_role_policy_attachment.detached', roleName: 'staging-puller', policyArn: RO, action: 'detach' },
        { kind: 'managed-policy-attachment', from: 'aws_iam_role_policy_attachment.swapped', roleName: 'staging-puller', policyArn: RO, action: 'detach' },
        {
          kind: 'managed-policy-attachment',
          from: 'aws_iam_role_policy_attachment.swapped',
          roleName: 'staging-puller',
          policyArn: PULL_ONLY,
          action: 'attach',
        },
        {
          kind: 'managed-policy-attachment',
          from: 'aws_iam_role_policy_attachment.pending',
          roleName: 'staging-puller',
          policyArn: unknown('aws_iam_role_policy_attachment.pending.policy_arn'),
          action: 'attach',
        },
        // aws_iam_policy_attachment (exclusive, a set of roles): a role leaving the set is detached, one joining attached.
        { kind: 'managed-policy-attachment', from: 'aws_iam_policy_attachment.shared', roleName: 'puller-a', policyArn: PULL_ONLY, action: 'detach' },
        { kind: 'managed-policy-attachment', from: 'aws_iam_policy_attachment.shared', roleName: 'puller-c', policyArn: PULL_ONLY, action: 'attach' },
        {
          kind: 'managed-policy-attachment',
          from: 'aws_iam_policy_attachment.pending',
          roleName: unknown('aws_iam_policy_attachment.pending.roles'),
          policyArn: PULL_ONLY,
          action: 'attach',
        },
      ],
    ],
    [
      'iam-policy.json',
      [
        { kind: 'managed-policy', from: 'aws_iam_policy.created', policyArn: unknown('aws_iam_policy.created.arn'), policyName: 'ecr-pull', document: OWN2 },
        {
          kind: 'managed-policy',
          from: 'aws_iam_policy.updated',
          policyArn: 'arn:aws:iam::004947743811:policy/ecr-pull-managed',
          policyName: 'ecr-pull-managed',
          document: OWN2,
        },
        { kind: 'managed-policy', from: 'aws_iam_policy.deleted', policyArn: 'arn:aws:iam::004947743811:policy/gone', policyName: 'gone', document: 'deleted' },
        {
          kind: 'managed-policy',
          from: 'aws_iam_policy.pending',
          policyArn: 'arn:aws:iam::004947743811:policy/pending',
          policyName: 'pending',
          document: unknown('aws_iam_policy.pending.policy'),
        },
      ],
    ],
    [
      'iam-role.json',
      [
        // name_prefix: the name is unknown; inline_policy and managed_policy_arns not configured (unknown as a whole) say nothing.
        { kind: 'role', from: 'aws_iam_role.created', roleName: unknown('aws_iam_role.created.name'), action: 'create' },
        {
          kind: 'boundary',
          from: 'aws_iam_role.created',
          roleName: unknown('aws_iam_role.created.name'),
          policyArn: 'arn:aws:iam::004947743811:policy/boundary-v1',
        },
        // Only what differs from before: "kept" is not repeated.
        { kind: 'boundary', from: 'aws_iam_role.updated', roleName: 'staging-puller', policyArn: 'removed' },
        { kind: 'inline-policy', from: 'aws_iam_role.updated', roleName: 'staging-puller', policyName: 'ecr-pull', document: OWN2 },
        {
          kind: 'inline-policy',
          from: 'aws_iam_role.updated',
          roleName: 'staging-puller',
          policyName: 'added',
          document: unknown('aws_iam_role.updated.inline_policy[2].policy'),
        },
        { kind: 'inline-policy', from: 'aws_iam_role.updated', roleName: 'staging-puller', policyName: 'dropped', document: 'deleted' },
        { kind: 'managed-policy-attachment', from: 'aws_iam_role.updated', roleName: 'staging-puller', policyArn: PULL_ONLY, action: 'attach' },
        { kind: 'managed-policy-attachment', from: 'aws_iam_role.updated', roleName: 'staging-puller', policyArn: RO, action: 'detach' },
        { kind: 'boundary', from: 'aws_iam_role.rebounded', roleName: 'other-puller', policyArn: 'arn:aws:iam::004947743811:policy/boundary-v2' },
        {
          kind: 'boundary',
          from: 'aws_iam_role.pending_boundary',
          roleName: 'third-puller',
          policyArn: unknown('aws_iam_role.pending_boundary.permissions_boundary'),
        },
        { kind: 'role', from: 'aws_iam_role.deleted', roleName: 'old-puller', action: 'delete' },
      ],
    ],
    [
      'ecr-repository-policy.json',
      [
        { kind: 'repository-policy', from: 'aws_ecr_repository_policy.created', repository: 'team/app', document: 'PublishImageCrossAccountPull:0' },
        { kind: 'repository-policy', from: 'aws_ecr_repository_policy.updated', repository: 'team/worker', document: 'Other:0,PublishImageCrossAccountPull:0' },
        { kind: 'repository-policy', from: 'aws_ecr_repository_policy.deleted', repository: 'team/old', document: 'deleted' },
        {
          kind: 'repository-policy',
          from: 'aws_ecr_repository_policy.pending',
          repository: unknown('aws_ecr_repository_policy.pending.repository'),
          document: unknown('aws_ecr_repository_policy.pending.policy'),
        },
      ],
    ],
    // `role = aws_iam_role.puller.id` of a role this plan creates: unknown in the change, named by the configuration's references.
    [
      'resolved-names.json',
      [
        { kind: 'role', from: 'aws_iam_role.puller', roleName: 'new-puller', action: 'create' },
        { kind: 'inline-policy', from: 'aws_iam_role_policy.pull', roleName: 'new-puller', policyName: 'ecr-pull', document: OWN },
        { kind: 'repository-policy', from: 'aws_ecr_repository_policy.app', repository: 'team/app', document: 'PublishImageCrossAccountPull:0' },
        { kind: 'role', from: 'module.team["a"].aws_iam_role.r', roleName: 'team-a-puller', action: 'create' },
        {
          kind: 'managed-policy-attachment',
          from: 'module.team["a"].aws_iam_role_policy_attachment.p',
          roleName: 'team-a-puller',
          policyArn: PULL_ONLY,
          action: 'attach',
        },
        { kind: 'role', from: 'aws_iam_role.many[0]', roleName: 'many-0', action: 'create' },
        // A role with count, or an expression with another value in it: left unknown.
        {
          kind: 'inline-policy',
          from: 'aws_iam_role_policy.of_many',
          roleName: unknown('aws_iam_role_policy.of_many.role'),
          policyName: 'ecr-pull',
          document: OWN,
        },
        {
          kind: 'inline-policy',
          from: 'aws_iam_role_policy.suffixed',
          roleName: unknown('aws_iam_role_policy.suffixed.role'),
          policyName: 'ecr-pull',
          document: OWN,
        },
      ],
    ],
    // Data sources, no-op, a deposed object, forget and other resource types change nothing here.
    ['ecr-registry-policy.json', [{ kind: 'registry-policy', from: 'aws_ecr_registry_policy.this', document: 'DenyOutsideOrg:1,Replicate:1' }]],
  ];
  for (const [name, expected] of table) it(name, () => assert.deepEqual(shapes(plan(name)), expected));

  it('reads the documents whole, condition values as strings', () => {
    const [registry] = plan('ecr-registry-policy.json');
    assert.ok(registry.kind === 'registry-policy' && typeof registry.document === 'object' && 'Statement' in registry.document);
    assert.deepEqual(registry.document.Statement[0], {
      Action: 'ecr:*',
      Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-abc123' } },
      Effect: 'Deny',
      Principal: '*',
      Resource: '*',
      Sid: 'DenyOutsideOrg',
    });
  });

  it('reads a plan whose other resources nest deeper than a manifest may (WAF rules, nested modules)', () => {
    const deep = JSON.parse(fixture('ecr-registry-policy.json'));
    deep.prior_state = { values: { root_module: { resources: [{ values: JSON.parse(`${'{"statement":'.repeat(150)}1${'}'.repeat(150)}`) }] } } };
    assert.equal(parseProposed(JSON.stringify(deep), { file: 'deep.json' }).replacements.length, 1);
  });

  it('names every attribute left unknown until apply (the verdict is conditional on them)', () => {
    assert.deepEqual(unknownsOf(parseProposed(fixture('ecr-repository-policy.json'), { file: 'p' })), [
      'aws_ecr_repository_policy.pending.policy',
      'aws_ecr_repository_policy.pending.repository',
    ]);
    assert.deepEqual(unknownsOf(parseProposed(fixture('ecr-registry-policy.json'), { file: 'p' })), []);
  });
});

describe('proposed state from a policy document', () => {
  const document = JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'ecr:BatchGetImage', Resource: '*' } });
  const table: [string, Parameters<typeof parseProposed>[1]['layer'], Partial<Replacement>][] = [
    [
      'the allowlist of a named role',
      { layer: 'allowlist', roleArn: 'arn:aws:iam::004947743811:role/path/staging-puller', policyName: 'ecr-pull' },
      { kind: 'inline-policy', roleName: 'staging-puller', policyName: 'ecr-pull' },
    ],
    [
      'the allowlist of the judged role',
      { layer: 'allowlist', policyName: 'ecr-pull' },
      { kind: 'inline-policy', roleName: undefined, policyName: 'ecr-pull' },
    ],
    ['a repository policy', { layer: 'repository', repository: 'team/app' }, { kind: 'repository-policy', repository: 'team/app' }],
    ['the registry policy', { layer: 'registry' }, { kind: 'registry-policy' }],
  ];
  for (const [what, layer, expected] of table) {
    it(what, () => {
      const state = parseProposed(document, { file: 'allow.json', layer });
      assert.equal(state.from, 'policy-document');
      assert.equal(state.replacements.length, 1);
      const [replacement] = state.replacements;
      for (const [key, value] of Object.entries(expected)) assert.deepEqual(replacement[key as keyof Replacement], value, key);
      assert.ok('document' in replacement && typeof replacement.document === 'object' && 'Statement' in replacement.document);
      assert.equal(replacement.document.Statement.length, 1, 'a single statement object is read as IAM does');
    });
  }
});

describe('what is not a proposed state', () => {
  const secret = 'AKIAIOSFODNN7EXAMPLE-secret';
  const table: [string, string, string | undefined, RegExp][] = [
    ['not JSON', `${secret} = 1`, undefined, /^proposed: "f\.json" is not valid JSON \(expected a value at line 1, column 1\)\. Give an IAM policy document/],
    ['YAML', 'Statement:\n  - Effect: Allow', undefined, /is not valid JSON/],
    [
      'neither a document nor a plan',
      JSON.stringify({ secret }),
      undefined,
      /^proposed: "f\.json" is not an IAM policy document .* or a Terraform\/OpenTofu plan/,
    ],
    ['a list', '[]', undefined, /is not an IAM policy document/],
    ['nested past 256 levels', `${'['.repeat(300)}${']'.repeat(300)}`, undefined, /is not valid JSON \(nesting deeper than 256 levels at line 1, column 257\)/],
    ['a document without a layer', '{"Statement":[]}', undefined, /is a policy document; say which policy it replaces/],
    [
      'a malformed document',
      JSON.stringify({ Statement: [{ Effect: 'Maybe', Action: secret }] }),
      'repository',
      /^proposed: the policy document in "f\.json" is malformed/,
    ],
    ['format version 2', fixture('format-version-2.json'), undefined, /plan JSON format version "2\.0"; this action reads versions 0\.x and 1\.x/],
    ['a format version that is not one', JSON.stringify({ format_version: 7, resource_changes: [] }), undefined, /its format_version is 7, not "major\.minor"/],
    ['the JSON of a state', fixture('state.json'), undefined, /no resource_changes or planned_values \(is it the JSON of a state/],
    ['resource_changes not a list', JSON.stringify({ format_version: '1.2', resource_changes: {} }), undefined, /resource_changes is not a list/],
    [
      'a change without actions',
      JSON.stringify({ format_version: '1.2', resource_changes: [{ address: 'aws_iam_role_policy.x', type: 'aws_iam_role_policy', change: {} }] }),
      undefined,
      /the change of "aws_iam_role_policy\.x" has no list of actions/,
    ],
    [
      'a policy that is not JSON, quoted by address only',
      JSON.stringify({
        format_version: '1.2',
        resource_changes: [
          {
            address: 'aws_ecr_repository_policy.x',
            type: 'aws_ecr_repository_policy',
            change: { actions: ['create'], after: { repository: 'a', policy: secret } },
          },
        ],
      }),
      undefined,
      /^proposed: "aws_ecr_repository_policy\.x\.policy" in the plan is not valid JSON/,
    ],
    [
      'a role policy without a role',
      JSON.stringify({
        format_version: '1.2',
        resource_changes: [
          {
            address: 'aws_iam_role_policy.x',
            type: 'aws_iam_role_policy',
            change: { actions: ['create'], after: { name: 'n', policy: JSON.stringify({ Statement: { Effect: 'Allow', Action: '*', Resource: '*' } }) } },
          },
        ],
      }),
      undefined,
      /"aws_iam_role_policy\.x\.role" is missing or empty/,
    ],
    [
      'a hostile address, escaped and bounded',
      JSON.stringify({ format_version: '1.2', resource_changes: [{ address: `x\n::error::${'y'.repeat(5000)}`, type: 'aws_iam_role', change: {} }] }),
      undefined,
      /the change of "x\\u000a::error::y+… \(\d+ more characters\)" has no list of actions/,
    ],
  ];
  for (const [what, text, layer, message] of table) {
    it(what, () => {
      const layerOf = layer === 'repository' ? ({ layer: 'repository', repository: 'team/app' } as const) : undefined;
      assert.throws(
        () => parseProposed(text, { file: 'f.json', layer: layerOf }),
        (error: unknown) => {
          assert.ok(error instanceof UserError);
          assert.match(error.message, message);
          assert.ok(!error.message.includes(secret), 'never echoes the file');
          assert.ok(error.message.length < 600, `bounded: ${error.message.length}`);
          assert.ok(!error.message.includes('\n'), 'one line');
          return true;
        },
      );
    });
  }
});

describe('the proposed file', () => {
  const workspace = mkdtempSync(join(tmpdir(), 'proposed-'));
  writeFileSync(join(workspace, 'plan.json'), fixture('iam-role-policy-attachment.json'));
  mkdirSync(join(workspace, 'plans'));

  it('reads a plan inside the workspace', () => {
    assert.equal(readProposedFile('plan.json', undefined, workspace).replacements.length, 8);
  });
  it('refuses a path outside it, saying what to give', () => {
    assert.throws(
      () => readProposedFile('../../etc/passwd', undefined, workspace),
      /^UserError: proposed: "\.\.\/\.\.\/etc\/passwd" is outside the workspace .* Give the path of the proposed policy document or plan JSON/,
    );
  });
  it('refuses a directory', () => {
    assert.throws(
      () => readProposedFile('plans', undefined, workspace),
      /^UserError: proposed: "plans" is a directory, not a regular file\. Give the path of the proposed policy document or plan JSON file/,
    );
  });
});
