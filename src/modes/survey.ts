import type { ECRClient } from '@aws-sdk/client-ecr';
import { RepositoryNotFoundError } from '../adapters/aws/repository-policy.js';
import type { NotChecked, RepositoryVerdict } from '../domain/checks/model.js';
import type { RepositoryTags } from '../domain/checks/judge.js';
import { judgeRepository, missingRepositoryVerdict, readRepositoryState, type RepositoryState } from './cross-account.js';
import type { Inputs } from '../action/inputs.js';
import { log } from '../log.js';
import { inert } from '../util/inert.js';
import { allowlistEntries, coveredBy, INLINE_POLICIES_LIMIT } from '../domain/policy/allowlist.js';
import { iamPolicyLength } from '../domain/policy/document.js';
import { publicGrantFindings } from '../domain/policy/repository-grant.js';
import type { RunReport } from '../report/model.js';
import type { Staging } from './staging.js';
import { mapPool } from '../util/pool.js';

/** Repository policies are read this many at a time: fast for 500, gentle on ECR's rate limits. */
const READ_CONCURRENCY = 16;
const PROGRESS_EVERY = 100;

/** Everything read before judging or writing: both sides of every expected repository. */
export interface Survey {
  states: Map<string, RepositoryState | undefined>;
  verdicts: RepositoryVerdict[];
  /** Repositories the allowlist names explicitly that nothing expects. */
  extra: string[];
  wildcards: { pattern: string; covers: string[] }[];
  /** Length of every inline policy of the role together (whitespace not counted). */
  inlineLength: number;
  /** Public grants and unique-ID principals in statements that are not ours. */
  foreignFindings: string[];
  /** What this survey could not read (repository tags), said once. */
  notChecked: NotChecked[];
}

/** Reads every repository policy (the repositories themselves, in the registry). */
export async function readRepositoryStates(
  inputs: Inputs,
  ecr: ECRClient,
  registryId: string,
  repositories: string[],
): Promise<Map<string, RepositoryState | undefined>> {
  const states = new Map<string, RepositoryState | undefined>();
  // Read while the staging side is read too: plain lines, not a log group (groups cannot interleave).
  // A long manifest says how far it is, every PROGRESS_EVERY repositories (a terminal shows it on stderr).
  let done = 0;
  await mapPool(repositories, READ_CONCURRENCY, async (repository) => {
    try {
      states.set(repository, await readRepositoryState(ecr, inputs, registryId, repository));
      if (++done % PROGRESS_EVERY === 0 && done < repositories.length) log.info(`Read ${done} of ${repositories.length} repository policies…`);
    } catch (error) {
      if (!(error instanceof RepositoryNotFoundError)) throw error;
      states.set(repository, undefined);
    }
  });
  log.info(`Read ${repositories.length} repository polic${repositories.length === 1 ? 'y' : 'ies'} in registry ${registryId}.`);
  return states;
}

/** Judges every expected repository from what was read. Pure but for the log. */
export function judgeSurvey(
  inputs: Inputs,
  registryId: string,
  staging: Staging,
  repositories: string[],
  states: Map<string, RepositoryState | undefined>,
  repositoryTags: { tags: Map<string, RepositoryTags>; notChecked: NotChecked[] },
): Survey {
  const foreignFindings: string[] = [];
  const verdicts = repositories.map((repository) => {
    const state = states.get(repository);
    if (!state) return missingRepositoryVerdict(inputs, registryId, repository, staging);
    foreignFindings.push(...publicGrantFindings(state.policy, inputs.policySid, repository));
    return judgeRepository(inputs, state, state.policy, staging, undefined, repositoryTags.tags.get(state.arn));
  });

  const entries = allowlistEntries(
    staging.documents.map((policy) => policy.document),
    inputs.region,
    registryId,
    inputs.pullActions,
  );
  const expected = new Set(repositories);
  const inlineLength = staging.documents.filter((policy) => policy.inlineName).reduce((sum, policy) => sum + iamPolicyLength(policy.document), 0);
  return {
    states,
    verdicts,
    extra: entries.explicit.filter((name) => !expected.has(name)),
    wildcards: entries.wildcards.map((pattern) => ({ pattern, covers: coveredBy(pattern, repositories, inputs.region, registryId) })),
    inlineLength,
    foreignFindings,
    notChecked: repositoryTags.notChecked,
  };
}

/** What every survey reports the same way: verdicts, extras per on-extra, wildcards, the size of the allowlist. */
export function reportSurvey(inputs: Inputs, survey: Survey, report: RunReport, manifestMode: boolean): void {
  report.repositories.push(...survey.verdicts);
  report.warnings.push(...survey.foreignFindings);
  report.notChecked.push(...survey.notChecked);
  for (const { pattern, covers } of survey.wildcards) {
    log.info(
      `Wildcard ${inert(pattern)} in the allowlist covers ${covers.length} expected repositor${covers.length === 1 ? 'y' : 'ies'}${covers.length > 0 ? `: ${covers.join(', ')}` : ''}.`,
    );
  }
  if (manifestMode) {
    report.extra = survey.extra;
    report.onExtra = inputs.onExtra;
  }
  if (survey.inlineLength > 0.8 * INLINE_POLICIES_LIMIT) {
    report.warnings.push(
      `the inline policies of the staging role use ${survey.inlineLength} of IAM's ${INLINE_POLICIES_LIMIT} characters (${Math.round((survey.inlineLength / INLINE_POLICIES_LIMIT) * 100)} %), room for about ${Math.floor((INLINE_POLICIES_LIMIT - survey.inlineLength) / 85)} more repository ARNs. Switch to a name-prefix wildcard or a managed policy before it is full.`,
    );
  }
}
