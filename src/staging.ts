import { log } from './log.js';
import { assumedRoleCredentials, createIamClient, roleSessionName } from './aws/clients.js';
import { awsCall } from './aws/errors.js';
import { readStagingIdentity, type StagingRead } from './aws/iam.js';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import type { Inputs } from './inputs.js';
import type { RunnerContext } from './runner-context.js';

export interface StagingAccess {
  iam: IAMClient;
  /** Who reads staging IAM, for messages: "the current credentials" or "assumed role …". */
  who: string;
}

/** IAM of the staging account: the current credentials, or a role assumed there (chained from static keys). */
export async function stagingAccess(inputs: Inputs, runner: RunnerContext, subject: string | undefined): Promise<StagingAccess> {
  if (!inputs.stagingAssumeRoleArn) return { iam: await createIamClient(), who: 'the current credentials' };
  const credentials = await assumedRoleCredentials(
    inputs.stagingAssumeRoleArn,
    roleSessionName(subject, runner.runId),
    inputs.region,
    inputs.stagingExternalId,
  );
  // Assume now, so a refusal is reported as sts:AssumeRole, not as the first IAM read; then reuse
  // the session until a minute before it expires (one AssumeRole per run, not one per client).
  let session = await awsCall('sts:AssumeRole', () => credentials(), `the current credentials (on ${inputs.stagingAssumeRoleArn})`);
  const reuseSession = async (): Promise<AwsCredentialIdentity> => {
    if (session.expiration && session.expiration.getTime() - Date.now() < 60_000) session = await credentials();
    return session;
  };
  return { iam: await createIamClient(reuseSession), who: `assumed role ${inputs.stagingAssumeRoleArn}` };
}

export interface Staging extends StagingRead {
  access: StagingAccess;
}

export async function readStaging(access: StagingAccess, inputs: Inputs): Promise<Staging> {
  const roleArn = inputs.stagingRoleArn as string;
  return log.group(`Read the identity policies of ${roleArn}`, async () => {
    const read = await readStagingIdentity(access.iam, roleArn, inputs.stagingPolicyName, access.who);
    for (const policy of read.documents) log.info(`${policy.name}: ${policy.document.Statement.length} statement(s)`);
    if (read.identity.problem) log.info(read.identity.problem);
    return { ...read, access };
  });
}
