import { log } from '../log.js';
import type { ECRClient } from '@aws-sdk/client-ecr';
import { createEcrClient } from '../adapters/aws/clients.js';
import { getRegistryAuthorization } from '../adapters/aws/ecr.js';
import { crossCheckWithSimulator, finishVerdicts, readTagsWhereAsked } from './cross-account.js';
import { readManifestFile } from '../adapters/manifest-file.js';
import { expectedRepositories } from '../domain/manifest.js';
import { UserError } from '../errors.js';
import type { Inputs } from '../action/inputs.js';
import type { RunReport } from '../report/model.js';
import type { RunnerContext } from '../action/runner-context.js';
import {
  currentCredentialsAccount,
  organizationAccess,
  readRegistryFacts,
  readStaging,
  stagingAccess,
  type RegistryFacts,
  type Staging,
  type StagingAccess,
} from './staging.js';
import { judgeSurvey, readRepositoryStates, reportSurvey, type Survey } from './survey.js';

/**
 * The registry account: given, or the current credentials' own (sts:GetCallerIdentity, which
 * needs no permission and hands out no registry password). ECR's token is the fallback.
 */
export async function resolveRegistryId(ecr: ECRClient, inputs: Inputs): Promise<string> {
  if (inputs.registryId) return inputs.registryId;
  const account = await currentCredentialsAccount();
  if (account) return account;
  const registry = await getRegistryAuthorization(ecr, undefined);
  log.mask(registry.password);
  return registry.registryId;
}

/** One repository (`repository`), or every one the manifest expects plus `extra-repositories`. */
export function targetRepositories(inputs: Inputs): { repositories: string[]; manifestMode: boolean } {
  if (inputs.repository) return { repositories: [inputs.repository], manifestMode: false };
  if (!inputs.manifest) {
    throw new UserError(
      `repository / manifest: ${inputs.mode} needs one of them. Give \`repository:\` for one repository, or \`manifest:\` for every repository the template manifest lists.`,
    );
  }
  const manifest = readManifestFile(inputs.manifest);
  return {
    repositories: expectedRepositories(manifest, inputs.manifest, inputs.manifestKey, inputs.repositoryTemplate, inputs.extraRepositories),
    manifestMode: true,
  };
}

/** The clients and sessions a run reads with: opened once (one AssumeRole each), reused by reconcile's re-read. */
export interface Readers {
  ecr: ECRClient;
  registryId: Promise<string>;
  registryFacts: Promise<RegistryFacts>;
  access: Promise<StagingAccess>;
  organization: ReturnType<typeof organizationAccess>;
}

export async function openReaders(
  inputs: Inputs,
  runner: RunnerContext,
  subject: string | undefined,
  known?: { ecr: ECRClient; registryId: string },
): Promise<Readers> {
  const ecr = known?.ecr ?? (await createEcrClient(inputs.region));
  const registryId = known ? Promise.resolve(known.registryId) : resolveRegistryId(ecr, inputs);
  const registryFacts = registryId.then((id) => readRegistryFacts(ecr, id, inputs.region));
  const access = stagingAccess(inputs, runner, subject);
  const organization = organizationAccess(inputs, runner);
  // Each is awaited (and its failure reported) where it is needed; none may reject unobserved meanwhile.
  for (const pending of [registryId, registryFacts, access, organization]) pending.catch(() => undefined);
  return { ecr, registryId, registryFacts, access, organization };
}

/** Everything AWS weighs for a pull by the staging role, read with the run's readers. */
export async function readStagingWith(readers: Readers, inputs: Inputs): Promise<Staging> {
  const [access, organization] = await Promise.all([readers.access, readers.organization]);
  return readStaging(access, inputs, readers.registryFacts, organization);
}

export interface SurveyContext {
  ecr: ECRClient;
  readers: Readers;
  registryId: string;
  staging: Staging;
  repositories: string[];
  manifestMode: boolean;
  survey: Survey;
}

/**
 * Reads both sides of every target repository, in parallel: the registry's repository policies and
 * organization, and the staging role's policies, boundary, tags and organizations. Writes nothing.
 */
export async function surveyTargets(inputs: Inputs, runner: RunnerContext, previous?: Readers): Promise<SurveyContext> {
  if (!inputs.stagingRoleArn) {
    throw new UserError(
      `staging-role-arn: required in ${inputs.mode} mode. Name the role that pulls, e.g. arn:aws:iam::004947743811:role/MoleculeTenantEICRole-staging.`,
    );
  }
  const { repositories, manifestMode } = targetRepositories(inputs);
  log.info(`Expected: ${repositories.length} repositor${repositories.length === 1 ? 'y' : 'ies'}.`);
  const readers = previous ?? (await openReaders(inputs, runner, manifestMode ? 'manifest' : inputs.repository));
  const [id, states, staging] = await Promise.all([
    readers.registryId,
    readers.registryId.then((id) => readRepositoryStates(inputs, readers.ecr, id, repositories)),
    readStagingWith(readers, inputs),
  ]);
  const withPolicies = [...states.values()].flatMap((state) => (state ? [{ arn: state.arn, policy: state.policy }] : []));
  const tags = await readTagsWhereAsked(readers.ecr, staging, withPolicies);
  const survey = judgeSurvey(inputs, id, staging, repositories, states, tags);
  return { ecr: readers.ecr, readers, registryId: id, staging, repositories, manifestMode, survey };
}

/** verify: both sides of the cross-account pull for one repository or the whole manifest; no writes. */
export async function verify(inputs: Inputs, runner: RunnerContext, report: RunReport): Promise<void> {
  const context = await surveyTargets(inputs, runner);
  report.registryId = context.registryId;
  reportSurvey(inputs, context.survey, report, context.manifestMode);
  await crossCheckWithSimulator(inputs, context.staging, context.survey.verdicts, report);
  finishVerdicts(inputs, context.staging, report);
}
