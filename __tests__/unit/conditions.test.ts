// Condition evaluation: every operator family, negation, IfExists, set operators, and keys that are
// known, absent, unknown or only partly known. Expected values follow AWS's IAM User Guide; the
// page is named where the answer is not obvious.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateCondition, resolvePolicyVariables, type ConditionResult } from '../../src/domain/policy/conditions.js';
import { makeContext } from '../../src/domain/policy/context.js';
import { PROD_ACCOUNT as PROD, STAGING_ACCOUNT as STAGING, STAGING_ROLE_ARN as ROLE } from '../../stack/fixture.js';

/** Known keys, absent keys; anything else (aws:SourceIp, aws:CurrentTime, …) is unknown. */
const context = makeContext(
  {
    'aws:PrincipalAccount': STAGING,
    'aws:PrincipalArn': ROLE,
    'aws:PrincipalType': 'AssumedRole',
    'aws:userid': { prefix: 'AROAEXAMPLE:' },
    'aws:PrincipalTag/team': 'platform',
    'aws:PrincipalTag/Path': 'a*b?c',
    'aws:PrincipalOrgID': 'o-abc123',
    'aws:PrincipalOrgPaths': ['o-abc123/r-ab12/ou-ab12-11111111/'],
    'aws:ResourceAccount': PROD,
    'aws:SecureTransport': 'true',
    'aws:RequestedRegion': 'us-east-2',
    'test:number': '5',
    'test:decimal': '2.50',
    'test:date': '2024-06-01T12:00:00Z',
    'test:epoch': '1717243200',
    'test:ipv4': '203.0.113.7',
    'test:ipv6': '2001:db8:1234:5678::1',
    'test:binary': 'QmluYXJ5',
    'test:multi': ['alpha', 'beta'],
    'test:empty-set': [],
    'test:empty-string': [''],
    'test:partial-arn': { prefix: `arn:aws:sts::${STAGING}:assumed-role/MoleculeTenantEICRole-staging/` },
    'test:partial-short': { prefix: 'arn:aws:sts' },
  },
  ['aws:SourceAccount', 'aws:PrincipalTag/missing', 'aws:TokenIssueTime'],
);

type Expected = 'match' | 'no-match' | string[];
type Case = [what: string, condition: Record<string, Record<string, unknown>> | undefined, expected: Expected];

const asResult = (expected: Expected): ConditionResult =>
  expected === 'match' || expected === 'no-match' ? { outcome: expected } : { outcome: 'unknown', keys: expected };

function table(title: string, cases: Case[]): void {
  describe(title, () => {
    for (const [what, condition, expected] of cases) {
      it(what, () => assert.deepEqual(evaluateCondition(condition, context), asResult(expected)));
    }
  });
}

table('combining', [
  ['no Condition', undefined, 'match'],
  ['empty Condition', {}, 'match'],
  ['empty operator block', { StringEquals: {} }, 'match'],
  ['operators are ANDed: both hold', { StringEquals: { 'aws:PrincipalAccount': STAGING }, Bool: { 'aws:SecureTransport': 'true' } }, 'match'],
  ['operators are ANDed: one fails', { StringEquals: { 'aws:PrincipalAccount': STAGING }, Bool: { 'aws:SecureTransport': 'false' } }, 'no-match'],
  ['keys are ANDed', { StringEquals: { 'aws:PrincipalAccount': STAGING, 'aws:PrincipalOrgID': 'o-other' } }, 'no-match'],
  ['values are ORed', { StringEquals: { 'aws:PrincipalAccount': ['111111111111', STAGING] } }, 'match'],
  ['no values: nothing to equal', { StringEquals: { 'aws:PrincipalAccount': [] } }, 'no-match'],
  ['negated values are NORed: one equal', { StringNotEquals: { 'aws:PrincipalAccount': ['111111111111', STAGING] } }, 'no-match'],
  ['negated values are NORed: all differ', { StringNotEquals: { 'aws:PrincipalAccount': ['111111111111', '222222222222'] } }, 'match'],
  ['unknown AND match is unknown', { StringEquals: { 'aws:PrincipalAccount': STAGING }, IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, ['aws:SourceIp']],
  ['unknown AND no-match is no-match', { StringEquals: { 'aws:PrincipalAccount': PROD }, IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, 'no-match'],
  [
    'unknown keys are listed once each, as written',
    { StringEquals: { 'aws:SourceVpc': 'vpc-1', 'AWS:SourceVPC': 'vpc-2' }, StringLike: { 'aws:SourceVpc': 'vpc-*' } },
    ['aws:SourceVpc', 'AWS:SourceVPC'],
  ],
  ['an unknown value is still undecided when another value is definitely false', { StringEquals: { 'aws:SourceVpc': ['vpc-1'] } }, ['aws:SourceVpc']],
  [
    'an unsupported operator next to a failing one is no-match',
    { StringEquals: { 'aws:PrincipalAccount': PROD }, Bogus: { 'aws:PrincipalAccount': 'x' } },
    'no-match',
  ],
]);

table('operator names', [
  ['misspelled operator', { StringEqual: { 'aws:PrincipalAccount': STAGING } }, ['operator StringEqual']],
  ['operator names are case-sensitive', { stringequals: { 'aws:PrincipalAccount': STAGING } }, ['operator stringequals']],
  ['set prefix is case-sensitive', { 'forAnyValue:StringEquals': { 'aws:PrincipalAccount': STAGING } }, ['operator forAnyValue:StringEquals']],
  ['unknown set prefix', { 'ForSomeValues:StringEquals': { 'aws:PrincipalAccount': STAGING } }, ['operator ForSomeValues:StringEquals']],
  ['IfExists suffix is case-sensitive', { StringEqualsifexists: { 'aws:PrincipalAccount': STAGING } }, ['operator StringEqualsifexists']],
  ['Null takes no IfExists (Condition operators: "except the Null condition")', { NullIfExists: { 'aws:SourceAccount': 'true' } }, ['operator NullIfExists']],
  ['Null takes no set prefix', { 'ForAllValues:Null': { 'aws:SourceAccount': 'true' } }, ['operator ForAllValues:Null']],
  ['there is no BinaryNotEquals', { BinaryNotEquals: { 'test:binary': 'QQ==' } }, ['operator BinaryNotEquals']],
  ['a block that is not an object', { StringEquals: 'x' as never }, ['operator StringEquals']],
  ['inherited names are not operators', { toString: { 'aws:PrincipalAccount': STAGING } }, ['operator toString']],
]);

table('keys', [
  ['key names are case-insensitive', { StringEquals: { 'AWS:PRINCIPALACCOUNT': STAGING } }, 'match'],
  ['tag key names are case-insensitive', { StringEquals: { 'aws:principaltag/TEAM': 'platform' } }, 'match'],
  ['values are case-sensitive', { StringEquals: { 'aws:PrincipalTag/team': 'Platform' } }, 'no-match'],
  ['stored JSON may hold a number', { StringEquals: { 'test:number': 5 } }, 'match'],
  ['stored JSON may hold a boolean', { Bool: { 'aws:SecureTransport': true } }, 'match'],
  ['an object is no value', { StringEquals: { 'aws:PrincipalAccount': [{ a: 1 }, STAGING] } }, 'match'],
  ['an object under a negated operator does not match', { StringNotEquals: { 'aws:PrincipalAccount': [{ a: 1 }] } }, 'no-match'],
]);

table('string operators', [
  ['StringEquals', { StringEquals: { 'aws:PrincipalType': 'AssumedRole' } }, 'match'],
  ['StringEquals: no wildcards', { StringEquals: { 'aws:PrincipalType': 'Assumed*' } }, 'no-match'],
  ['StringEquals: a literal * equals itself', { StringEquals: { 'aws:PrincipalTag/Path': 'a*b?c' } }, 'match'],
  ['StringNotEquals', { StringNotEquals: { 'aws:PrincipalType': 'User' } }, 'match'],
  ['StringEqualsIgnoreCase', { StringEqualsIgnoreCase: { 'aws:PrincipalType': 'assumedrole' } }, 'match'],
  ['StringNotEqualsIgnoreCase', { StringNotEqualsIgnoreCase: { 'aws:PrincipalType': 'ASSUMEDROLE' } }, 'no-match'],
  ['StringLike *', { StringLike: { 'aws:PrincipalType': 'Assumed*' } }, 'match'],
  ['StringLike ?', { StringLike: { 'aws:PrincipalType': 'Assumed?ole' } }, 'match'],
  ['StringLike is case-sensitive', { StringLike: { 'aws:PrincipalType': 'assumed*' } }, 'no-match'],
  ['StringLike must match all of the value', { StringLike: { 'aws:PrincipalType': 'Assumed' } }, 'no-match'],
  ['StringNotLike', { StringNotLike: { 'aws:PrincipalType': ['User*', 'Fed*'] } }, 'match'],
  ['StringNotLike: one pattern matches', { StringNotLike: { 'aws:PrincipalType': ['User*', '*Role'] } }, 'no-match'],
  ['StringLike ${*} is a literal *', { StringLike: { 'aws:PrincipalTag/Path': 'a${*}b${?}c' } }, 'match'],
  ['StringLike ${*} does not match other characters', { StringLike: { 'aws:PrincipalTag/team': 'plat${*}' } }, 'no-match'],
  ['StringLike: wildcards still work next to ${*}', { StringLike: { 'aws:PrincipalTag/Path': '*${*}*' } }, 'match'],
]);

table('numeric operators', [
  ['NumericEquals', { NumericEquals: { 'test:number': '5' } }, 'match'],
  ['NumericEquals compares numbers, not text', { NumericEquals: { 'test:decimal': '2.5' } }, 'match'],
  ['NumericNotEquals', { NumericNotEquals: { 'test:number': ['4', '6'] } }, 'match'],
  ['NumericLessThan', { NumericLessThan: { 'test:number': '6' } }, 'match'],
  ['NumericLessThan: equal is not less', { NumericLessThan: { 'test:number': '5' } }, 'no-match'],
  ['NumericLessThanEquals', { NumericLessThanEquals: { 'test:number': '5' } }, 'match'],
  ['NumericGreaterThan', { NumericGreaterThan: { 'test:number': '4.99' } }, 'match'],
  ['NumericGreaterThanEquals', { NumericGreaterThanEquals: { 'test:number': '6' } }, 'no-match'],
  ['a policy value that is not a number matches nothing', { NumericEquals: { 'test:number': ['five', '5'] } }, 'match'],
  ['a value that is not a number: no match', { NumericLessThan: { 'test:number': '1e3' } }, 'no-match'],
  ['a value that is not a number under a negated operator: no match either', { NumericNotEquals: { 'test:number': ['abc'] } }, 'no-match'],
  ['a request value that is not a number', { NumericEquals: { 'aws:PrincipalType': '5' } }, 'no-match'],
  ['no policy variables in numeric operators (Condition operators)', { NumericEquals: { 'test:number': '${test:number}' } }, 'no-match'],
]);

table('date operators', [
  ['DateEquals ISO 8601', { DateEquals: { 'test:date': '2024-06-01T12:00:00Z' } }, 'match'],
  ['DateEquals across time zones', { DateEquals: { 'test:date': '2024-06-01T14:00:00+02:00' } }, 'match'],
  ['DateEquals with fractional seconds', { DateEquals: { 'test:date': '2024-06-01T12:00:00.000Z' } }, 'match'],
  ['DateEquals epoch seconds against ISO', { DateEquals: { 'test:date': '1717243200' } }, 'match'],
  ['DateEquals ISO against epoch seconds', { DateEquals: { 'test:epoch': '2024-06-01T12:00:00Z' } }, 'match'],
  ['DateNotEquals', { DateNotEquals: { 'test:date': '2024-06-01' } }, 'match'],
  ['DateLessThan', { DateLessThan: { 'test:date': '2025-01-01T00:00:00Z' } }, 'match'],
  ['DateLessThanEquals', { DateLessThanEquals: { 'test:date': '2024-06-01T12:00:00Z' } }, 'match'],
  ['DateGreaterThan (a date alone is midnight UTC)', { DateGreaterThan: { 'test:date': '2024-06-01' } }, 'match'],
  ['DateGreaterThanEquals', { DateGreaterThanEquals: { 'test:date': '2024-06-02' } }, 'no-match'],
  ['a year alone is a W3C date', { DateGreaterThan: { 'test:date': '2024-01' } }, 'match'],
  ['not a date', { DateLessThan: { 'test:date': 'tomorrow' } }, 'no-match'],
  ['not a date under a negated operator', { DateNotEquals: { 'test:date': 'tomorrow' } }, 'no-match'],
  ['an impossible day', { DateLessThan: { 'test:date': '2025-02-30' } }, 'no-match'],
  ['an impossible time zone', { DateLessThan: { 'test:date': '2025-01-01T00:00:00+24:00' } }, 'no-match'],
  ['a negative offset', { DateEquals: { 'test:date': '2024-06-01T09:30:00-02:30' } }, 'match'],
  ['a key the run cannot know (aws:CurrentTime)', { DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } }, ['aws:CurrentTime']],
]);

table('Bool and BinaryEquals', [
  ['Bool true', { Bool: { 'aws:SecureTransport': 'true' } }, 'match'],
  ['Bool is case-insensitive', { Bool: { 'aws:SecureTransport': 'TRUE' } }, 'match'],
  ['Bool false', { Bool: { 'aws:SecureTransport': 'false' } }, 'no-match'],
  ['Bool with a value that is not a boolean', { Bool: { 'aws:SecureTransport': 'yes' } }, 'no-match'],
  ['Bool with a policy variable (Condition operators: Boolean takes variables)', { Bool: { 'aws:SecureTransport': '${aws:SecureTransport}' } }, 'match'],
  ['BinaryEquals', { BinaryEquals: { 'test:binary': 'QmluYXJ5' } }, 'match'],
  ['BinaryEquals other bytes', { BinaryEquals: { 'test:binary': 'QmluYXJ6' } }, 'no-match'],
  ['BinaryEquals with text that is not base64', { BinaryEquals: { 'test:binary': 'not base64!' } }, 'no-match'],
]);

table('IP address operators', [
  ['IpAddress CIDR', { IpAddress: { 'test:ipv4': '203.0.113.0/24' } }, 'match'],
  ['IpAddress outside the range', { IpAddress: { 'test:ipv4': '198.51.100.0/24' } }, 'no-match'],
  ['IpAddress host bits set in the range', { IpAddress: { 'test:ipv4': '203.0.113.200/24' } }, 'match'],
  ['IpAddress bare address is /32', { IpAddress: { 'test:ipv4': '203.0.113.7' } }, 'match'],
  ['IpAddress /0', { IpAddress: { 'test:ipv4': '0.0.0.0/0' } }, 'match'],
  ['NotIpAddress', { NotIpAddress: { 'test:ipv4': ['10.0.0.0/8', '192.168.0.0/16'] } }, 'match'],
  ['NotIpAddress inside', { NotIpAddress: { 'test:ipv4': ['10.0.0.0/8', '203.0.113.0/24'] } }, 'no-match'],
  ["IPv6 range, upper case as in AWS's example", { IpAddress: { 'test:ipv6': '2001:DB8:1234:5678::/64' } }, 'match'],
  ['IPv6 outside', { IpAddress: { 'test:ipv6': '2001:db8:1234:5679::/64' } }, 'no-match'],
  ['IPv6 bare address', { IpAddress: { 'test:ipv6': '2001:0db8:1234:5678:0:0:0:1' } }, 'match'],
  ['an IPv4 range never holds an IPv6 address', { IpAddress: { 'test:ipv6': '0.0.0.0/0' } }, 'no-match'],
  ['…so NotIpAddress holds', { NotIpAddress: { 'test:ipv6': '0.0.0.0/0' } }, 'match'],
  ['a malformed range', { IpAddress: { 'test:ipv4': ['203.0.113.0/33', '256.0.0.0/8', '203.0.113.07'] } }, 'no-match'],
  ['a malformed range under NotIpAddress', { NotIpAddress: { 'test:ipv4': 'nonsense' } }, 'no-match'],
  ['aws:SourceIp is unknown before the pull', { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, ['aws:SourceIp']],
]);

table('ARN operators', [
  ['ArnEquals', { ArnEquals: { 'aws:PrincipalArn': ROLE } }, 'match'],
  [
    'ArnEquals takes wildcards too (Condition operators: "behave identically")',
    { ArnEquals: { 'aws:PrincipalArn': `arn:aws:iam::${STAGING}:role/*` } },
    'match',
  ],
  ['ArnLike per component', { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/MoleculeTenant*' } }, 'match'],
  ['ArnLike: a * does not cross a component', { ArnLike: { 'aws:PrincipalArn': 'arn:aws:*:role/MoleculeTenantEICRole-staging' } }, 'no-match'],
  ['…which StringLike would match', { StringLike: { 'aws:PrincipalArn': 'arn:aws:*:role/MoleculeTenantEICRole-staging' } }, 'match'],
  ['ArnLike is case-sensitive', { ArnLike: { 'aws:PrincipalArn': `arn:aws:IAM::${STAGING}:role/*` } }, 'no-match'],
  ['ArnNotLike', { ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:user/*' } }, 'match'],
  ['ArnNotEquals', { ArnNotEquals: { 'aws:PrincipalArn': ROLE } }, 'no-match'],
  ['the resource keeps its colons', { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${STAGING}:role/*` } }, 'match'],
  ['a pattern that is not an ARN matches nothing', { ArnLike: { 'aws:PrincipalArn': '*' } }, 'no-match'],
  ['…and is no match under ArnNotLike either', { ArnNotLike: { 'aws:PrincipalArn': '*' } }, 'no-match'],
  ['a request value that is not an ARN', { ArnLike: { 'aws:PrincipalType': '*:*:*:*:*:*' } }, 'no-match'],
  ['variables in an ARN', { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::${aws:PrincipalAccount}:role/*' } }, 'match'],
  ['a whole ARN from a variable', { ArnEquals: { 'aws:PrincipalArn': '${aws:PrincipalArn}' } }, 'match'],
]);

table('absent keys (Condition operators: "the condition is false … negated … true")', [
  ['StringEquals', { StringEquals: { 'aws:SourceAccount': STAGING } }, 'no-match'],
  ['StringNotEquals', { StringNotEquals: { 'aws:SourceAccount': STAGING } }, 'match'],
  ['StringNotLike', { StringNotLike: { 'aws:PrincipalTag/missing': '*' } }, 'match'],
  ['NumericNotEquals', { NumericNotEquals: { 'aws:SourceAccount': '1' } }, 'match'],
  ['DateNotEquals', { DateNotEquals: { 'aws:TokenIssueTime': '2024-01-01' } }, 'match'],
  ['NotIpAddress', { NotIpAddress: { 'aws:SourceAccount': '10.0.0.0/8' } }, 'match'],
  ['ArnNotLike', { ArnNotLike: { 'aws:SourceAccount': 'arn:*:*:*:*:*' } }, 'match'],
  ['Bool', { Bool: { 'aws:SourceAccount': 'false' } }, 'no-match'],
  ['StringEqualsIfExists', { StringEqualsIfExists: { 'aws:SourceAccount': STAGING } }, 'match'],
  ['StringNotEqualsIfExists', { StringNotEqualsIfExists: { 'aws:SourceAccount': STAGING } }, 'match'],
  ['NumericLessThanIfExists', { NumericLessThanIfExists: { 'aws:TokenIssueTime': '1' } }, 'match'],
  ['Null true', { Null: { 'aws:SourceAccount': 'true' } }, 'match'],
  ['Null false', { Null: { 'aws:SourceAccount': 'false' } }, 'no-match'],
  ['Null on a present key', { Null: { 'aws:PrincipalOrgID': 'false' } }, 'match'],
  ['Null true on a present key', { Null: { 'aws:PrincipalOrgID': 'true' } }, 'no-match'],
  ['Null with a JSON boolean', { Null: { 'aws:SourceAccount': true } }, 'match'],
  ['Null with a value that is neither', { Null: { 'aws:SourceAccount': 'maybe' } }, 'no-match'],
  [
    'ForAllValues with an absent key (Single-valued vs. multivalued context keys)',
    { 'ForAllValues:StringEquals': { 'aws:PrincipalTag/missing': 'x' } },
    'match',
  ],
  ['ForAnyValue with an absent key', { 'ForAnyValue:StringEquals': { 'aws:PrincipalTag/missing': 'x' } }, 'no-match'],
  ['ForAnyValue negated with an absent key', { 'ForAnyValue:StringNotEquals': { 'aws:PrincipalTag/missing': 'x' } }, 'no-match'],
  [
    'ForAnyValue…IfExists with an absent key: IfExists holds (Condition operators, …IfExists)',
    { 'ForAnyValue:StringEqualsIfExists': { 'aws:PrincipalTag/missing': 'x' } },
    'match',
  ],
]);

table('unknown keys', [
  ['plain', { StringEquals: { 'aws:SourceVpce': 'vpce-1' } }, ['aws:SourceVpce']],
  ['negated', { StringNotEquals: { 'aws:SourceVpce': 'vpce-1' } }, ['aws:SourceVpce']],
  ['IfExists: present or not is unknown', { StringEqualsIfExists: { 'aws:SourceVpce': 'vpce-1' } }, ['aws:SourceVpce']],
  ['set operator', { 'ForAllValues:StringEquals': { 'aws:TagKeys': 'a' } }, ['aws:TagKeys']],
  ['Null true on an unknown key', { Null: { 'aws:MultiFactorAuthAge': 'true' } }, ['aws:MultiFactorAuthAge']],
  ['Null with both answers holds whatever the key', { Null: { 'aws:MultiFactorAuthAge': ['true', 'false'] } }, 'match'],
  ['Null with no sensible value fails whatever the key', { Null: { 'aws:MultiFactorAuthAge': 'perhaps' } }, 'no-match'],
]);

table('partial values (aws:userid of a role session is AROA…:<session name>)', [
  ['StringLike on the known prefix', { StringLike: { 'aws:userid': 'AROAEXAMPLE:*' } }, 'match'],
  ['StringLike with ? before the *', { StringLike: { 'aws:userid': 'AROA?XAMPLE:*' } }, 'match'],
  ['StringLike on another role', { StringLike: { 'aws:userid': 'AROAOTHER:*' } }, 'no-match'],
  ['StringLike on a session name', { StringLike: { 'aws:userid': 'AROAEXAMPLE:ci-*' } }, ['aws:userid']],
  ['StringLike matching the prefix only: the rest is never empty', { StringLike: { 'aws:userid': 'AROAEXAMPLE:' } }, 'no-match'],
  ['StringEquals on a session name', { StringEquals: { 'aws:userid': 'AROAEXAMPLE:ci' } }, ['aws:userid']],
  ['StringEquals on another role', { StringEquals: { 'aws:userid': 'AROAOTHER:ci' } }, 'no-match'],
  ['StringEquals on the prefix alone', { StringEquals: { 'aws:userid': 'AROAEXAMPLE:' } }, 'no-match'],
  ['StringEqualsIgnoreCase on the prefix', { StringEqualsIgnoreCase: { 'aws:userid': 'aroaexample:ci' } }, ['aws:userid']],
  ['StringNotLike: every completion matches', { StringNotLike: { 'aws:userid': 'AROAEXAMPLE:*' } }, 'no-match'],
  ['StringNotLike: no completion matches', { StringNotLike: { 'aws:userid': 'AROAOTHER:*' } }, 'match'],
  ['StringNotEquals on a session name', { StringNotEquals: { 'aws:userid': 'AROAEXAMPLE:ci' } }, ['aws:userid']],
  ['one value decides', { StringLike: { 'aws:userid': ['AROAEXAMPLE:ci-*', 'AROAEXAMPLE:*'] } }, 'match'],
  ['a literal ${*} after the prefix', { StringLike: { 'aws:userid': 'AROAEXAMPLE:${*}' } }, ['aws:userid']],
  ['ArnLike on a partial ARN: resource prefix', { ArnLike: { 'test:partial-arn': 'arn:aws:sts::*:assumed-role/MoleculeTenantEICRole-staging/*' } }, 'match'],
  ['ArnLike on a partial ARN: another account', { ArnLike: { 'test:partial-arn': 'arn:aws:sts::111111111111:assumed-role/*' } }, 'no-match'],
  [
    'ArnLike on a partial ARN: session name',
    { ArnLike: { 'test:partial-arn': 'arn:aws:sts::*:assumed-role/MoleculeTenantEICRole-staging/ci' } },
    ['test:partial-arn'],
  ],
  ['ArnLike on a prefix that stops before the resource', { ArnLike: { 'test:partial-short': 'arn:aws:sts::*:*' } }, ['test:partial-short']],
  ['ArnLike on a prefix that stops before the resource, already failing', { ArnLike: { 'test:partial-short': 'arn:aws-cn:sts::*:*' } }, 'no-match'],
  ['Numeric on a partial value', { NumericEquals: { 'aws:userid': '1' } }, ['aws:userid']],
  ['Null on a partial value: it is present', { Null: { 'aws:userid': 'false' } }, 'match'],
]);

table('set operators', [
  ['ForAnyValue on a multivalued key', { 'ForAnyValue:StringEquals': { 'test:multi': ['beta', 'gamma'] } }, 'match'],
  ['ForAnyValue, none', { 'ForAnyValue:StringEquals': { 'test:multi': ['gamma'] } }, 'no-match'],
  ['ForAllValues, all', { 'ForAllValues:StringLike': { 'test:multi': ['al*', 'be*'] } }, 'match'],
  ['ForAllValues, one missing', { 'ForAllValues:StringEquals': { 'test:multi': ['alpha'] } }, 'no-match'],
  ['ForAllValues negated: no value is listed', { 'ForAllValues:StringNotEquals': { 'test:multi': ['gamma', 'delta'] } }, 'match'],
  ['ForAllValues negated: one value is listed', { 'ForAllValues:StringNotEquals': { 'test:multi': ['alpha'] } }, 'no-match'],
  ['ForAnyValue negated: some value is not listed', { 'ForAnyValue:StringNotEquals': { 'test:multi': ['alpha'] } }, 'match'],
  ['ForAnyValue negated: every value is listed', { 'ForAnyValue:StringNotLike': { 'test:multi': ['*a'] } }, 'no-match'],
  ['ForAnyValue on a single value', { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': 'o-abc123/r-ab12/ou-ab12-11111111/*' } }, 'match'],
  ['ForAllValues with an empty set (Conditions with multiple context keys or values)', { 'ForAllValues:StringEquals': { 'test:empty-set': 'x' } }, 'match'],
  ['ForAnyValue with an empty set', { 'ForAnyValue:StringEquals': { 'test:empty-set': 'x' } }, 'no-match'],
  ['ForAllValues with an empty string', { 'ForAllValues:StringEquals': { 'test:empty-string': 'x' } }, 'match'],
  ['ForAnyValue with an empty string', { 'ForAnyValue:StringEquals': { 'test:empty-string': '' } }, 'no-match'],
  ['ForAnyValue with an unknown member decides on a match', { 'ForAnyValue:StringLike': { 'aws:userid': ['AROAEXAMPLE:*'] } }, 'match'],
  ['ForAllValues:ArnLike', { 'ForAllValues:ArnLike': { 'aws:PrincipalArn': 'arn:aws:iam::*:role/*' } }, 'match'],
  ['ForAnyValue:NumericLessThan', { 'ForAnyValue:NumericLessThan': { 'test:number': '10' } }, 'match'],
  ['a plain operator on a key with several values: not documented, so unknown', { StringEquals: { 'test:multi': 'alpha' } }, ['test:multi']],
  ['a plain operator on a key with one value compares it', { StringLike: { 'aws:PrincipalOrgPaths': 'o-abc123/*' } }, 'match'],
  ['a plain operator on an empty set: as if absent', { StringNotEquals: { 'test:empty-set': 'x' } }, 'match'],
]);

table('policy variables in condition values', [
  ['${aws:PrincipalAccount}', { StringEquals: { 'aws:ResourceAccount': '${aws:PrincipalAccount}' } }, 'no-match'],
  ['${aws:PrincipalAccount} on the same account', { StringEquals: { 'aws:PrincipalAccount': '${aws:PrincipalAccount}' } }, 'match'],
  ['variable names are case-insensitive', { StringEquals: { 'aws:PrincipalTag/team': '${AWS:principaltag/TEAM}' } }, 'match'],
  ['inside a pattern', { StringLike: { 'aws:PrincipalArn': 'arn:aws:iam::${aws:PrincipalAccount}:role/*' } }, 'match'],
  ['a resolved * is literal', { StringLike: { 'aws:PrincipalTag/Path': '${aws:PrincipalTag/Path}' } }, 'match'],
  ['a resolved * does not act as a wildcard', { StringLike: { 'aws:PrincipalTag/team': 'pl${aws:PrincipalTag/Path}' } }, 'no-match'],
  ['a default is used when the key is absent', { StringEquals: { 'aws:PrincipalTag/team': "${aws:PrincipalTag/missing, 'platform'}" } }, 'match'],
  ['a default is ignored when the key is present', { StringEquals: { 'aws:PrincipalTag/team': "${aws:PrincipalTag/team, 'other'}" } }, 'match'],
  ['an unknown variable is unknown', { StringEquals: { 'aws:PrincipalTag/team': '${aws:SourceVpc}' } }, ['aws:SourceVpc']],
  ['an unknown variable with a default is still unknown', { StringEquals: { 'aws:PrincipalTag/team': "${aws:SourceVpc, 'platform'}" } }, ['aws:SourceVpc']],
  ['a partial variable is unknown', { StringEquals: { 'aws:PrincipalTag/team': '${aws:userid}' } }, ['aws:userid']],
  [
    'a variable with no value equals nothing (Variables and tags, "Policy variables with no value")',
    { StringEquals: { 'aws:PrincipalTag/team': '${aws:SourceAccount}' } },
    'no-match',
  ],
  ['…and a negated operator matches it', { StringNotEquals: { 'aws:PrincipalTag/team': '${aws:SourceAccount}' } }, 'match'],
  ['a variable with no value wins over an unknown one', { StringEquals: { 'aws:PrincipalTag/team': '${aws:SourceAccount}${aws:SourceVpc}' } }, 'no-match'],
  [
    'a multivalued key cannot be a variable (Single-valued vs. multivalued context keys)',
    { StringEquals: { 'aws:PrincipalTag/team': "${test:multi, 'platform'}" } },
    'match',
  ],
  ['an unclosed ${ is literal', { StringEquals: { 'aws:PrincipalTag/team': '${aws:PrincipalAccount' } }, 'no-match'],
  ['${$} is a literal $', { StringLike: { 'aws:PrincipalTag/team': '${$}*' } }, 'no-match'],
]);

describe('policy variables can be turned off (policies without Version 2012-10-17)', () => {
  it('treats ${…} as text', () => {
    assert.deepEqual(evaluateCondition({ StringEquals: { 'aws:PrincipalAccount': '${aws:PrincipalAccount}' } }, context, { policyVariables: false }), {
      outcome: 'no-match',
    });
    const literal = makeContext({ 'test:text': '${aws:PrincipalAccount}' });
    assert.deepEqual(evaluateCondition({ StringEquals: { 'test:text': '${aws:PrincipalAccount}' } }, literal, { policyVariables: false }), {
      outcome: 'match',
    });
  });
});

describe('resolvePolicyVariables', () => {
  const cases: [string, ReturnType<typeof resolvePolicyVariables>][] = [
    ['plain text', { outcome: 'resolved', value: 'plain text' }],
    ['acct-${aws:PrincipalAccount}', { outcome: 'resolved', value: `acct-${STAGING}` }],
    ['${aws:PrincipalTag/team}/${aws:PrincipalOrgID}', { outcome: 'resolved', value: 'platform/o-abc123' }],
    ["${aws:PrincipalTag/missing, 'none'}", { outcome: 'resolved', value: 'none' }],
    ["${aws:PrincipalTag/missing, ''}", { outcome: 'resolved', value: '' }],
    ['${aws:PrincipalTag/missing}', { outcome: 'absent' }],
    ['${aws:SourceVpc}-${aws:SourceVpce}', { outcome: 'unknown', keys: ['aws:SourceVpc', 'aws:SourceVpce'] }],
    ['${*}${?}${$}', { outcome: 'resolved', value: '*?$' }],
    ['a*b?', { outcome: 'resolved', value: 'a*b?' }],
    ['${} and ${', { outcome: 'resolved', value: '${} and ${' }],
    ['$${aws:PrincipalAccount}}', { outcome: 'resolved', value: `$${STAGING}}` }],
  ];
  for (const [text, expected] of cases) {
    it(text, () => assert.deepEqual(resolvePolicyVariables(text, context), expected));
  }
});

describe('hostile input stays linear', () => {
  it('many wildcards against a long value', () => {
    const hostile = makeContext({ 'test:long': 'a'.repeat(4000) });
    assert.deepEqual(evaluateCondition({ StringLike: { 'test:long': `${'*a'.repeat(300)}b` } }, hostile), { outcome: 'no-match' });
  });
  it('many unclosed variables', () => {
    assert.deepEqual(resolvePolicyVariables('${'.repeat(100_000), context), { outcome: 'resolved', value: '${'.repeat(100_000) });
  });
  it('many ARN components', () => {
    const arnContext = makeContext({ 'test:arn': `arn:aws:s3:::${':x'.repeat(5000)}` });
    assert.deepEqual(evaluateCondition({ ArnLike: { 'test:arn': `arn:aws:s3:::${'*:'.repeat(2000)}*` } }, arnContext), { outcome: 'match' });
  });
});

describe('characters outside the Basic Multilingual Plane', () => {
  it('StringEquals compares them', () => {
    const emoji = makeContext({ 'test:emoji': 'team-🚀' });
    assert.deepEqual(evaluateCondition({ StringEquals: { 'test:emoji': 'team-🚀' } }, emoji), { outcome: 'match' });
  });
});
