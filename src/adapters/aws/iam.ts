import type { IAMClient } from '@aws-sdk/client-iam';
import { iamSdk } from './clients.js';
import { decodeIamDocument, parsePolicy, type PolicyDocument } from '../../domain/policy/document.js';
import { roleNameOf } from '../../domain/arn.js';
import { awsCall, describeAwsError, isAwsError } from './errors.js';
import { UserError } from '../../errors.js';
import { inert } from '../../util/inert.js';
import type { NamedPolicy } from '../../domain/facts.js';

export { roleNameOf };

export type { NamedPolicy };

export interface PullerIdentityRead {
  /** Every inline policy and the default version of every attached managed policy. */
  documents: NamedPolicy[];
  /** The role's inline policy names; undefined when the role does not exist (where it was looked for). */
  inlineNames: string[] | undefined;
}

async function roleExists(iam: IAMClient, roleName: string, who: string): Promise<boolean> {
  const { GetRoleCommand } = await iamSdk();
  try {
    await iam.send(new GetRoleCommand({ RoleName: roleName }));
    return true;
  } catch (error) {
    if (isAwsError(error, 'NoSuchEntity', 'NoSuchEntityException')) return false;
    throw describeAwsError(error, 'iam:GetRole', who);
  }
}

export async function readInline(iam: IAMClient, roleName: string, policyName: string, who: string): Promise<NamedPolicy | undefined> {
  const { GetRolePolicyCommand } = await iamSdk();
  try {
    const response = await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: policyName }));
    const name = `inline policy ${policyName}`;
    return {
      name,
      inlineName: policyName,
      document: parsePolicy(decodeIamDocument(response.PolicyDocument ?? '', `${name} of role ${roleName}`), `${name} of role ${roleName}`),
    };
  } catch (error) {
    if (isAwsError(error, 'NoSuchEntity', 'NoSuchEntityException')) return undefined;
    throw describeAwsError(error, 'iam:GetRolePolicy', who);
  }
}

async function readManaged(iam: IAMClient, policyArn: string, roleName: string, who: string): Promise<NamedPolicy> {
  const { GetPolicyCommand, GetPolicyVersionCommand } = await iamSdk();
  const policy = await awsCall('iam:GetPolicy', () => iam.send(new GetPolicyCommand({ PolicyArn: policyArn })), who);
  const version = await awsCall(
    'iam:GetPolicyVersion',
    () => iam.send(new GetPolicyVersionCommand({ PolicyArn: policyArn, VersionId: policy.Policy?.DefaultVersionId })),
    who,
  );
  const name = `managed policy ${policyArn}`;
  return {
    name,
    document: parsePolicy(
      decodeIamDocument(version.PolicyVersion?.Document ?? '', `${name} attached to role ${roleName}`),
      `${name} attached to role ${roleName}`,
    ),
  };
}

/**
 * Everything that grants the role permissions by identity: every inline policy and the default
 * version of every attached managed policy (paginated), listed in parallel.
 */
export async function readPullerIdentity(iam: IAMClient, roleArn: string, who: string): Promise<PullerIdentityRead> {
  const roleName = roleNameOf(roleArn);
  const missing: PullerIdentityRead = { documents: [], inlineNames: undefined };
  const { paginateListAttachedRolePolicies, paginateListRolePolicies } = await iamSdk();

  const listInline = async (): Promise<string[] | undefined> => {
    const names: string[] = [];
    try {
      for await (const page of paginateListRolePolicies({ client: iam }, { RoleName: roleName })) names.push(...(page.PolicyNames ?? []));
    } catch (error) {
      if (isAwsError(error, 'NoSuchEntity', 'NoSuchEntityException')) return undefined;
      throw describeAwsError(error, 'iam:ListRolePolicies', who);
    }
    return names;
  };
  const listAttached = async (): Promise<string[] | undefined> => {
    const arns: string[] = [];
    try {
      for await (const page of paginateListAttachedRolePolicies({ client: iam }, { RoleName: roleName })) {
        arns.push(...(page.AttachedPolicies ?? []).map((policy) => policy.PolicyArn).filter((arn): arn is string => Boolean(arn)));
      }
    } catch (error) {
      if (isAwsError(error, 'NoSuchEntity', 'NoSuchEntityException')) return undefined;
      throw describeAwsError(error, 'iam:ListAttachedRolePolicies', who);
    }
    return arns;
  };
  const [inlineNames, attachedArns] = await Promise.all([listInline(), listAttached()]);
  if (inlineNames === undefined || attachedArns === undefined) return missing;
  if (inlineNames.length === 0 && attachedArns.length === 0 && !(await roleExists(iam, roleName, who))) return missing;

  const [inline, managed] = await Promise.all([
    Promise.all(inlineNames.map((name) => readInline(iam, roleName, name, who))),
    Promise.all(attachedArns.map((arn) => readManaged(iam, arn, roleName, who))),
  ]);
  return { documents: [...inline.filter((policy): policy is NamedPolicy => policy !== undefined), ...managed], inlineNames };
}

/**
 * PutRolePolicy of one inline policy (the allowlist); reconcile re-reads afterwards to confirm. IAM
 * refusing the document as malformed is a fault of what we wrote, not of AWS: said as such, with
 * the document (cut), never as "re-run later".
 */
export async function putInlinePolicy(iam: IAMClient, roleArn: string, policyName: string, document: PolicyDocument, who: string): Promise<void> {
  const policyDocument = JSON.stringify(document);
  const { PutRolePolicyCommand } = await iamSdk();
  try {
    await iam.send(new PutRolePolicyCommand({ RoleName: roleNameOf(roleArn), PolicyName: policyName, PolicyDocument: policyDocument }));
  } catch (error) {
    if (isAwsError(error, 'MalformedPolicyDocument', 'MalformedPolicyDocumentException')) {
      throw new UserError(
        `iam:PutRolePolicy: IAM refused the inline policy ${policyName} that reconcile wrote for role ${roleNameOf(roleArn)} as malformed (${inert((error as Error).message, 200)}). It wrote: ${inert(policyDocument, 400)}. This is a fault of publish-image: please report it with that document. The inline policy is as it was; nothing after this call was written.`,
      );
    }
    throw describeAwsError(error, 'iam:PutRolePolicy', who);
  }
}

/** DeleteRolePolicy of the allowlist policy, when prune leaves nothing in it (IAM keeps no empty policy). */
export async function deleteInlinePolicy(iam: IAMClient, roleArn: string, policyName: string, who: string): Promise<void> {
  const { DeleteRolePolicyCommand } = await iamSdk();
  try {
    await iam.send(new DeleteRolePolicyCommand({ RoleName: roleNameOf(roleArn), PolicyName: policyName }));
  } catch (error) {
    // Already gone (another reconcile pruned it too): what we meant to do is done.
    if (isAwsError(error, 'NoSuchEntity', 'NoSuchEntityException')) return;
    throw describeAwsError(error, 'iam:DeleteRolePolicy', who);
  }
}
