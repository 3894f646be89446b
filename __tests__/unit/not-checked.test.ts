// What the organization side of a pull left unread (domain/not-checked.ts): said, never assumed.
// AWS Organizations API Reference: ListPoliciesForTarget, DescribePolicy and ListParents answer only
// the management account (or a delegated administrator), so without organization-assume-role-arn the
// SCPs, RCPs and OU paths are not read; DescribeOrganization answers any member account.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NotChecked } from '../../src/domain/checks/model.js';
import type { ControlPolicies, OrganizationFacts, RegistryFacts } from '../../src/domain/facts.js';
import { placeNotChecked, principalNotChecked } from '../../src/domain/not-checked.js';
import type { Readable } from '../../src/domain/policy/request-context.js';

const member: OrganizationFacts = { status: 'member', organizationId: 'o-abc123' };
const unread: OrganizationFacts = { status: 'unread', reason: 'organizations:DescribeOrganization denied' };
const none: OrganizationFacts = { status: 'none' };
const read: ControlPolicies = { status: 'read', levels: [] };
const denied: ControlPolicies = { status: 'unread', reason: 'organizations:ListPoliciesForTarget denied' };
const paths: Readable<string[]> = { status: 'read', value: ['o-abc123/r-ab12/'] };
const pathsUnread: Readable<string[]> = { status: 'unread', reason: 'organizations:ListParents denied' };
const notSet: Readable<string[]> = { status: 'unread', reason: 'organization-assume-role-arn is not set' };

const whats = (items: NotChecked[]): string[] => items.map((item) => `${item.what}: ${item.reason}`);

describe("principalNotChecked: the puller's own account", () => {
  const cases: [string, Parameters<typeof principalNotChecked>, string[]][] = [
    ['in no organization: nothing more to read', [none, undefined, { status: 'none' }, false], []],
    ['a member, everything read', [member, read, paths, true], []],
    [
      'a member without organization-assume-role-arn: the SCPs are not checked',
      [member, undefined, notSet, false],
      ['service-control-policies: organization-assume-role-arn is not set'],
    ],
    ['the SCPs could not be read', [member, denied, paths, true], ['service-control-policies: organizations:ListPoliciesForTarget denied']],
    ['the OU path could not be read', [member, read, pathsUnread, true], ['org-paths: organizations:ListParents denied']],
    [
      'the organization itself unread: said, and the SCPs with it',
      [unread, undefined, notSet, false],
      ['organization: organizations:DescribeOrganization denied', 'service-control-policies: organization-assume-role-arn is not set'],
    ],
  ];
  for (const [name, args, expected] of cases) it(name, () => assert.deepEqual(whats(principalNotChecked(...args)), expected));
});

describe('placeNotChecked: a registry pulled from', () => {
  const registry = (organization: OrganizationFacts, scopeUnread?: string): RegistryFacts => ({
    account: '153263036946',
    region: 'us-east-2',
    organization,
    policy: { status: 'none' },
    ...(scopeUnread ? { scopeUnread } : {}),
  });
  const cases: [string, Parameters<typeof placeNotChecked>, string[]][] = [
    ['everything read', [registry(member), read, true], []],
    ['in no organization: no RCPs to read', [registry(none), denied, true], []],
    ['the RCPs could not be read', [registry(member), denied, true], ['resource-control-policies: organizations:ListPoliciesForTarget denied']],
    ["the registry account's organization unread", [registry(unread), undefined, false], ['registry-organization: organizations:DescribeOrganization denied']],
    [
      "the registry policy's scope unread (it was judged as V2)",
      [registry(none, 'ecr:GetAccountSetting denied'), undefined, false],
      ['registry-policy-scope: ecr:GetAccountSetting denied'],
    ],
  ];
  for (const [name, args, expected] of cases) it(name, () => assert.deepEqual(whats(placeNotChecked(...args)), expected));
});
