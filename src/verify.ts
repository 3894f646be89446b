import { log } from './log.js';
import type { ECRClient } from '@aws-sdk/client-ecr';
import { createEcrClient } from './aws/clients.js';
import { getRegistryAuthorization } from './aws/ecr.js';
import { crossCheckWithSimulator, finishVerdicts } from './crossaccount.js';
import { expectedRepositories, readManifestFile } from './drift/manifest.js';
import { UserError } from './errors.js';
import type { Inputs } from './inputs.js';
import type { RunReport } from './report/report.js';
import type { RunnerContext } from './runner-context.js';
import { readStaging, stagingAccess, type Staging } from './staging.js';
import { reportSurvey, surveyRepositories, type Survey } from './survey.js';

/** The registry account: given, or the one the current credentials' ECR token is for. */
export async function resolveRegistryId(ecr: ECRClient, inputs: Inputs): Promise<string> {
  if (inputs.registryId) return inputs.registryId;
  const registry = await getRegistryAuthorization(ecr, undefined);
  log.mask(registry.password);
  return registry.registryId;
}

/** One repository (`repository`), or every one the manifest expects plus `extra-repositories`. */
export function targetRepositories(inputs: Inputs): { repositories: string[]; manifestMode: boolean } {
  if (inputs.repository) return { repositories: [inputs.repository], manifestMode: false };
  if (!inputs.manifest) {
    throw new UserError(`repository / manifest: ${inputs.mode} needs one of them. Give \`repository:\` for one repository, or \`manifest:\` for every repository the template manifest lists.`);
  }
  const manifest = readManifestFile(inputs.manifest);
  return { repositories: expectedRepositories(manifest, inputs.manifest, inputs.manifestKey, inputs.repositoryTemplate, inputs.extraRepositories), manifestMode: true };
}

export interface SurveyContext {
  ecr: ECRClient;
  registryId: string;
  staging: Staging;
  repositories: string[];
  manifestMode: boolean;
  survey: Survey;
}

/** Reads both sides of every target repository: shared by verify and reconcile. Writes nothing. */
export async function surveyTargets(inputs: Inputs, runner: RunnerContext, report: RunReport): Promise<SurveyContext> {
  if (!inputs.stagingRoleArn) {
    throw new UserError(`staging-role-arn: required in ${inputs.mode} mode. Name the role that pulls, e.g. arn:aws:iam::004947743811:role/MoleculeTenantEICRole-staging.`);
  }
  const { repositories, manifestMode } = targetRepositories(inputs);
  log.info(`Expected: ${repositories.length} repositor${repositories.length === 1 ? 'y' : 'ies'}.`);
  const ecr = await createEcrClient(inputs.region);
  const registryId = await resolveRegistryId(ecr, inputs);
  report.registryId = registryId;
  const subject = manifestMode ? 'manifest' : inputs.repository;
  const staging = await readStaging(await stagingAccess(inputs, runner, subject), inputs);
  const survey = await surveyRepositories(inputs, ecr, registryId, staging, repositories);
  return { ecr, registryId, staging, repositories, manifestMode, survey };
}

/** verify: both sides of the cross-account pull for one repository or the whole manifest; no writes. */
export async function verify(inputs: Inputs, runner: RunnerContext, report: RunReport): Promise<void> {
  const context = await surveyTargets(inputs, runner, report);
  reportSurvey(inputs, context.survey, report, context.manifestMode);
  await crossCheckWithSimulator(
    inputs,
    context.staging,
    context.survey.rows.map((row) => ({ row, arn: `arn:aws:ecr:${inputs.region}:${context.registryId}:repository/${row.repository}` })),
    report,
  );
  finishVerdicts(report);
}
