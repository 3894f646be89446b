import * as core from '@actions/core';
import { createEcrClient } from './aws/clients.js';
import { getRegistryAuthorization } from './aws/ecr.js';
import { collectForeignFindings, crossCheckWithSimulator, finishVerdicts, judgeRepository, judgeRole, readRepositoryState } from './crossaccount.js';
import { UserError } from './errors.js';
import type { Inputs } from './inputs.js';
import type { RunReport } from './report/report.js';
import type { RunnerContext } from './runner-context.js';
import { readStaging, stagingAccess } from './staging.js';
import type { ECRClient } from '@aws-sdk/client-ecr';

/** The registry account: given, or the one the current credentials' ECR token is for. */
export async function resolveRegistryId(ecr: ECRClient, inputs: Inputs): Promise<string> {
  if (inputs.registryId) return inputs.registryId;
  const registry = await getRegistryAuthorization(ecr, undefined);
  core.setSecret(registry.password);
  return registry.registryId;
}

/** verify with a repository: both sides of the cross-account pull, no build, no writes. */
export async function verifyRepository(inputs: Inputs, runner: RunnerContext, report: RunReport): Promise<void> {
  if (!inputs.stagingRoleArn) {
    throw new UserError('staging-role-arn: required in verify mode. Name the role that pulls, e.g. arn:aws:iam::004947743811:role/MoleculeTenantEICRole-staging.');
  }
  const repository = inputs.repository as string;
  const ecr = await createEcrClient(inputs.region);
  const registryId = await resolveRegistryId(ecr, inputs);
  report.registryId = registryId;
  const staging = await readStaging(await stagingAccess(inputs, runner, repository), inputs);
  const state = await core.group(`Read the repository policy of ${repository}`, () => readRepositoryState(ecr, inputs, registryId, repository));
  collectForeignFindings(inputs, state, report);
  const row = judgeRepository(inputs, state, state.policy, staging.identity, undefined);
  report.rows.push(row);
  await crossCheckWithSimulator(inputs, staging, [{ row, arn: state.arn }], report);
  const roleRow = judgeRole(staging.identity);
  if (roleRow) report.rows.push(roleRow);
  finishVerdicts(report);
}
