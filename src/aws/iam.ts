import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  PutRolePolicyCommand,
  paginateListAttachedRolePolicies,
  paginateListRolePolicies,
  type IAMClient,
} from '@aws-sdk/client-iam';
import type { StagingIdentity } from '../drift/verdict.js';
import { decodeIamDocument, parsePolicy, type PolicyDocument } from '../policy/document.js';
import { awsCall, describeAwsError, isAwsError } from './errors.js';

export function roleNameOf(roleArn: string): string {
  return roleArn.slice(roleArn.lastIndexOf('/') + 1);
}

export interface NamedPolicy {
  /** "inline policy NAME" or "managed policy ARN" */
  name: string;
  inlineName?: string;
  document: PolicyDocument;
}

export interface StagingRead {
  identity: StagingIdentity;
  documents: NamedPolicy[];
}

async function roleExists(iam: IAMClient, roleName: string, who: string): Promise<boolean> {
  try {
    await iam.send(new GetRoleCommand({ RoleName: roleName }));
    return true;
  } catch (error) {
    if (isAwsError(error, 'NoSuchEntity', 'NoSuchEntityException')) return false;
    throw describeAwsError(error, 'iam:GetRole', who);
  }
}

export async function readInline(iam: IAMClient, roleName: string, policyName: string, who: string): Promise<NamedPolicy | undefined> {
  try {
    const response = await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: policyName }));
    const name = `inline policy ${policyName}`;
    return { name, inlineName: policyName, document: parsePolicy(decodeIamDocument(response.PolicyDocument ?? ''), `${name} of role ${roleName}`) };
  } catch (error) {
    if (isAwsError(error, 'NoSuchEntity', 'NoSuchEntityException')) return undefined;
    throw describeAwsError(error, 'iam:GetRolePolicy', who);
  }
}

async function readManaged(iam: IAMClient, policyArn: string, roleName: string, who: string): Promise<NamedPolicy> {
  const policy = await awsCall('iam:GetPolicy', () => iam.send(new GetPolicyCommand({ PolicyArn: policyArn })), who);
  const version = await awsCall(
    'iam:GetPolicyVersion',
    () => iam.send(new GetPolicyVersionCommand({ PolicyArn: policyArn, VersionId: policy.Policy?.DefaultVersionId })),
    who,
  );
  const name = `managed policy ${policyArn}`;
  return { name, document: parsePolicy(decodeIamDocument(version.PolicyVersion?.Document ?? ''), `${name} attached to role ${roleName}`) };
}

/**
 * Everything that grants the role permissions by identity: every inline policy and the default
 * version of every attached managed policy (paginated). A missing role or named policy is drift.
 */
export async function readStagingIdentity(iam: IAMClient, roleArn: string, policyName: string | undefined, who: string): Promise<StagingRead> {
  const roleName = roleNameOf(roleArn);
  const account = roleArn.split(':')[4];
  const missing = (problem: string): StagingRead => ({ identity: { roleArn, policyName, policies: [], problem }, documents: [] });

  const inlineNames: string[] = [];
  try {
    for await (const page of paginateListRolePolicies({ client: iam }, { RoleName: roleName })) inlineNames.push(...(page.PolicyNames ?? []));
  } catch (error) {
    if (isAwsError(error, 'NoSuchEntity', 'NoSuchEntityException')) {
      return missing(`role ${roleName} does not exist in account ${account}, so nothing there can pull. Create it, or fix staging-role-arn.`);
    }
    throw describeAwsError(error, 'iam:ListRolePolicies', who);
  }
  if (inlineNames.length === 0 && !(await roleExists(iam, roleName, who))) {
    return missing(`role ${roleName} does not exist in account ${account}, so nothing there can pull. Create it, or fix staging-role-arn.`);
  }

  const attachedArns: string[] = [];
  try {
    for await (const page of paginateListAttachedRolePolicies({ client: iam }, { RoleName: roleName })) {
      attachedArns.push(...(page.AttachedPolicies ?? []).map((policy) => policy.PolicyArn).filter((arn): arn is string => Boolean(arn)));
    }
  } catch (error) {
    throw describeAwsError(error, 'iam:ListAttachedRolePolicies', who);
  }

  const inline = await Promise.all(inlineNames.map((name) => readInline(iam, roleName, name, who)));
  const managed = await Promise.all(attachedArns.map((arn) => readManaged(iam, arn, roleName, who)));
  const documents = [...inline.filter((policy): policy is NamedPolicy => policy !== undefined), ...managed];
  const identity: StagingIdentity = {
    roleArn,
    policyName,
    policies: documents.map((policy) => ({ name: policy.name, statements: policy.document.Statement })),
    problem: undefined,
  };
  if (policyName && !inlineNames.includes(policyName)) {
    identity.problem = `inline policy ${policyName} is not on role ${roleName} (account ${account}); it has ${inlineNames.length > 0 ? inlineNames.join(', ') : 'no inline policies'}. Create it with the pull allowlist (mode: reconcile does), or fix staging-policy-name.`;
  }
  return { identity, documents };
}

/** PutRolePolicy of one inline policy (the allowlist); reconcile re-reads afterwards to confirm. */
export async function putInlinePolicy(iam: IAMClient, roleArn: string, policyName: string, document: PolicyDocument, who: string): Promise<void> {
  await awsCall('iam:PutRolePolicy', () => iam.send(new PutRolePolicyCommand({ RoleName: roleNameOf(roleArn), PolicyName: policyName, PolicyDocument: JSON.stringify(document) })), who);
}
