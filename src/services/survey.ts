import { repositoryArn } from '../domain/arn.js';
import type { RepositoryTags } from '../domain/checks/judge.js';
import type { NotChecked, RepositoryVerdict } from '../domain/checks/model.js';
import { judgeRepository, missingRepositoryVerdict } from '../domain/checks/verdict.js';
import { allowlistEntries, coveredBy, INLINE_POLICIES_LIMIT } from '../domain/policy/allowlist.js';
import { iamPolicyLength } from '../domain/policy/document.js';
import { publicGrants } from '../domain/policy/repository-grant.js';
import { log } from '../log.js';
import type { Warning } from '../report/model.js';
import type { GrantSettings, PullerSettings, Targets } from '../settings/settings.js';
import { inert } from '../util/inert.js';
import { openReaders, readPuller, targetRepositories, type Readers } from './readers.js';
import type { Staging } from './puller.js';
import { readRepositoryStates, readTagsWhereAsked, type RepositoryState } from './repositories.js';

/** Everything read before judging or writing: both sides of every expected repository, judged. */
export interface Survey {
  readers: Readers;
  registryId: string;
  staging: Staging;
  manifestMode: boolean;
  states: Map<string, RepositoryState | undefined>;
  verdicts: RepositoryVerdict[];
  /** Repositories the allowlist names explicitly that nothing expects. */
  extra: string[];
  wildcards: { pattern: string; covers: string[] }[];
  /** Length of every inline policy of the role together (whitespace not counted). */
  inlineLength: number;
  warnings: Warning[];
  /** What this survey could not read (repository tags), said once. */
  notChecked: NotChecked[];
}

/** What a survey reads with: the registry, the grant it would write, the puller, the targets. */
export interface SurveySettings {
  registry: { region: string; registryId: string | undefined };
  grant: GrantSettings;
  puller: PullerSettings;
  organizationAssumeRoleArn: string | undefined;
  targets: Targets;
  runId: string | undefined;
}

/** Judges every expected repository from what was read. Pure but for the log. */
function judgeSurvey(
  settings: SurveySettings,
  registryId: string,
  staging: Staging,
  repositories: string[],
  states: Map<string, RepositoryState | undefined>,
  tags: Map<string, RepositoryTags>,
): Pick<Survey, 'verdicts' | 'extra' | 'wildcards' | 'inlineLength' | 'warnings'> {
  const { region } = settings.registry;
  const warnings: Warning[] = [];
  const verdicts = repositories.map((repository) => {
    const state = states.get(repository);
    if (!state) return missingRepositoryVerdict(repository, repositoryArn(region, registryId, repository), staging);
    for (const grant of publicGrants(state.policy, settings.grant.sid, repository)) warnings.push({ kind: 'public-grant', grant });
    return judgeRepository({ repository, arn: state.arn, policy: state.policy, tags: tags.get(state.arn) }, staging);
  });
  const entries = allowlistEntries(
    staging.documents.map((policy) => policy.document),
    region,
    registryId,
    settings.grant.actions,
  );
  const expected = new Set(repositories);
  const inlineLength = staging.documents.filter((policy) => policy.inlineName).reduce((sum, policy) => sum + iamPolicyLength(policy.document), 0);
  if (inlineLength > 0.8 * INLINE_POLICIES_LIMIT) warnings.push({ kind: 'allowlist-size', used: inlineLength, limit: INLINE_POLICIES_LIMIT });
  const wildcards = entries.wildcards.map((pattern) => ({ pattern, covers: coveredBy(pattern, repositories, region, registryId) }));
  for (const { pattern, covers } of wildcards) {
    log.info(
      `Wildcard ${inert(pattern)} in the allowlist covers ${covers.length} expected repositor${covers.length === 1 ? 'y' : 'ies'}${covers.length > 0 ? `: ${covers.join(', ')}` : ''}.`,
    );
  }
  return { verdicts, extra: entries.explicit.filter((name) => !expected.has(name)), wildcards, inlineLength, warnings };
}

/**
 * Reads both sides of every target repository, in parallel (the registry's repository policies,
 * registry policy and organization; the puller's policies, boundary, tags and organizations), then
 * the tags a policy asks for, and judges them. Writes nothing.
 */
export async function survey(settings: SurveySettings, previous?: Readers): Promise<Survey> {
  const { repositories, manifestMode } = targetRepositories(settings.targets);
  log.info(`Expected: ${repositories.length} repositor${repositories.length === 1 ? 'y' : 'ies'}.`);
  const subject = settings.targets.kind === 'repository' ? settings.targets.repository : 'manifest';
  const readers = previous ?? (await openReaders(settings, subject));
  const [registryId, states, staging] = await Promise.all([
    readers.registryId,
    readers.registryId.then((id) => readRepositoryStates(readers.ecr, settings.grant, settings.registry.region, id, repositories)),
    readPuller(readers, settings.puller),
  ]);
  const withPolicies = [...states.values()].flatMap((state) => (state ? [{ arn: state.arn, policy: state.policy }] : []));
  const tags = await readTagsWhereAsked(readers.ecr, staging, withPolicies);
  const judged = judgeSurvey(settings, registryId, staging, repositories, states, tags.tags);
  return { readers, registryId, staging, manifestMode, states, ...judged, notChecked: [...staging.notChecked, ...tags.notChecked] };
}
