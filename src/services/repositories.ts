import type { ECRClient } from '@aws-sdk/client-ecr';
import type { IAMClient } from '@aws-sdk/client-iam';
import { readRepositoryTags } from '../adapters/aws/registry-policy.js';
import { readRepositoryPolicy, RepositoryNotFoundError } from '../adapters/aws/repository-policy.js';
import { repositoryArn } from '../domain/arn.js';
import { PULL_NEEDS, runPoliciesMentionResourceTags, type RepositoryTags } from '../domain/checks/judge.js';
import type { NotChecked, RepositoryVerdict } from '../domain/checks/model.js';
import type { PullerModel } from '../domain/checks/verdict.js';
import type { PolicyDocument } from '../domain/policy/document.js';
import { mentionsResourceTags } from '../domain/policy/request-context.js';
import { log } from '../log.js';
import type { RepositoryState } from '../domain/facts.js';
import type { Warning } from '../domain/results.js';
import type { GrantSettings } from '../domain/pullers.js';
import { ownedOf, repositoryStateFrom } from '../domain/repository-state.js';
import { mapPool } from '../util/pool.js';

/** Repository policies are read this many at a time: fast for 500, gentle on ECR's rate limits. */
const READ_CONCURRENCY = 16;
const TAG_READ_CONCURRENCY = 16;
const PROGRESS_EVERY = 100;

export type { RepositoryState };

export { ownedOf, repositoryStateFrom };

export async function readRepositoryState(
  ecr: ECRClient,
  grant: GrantSettings,
  region: string,
  registryId: string,
  repository: string,
): Promise<RepositoryState> {
  return repositoryStateFrom(grant, repositoryArn(region, registryId, repository), repository, await readRepositoryPolicy(ecr, registryId, repository));
}

/** Reads every repository policy (the repositories themselves, in the registry); undefined: no such repository. */
export async function readRepositoryStates(
  ecr: ECRClient,
  grant: GrantSettings,
  region: string,
  registryId: string,
  repositories: string[],
): Promise<Map<string, RepositoryState | undefined>> {
  const states = new Map<string, RepositoryState | undefined>();
  // Read while the staging side is read too: plain lines, not a log group (groups cannot interleave).
  // A long manifest says how far it is, every PROGRESS_EVERY repositories (a terminal shows it on stderr).
  let done = 0;
  await mapPool(repositories, READ_CONCURRENCY, async (repository) => {
    try {
      states.set(repository, await readRepositoryState(ecr, grant, region, registryId, repository));
      if (++done % PROGRESS_EVERY === 0 && done < repositories.length) log.info(`Read ${done} of ${repositories.length} repository policies…`);
    } catch (error) {
      if (!(error instanceof RepositoryNotFoundError)) throw error;
      states.set(repository, undefined);
    }
  });
  log.info(`Read ${repositories.length} repository polic${repositories.length === 1 ? 'y' : 'ies'} in registry ${registryId}.`);
  return states;
}

/**
 * The tags of every repository whose verdict depends on them (a policy it is judged by mentions
 * aws:ResourceTag/ or ecr:ResourceTag/), read in parallel; no call at all when none does. A tags
 * read that fails leaves those keys unknown and is said once.
 */
export async function readTagsWhereAsked(
  ecr: ECRClient,
  pullers: PullerModel[],
  repositories: { arn: string; policy: PolicyDocument | undefined }[],
): Promise<{ tags: Map<string, RepositoryTags>; notChecked: NotChecked[] }> {
  // No puller, no verdict: nothing to read tags for.
  if (pullers.length === 0) return { tags: new Map(), notChecked: [] };
  const runWide = pullers.some((puller) => runPoliciesMentionResourceTags(puller.model, puller.registryPolicy));
  const asked = repositories.filter(({ policy }) => runWide || (policy !== undefined && mentionsResourceTags([{ statements: policy.Statement }])));
  const tags = new Map<string, RepositoryTags>();
  await mapPool(asked, TAG_READ_CONCURRENCY, async ({ arn }) => void tags.set(arn, await readRepositoryTags(ecr, arn)));
  const unread = [...tags.entries()].filter((entry): entry is [string, { status: 'unread'; reason: string }] => entry[1]?.status === 'unread');
  const notChecked: NotChecked[] =
    unread.length > 0
      ? [{ what: 'repository-tags', reason: `${unread.length} of ${asked.length} repositories, e.g. ${unread[0][0]}: ${unread[0][1].reason}` }]
      : [];
  return { tags, notChecked };
}

/** simulate: true — IAM's simulator as a second opinion on the identity side; disagreements warn. */
export async function crossCheckWithSimulator(iam: IAMClient, puller: PullerModel, verdicts: RepositoryVerdict[]): Promise<Warning[]> {
  if (puller.role.problem) return [];
  const { simulateIdentity } = await import('../adapters/aws/simulate.js');
  const warnings: Warning[] = [];
  // The simulator judges the identity side alone: a same-account pull the repository policy allows is not its to judge.
  for (const verdict of verdicts.filter((judged) => !judged.identity?.coveredBy)) {
    const warning = await simulateIdentity(iam, puller.roleArn, verdict.arn, PULL_NEEDS, verdict.identity?.status ?? 'missing');
    if (warning) warnings.push(warning);
  }
  return warnings;
}
