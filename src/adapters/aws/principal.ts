import { accountOf, roleNameOf } from '../../domain/arn.js';
import type { IAMClient, Tag } from '@aws-sdk/client-iam';
import { iamSdk } from './clients.js';
import { inert } from '../../util/inert.js';
import { asList, decodeIamDocument, parsePolicy } from '../../domain/policy/document.js';
import { actionMatches } from '../../domain/policy/evaluate.js';
import { awsCall, describeAwsError, isAwsError } from './errors.js';
import type { NamedPolicy, RoleFacts } from '../../domain/facts.js';

export type { RoleFacts };

const NO_SUCH_ENTITY = ['NoSuchEntity', 'NoSuchEntityException'];

/** Does the role's trust policy let anyone tag sessions? Unreadable counts as yes: never assume less than AWS may allow. */
function trustAllowsTagSession(document: string | undefined, roleName: string): boolean {
  if (!document) return true;
  try {
    const trust = parsePolicy(decodeIamDocument(document, `the trust policy of role ${roleName}`), `the trust policy of role ${roleName}`);
    return trust.Statement.some((statement) => {
      if (statement.Effect !== 'Allow') return false;
      const listed = asList(statement.Action ?? statement.NotAction).some((pattern) => actionMatches(pattern, 'sts:TagSession'));
      return statement.Action !== undefined ? listed : !listed;
    });
  } catch {
    return true;
  }
}

async function readBoundary(iam: IAMClient, policyArn: string, roleName: string, who: string): Promise<NamedPolicy> {
  const { GetPolicyCommand, GetPolicyVersionCommand } = await iamSdk();
  const policy = await awsCall('iam:GetPolicy', () => iam.send(new GetPolicyCommand({ PolicyArn: policyArn })), who);
  const version = await awsCall(
    'iam:GetPolicyVersion',
    () => iam.send(new GetPolicyVersionCommand({ PolicyArn: policyArn, VersionId: policy.Policy?.DefaultVersionId })),
    who,
  );
  const name = `permissions boundary ${inert(policyArn)}`;
  return { name, document: parsePolicy(decodeIamDocument(version.PolicyVersion?.Document ?? ''), `${name} of role ${inert(roleName)}`) };
}

/**
 * GetRole and ListRoleTags (every page) in parallel, then the boundary's default version. Undefined
 * when the role does not exist; any other failure is a UserError naming the permission.
 */
export async function readRoleFacts(iam: IAMClient, roleName: string, who: string): Promise<RoleFacts | undefined> {
  const name = roleNameOf(roleName);
  const { GetRoleCommand, paginateListRoleTags } = await iamSdk();
  const tagsRead = (async (): Promise<Tag[] | undefined> => {
    const tags: Tag[] = [];
    try {
      for await (const page of paginateListRoleTags({ client: iam }, { RoleName: name })) tags.push(...(page.Tags ?? []));
      return tags;
    } catch (error) {
      if (isAwsError(error, ...NO_SUCH_ENTITY)) return undefined;
      throw describeAwsError(error, 'iam:ListRoleTags', who);
    }
  })();
  // Settle the tags read even when GetRole fails first, so its rejection is never left unhandled.
  const tagsSettled = tagsRead.then(
    (tags) => ({ tags }),
    (error: unknown) => ({ error }),
  );

  let role;
  try {
    role = (await iam.send(new GetRoleCommand({ RoleName: name }))).Role;
  } catch (error) {
    await tagsSettled;
    if (isAwsError(error, ...NO_SUCH_ENTITY)) return undefined;
    throw describeAwsError(error, 'iam:GetRole', who);
  }
  if (!role?.Arn) return undefined;

  const boundaryArn = role.PermissionsBoundary?.PermissionsBoundaryArn;
  const [tagsResult, boundary] = await Promise.all([tagsSettled, boundaryArn ? readBoundary(iam, boundaryArn, name, who) : Promise.resolve(undefined)]);
  if ('error' in tagsResult) throw tagsResult.error;
  // The role was deleted between the two reads: as good as missing.
  if (tagsResult.tags === undefined) return undefined;

  return {
    roleArn: role.Arn,
    roleName: role.RoleName ?? name,
    path: role.Path ?? '/',
    account: accountOf(role.Arn),
    roleId: role.RoleId ?? '',
    tags: Object.fromEntries(tagsResult.tags.filter((tag) => tag.Key !== undefined).map((tag) => [tag.Key as string, tag.Value ?? ''])),
    sessionTagsPossible: trustAllowsTagSession(role.AssumeRolePolicyDocument, name),
    boundary,
  };
}
