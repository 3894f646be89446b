import type { NotChecked } from './checks/model.js';
import type { ControlPolicies, OrganizationFacts, RegistryFacts } from './facts.js';
import type { Readable } from './policy/request-context.js';

/**
 * What the organization side of a pull left unread, as NotChecked (said once in the report, never
 * assumed). `managementRead`: organization-assume-role-arn was given, so the SCPs, RCPs and OU paths
 * could be asked of the management account (AWS Organizations API Reference: ListPoliciesForTarget,
 * DescribePolicy and ListParents only from the management account or a delegated administrator).
 */

/** The puller's own account: its organization, the SCPs over it, its OU path. No organization: nothing more to read. */
export function principalNotChecked(
  organization: OrganizationFacts,
  scp: ControlPolicies | undefined,
  orgPaths: Readable<string[]>,
  managementRead: boolean,
): NotChecked[] {
  const notChecked: NotChecked[] = [];
  if (organization.status === 'unread') notChecked.push({ what: 'organization', reason: organization.reason });
  if (organization.status !== 'none') {
    if (!managementRead) notChecked.push({ what: 'service-control-policies', reason: 'organization-assume-role-arn is not set' });
    else if (scp?.status === 'unread') notChecked.push({ what: 'service-control-policies', reason: scp.reason });
    if (orgPaths.status === 'unread' && managementRead) notChecked.push({ what: 'org-paths', reason: orgPaths.reason });
  }
  return notChecked;
}

/** A registry pulled from: its organization, the RCPs over its account, its registry policy's scope. */
export function placeNotChecked(registry: RegistryFacts, rcp: ControlPolicies | undefined, managementRead: boolean): NotChecked[] {
  const notChecked: NotChecked[] = [];
  if (registry.organization.status === 'unread') notChecked.push({ what: 'registry-organization', reason: registry.organization.reason });
  if (registry.organization.status !== 'none' && managementRead && rcp?.status === 'unread')
    notChecked.push({ what: 'resource-control-policies', reason: rcp.reason });
  if (registry.scopeUnread) notChecked.push({ what: 'registry-policy-scope', reason: registry.scopeUnread });
  return notChecked;
}
