// Account IDs that lost their leading zeros (issue 27). YAML 1.2's core schema reads an unquoted
// 004947743811 as the integer 4947743811 (https://yaml.org/spec/1.2.2/#1032-tag-resolution), and
// users of aws-actions/amazon-ecr-login report such IDs reaching the action without their zeros.
// An AWS account ID is 12 digits ("Your AWS account ID", AWS Account Management reference guide:
// https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-identifiers.html), so such a
// value is refused, named, with the quoted form to write: never padded (a guess would grant or
// judge another account), never accepted.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readInputs, type InputName } from '../../src/settings/inputs.js';

const read = (inputs: Partial<Record<InputName, string>>) =>
  readInputs((name) => ({ repository: 'molecule-ai/app', ...inputs })[name] ?? '', { AWS_REGION: 'us-east-2' });
const hint = /account ID 4947743811 has 10 digits, not 12: if it lost leading zeros .* quote it, e.g. "004947743811"/;

describe('an account ID that lost its leading zeros is refused with the fix', () => {
  const cases: [string, Partial<Record<InputName, string>>, RegExp][] = [
    ['pull-principals (bare)', { 'pull-principals': '4947743811' }, /^pull-principals: "4947743811" is not an account ID/],
    ['pull-principals (root ARN)', { 'pull-principals': 'arn:aws:iam::4947743811:root' }, /^pull-principals: /],
    ['staging-role-arn', { 'staging-role-arn': 'arn:aws:iam::4947743811:role/MoleculeTenantEICRole-staging' }, /^staging-role-arn: /],
    ['staging-assume-role-arn', { 'staging-assume-role-arn': 'arn:aws:iam::4947743811:role/Reader' }, /^staging-assume-role-arn: /],
    ['pullers role-arn', { pullers: '- role-arn: arn:aws:iam::4947743811:role/MoleculeTenantEICRole-staging\n' }, /^pullers\[0\] .*\.role-arn: /],
    [
      'pullers assume-role-arn',
      { pullers: '- role-arn: arn:aws:iam::004947743811:role/A\n  assume-role-arn: arn:aws:iam::4947743811:role/R\n' },
      /assume-role-arn: /,
    ],
    ['replica-assume-role-arns', { 'replica-assume-role-arns': 'arn:aws:iam::4947743811:role/R' }, /^replica-assume-role-arns: /],
  ];
  for (const [name, inputs, start] of cases) {
    it(name, () => {
      assert.throws(
        () => read(inputs),
        (error: Error) => start.test(error.message) && hint.test(error.message),
      );
    });
  }

  it('registry-id: refused, naming the 12-digit rule', () => {
    assert.throws(() => read({ 'registry-id': '4947743811' }), { message: /^registry-id: "4947743811" is not a 12-digit AWS account ID\.$/ });
  });

  it('a pullers field YAML read as a number is named, with the fix (quote it)', () => {
    assert.throws(
      () =>
        read({ pullers: '- role-arn: arn:aws:iam::004947743811:role/A\n  assume-role-arn: arn:aws:iam::004947743811:role/R\n  external-id: 004947743811\n' }),
      /external-id: must be a string, and YAML read 4947743811 as a number\. Quote it/,
    );
  });

  it('the 12-digit forms are accepted as given', () => {
    const inputs = read({
      'registry-id': '004947743811',
      'pull-principals': '004947743811',
      'staging-role-arn': 'arn:aws:iam::004947743811:role/MoleculeTenantEICRole-staging',
    });
    assert.equal(inputs.registryId, '004947743811');
    assert.deepEqual(inputs.pullPrincipals, ['arn:aws:iam::004947743811:root']);
  });

  it('an ID that is not short says nothing about zeros', () => {
    assert.throws(
      () => read({ 'pull-principals': '0049477438119' }),
      (error: Error) => !/leading zeros/.test(error.message),
    );
  });
});
