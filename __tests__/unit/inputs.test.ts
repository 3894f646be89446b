import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { INPUT_DEFAULTS, readInputs, type InputName } from '../../src/settings/inputs.js';
import { UserError } from '../../src/errors.js';
import { ROOT } from '../../stack/fixture.js';

const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { default?: string; description: string }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string; post: string };
};

function read(inputs: Partial<Record<InputName, string>>, env: NodeJS.ProcessEnv = {}) {
  return readInputs((name) => inputs[name] ?? '', env);
}

describe('inputs', () => {
  it('action.yml declares exactly the inputs the code reads, with the same defaults', () => {
    const declared = Object.fromEntries(Object.entries(action.inputs).map(([name, input]) => [name, input.default ?? '']));
    assert.deepEqual(declared, { ...INPUT_DEFAULTS });
    for (const [name, input] of Object.entries(action.inputs)) assert.ok(input.description.length > 10, `${name} has a description`);
  });

  it('action.yml declares the public outputs and runs on node24 with a post step', () => {
    assert.deepEqual(
      Object.keys(action.outputs).sort(),
      [
        'digest',
        'drift',
        'extra',
        'image-uri',
        'imageid',
        'matrix',
        'metadata',
        'missing',
        'registry',
        'report',
        'repository-arn',
        'repository-policy-changed',
        'tags',
      ].sort(),
    );
    assert.deepEqual(action.runs, { using: 'node24', main: 'dist/index.js', post: 'dist/post/index.js' });
  });

  it('docs/inputs-outputs.md documents every input and output', () => {
    const readme = readFileSync(join(ROOT, 'docs', 'inputs-outputs.md'), 'utf8');
    for (const name of [...Object.keys(action.inputs), ...Object.keys(action.outputs)])
      assert.ok(readme.includes(`| \`${name}\` |`), `docs/inputs-outputs.md lists ${name}`);
  });

  it('reads a publish with defaults', () => {
    const inputs = read({ repository: 'molecule-ai/x', 'aws-region': 'us-east-2' });
    assert.equal(inputs.mode, 'publish');
    assert.deepEqual(inputs.pullActions, ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability']);
    assert.equal(inputs.build.push, true);
    assert.equal(inputs.build.context, '.');
    assert.equal(inputs.onExtra, 'warn');
  });

  it('takes the region from AWS_REGION when the input is empty', () => {
    assert.equal(read({ repository: 'a/b' }, { AWS_REGION: 'eu-west-1' }).region, 'eu-west-1');
  });

  it('normalises pull principals: account IDs become root ARNs, duplicates go', () => {
    const inputs = read({
      repository: 'a/b',
      'aws-region': 'us-east-2',
      'pull-principals': '004947743811, arn:aws:iam::004947743811:root\narn:aws:iam::004947743811:role/MoleculeTenantEICRole-staging',
    });
    assert.deepEqual(inputs.pullPrincipals, ['arn:aws:iam::004947743811:root', 'arn:aws:iam::004947743811:role/MoleculeTenantEICRole-staging']);
  });

  it('keeps build-args whole (values may hold commas)', () => {
    assert.deepEqual(read({ repository: 'a/b', 'aws-region': 'us-east-2', 'build-args': 'A=1,2\nB=x' }).build.buildArgs, ['A=1,2', 'B=x']);
  });

  const bad: [string, Partial<Record<InputName, string>>, RegExp][] = [
    ['unknown mode', { mode: 'deploy' }, /^mode: "deploy" is not one of publish, verify, reconcile/],
    ['no region', { 'aws-region': '' }, /^aws-region: not set/],
    ['bad region', { 'aws-region': 'US-EAST-2' }, /^aws-region: "US-EAST-2"/],
    ['publish without repository', { repository: '' }, /^repository: required in publish mode/],
    ['uppercase repository', { repository: 'Team/App' }, /^repository: "Team\/App" is not a valid ECR repository name/],
    ['repository with //', { repository: 'team//app' }, /not a valid ECR repository name/],
    ['tag with colon', { tags: 'app:v1' }, /^tags: "app:v1" is not a valid image tag/],
    ['tag too long', { tags: 'x'.repeat(129) }, /^tags: .* is not a valid image tag/],
    ['registry id', { 'registry-id': '1234' }, /^registry-id: "1234" is not a 12-digit AWS account ID/],
    ['principal *', { 'pull-principals': '*' }, /^pull-principals: "\*" would let anyone pull/],
    ['principal wildcard ARN', { 'pull-principals': 'arn:aws:iam::*:root' }, /would let anyone pull/],
    ['principal user ARN', { 'pull-principals': 'arn:aws:iam::004947743811:user/bob' }, /^pull-principals: .* is not an account ID/],
    ['principal 11 digits', { 'pull-principals': '00494774381' }, /^pull-principals: "00494774381" is not an account ID/],
    ['wildcard action', { 'pull-actions': 'ecr:*' }, /^pull-actions: "ecr:\*" is not an ECR action/],
    ['bad sid', { 'policy-sid': 'my-sid' }, /^policy-sid: "my-sid"/],
    ['staging role not a role', { 'staging-role-arn': 'arn:aws:iam::004947743811:user/x' }, /^staging-role-arn: .* is not a role ARN/],
    ['assume role not an ARN', { 'staging-assume-role-arn': 'reader' }, /^staging-assume-role-arn: "reader" is not a role ARN/],
    ['bad policy name', { 'staging-policy-name': 'has space' }, /^staging-policy-name: "has space"/],
    ['boolean', { 'no-cache': 'yes' }, /^no-cache: "yes" is not a boolean/],
    ['on-extra', { 'on-extra': 'explode' }, /^on-extra: "explode" is not one of warn, fail, ignore/],
    ['build-arg without =', { 'build-args': 'JUSTNAME' }, /^build-args: "JUSTNAME" must be NAME=value/],
    ['platform', { platforms: 'amd64' }, /^platforms: "amd64" is not a platform/],
    ['extra repository', { 'extra-repositories': 'Bad Name' }, /^extra-repositories: "Bad Name" is not a valid ECR repository name/],
  ];
  for (const [what, inputs, message] of bad) {
    it(`refuses ${what} with a message naming the input`, () => {
      assert.throws(
        () => read({ repository: 'a/b', 'aws-region': 'us-east-2', ...inputs }),
        (error: unknown) => {
          assert.ok(error instanceof UserError);
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }
});
