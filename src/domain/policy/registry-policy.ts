import type { RegistryPolicyModel } from '../checks/judge.js';
import { asList, type PolicyDocument } from './document.js';
import type { Readable } from './request-context.js';

/**
 * The only actions a registry policy may hold under scope V1 (ECR User Guide, "Private registry
 * permissions in Amazon ECR"): replication, pull through cache, create on push. None is a pull.
 */
const V1_ACTIONS = new Set(['ecr:replicateimage', 'ecr:batchimportupstreamimage', 'ecr:createrepository']);

/**
 * Does the registry policy hold anything beyond V1's three actions (a wildcard, another action, a
 * NotAction)? Such a policy can only be scope V2, and only such a policy can speak to a pull.
 */
export function beyondV1(document: PolicyDocument): boolean {
  return document.Statement.some(
    (statement) => statement.NotAction !== undefined || asList(statement.Action).some((action) => !V1_ACTIONS.has(String(action).toLowerCase())),
  );
}

export function registryPolicyLabel(registryId: string): string {
  return `the registry policy of ${registryId}`;
}

/**
 * What the verdict weighs of the registry policy. Its scope comes from ecr:GetAccountSetting when
 * that was read; otherwise from the policy itself: one that holds more than V1's actions is V2.
 */
export function registryPolicyModel(registryId: string, policy: Readable<PolicyDocument>, scope: Readable<'V1' | 'V2'> | undefined): RegistryPolicyModel {
  const label = registryPolicyLabel(registryId);
  if (policy.status !== 'read') return policy.status === 'none' ? { status: 'none' } : { status: 'unread', label, reason: policy.reason };
  return {
    status: 'read',
    policy: { name: label, statements: policy.value.Statement, version: policy.value.Version ?? '2008-10-17' },
    scope: scope?.status === 'read' ? scope.value : 'V2',
  };
}
