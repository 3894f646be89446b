import { log } from './log.js';
import type { ECRClient } from '@aws-sdk/client-ecr';
import { RepositoryNotFoundError } from './aws/repository-policy.js';
import { judgeRepository, judgeRole, readRepositoryState, type RepositoryState } from './crossaccount.js';
import { publicGrantFindings } from './policy/repository-grant.js';
import { judgeIdentity } from './drift/verdict.js';
import type { Inputs } from './inputs.js';
import { allowlistEntries, coveredBy, INLINE_POLICIES_LIMIT, repositoryArn } from './policy/allowlist.js';
import { iamPolicyLength } from './policy/document.js';
import type { RepositoryRow, RunReport } from './report/report.js';
import type { Staging } from './staging.js';
import { mapPool } from './util/pool.js';

/** Repository policies are read this many at a time: fast for 500, gentle on ECR's rate limits. */
const READ_CONCURRENCY = 16;

/** Everything read before judging or writing: both sides of every expected repository. */
export interface Survey {
  states: Map<string, RepositoryState | undefined>;
  rows: RepositoryRow[];
  roleRow: RepositoryRow | undefined;
  /** Repositories the allowlist names explicitly that nothing expects. */
  extra: string[];
  wildcards: { pattern: string; covers: string[] }[];
  /** Length of every inline policy of the role together (whitespace not counted). */
  inlineLength: number;
  /** Public grants and unique-ID principals in statements that are not ours. */
  foreignFindings: string[];
}

function missingRepositoryRow(inputs: Inputs, registryId: string, repository: string, staging: Staging): RepositoryRow {
  const identity = judgeIdentity(repositoryArn(inputs.region, registryId, repository), staging.identity, inputs.pullActions);
  return {
    repository,
    grant: 'no repository',
    identity: identity.status === 'ok' ? 'allowed' : identity.status,
    verdict: 'drift',
    findings: [`the repository does not exist in registry ${registryId} (${inputs.region}), so there is nothing to pull. Publish it (create-repository: true), or remove it from the manifest.`, ...identity.findings],
  };
}

export async function surveyRepositories(inputs: Inputs, ecr: ECRClient, registryId: string, staging: Staging, repositories: string[]): Promise<Survey> {
  const states = new Map<string, RepositoryState | undefined>();
  await log.group(`Read ${repositories.length} repository polic${repositories.length === 1 ? 'y' : 'ies'} in registry ${registryId}`, async () => {
    await mapPool(repositories, READ_CONCURRENCY, async (repository) => {
      try {
        states.set(repository, await readRepositoryState(ecr, inputs, registryId, repository));
      } catch (error) {
        if (!(error instanceof RepositoryNotFoundError)) throw error;
        states.set(repository, undefined);
      }
    });
    log.info(`Read ${states.size} repositories.`);
  });

  const foreignFindings: string[] = [];
  const rows = repositories.map((repository) => {
    const state = states.get(repository);
    if (!state) return missingRepositoryRow(inputs, registryId, repository, staging);
    foreignFindings.push(...publicGrantFindings(state.policy, inputs.policySid, repository));
    return judgeRepository(inputs, state, state.policy, staging.identity, undefined);
  });

  const entries = allowlistEntries(staging.documents.map((policy) => policy.document), inputs.region, registryId, inputs.pullActions);
  const expected = new Set(repositories);
  const inlineLength = staging.documents.filter((policy) => policy.inlineName).reduce((sum, policy) => sum + iamPolicyLength(policy.document), 0);
  return {
    states,
    rows,
    roleRow: judgeRole(staging.identity),
    extra: entries.explicit.filter((name) => !expected.has(name)),
    wildcards: entries.wildcards.map((pattern) => ({ pattern, covers: coveredBy(pattern, repositories, inputs.region, registryId) })),
    inlineLength,
    foreignFindings,
  };
}

/** What every survey reports the same way: extras per on-extra, wildcards, the size of the allowlist. */
export function reportSurvey(inputs: Inputs, survey: Survey, report: RunReport, manifestMode: boolean): void {
  report.rows.push(...survey.rows);
  if (survey.roleRow) report.rows.push(survey.roleRow);
  report.warnings.push(...survey.foreignFindings);
  for (const { pattern, covers } of survey.wildcards) {
    log.info(`Wildcard ${pattern} in the allowlist covers ${covers.length} expected repositor${covers.length === 1 ? 'y' : 'ies'}${covers.length > 0 ? `: ${covers.join(', ')}` : ''}.`);
  }
  if (manifestMode) {
    report.extra = survey.extra;
    if (survey.extra.length > 0 && inputs.onExtra !== 'ignore') {
      const message = `the allowlist names ${survey.extra.length} repositor${survey.extra.length === 1 ? 'y' : 'ies'} that the manifest does not expect: ${survey.extra.join(', ')}. Remove them (mode: reconcile with prune: true), or add them to the manifest or extra-repositories.`;
      if (inputs.onExtra === 'fail') report.rows.push({ repository: '(extra)', grant: '-', identity: 'extra', verdict: 'drift', findings: [message] });
      else report.warnings.push(message);
    }
  }
  if (survey.inlineLength > 0.8 * INLINE_POLICIES_LIMIT) {
    report.warnings.push(
      `the inline policies of the staging role use ${survey.inlineLength} of IAM's ${INLINE_POLICIES_LIMIT} characters (${Math.round((survey.inlineLength / INLINE_POLICIES_LIMIT) * 100)} %), room for about ${Math.floor((INLINE_POLICIES_LIMIT - survey.inlineLength) / 85)} more repository ARNs. Switch to a name-prefix wildcard or a managed policy before it is full.`,
    );
  }
}
